import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsDateString, IsIn, IsIP, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { REPORT_FORMATS, ReportFormatName } from '@twofold/reporting/domain';
import { IdField } from '@twofold/platform/http';

export class ExportFiltersDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(256) userName?: string;
  @ApiPropertyOptional({ enum: ['success', 'deny'] }) @IsOptional() @IsIn(['success', 'deny']) result?:
    'success' | 'deny';
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) denyReason?: string;
  @ApiPropertyOptional()
  @IsOptional()
  @IsIn(['sms', 'voice', 'app_notification', 'app_code', 'oath_token', 'app_password'])
  method?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IdField() serverId?: string;
  @ApiPropertyOptional() @IsOptional() @IsIP() clientIp?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IdField() providerId?: string;
  @ApiPropertyOptional({ enum: ['day', 'month'], description: 'Usage report only.' })
  @IsOptional()
  @IsIn(['day', 'month'])
  granularity?: 'day' | 'month';
}

export class CreateExportDto {
  @ApiProperty({ enum: ['authentications', 'usage'] }) @IsIn(['authentications', 'usage']) report!:
    'authentications' | 'usage';
  @ApiProperty({ enum: REPORT_FORMATS }) @IsIn(REPORT_FORMATS) format!: ReportFormatName;
  @ApiProperty({ example: '2026-11-01T00:00:00Z' }) @IsDateString({ strict: true }) from!: string;
  @ApiProperty({ example: '2026-12-01T00:00:00Z' }) @IsDateString({ strict: true }) to!: string;
  @ApiPropertyOptional({ type: ExportFiltersDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ExportFiltersDto)
  filters?: ExportFiltersDto;
  @ApiPropertyOptional({ default: false, description: 'Compress the file with gzip.' })
  @IsOptional()
  @IsBoolean()
  gzip?: boolean;
}

export class ExportProgressDto {
  @ApiProperty() rowsDone!: number;
  @ApiPropertyOptional({ nullable: true, type: Number }) rowsTotal!: number | null;
  @ApiProperty({ description: '0–100' }) percent!: number;
}

export class ExportDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['queued', 'running', 'done', 'failed', 'expired'] }) status!: string;
  @ApiProperty({ type: ExportProgressDto }) progress!: ExportProgressDto;
  @ApiProperty({ enum: ['authentications', 'usage'] }) report!: string;
  @ApiProperty({ enum: REPORT_FORMATS }) format!: string;
  @ApiProperty() gzip!: boolean;
  @ApiProperty() createdAt!: Date;
  @ApiPropertyOptional({ nullable: true, type: Date }) completedAt!: Date | null;
  @ApiPropertyOptional({
    nullable: true,
    type: Date,
    description: 'The file is deleted then (EXPORT_RETENTION_HOURS).',
  })
  expiresAt!: Date | null;
  @ApiPropertyOptional({ nullable: true, type: String }) error!: string | null;
}
