import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import type { MethodRow } from '@twofold/directory/data-access';
import {
  POLICY_REGISTRATION_REASONS,
  PolicyRegistrationReason,
  REGISTRATION_REASONS,
  RegistrationReasonCode,
} from '@twofold/directory/domain';
import { AUTH_METHODS, AuthMethod } from '@twofold/directory/contracts';

export class RegisterMethodDto {
  @ApiProperty({ enum: AUTH_METHODS, description: 'R11' })
  @IsIn(AUTH_METHODS)
  method!: AuthMethod;

  @ApiPropertyOptional({
    example: '+14255550100',
    description: 'Required for sms and voice, refused otherwise. Normalised to E.164 (R22).',
  })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  phoneNumber?: string;
}

export class SetDefaultMethodDto {
  @ApiProperty({ enum: AUTH_METHODS, description: 'A registered method that the tenant policy allows.' })
  @IsIn(AUTH_METHODS)
  method!: AuthMethod;
}

export class MethodDto {
  @ApiProperty({ enum: AUTH_METHODS }) method!: AuthMethod;
  @ApiPropertyOptional({ example: '+14255550100', description: 'sms and voice only (E.164).' }) phoneNumber?: string;
  @ApiProperty() createdAt!: Date;
}

export class MethodListDto {
  @ApiProperty({ type: [MethodDto] }) items!: MethodDto[];
  @ApiProperty({ enum: AUTH_METHODS, nullable: true, type: String }) defaultMethod!: AuthMethod | null;
}

export class RegistrationDto {
  @ApiProperty({ description: 'R19: the user must register security info.' }) registrationRequired!: boolean;
  @ApiProperty({ enum: REGISTRATION_REASONS, isArray: true }) reasons!: RegistrationReasonCode[];
}

export class SetRegistrationRequirementsDto {
  @ApiProperty({
    enum: POLICY_REGISTRATION_REASONS,
    isArray: true,
    description:
      'The policy-driven reasons that apply to the user (replaces the previous set). `reset_by_admin` and `method_disabled` are kept as they are.',
  })
  @IsArray()
  @ArrayMaxSize(POLICY_REGISTRATION_REASONS.length)
  @IsIn(POLICY_REGISTRATION_REASONS, { each: true })
  reasons!: PolicyRegistrationReason[];
}

export function toMethodDto(m: MethodRow): MethodDto {
  return { method: m.method, ...(m.phone ? { phoneNumber: m.phone } : {}), createdAt: m.createdAt };
}
