import { Injectable } from '@nestjs/common';
import { afterCursor, Page, PageCursor, Prisma, TenantScope, toPage } from '@twofold/platform/db';
import type { Actor } from '@twofold/tenancy/contracts';

export interface AuditEntry {
  action: string;
  targetType: string;
  targetId?: string;
  correlationId: string;
  /** What changed. Never secrets: callers pass field names and non-secret values only. */
  details?: Record<string, unknown>;
}

export interface AuditRow {
  id: string;
  occurredAt: Date;
  actorType: string;
  actorId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  correlationId: string;
  details: unknown;
}

/** Append-only admin audit log, written in the same transaction as the change it records. */
@Injectable()
export class AuditLogRepository {
  async record(scope: TenantScope, actor: Actor, entry: AuditEntry): Promise<void> {
    await scope.tx.auditLog.create({
      data: {
        tenantId: scope.tenantId,
        actorType: actor.type,
        actorId: actor.type === 'api_key' ? actor.apiKeyId : actor.type === 'system' ? actor.name : null,
        action: entry.action,
        targetType: entry.targetType,
        targetId: entry.targetId ?? null,
        correlationId: entry.correlationId,
        details: (entry.details ?? undefined) as Prisma.InputJsonValue | undefined,
      },
    });
  }

  async list(scope: TenantScope, page: { limit: number; cursor?: PageCursor }): Promise<Page<AuditRow>> {
    const rows = await scope.tx.auditLog.findMany({
      where: { tenantId: scope.tenantId, ...afterCursor(page.cursor, 'occurredAt') },
      orderBy: [{ occurredAt: 'asc' }, { id: 'asc' }],
      take: page.limit + 1,
    });
    return toPage(rows, page.limit, (r) => r.occurredAt);
  }
}
