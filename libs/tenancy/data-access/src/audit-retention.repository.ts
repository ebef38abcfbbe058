import { Injectable } from '@nestjs/common';
import { Prisma, type SqlScope, type TenantScope } from '@twofold/platform/db';

export interface AuditMention {
  id: string;
  targetId: string | null;
  details: unknown;
}

const likePattern = (value: string) => `%${value.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Retention and erasure of audit entries (issue 16 item 2, docs/decisions/0025). The audit log is
 * append-only except for these two: entries older than the tenant's retention go, and an erased
 * person's values are replaced in the entries that mention them.
 */
@Injectable()
export class AuditRetentionRepository {
  /** Deletes up to `limit` of the tenant's entries older than `before` (audit_log_listing_idx). */
  async purgeBatch(scope: SqlScope, before: Date, limit: number): Promise<number> {
    const rows = await scope.query<{ n: number }>(
      `WITH doomed AS (
         SELECT id FROM audit_log
          WHERE tenant_id = $1 AND occurred_at IS NOT NULL AND occurred_at < $2 ORDER BY occurred_at LIMIT $3),
       gone AS (
         DELETE FROM audit_log a USING doomed d WHERE a.tenant_id = $1 AND a.id = d.id RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [scope.tenantId, before, limit],
    );
    return rows[0]?.n ?? 0;
  }

  /**
   * The tenant's entries about the user (target) or whose details name the user's id or contain one
   * of their values. Reads the tenant's entries with details once: erasure is rare, and a value can sit
   * in any entry (a license assignment, an import).
   */
  async mentioning(scope: TenantScope, userId: string, values: string[]): Promise<AuditMention[]> {
    const patterns = [userId, ...values].filter((v) => v.length > 0).map(likePattern);
    return scope.tx.$queryRaw<AuditMention[]>`
      SELECT id::text AS id, target_id AS "targetId", details FROM audit_log
       WHERE tenant_id = ${scope.tenantId}::uuid
         AND (target_id = ${userId} OR (details IS NOT NULL AND lower(details::text) LIKE ANY (${patterns}::text[])))`;
  }

  async rewriteDetails(scope: TenantScope, id: string, details: unknown): Promise<void> {
    await scope.tx.auditLog.update({
      where: { tenantId_id: { tenantId: scope.tenantId, id } },
      data: { details: details === null ? Prisma.DbNull : (details as Prisma.InputJsonValue) },
    });
  }
}
