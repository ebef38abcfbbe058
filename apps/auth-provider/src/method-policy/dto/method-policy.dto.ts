import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';
import { TENANT_TIERS, TenantTierCode } from '@twofold/tenancy/contracts';
import { AUTH_METHODS, AuthMethod } from '@twofold/directory/contracts';

/** R20: each field enables (true) or disables (false) a method for the whole tenant. */
export class UpdateMethodPolicyDto implements Partial<Record<AuthMethod, boolean>> {
  @ApiPropertyOptional() @IsOptional() @IsBoolean() sms?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() voice?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() app_notification?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() app_code?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() oath_token?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() app_password?: boolean;
}

export class MethodPolicyEntryDto {
  @ApiProperty({ enum: AUTH_METHODS }) method!: AuthMethod;
  @ApiProperty({ description: 'Effective: on the free tier only the authenticator app is enabled (R9).' })
  enabled!: boolean;
}

export class MethodPolicyDto {
  @ApiProperty({ enum: TENANT_TIERS }) tier!: TenantTierCode;
  @ApiProperty({ type: [MethodPolicyEntryDto] }) items!: MethodPolicyEntryDto[];
}
