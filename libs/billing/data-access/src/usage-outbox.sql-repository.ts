import { Injectable } from '@nestjs/common';
import { authenticationUsageKey, monthStartUtc } from '@twofold/billing/domain';
import type { SqlScope } from '@twofold/platform/db';

/**
 * The usage outbox (usage_ledger): one row per billable event, written in the same transaction as
 * the event itself; the billing worker moves rows to Stripe. The idempotency key makes a second
 * write of the same event a no-op, so retries can never double-bill. The authentication row rides
 * in the statement that creates the authentication (`SqlScope.attach`, docs/decisions/0016).
 */
@Injectable()
export class UsageOutboxSqlRepository {
  /**
   * R2: one row per authentication; a second write of the same authentication is a no-op. Attached
   * to the scope: the transaction's next statement (the authentication's insert) carries it.
   */
  attachAuthentication(
    scope: SqlScope,
    event: { authenticationId: string; providerId: string; occurredAt: Date },
  ): void {
    const tenantId = scope.tenantId;
    scope.attach({
      text: `INSERT INTO usage_ledger (tenant_id, id, provider_id, kind, idempotency_key, period_start, subject_id,
         quantity, occurred_at)
       VALUES ($1, twofold_new_id(), $2, 'authentication', $3, $4, $5, 1, $6)
       ON CONFLICT DO NOTHING`,
      values: [
        tenantId,
        event.providerId,
        authenticationUsageKey(event.authenticationId),
        monthStartUtc(event.occurredAt),
        event.authenticationId,
        event.occurredAt,
      ],
    });
  }
}
