import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import {
  meterEventIdempotencyKey,
  meterEventTimestamp,
  SkipReason,
  STALE_PENDING_USAGE_MS,
  USAGE_CLAIM_LEASE_MS,
  usageDisposition,
} from '@twofold/billing/domain';
import {
  ClaimedUsageRow,
  FailedUsageRow,
  StripeCallError,
  StripeGateway,
  UsageRelayRepository,
} from '@twofold/billing/data-access';
import { Clock, DbService } from '@twofold/platform/db';

export const RELAY_OPTIONS = Symbol('RELAY_OPTIONS');

export interface RelayOptions {
  batchSize: number;
  concurrency: number;
  /** How long a claim withholds its rows from other passes (default USAGE_CLAIM_LEASE_MS). */
  leaseMs?: number;
}

export interface RelayResult {
  claimed: number;
  reported: number;
  alreadyReported: number;
  skipped: number;
  failed: number;
  transientFailures: number;
}

/** Usage rows pending longer than STALE_PENDING_USAGE_MS (all tenants). */
export interface StalePendingUsage {
  rows: number;
  tenants: { tenantId: string; rows: number; oldest: Date }[];
  /** Rows that occurred before this instant count as stale. */
  olderThan: Date;
}

const empty = (): RelayResult => ({
  claimed: 0,
  reported: 0,
  alreadyReported: 0,
  skipped: 0,
  failed: 0,
  transientFailures: 0,
});

function add(a: RelayResult, b: RelayResult): RelayResult {
  return {
    claimed: a.claimed + b.claimed,
    reported: a.reported + b.reported,
    alreadyReported: a.alreadyReported + b.alreadyReported,
    skipped: a.skipped + b.skipped,
    failed: a.failed + b.failed,
    transientFailures: a.transientFailures + b.transientFailures,
  };
}

/**
 * Moves usage rows from the outbox to Stripe meter events (R2, R3, R6, R10 exactness).
 *
 * Per tenant batch (issue 13 item 4): claim rows with a lease in one short transaction; send each as a
 * meter event whose `identifier` is the row's key and whose Idempotency-Key derives from it, outside any
 * transaction; write the outcomes in another short transaction. A crash after Stripe accepted an event
 * and before the outcome leaves the row leased; once the lease ends the row is sent again, Stripe
 * answers from its idempotency store or refuses the duplicate identifier, and the row is marked
 * reported: counted exactly once. A slow Stripe never holds a database transaction open. Rows Stripe
 * refuses for good become `failed` and leave the pending set; transient failures are retried.
 */
@Injectable()
export class UsageRelayService {
  private readonly logger = new Logger(UsageRelayService.name);
  private readonly options: Required<RelayOptions>;

  constructor(
    private readonly db: DbService,
    private readonly rows: UsageRelayRepository,
    private readonly stripe: StripeGateway,
    private readonly clock: Clock,
    @Optional() @Inject(RELAY_OPTIONS) options?: RelayOptions,
  ) {
    this.options = { batchSize: 200, concurrency: 16, leaseMs: USAGE_CLAIM_LEASE_MS, ...options };
  }

  /** One pass over every tenant with pending rows; each tenant is drained unless Stripe is failing. */
  async relayAll(): Promise<RelayResult> {
    let total = empty();
    for (const tenantId of await this.rows.pendingTenants(1_000)) {
      for (;;) {
        const r = await this.relayTenantBatch(tenantId);
        total = add(total, r);
        // Rows refused for good are set aside, so they never hold back the tenant's newer rows.
        if (r.claimed < this.options.batchSize || r.transientFailures > 0) break;
      }
    }
    return total;
  }

  /**
   * Rows still pending 12 hours after they occurred. Stripe deduplicates a retry (Idempotency-Key,
   * meter-event identifier) for about 24 hours only, so these need a human while a retry is still
   * safe (docs/decisions/0015-billing-operations.md). Logs one error when there are any.
   */
  async checkStale(): Promise<StalePendingUsage> {
    const olderThan = new Date(this.clock.now().getTime() - STALE_PENDING_USAGE_MS);
    const tenants = await this.rows.stalePending(olderThan);
    const rows = tenants.reduce((n, t) => n + t.rows, 0);
    if (rows > 0)
      this.logger.error(
        {
          staleRows: rows,
          tenants: tenants.length,
          oldest: tenants[0]?.oldest.toISOString(),
          sample: tenants.slice(0, 10).map((t) => ({ tenantId: t.tenantId, rows: t.rows })),
        },
        'usage rows pending longer than 12 h: fix the cause before Stripe forgets their idempotency keys (24 h)',
      );
    return { rows, tenants, olderThan };
  }

