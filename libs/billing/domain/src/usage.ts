import { monthKey } from './billing-period';

export type BillingModel = 'per_user' | 'per_authentication';
export type UsageKind = 'authentication' | 'user_month';
export type TenantTier = 'free' | 'standard';

/** R2: one meter event per authentication, whatever happened inside it (resends, switches). */
export const authenticationUsageKey = (authenticationId: string) => `authentication:${authenticationId}`;

/** R3: one meter event per provider and month, its value the month's billable users. */
export const userMonthUsageKey = (providerId: string, monthStart: Date) =>
  `user_month:${providerId}:${monthKey(monthStart)}`;

/**
 * Stripe keeps an Idempotency-Key and refuses a repeated meter-event `identifier` for about 24 hours
 * only. A row still pending this long after it occurred gets an alert while there is time to act
 * (docs/decisions/0015-billing-operations.md).
 */
export const STALE_PENDING_USAGE_MS = 12 * 60 * 60 * 1000;

/** The Stripe idempotency key of the meter-event call that reports a usage row. */
export const meterEventIdempotencyKey = (usageKey: string) => `meter-event:${usageKey}`;

/** Why a row is never sent; `voided` is an operator's decision on a row Stripe refused for good. */
export type SkipReason = 'free_tier' | 'not_billed_by_model' | 'zero_quantity' | 'voided';

/**
 * How long a claimed usage row is withheld from other relay passes while its Stripe call runs (issue 13
 * item 4). Longer than a batch can take (200 rows, 16 at a time, two tries of STRIPE_TIMEOUT_MS each);
 * a worker that dies mid-batch leaves its rows to be claimed again after it, and the retry is
 * deduplicated by Stripe (idempotency key and identifier, 24 h).
 */
export const USAGE_CLAIM_LEASE_MS = 5 * 60 * 1000;

/**
 * Whether a usage row is reported to Stripe. R9: a free-tier tenant produces no metered usage.
 * R2/R6: a per_authentication provider bills every authentication, licensed users included; a
 * per_user provider bills user-months (R3), so its authentications are never reported.
 */
export function usageDisposition(row: {
  kind: UsageKind;
  quantity: number;
  billingModel: BillingModel;
  tenantTier: TenantTier;
}): { report: true } | { report: false; reason: SkipReason } {
  if (row.tenantTier === 'free') return { report: false, reason: 'free_tier' };
  const billedKind: UsageKind = row.billingModel === 'per_authentication' ? 'authentication' : 'user_month';
  if (row.kind !== billedKind) return { report: false, reason: 'not_billed_by_model' };
  if (row.quantity <= 0) return { report: false, reason: 'zero_quantity' };
  return { report: true };
}

/**
 * The meter event's timestamp: an authentication at its own time; a user-month at the last second
 * of its month, so Stripe puts it in that month's invoice period although it is sent afterwards.
 */
export function meterEventTimestamp(row: { occurredAt: Date }): number {
  return Math.floor(row.occurredAt.getTime() / 1000);
}

/** When a user-month row "occurs": the last second of its month (see meterEventTimestamp). */
export const userMonthOccurredAt = (nextMonthStart: Date) => new Date(nextMonthStart.getTime() - 1000);
