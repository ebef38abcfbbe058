import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDateString, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../common/page.dto';
import type { AuditRow } from '@twofold/tenancy/data-access';
import { IdField } from '@twofold/platform/http';

export class AuditEntryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() occurredAt!: Date;
  @ApiProperty({ enum: ['operator', 'api_key', 'system'] }) actorType!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) actorId!: string | null;
  @ApiProperty({ example: 'provider.create' }) action!: string;
  @ApiProperty() targetType!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) targetId!: string | null;
  @ApiProperty() correlationId!: string;
  @ApiPropertyOptional({ type: Object, nullable: true }) details!: unknown;
}

export class AuditPageDto {
  @ApiProperty({ type: [AuditEntryDto] }) items!: AuditEntryDto[];
  @ApiPropertyOptional({ nullable: true, type: String }) nextCursor!: string | null;
}

export const toAuditEntryDto = (r: AuditRow): AuditEntryDto => ({
  id: r.id,
  occurredAt: r.occurredAt,
  actorType: r.actorType,
  actorId: r.actorId,
  action: r.action,
  targetType: r.targetType,
  targetId: r.targetId,
  correlationId: r.correlationId,
  details: r.details ?? null,
});

export class AuditQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: 'provider.update' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  action?: string;

  @ApiPropertyOptional({ example: 'user' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  targetType?: string;

  @ApiPropertyOptional({ description: 'The object the entries are about.' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  targetId?: string;

  @ApiPropertyOptional({ enum: ['operator', 'api_key', 'mfa_server', 'system'] })
  @IsOptional()
  @IsIn(['operator', 'api_key', 'mfa_server', 'system'])
  actorType?: 'operator' | 'api_key' | 'mfa_server' | 'system';

  @ApiPropertyOptional({ format: 'uuid', description: 'The API key (or server) that made the changes.' })
  @IsOptional()
  @IdField()
  actorId?: string;

  @ApiPropertyOptional({ description: 'Entries at or after this time (ISO 8601).' })
  @IsOptional()
  @IsDateString({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'Entries before this time (ISO 8601).' })
  @IsOptional()
  @IsDateString({ strict: true })
  to?: string;
}
