import { Injectable } from '@nestjs/common';
import { STALE_PENDING_USAGE_MS } from '@twofold/billing/domain';
import { randomUUID } from 'node:crypto';
import {
  BillingAccountsRepository,
  FailedUsageRow,
  StripeGateway,
  UsageRelayRepository,
} from '@twofold/billing/data-access';
import { Clock, DbService } from '@twofold/platform/db';
import { AuditLogRepository } from '@twofold/tenancy/data-access';

export interface ReconciliationLine {
  tenantId: string;
  stripeCustomerId: string;
  meter: 'authentications' | 'billable_users';
  ours: number;
  stripe: number;
}

/**
 * R10: compares what our ledger says we reported (by meter-event timestamp) with Stripe's own meter
 * totals per customer and meter over a period. Any line where the two differ is a finding.
 */
@Injectable()
export class ReconciliationService {
  constructor(
    private readonly db: DbService,
    private readonly accounts: BillingAccountsRepository,
    private readonly stripe: StripeGateway,
    private readonly relayRows: UsageRelayRepository,
    private readonly audit: AuditLogRepository,
    private readonly clock: Clock,
  ) {}

  /** Usage rows Stripe refused for good, waiting for an operator (issue 13 item 4). */
  failed(): Promise<FailedUsageRow[]> {
    return this.relayRows.failedRows(10_000);
  }

  /**
   * The operator's decision on a failed row: `retry` puts it back in the pending set (after the cause
   * was fixed: a customer restored, a key rotated), `void` gives it up for good (it is never billed,
   * e.g. an event past Stripe's 35-day window that was billed by hand). Either way the tenant's audit
   * log says who decided what, and why. Returns false when no failed row has this id.
   */
  async resolveFailed(id: string, decision: 'retry' | 'void', reason: string): Promise<FailedUsageRow | null> {
    const row = (await this.relayRows.failedRows(10_000)).find((r) => r.id === id);
    if (!row) return null;
    const done = await this.db.inTenant(row.tenantId, async (scope) => {
      const changed =
        decision === 'retry' ? await this.relayRows.retryFailed(scope, id) : await this.relayRows.voidFailed(scope, id);
      if (!changed) return false;
      await this.audit.record(
        scope,
        { type: 'operator' },
        {
          action: decision === 'retry' ? 'usage.retry_failed' : 'usage.void_failed',
          targetType: 'usage_row',
          targetId: id,
          correlationId: `reconcile-${randomUUID()}`,
          details: { key: row.idempotencyKey, quantity: row.quantity, lastError: row.lastError, reason },
        },
      );
      return true;
    });
    return done ? row : null;
  }

  /**
   * Usage rows of any period still pending 12 hours after they occurred: not in either total yet,
   * and close to Stripe's 24-hour deduplication window (docs/decisions/0015-billing-operations.md).
   */
  async stalePending(): Promise<{ tenantId: string; rows: number; oldest: Date }[]> {
    return this.relayRows.stalePending(new Date(this.clock.now().getTime() - STALE_PENDING_USAGE_MS));
  }

  async compare(from: Date, to: Date): Promise<ReconciliationLine[]> {
    const lines: ReconciliationLine[] = [];
    const { meterIds } = this.stripe.settings;
    for (const { tenantId, customerId } of await this.accounts.allCustomers()) {
      const { customer, ours } = await this.db.inTenant(tenantId, async (scope) => ({
        customer: await this.accounts.customerById(scope, customerId),
        ours: await this.accounts.reportedForCustomer(scope, customerId, from, to),
      }));
      if (!customer) continue;
      const start = Math.floor(from.getTime() / 1000);
      const end = Math.floor(to.getTime() / 1000);
      for (const [kind, meter, meterId] of [
        ['authentication', 'authentications', meterIds.per_authentication],
        ['user_month', 'billable_users', meterIds.per_user],
      ] as const) {
        lines.push({
          tenantId,
          stripeCustomerId: customer.stripeCustomerId,
          meter,
          ours: ours.find((o) => o.kind === kind)?.quantity ?? 0,
          stripe: await this.stripe.meterTotal(meterId, customer.stripeCustomerId, start, end),
        });
      }
    }
    return lines;
  }
}
