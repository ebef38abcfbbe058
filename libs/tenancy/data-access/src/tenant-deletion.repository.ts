import { Injectable } from '@nestjs/common';
import { DbService, type TenantScope } from '@twofold/platform/db';
import type { MoneyFacts } from '@twofold/tenancy/domain';

/**
 * The tables a tenant's deletion empties, children before parents, each with the key its batches
 * name rows by (docs/decisions/0026). Every one of them holds personal data, a credential, or rows
 * that refer to them. What is not listed stays: the tenant row (a tombstone), its providers (the
 * usage ledger refers to them), the usage ledger (no personal data), the Stripe customers,
 * subscriptions and invoices, seat purchases, provider link changes (ids only, billing history).
 */
export const PURGED_TABLES: readonly { table: string; key: string }[] = [
  { table: 'message_status_events', key: 'id' },
  { table: 'messages', key: 'id' },
  { table: 'authentication_records', key: 'occurred_at, id' },
  { table: 'authentications', key: 'id' },
  { table: 'app_passwords', key: 'id' },
  { table: 'device_activations', key: 'id' },
  { table: 'user_methods', key: 'id' },
  { table: 'license_assignments', key: 'id' },
  { table: 'license_assignment_changes', key: 'id' },
  { table: 'user_mfa_state_changes', key: 'id' },
  { table: 'oath_tokens', key: 'id' },
  { table: 'users', key: 'id' },
  { table: 'license_pools', key: 'id' },
  { table: 'mfa_server_activation_credentials', key: 'id' },
  { table: 'mfa_servers', key: 'id' },
  { table: 'provider_link_consents', key: 'id' },
  { table: 'tenant_method_policies', key: 'id' },
  { table: 'report_exports', key: 'id' },
  { table: 'admin_sessions', key: 'id' },
  { table: 'admin_invitations', key: 'id' },
  { table: 'admins', key: 'id' },
  { table: 'api_keys', key: 'id' },
  { table: 'audit_log', key: 'id' },
];

export interface DeletionCandidate {
  id: string;
  deletionDueAt: Date | null;
  deletionStartedAt: Date | null;
  deletedAt: Date | null;
}

/**
 * I/O of a tenant's deletion (docs/decisions/0026), run by the billing worker's scheduled job. It
 * crosses every domain's tables on purpose: deleting a tenant is one use case, and the order of its
 * deletes (children first) is one list, above.
 */
@Injectable()
export class TenantDeletionRepository {
  constructor(private readonly db: DbService) {}

  /** Tenants whose grace is over and that are not deleted yet (SECURITY DEFINER: no tenant is known). */
  async due(now: Date, limit: number): Promise<string[]> {
    const rows = await this.db.query<{ id: string }>('SELECT id::text FROM twofold_tenants_due_for_deletion($1, $2)', [
      now,
      limit,
    ]);
    return rows.map((r) => r.id);
  }

  /** The tenant row, locked: a concurrent resume waits, or has already cancelled the deletion. */
  async lock(scope: TenantScope): Promise<DeletionCandidate | null> {
    const rows = await scope.tx.$queryRaw<DeletionCandidate[]>`
      SELECT id::text, deletion_due_at AS "deletionDueAt", deletion_started_at AS "deletionStartedAt",
             deleted_at AS "deletedAt"
        FROM tenants WHERE id = ${scope.tenantId}::uuid FOR UPDATE`;
    return rows[0] ?? null;
  }

  /**
   * The grace is over: its live providers are closed at `at` (as a provider deletion does: their
   * Stripe subscriptions are cancelled by the billing loop and their last month is billed by the
   * month close), and the deletion is marked started (resume no longer possible).
   */
  async start(scope: TenantScope, at: Date): Promise<number> {
    const { count } = await scope.tx.provider.updateMany({
      where: { tenantId: scope.tenantId, deletedAt: null },
      data: { deletedAt: at },
    });
    await scope.tx.tenant.update({ where: { id: scope.tenantId }, data: { deletionStartedAt: at } });
    return count;
  }

  /** What the money gate needs: `closingMonth` is the month the providers were closed in. */
  async moneyFacts(scope: TenantScope, closingMonth: Date, closingMonthEnded: boolean): Promise<MoneyFacts> {
    const rows = await scope.tx.$queryRaw<{ unreported: bigint; unclosed: bigint; live: bigint; exports: bigint }[]>`
      SELECT
        (SELECT count(*) FROM usage_ledger u
          WHERE u.tenant_id = ${scope.tenantId}::uuid AND u.reported_at IS NULL AND u.skipped_reason IS NULL)
          AS unreported,
        (SELECT count(*) FROM providers p
          WHERE p.tenant_id = ${scope.tenantId}::uuid AND p.billing_model = 'per_user'
            AND (p.deleted_at IS NULL OR p.deleted_at >= ${closingMonth})
            AND NOT EXISTS (SELECT 1 FROM usage_ledger u
                             WHERE u.tenant_id = p.tenant_id AND u.provider_id = p.id
                               AND u.kind = 'user_month' AND u.period_start = ${closingMonth}))
          AS unclosed,
        (SELECT count(*) FROM stripe_subscriptions s
          WHERE s.tenant_id = ${scope.tenantId}::uuid AND s.status <> 'canceled')
          AS live,
        (SELECT count(*) FROM report_exports e
          WHERE e.tenant_id = ${scope.tenantId}::uuid AND e.status IN ('queued', 'running', 'done'))
          AS exports`;
    const r = rows[0];
    return {
      unreportedUsage: Number(r.unreported),
      unclosedProviders: Number(r.unclosed),
      liveSubscriptions: Number(r.live),
      closingMonthEnded,
      openExports: Number(r.exports),
    };
  }

  /**
   * Deletes at most `limit` rows of the first listed table that still has rows of the tenant; returns
   * the table and the count, or null when every listed table is empty. One bounded statement per
   * transaction: the job never holds locks on a big tenant's rows for long.
   */
  async purgeBatch(tenantId: string, limit: number): Promise<{ table: string; deleted: number } | null> {
    for (const { table, key } of PURGED_TABLES) {
      const deleted = await this.db.inTenantSql(tenantId, async (scope) => {
        const rows = await scope.query<{ n: number }>(
          `WITH gone AS (
             DELETE FROM ${table} WHERE tenant_id = $1::uuid AND (${key}) IN (
               SELECT ${key} FROM ${table} WHERE tenant_id = $1::uuid LIMIT $2)
             RETURNING 1)
           SELECT count(*)::int AS n FROM gone`,
          [tenantId, limit],
        );
        return rows[0]?.n ?? 0;
      });
      if (deleted > 0) return { table, deleted };
    }
    return null;
  }

  /** The tombstone: the row stays (billing rows refer to it) with no setting that came from the tenant's admins. */
  async tombstone(scope: TenantScope, at: Date): Promise<void> {
    await scope.tx.tenant.update({
      where: { id: scope.tenantId },
      data: { deletedAt: at, smsTemplate: null, suspensionReason: null },
    });
  }
}
