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

export interface AuditFilter {
  action?: string;
  targetType?: string;
  targetId?: string;
  actorType?: Actor['type'];
  actorId?: string;
  from?: Date;
  to?: Date;
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

function actorIdOf(actor: Actor): string | null {
  switch (actor.type) {
    case 'api_key':
      return actor.apiKeyId;
    case 'mfa_server':
      return actor.serverId;
    case 'admin':
      return actor.adminId;
    case 'system':
      return actor.name;
    case 'operator':
      return null;
  }
}

/** Append-only admin audit log, written in the same transaction as the change it records. */
@Injectable()
export class AuditLogRepository {
  async record(scope: TenantScope, actor: Actor, entry: AuditEntry): Promise<void> {
    await scope.tx.auditLog.create({
      data: {
        tenantId: scope.tenantId,
        actorType: actor.type,
        actorId: actorIdOf(actor),
        action: entry.action,
        targetType: entry.targetType,
        targetId: entry.targetId ?? null,
        correlationId: entry.correlationId,
        details: (entry.details ?? undefined) as Prisma.InputJsonValue | undefined,
      },
    });
  }

  /** One row per entry, in one statement (bulk operations audit each object they touch). */
  async recordMany(scope: TenantScope, actor: Actor, entries: AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const actorId = actorIdOf(actor);
    for (let i = 0; i < entries.length; i += 2000) {
      await scope.tx.auditLog.createMany({
        data: entries.slice(i, i + 2000).map((entry) => ({
          tenantId: scope.tenantId,
          actorType: actor.type,
          actorId,
          action: entry.action,
          targetType: entry.targetType,
          targetId: entry.targetId ?? null,
          correlationId: entry.correlationId,
          details: (entry.details ?? undefined) as Prisma.InputJsonValue | undefined,
        })),
      });
    }
  }

  async list(
    scope: TenantScope,
    filter: AuditFilter,
    page: { limit: number; cursor?: PageCursor },
  ): Promise<Page<AuditRow>> {
    const occurredAt =
      filter.from || filter.to
        ? { ...(filter.from && { gte: filter.from }), ...(filter.to && { lt: filter.to }) }
        : undefined;
    const rows = await scope.tx.auditLog.findMany({
      where: {
        tenantId: scope.tenantId,
        ...(filter.action && { action: filter.action }),
        ...(filter.targetType && { targetType: filter.targetType }),
        ...(filter.targetId && { targetId: filter.targetId }),
        ...(filter.actorType && { actorType: filter.actorType }),
        ...(filter.actorId && { actorId: filter.actorId }),
        ...(occurredAt && { occurredAt }),
        ...afterCursor(page.cursor, 'occurredAt'),
      },
      orderBy: [{ occurredAt: 'asc' }, { id: 'asc' }],
      take: page.limit + 1,
    });
    return toPage(rows, page.limit, (r) => r.occurredAt);
  }
}
