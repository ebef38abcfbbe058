import { Injectable } from '@nestjs/common';
import { authenticationUsageKey, monthStartUtc } from '@twofold/billing/domain';
import type { TenantScope } from '@twofold/platform/db';

export { monthStartUtc };

/**
 * The usage outbox (usage_ledger): one row per billable event, written in the same transaction as
 * the event itself; the billing worker moves rows to Stripe. The idempotency key makes a second
 * write of the same event a no-op, so retries can never double-bill.
 */
@Injectable()
export class UsageOutboxRepository {
  /** R2: one row per authentication, whatever happens to it later (resends and switches included). */
  async recordAuthentication(
    scope: TenantScope,
    event: { authenticationId: string; providerId: string; occurredAt: Date },
  ): Promise<void> {
    await scope.tx.usageLedgerEntry.createMany({
      data: [
        {
          tenantId: scope.tenantId,
          providerId: event.providerId,
          kind: 'authentication',
          idempotencyKey: authenticationUsageKey(event.authenticationId),
          periodStart: monthStartUtc(event.occurredAt),
          subjectId: event.authenticationId,
          quantity: 1,
          occurredAt: event.occurredAt,
        },
      ],
      skipDuplicates: true,
    });
  }
}
