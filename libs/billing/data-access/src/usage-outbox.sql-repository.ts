import { Injectable } from '@nestjs/common';
import { authenticationUsageKey, monthStartUtc } from '@twofold/billing/domain';
import type { SqlStatement } from '@twofold/platform/db';

/**
 * UsageOutboxRepository's authentication row on plain SQL, for the authentication hot path
 * (docs/decisions/0016): the same row, key and conflict rule, as a statement the authentication
 * engine runs in the statement that creates the authentication (`withStatements`).
 */
@Injectable()
export class UsageOutboxSqlRepository {
  /** R2: one row per authentication; a second write of the same authentication is a no-op. */
  authenticationRow(
    tenantId: string,
    event: { authenticationId: string; providerId: string; occurredAt: Date },
  ): SqlStatement {
    return {
      text: `INSERT INTO usage_ledger (tenant_id, id, provider_id, kind, idempotency_key, period_start, subject_id,
         quantity, occurred_at)
       VALUES ($1, gen_random_uuid(), $2, 'authentication', $3, $4, $5, 1, $6)
       ON CONFLICT DO NOTHING`,
      values: [
        tenantId,
        event.providerId,
        authenticationUsageKey(event.authenticationId),
        monthStartUtc(event.occurredAt),
        event.authenticationId,
        event.occurredAt,
      ],
    };
  }
}
