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

export interface FailedUsageRow {
  tenantId: string;
  id: string;
  periodStart: Date;
  providerId: string;
  kind: string;
  idempotencyKey: string;
  quantity: number;
  occurredAt: Date;
  failedAt: Date;
  reportAttempts: number;
  lastError: string | null;
}

/**
 * The relay's view of the usage outbox (issue 13 item 4): rows are claimed with a lease in one short
 * transaction (FOR UPDATE SKIP LOCKED, so two workers never claim the same row), sent to Stripe
 * outside any transaction, and their outcome written in another short transaction.
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
   * Claims up to `limit` pending rows, oldest first, with a lease: they are not claimed again before
   * `leaseUntil` unless an outcome is written first (issue 13 item 4). The claim is one short
   * statement in its own transaction; the Stripe calls happen after it commits, outside any
   * transaction. Rows of a billed provider that has no Stripe customer yet are left for a later pass
   * (the reconciler makes one). Rows another worker is claiming right now are skipped.
   */
  async claim(scope: TenantScope, limit: number, now: Date, leaseUntil: Date): Promise<ClaimedUsageRow[]> {
    return scope.tx.$queryRaw<ClaimedUsageRow[]>`
      WITH picked AS (
        SELECT u.tenant_id, u.period_start, u.id, p.billing_model, t.tier, c.stripe_customer_id
          FROM usage_ledger u
          JOIN providers p ON p.tenant_id = u.tenant_id AND p.id = u.provider_id
          JOIN tenants t ON t.id = u.tenant_id
          LEFT JOIN stripe_subscriptions s ON s.tenant_id = u.tenant_id AND s.provider_id = u.provider_id
          LEFT JOIN stripe_customers c ON c.tenant_id = s.tenant_id AND c.id = s.customer_id
         WHERE u.tenant_id = ${scope.tenantId}::uuid
           AND u.reported_at IS NULL AND u.skipped_reason IS NULL AND u.failed_at IS NULL
           AND (u.available_at IS NULL OR u.available_at <= ${now})
           AND (c.id IS NOT NULL OR t.tier = 'free'
                OR (p.billing_model = 'per_authentication') <> (u.kind = 'authentication')
                OR u.quantity <= 0)
         ORDER BY u.occurred_at, u.id
         LIMIT ${limit}::int
         FOR UPDATE OF u SKIP LOCKED
      )
      UPDATE usage_ledger u SET available_at = ${leaseUntil}
        FROM picked
       WHERE u.tenant_id = picked.tenant_id AND u.period_start = picked.period_start AND u.id = picked.id
      RETURNING u.id::text AS "id", u.period_start AS "periodStart", u.kind::text AS "kind",
             u.idempotency_key AS "idempotencyKey", u.quantity AS "quantity", u.occurred_at AS "occurredAt",
             u.provider_id::text AS "providerId", picked.billing_model::text AS "billingModel",
             picked.tier::text AS "tenantTier", picked.stripe_customer_id AS "stripeCustomerId"`;
  }

  /** Stripe accepted (or already held) these rows. Never undoes another outcome already written. */
  async markReported(
    scope: TenantScope,
    rows: { id: string; periodStart: Date; identifier: string }[],
    at: Date,
  ): Promise<void> {
    if (rows.length === 0) return;
    await scope.tx.$executeRaw`
      UPDATE usage_ledger u SET reported_at = ${at}, stripe_identifier = v.identifier,
             report_attempts = u.report_attempts + 1, last_error = NULL, available_at = NULL, failed_at = NULL
        FROM unnest(${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => r.periodStart)}::timestamptz[],
                    ${rows.map((r) => r.identifier)}::text[]) AS v(id, period_start, identifier)
       WHERE u.tenant_id = ${scope.tenantId}::uuid AND u.period_start = v.period_start AND u.id = v.id
         AND u.reported_at IS NULL`;
  }

  async markSkipped(scope: TenantScope, rows: { id: string; periodStart: Date; reason: SkipReason }[]): Promise<void> {
    if (rows.length === 0) return;
    await scope.tx.$executeRaw`
      UPDATE usage_ledger u SET skipped_reason = v.reason, available_at = NULL
        FROM unnest(${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => r.periodStart)}::timestamptz[],
                    ${rows.map((r) => r.reason)}::text[]) AS v(id, period_start, reason)
       WHERE u.tenant_id = ${scope.tenantId}::uuid AND u.period_start = v.period_start AND u.id = v.id
         AND u.reported_at IS NULL AND u.skipped_reason IS NULL`;
  }

  /**
   * Stripe refused these rows for good (an event older than its 35-day window, a deleted customer):
   * they leave the pending set, with Stripe's error, until an operator retries or voids them.
   */
  async markFailed(
    scope: TenantScope,
    rows: { id: string; periodStart: Date; error: string }[],
    at: Date,
  ): Promise<void> {
    if (rows.length === 0) return;
    await scope.tx.$executeRaw`
      UPDATE usage_ledger u SET report_attempts = u.report_attempts + 1, last_error = left(v.error, 500),
             failed_at = ${at}, available_at = NULL
        FROM unnest(${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => r.periodStart)}::timestamptz[],
                    ${rows.map((r) => r.error)}::text[]) AS v(id, period_start, error)
       WHERE u.tenant_id = ${scope.tenantId}::uuid AND u.period_start = v.period_start AND u.id = v.id
         AND u.reported_at IS NULL AND u.skipped_reason IS NULL`;
  }

  /** A transient failure (5xx, 429, timeout): the lease ends at once, the next pass retries the row. */
  async markRetry(scope: TenantScope, rows: { id: string; periodStart: Date; error: string }[]): Promise<void> {
    if (rows.length === 0) return;
    await scope.tx.$executeRaw`
      UPDATE usage_ledger u SET report_attempts = u.report_attempts + 1, last_error = left(v.error, 500),
             available_at = NULL
        FROM unnest(${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => r.periodStart)}::timestamptz[],
                    ${rows.map((r) => r.error)}::text[]) AS v(id, period_start, error)
       WHERE u.tenant_id = ${scope.tenantId}::uuid AND u.period_start = v.period_start AND u.id = v.id
         AND u.reported_at IS NULL AND u.skipped_reason IS NULL`;
  }

  /** Rows Stripe refused for good that nobody has retried or voided, oldest failure first (all tenants). */
  async failedRows(limit: number): Promise<FailedUsageRow[]> {
    const rows = await this.db.client.$queryRaw<(Omit<FailedUsageRow, 'tenantId'> & { tenant_id: string })[]>`
      SELECT tenant_id::text AS tenant_id, id::text AS "id", period_start AS "periodStart",
             provider_id::text AS "providerId", kind AS "kind", idempotency_key AS "idempotencyKey",
             quantity AS "quantity", occurred_at AS "occurredAt", failed_at AS "failedAt",
             report_attempts AS "reportAttempts", last_error AS "lastError"
        FROM twofold_failed_usage(${limit}::int)`;
    return rows.map(({ tenant_id, ...r }) => ({ tenantId: tenant_id, ...r }));
  }

  /** An operator sends a failed row again: it rejoins the pending set. Returns whether it was failed. */
  async retryFailed(scope: TenantScope, id: string): Promise<boolean> {
    const n = await scope.tx.$executeRaw`
      UPDATE usage_ledger SET failed_at = NULL, available_at = NULL
       WHERE tenant_id = ${scope.tenantId}::uuid AND id = ${id}::uuid
         AND failed_at IS NOT NULL AND reported_at IS NULL AND skipped_reason IS NULL`;
    return n > 0;
  }

  /** An operator gives up on a failed row: it is never sent (skipped_reason 'voided'). */
  async voidFailed(scope: TenantScope, id: string): Promise<boolean> {
    const n = await scope.tx.$executeRaw`
      UPDATE usage_ledger SET skipped_reason = 'voided', available_at = NULL
       WHERE tenant_id = ${scope.tenantId}::uuid AND id = ${id}::uuid
         AND failed_at IS NOT NULL AND reported_at IS NULL AND skipped_reason IS NULL`;
    return n > 0;
  }
}
