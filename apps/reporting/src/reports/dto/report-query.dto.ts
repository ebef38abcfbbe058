import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDateString, IsIn, IsIP, IsOptional, IsString, Max, MaxLength, Min, IsInt } from 'class-validator';
import { Type } from 'class-transformer';
import { REPORT_FORMATS, ReportFormatName } from '@twofold/reporting/domain';
import { IdField } from '@twofold/platform/http';

const METHODS = ['sms', 'voice', 'app_notification', 'app_code', 'oath_token', 'app_password'] as const;

export class AuthenticationReportQueryDto {
  @ApiProperty({ example: '2026-11-01T00:00:00Z', description: 'Start of the range (ISO 8601, inclusive).' })
  @IsDateString({ strict: true })
  from!: string;

  @ApiProperty({ example: '2026-12-01T00:00:00Z', description: 'End of the range (ISO 8601, exclusive).' })
  @IsDateString({ strict: true })
  to!: string;

  @ApiPropertyOptional({
    enum: REPORT_FORMATS,
    description: 'Stream the whole range in this format; without it, JSON pages with `nextCursor`.',
  })
  @IsOptional()
  @IsIn(REPORT_FORMATS)
  format?: ReportFormatName;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(256) userName?: string;
  @ApiPropertyOptional({ enum: ['success', 'deny'] }) @IsOptional() @IsIn(['success', 'deny']) result?:
    'success' | 'deny';
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) denyReason?: string;
  @ApiPropertyOptional({ enum: METHODS }) @IsOptional() @IsIn(METHODS) method?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'MFA server id.' }) @IsOptional() @IdField() serverId?: string;
  @ApiPropertyOptional() @IsOptional() @IsIP() clientIp?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IdField() providerId?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(512) cursor?: string;
}

export class UsageReportQueryDto {
  @ApiProperty({ example: '2026-11-01T00:00:00Z' }) @IsDateString({ strict: true }) from!: string;
  @ApiProperty({ example: '2026-12-01T00:00:00Z' }) @IsDateString({ strict: true }) to!: string;

  @ApiPropertyOptional({ enum: ['day', 'month'], default: 'day' })
  @IsOptional()
  @IsIn(['day', 'month'])
  granularity?: 'day' | 'month';

  @ApiPropertyOptional({ enum: REPORT_FORMATS })
  @IsOptional()
  @IsIn(REPORT_FORMATS)
  format?: ReportFormatName;
}

export class AuthenticationReportRowDto {
  @ApiProperty() id!: string;
  @ApiProperty() time!: Date;
  @ApiProperty() authenticationId!: string;
  @ApiProperty() userName!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) firstName!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) lastName!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) email!: string | null;
  @ApiProperty() method!: string;
  @ApiProperty({ enum: ['success', 'deny'] }) result!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) denyReason!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) phoneNumber!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) deviceToken!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) clientIp!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) serverName!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) serverIp!: string | null;
  @ApiProperty() providerId!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) deliveryStatus!: string | null;
  @ApiProperty() dataRegion!: string;
  @ApiProperty() correlationId!: string;
}

export class AuthenticationReportPageDto {
  @ApiProperty({ type: [AuthenticationReportRowDto] }) items!: AuthenticationReportRowDto[];
  @ApiPropertyOptional({ nullable: true, type: String }) nextCursor!: string | null;
}
