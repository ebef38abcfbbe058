import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsHexadecimal,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  Length,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import type { OathTokenRow } from '@twofold/tokens/data-access';
import { PageQueryDto } from '../../common/page.dto';
import { IdField } from '@twofold/platform/http';

const toBool = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export const IMPORT_BODY_LIMIT_BYTES = 5 * 1024 * 1024;

/**
 * The JSON body of `POST /v1/oath-tokens/import`. A `multipart/form-data` upload is read into the same
 * shape (its `file` part becomes `content`), so both go through one validation.
 */
export class ImportOathTokensDto {
  @ApiPropertyOptional({ enum: ['csv', 'pskc'], description: 'Detected from the content when omitted.' })
  @IsOptional()
  @IsIn(['csv', 'pskc'])
  format?: 'csv' | 'pskc';

  @ApiProperty({ description: 'The file: CSV or PSKC (RFC 6030) XML.' })
  @IsString()
  @IsNotEmpty()
  content!: string;

  @ApiPropertyOptional({
    description:
      'PBKDF2 password of an encrypted PSKC file. Never stored or logged. Files asking for more than 200,000 iterations are refused.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  password?: string;

  @ApiPropertyOptional({ description: 'Hex AES key of a pre-shared-key PSKC file. Never stored or logged.' })
  @IsOptional()
  @IsHexadecimal()
  @Length(32, 64)
  preSharedKey?: string;

  @ApiPropertyOptional({ description: 'Report what would be imported without writing anything.' })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  dryRun?: boolean;
}

export class ImportResultDto {
  @ApiPropertyOptional({ description: 'CSV: the 1-based line in the file (a header is line 1).' }) line?: number;
  @ApiPropertyOptional({ description: 'PSKC: the key’s Id.' }) keyId?: string;
  @ApiProperty({ nullable: true, type: String }) serial!: string | null;
  @ApiProperty({ enum: ['imported', 'rejected'] }) status!: 'imported' | 'rejected';
  @ApiPropertyOptional({
    description:
      'Why not: not_otp_key, unsupported_algorithm, no_secret, cannot_decrypt, invalid_secret, weak_secret, missing_serial, invalid_digits, invalid_interval, invalid_counter, invalid_row, expired, duplicate_in_file, already_imported, user_not_found.',
  })
  reason?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'The new token (not in a dry run).' }) id?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'Assigned at import (CSV `upn`).' }) assignedUserId?: string;
}

export class ImportResponseDto {
  @ApiProperty() imported!: number;
  @ApiProperty() rejected!: number;
  @ApiProperty() dryRun!: boolean;
  @ApiProperty({ type: [ImportResultDto] }) results!: ImportResultDto[];
}

export class ListOathTokensQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Only tokens assigned to a user (true) or in stock (false).' })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  assigned?: boolean;
}

export class AssignOathTokenDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'The user, by id; or give `userName`.' })
  @ValidateIf((o: AssignOathTokenDto) => o.userName === undefined)
  @IdField()
  userId?: string;

  @ApiPropertyOptional({ description: 'The user, by user name (UPN); or give `userId`.' })
  @ValidateIf((o: AssignOathTokenDto) => o.userId === undefined)
  @IsString()
  @IsNotEmpty()
  @MaxLength(320)
  userName?: string;
}

export class OathTokenDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() serial!: string;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'The PSKC key Id (null for CSV imports).' })
  keyId!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) manufacturer!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) model!: string | null;
  @ApiProperty({ enum: ['totp', 'hotp'] }) type!: 'totp' | 'hotp';
  @ApiProperty({ enum: ['SHA1', 'SHA256', 'SHA512'] }) algorithm!: 'SHA1' | 'SHA256' | 'SHA512';
  @ApiProperty() digits!: number;
  @ApiProperty({ description: 'TOTP time step in seconds.' }) period!: number;
  @ApiPropertyOptional({ nullable: true, type: Date }) expiresAt!: Date | null;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'uuid' }) assignedUserId!: string | null;
  @ApiPropertyOptional({ nullable: true, type: Date }) assignedAt!: Date | null;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
}

export class OathTokenPageDto {
  @ApiProperty({ type: [OathTokenDto] }) items!: OathTokenDto[];
  @ApiPropertyOptional({ nullable: true, type: String }) nextCursor!: string | null;
}

export const toOathTokenDto = (t: OathTokenRow): OathTokenDto => ({
  id: t.id,
  serial: t.serial,
  keyId: t.pskcKeyId === '' ? null : t.pskcKeyId,
  manufacturer: t.manufacturer,
  model: t.model,
  type: t.type,
  algorithm: t.algorithm,
  digits: t.digits,
  period: t.period,
  expiresAt: t.expiresAt,
  assignedUserId: t.assignedUserId,
  assignedAt: t.assignedAt,
  createdAt: t.createdAt,
  updatedAt: t.updatedAt,
});
