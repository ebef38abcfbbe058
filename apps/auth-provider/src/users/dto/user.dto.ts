import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsNotEmpty,
  IsOptional,
  IsString,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import { PHONE_REFUSAL_REASONS, PhoneRefusalReason } from '@twofold/delivery/contracts';
import { MAX_BULK_USERS } from '@twofold/directory/domain';
import type { UserRow } from '@twofold/directory/data-access';
import { PageQueryDto } from '../../common/page.dto';

const NAME_MAX = 256;

export class CreateUserDto {
  @ApiProperty({
    maxLength: NAME_MAX,
    example: 'alice@contoso.com',
    description: 'Unique per tenant, compared without case.',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(NAME_MAX)
  userName!: string;

  @ApiPropertyOptional({
    example: '+14255550100',
    description:
      'Normalised to E.164 (without +, read in the tenant’s `phoneDefaultRegion`); refused when invalid (400 ' +
      '`validation_failed`) or of a toll-fraud class (400 `phone_number_not_allowed` with `reason`).',
    nullable: true,
  })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @MaxLength(32)
  phoneNumber?: string | null;

  @ApiPropertyOptional({ example: 'alice@contoso.com', nullable: true })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsEmail()
  @MaxLength(320)
  email?: string | null;

  @ApiPropertyOptional({ maxLength: 100, nullable: true })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @MaxLength(100)
  firstName?: string | null;

  @ApiPropertyOptional({ maxLength: 100, nullable: true })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @MaxLength(100)
  lastName?: string | null;

  @ApiPropertyOptional({ default: false, description: 'R3: every change of this flag is recorded with its time.' })
  @IsOptional()
  @IsBoolean()
  mfaEnabled?: boolean;
}

export class UpdateUserDto {
  @ApiPropertyOptional({ maxLength: NAME_MAX })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(NAME_MAX)
  userName?: string;

  @ApiPropertyOptional({ nullable: true, example: '+14255550100' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @MaxLength(32)
  phoneNumber?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsEmail()
  @MaxLength(320)
  email?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @MaxLength(100)
  firstName?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @MaxLength(100)
  lastName?: string | null;

  @ApiPropertyOptional({ description: 'Enable or disable MFA for the user (R3: recorded with its time).' })
  @IsOptional()
  @IsBoolean()
  mfaEnabled?: boolean;
}

export class BulkCreateUsersDto {
  @ApiProperty({
    type: [CreateUserDto],
    maxItems: MAX_BULK_USERS,
    description: `Up to ${MAX_BULK_USERS} users. Each row is checked on its own; valid rows are created together.`,
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BULK_USERS)
  users!: unknown[];
}

const toBool = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class ListUsersQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Only users with MFA enabled (true) or disabled (false).' })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({ description: 'Only users holding (true) or lacking (false) a license in force.' })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  licensed?: boolean;

  @ApiPropertyOptional({ description: 'Only users who must (true) or need not (false) register security info (R19).' })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  registrationRequired?: boolean;
}

export class UserDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() userName!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) firstName!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) lastName!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) email!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'E.164' }) phoneNumber!: string | null;
  @ApiProperty() mfaEnabled!: boolean;
  @ApiProperty({ description: 'Holds a license in force (R4).' }) licensed!: boolean;
  @ApiPropertyOptional({ nullable: true, type: String }) defaultMethod!: string | null;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
}

export class UserPageDto {
  @ApiProperty({ type: [UserDto] }) items!: UserDto[];
  @ApiPropertyOptional({ nullable: true, type: String }) nextCursor!: string | null;
}

class BulkRowErrorDto {
  @ApiProperty({ example: 'phone_number_not_allowed' }) code!: string;
  @ApiProperty() message!: string;
  @ApiPropertyOptional({ description: 'The bad field, where one is to blame.' }) field?: string;
  @ApiPropertyOptional({
    enum: PHONE_REFUSAL_REASONS,
    description: 'With `phone_number_not_allowed`: the class of the refused number (docs/decisions/0019).',
  })
  reason?: PhoneRefusalReason;
}

export class BulkUserResultDto {
  @ApiProperty({ description: '1-based position of the row in `users`.' }) line!: number;
  @ApiPropertyOptional() userName?: string;
  @ApiProperty({ enum: ['created', 'rejected'] }) status!: 'created' | 'rejected';
  @ApiPropertyOptional({ format: 'uuid' }) id?: string;
  @ApiPropertyOptional({ type: [BulkRowErrorDto] }) errors?: BulkRowErrorDto[];
}

export class BulkCreateUsersResultDto {
  @ApiProperty() created!: number;
  @ApiProperty() rejected!: number;
  @ApiProperty({ type: [BulkUserResultDto] }) results!: BulkUserResultDto[];
}

export function toUserDto(u: UserRow, licensed: boolean): UserDto {
  return {
    id: u.id,
    userName: u.userName,
    firstName: u.firstName,
    lastName: u.lastName,
    email: u.email,
    phoneNumber: u.phone,
    mfaEnabled: u.mfaEnabled,
    licensed,
    defaultMethod: u.defaultMethod,
    createdAt: u.createdAt,
    updatedAt: u.updatedAt,
  };
}

export class UserErasureDto {
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty({ description: 'The directory user still existed and this erasure deleted it.' })
  userDeleted!: boolean;
  @ApiProperty({ description: 'Authentication records whose personal values this call replaced.' })
  records!: number;
  @ApiProperty({ description: 'Audit entries whose snapshots this call pseudonymised.' })
  auditEntries!: number;
  @ApiProperty({ description: 'SMS/voice messages whose destination number this call replaced.' })
  messages!: number;
}