  /**
   * Rows Stripe refused for good and nobody has retried or voided yet. Logs one error per billing pass
   * when there are any: each needs an operator (`reconcile --retry-failed` or `--void-failed`).
   */
  async checkFailed(): Promise<FailedUsageRow[]> {
    const failed = await this.rows.failedRows(1_000);
    if (failed.length > 0)
      this.logger.error(
        {
          failedRows: failed.length,
          tenants: new Set(failed.map((f) => f.tenantId)).size,
          oldest: failed[0]?.failedAt.toISOString(),
          sample: failed.slice(0, 5).map((f) => ({ tenantId: f.tenantId, key: f.idempotencyKey, error: f.lastError })),
        },
        'usage rows Stripe refused for good: retry or void them with the reconcile command',
      );
    return failed;
  }

  /** One batch of one tenant: claim (one transaction), send (none), record outcomes (another). */
  async relayTenantBatch(tenantId: string): Promise<RelayResult> {
    const now = this.clock.now();
    const claimed = await this.db.inTenant(tenantId, (scope) =>
      this.rows.claim(scope, this.options.batchSize, now, new Date(now.getTime() + this.options.leaseMs)),
    );
    const result = empty();
    result.claimed = claimed.length;
    if (claimed.length === 0) return result;
    const skipped: { id: string; periodStart: Date; reason: SkipReason }[] = [];
    const toSend: ClaimedUsageRow[] = [];
    for (const row of claimed) {
      const d = usageDisposition(row);
      if (d.report) toSend.push(row);
      else skipped.push({ id: row.id, periodStart: row.periodStart, reason: d.reason });
    }
    const reported: { id: string; periodStart: Date; identifier: string }[] = [];
    const failed: { id: string; periodStart: Date; error: string }[] = [];
    const retry: { id: string; periodStart: Date; error: string }[] = [];
    await forEachLimit(toSend, this.options.concurrency, async (row) => {
      try {
        await this.send(row);
        reported.push({ id: row.id, periodStart: row.periodStart, identifier: row.idempotencyKey });
        result.reported += 1;
      } catch (error) {
        if (error instanceof StripeCallError && error.kind === 'already_reported') {
          reported.push({ id: row.id, periodStart: row.periodStart, identifier: row.idempotencyKey });
          result.alreadyReported += 1;
          return;
        }
        const entry = { id: row.id, periodStart: row.periodStart, error: (error as Error).message };
        if (error instanceof StripeCallError && error.kind === 'permanent') {
          result.failed += 1;
          failed.push(entry);
        } else {
          result.transientFailures += 1;
          retry.push(entry);
        }
      }
    });
    await this.db.inTenant(tenantId, async (scope) => {
      await this.rows.markReported(scope, reported, this.clock.now());
      await this.rows.markSkipped(scope, skipped);
      await this.rows.markFailed(scope, failed, this.clock.now());
      await this.rows.markRetry(scope, retry);
    });
    result.skipped = skipped.length;
    if (failed.length > 0)
      this.logger.warn({ tenantId, failed: failed.length, sample: failed[0]?.error }, 'meter events refused for good');
    if (retry.length > 0)
      this.logger.warn({ tenantId, retry: retry.length, sample: retry[0]?.error }, 'meter events not accepted yet');
    return result;
  }

  private async send(row: ClaimedUsageRow): Promise<void> {
    const { meterEvents } = this.stripe.settings;
    await this.stripe.sendMeterEvent({
      eventName: row.kind === 'authentication' ? meterEvents.per_authentication : meterEvents.per_user,
      customer: row.stripeCustomerId as string,
      value: row.quantity,
      identifier: row.idempotencyKey,
      timestamp: meterEventTimestamp(row),
      idempotencyKey: meterEventIdempotencyKey(row.idempotencyKey),
    });
  }
}

async function forEachLimit<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  });
  await Promise.all(runners);
}
