import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { AuditRow } from '@twofold/tenancy/data-access';

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
