import { Injectable } from '@nestjs/common';
import type { BillingModel, SkipReason, TenantTier, UsageKind } from '@twofold/billing/domain';
import { DbService, TenantScope } from '@twofold/platform/db';

export interface ClaimedUsageRow {
  id: string;
  periodStart: Date;
  kind: UsageKind;
  idempotencyKey: string;
  quantity: number;
  occurredAt: Date;
  providerId: string;
  billingModel: BillingModel;
  tenantTier: TenantTier;
  /** The Stripe customer of the provider's subscription; null while the reconciler has not made one. */
  stripeCustomerId: string | null;
}

/**
 * The relay's view of the usage outbox. Rows are claimed with FOR UPDATE SKIP LOCKED inside the
 * tenant transaction, so two workers never report the same row at once, and marked in that same
 * transaction after Stripe accepted them.
 */
@Injectable()
export class UsageRelayRepository {
  constructor(private readonly db: DbService) {}

  /** Tenants with rows to report (SECURITY DEFINER: RLS hides other tenants from the app role). */
  async pendingTenants(limit: number): Promise<string[]> {
    const rows = await this.db.client.$queryRaw<{ tenant_id: string }[]>`
      SELECT tenant_id::text AS tenant_id FROM twofold_pending_usage_tenants(${limit}::int)`;
    return rows.map((r) => r.tenant_id);
  }

  /**
   * Tenants with rows still pending that occurred before `before`, oldest first (SECURITY DEFINER,
   * like pendingTenants; served by the partial index of pending rows).
   */
  async stalePending(before: Date): Promise<{ tenantId: string; rows: number; oldest: Date }[]> {
    const rows = await this.db.client.$queryRaw<{ tenant_id: string; rows: number; oldest: Date }[]>`
      SELECT tenant_id::text AS tenant_id, rows, oldest FROM twofold_stale_pending_usage(${before}::timestamptz)`;
    return rows.map((r) => ({ tenantId: r.tenant_id, rows: r.rows, oldest: r.oldest }));
  }

  /**
   * Up to `limit` unreported rows, oldest first, locked for this transaction. Rows of a billed
   * provider that has no Stripe customer yet are left for a later pass (the reconciler makes one).
   */
  async claim(scope: TenantScope, limit: number): Promise<ClaimedUsageRow[]> {
    return scope.tx.$queryRaw<ClaimedUsageRow[]>`
      SELECT u.id::text AS "id", u.period_start AS "periodStart", u.kind::text AS "kind",
             u.idempotency_key AS "idempotencyKey", u.quantity AS "quantity", u.occurred_at AS "occurredAt",
             u.provider_id::text AS "providerId", p.billing_model::text AS "billingModel",
             t.tier::text AS "tenantTier", c.stripe_customer_id AS "stripeCustomerId"
        FROM usage_ledger u
        JOIN providers p ON p.tenant_id = u.tenant_id AND p.id = u.provider_id
        JOIN tenants t ON t.id = u.tenant_id
        LEFT JOIN stripe_subscriptions s ON s.tenant_id = u.tenant_id AND s.provider_id = u.provider_id
        LEFT JOIN stripe_customers c ON c.tenant_id = s.tenant_id AND c.id = s.customer_id
       WHERE u.tenant_id = ${scope.tenantId}::uuid
         AND u.reported_at IS NULL AND u.skipped_reason IS NULL
         AND (c.id IS NOT NULL OR t.tier = 'free'
              OR (p.billing_model = 'per_authentication') <> (u.kind = 'authentication')
              OR u.quantity <= 0)
       ORDER BY u.occurred_at, u.id
       LIMIT ${limit}::int
       FOR UPDATE OF u SKIP LOCKED`;
  }

  async markReported(
    scope: TenantScope,
    rows: { id: string; periodStart: Date; identifier: string }[],
    at: Date,
  ): Promise<void> {
    if (rows.length === 0) return;
    await scope.tx.$executeRaw`
      UPDATE usage_ledger u SET reported_at = ${at}, stripe_identifier = v.identifier,
             report_attempts = u.report_attempts + 1, last_error = NULL
        FROM unnest(${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => r.periodStart)}::timestamptz[],
                    ${rows.map((r) => r.identifier)}::text[]) AS v(id, period_start, identifier)
       WHERE u.tenant_id = ${scope.tenantId}::uuid AND u.period_start = v.period_start AND u.id = v.id`;
  }

  async markSkipped(scope: TenantScope, rows: { id: string; periodStart: Date; reason: SkipReason }[]): Promise<void> {
    if (rows.length === 0) return;
    await scope.tx.$executeRaw`
      UPDATE usage_ledger u SET skipped_reason = v.reason
        FROM unnest(${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => r.periodStart)}::timestamptz[],
                    ${rows.map((r) => r.reason)}::text[]) AS v(id, period_start, reason)
       WHERE u.tenant_id = ${scope.tenantId}::uuid AND u.period_start = v.period_start AND u.id = v.id`;
  }

  async markFailed(scope: TenantScope, rows: { id: string; periodStart: Date; error: string }[]): Promise<void> {
    if (rows.length === 0) return;
    await scope.tx.$executeRaw`
      UPDATE usage_ledger u SET report_attempts = u.report_attempts + 1, last_error = left(v.error, 500)
        FROM unnest(${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => r.periodStart)}::timestamptz[],
                    ${rows.map((r) => r.error)}::text[]) AS v(id, period_start, error)
       WHERE u.tenant_id = ${scope.tenantId}::uuid AND u.period_start = v.period_start AND u.id = v.id`;
  }
}
