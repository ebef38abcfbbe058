/**
 * How the relay treats a failed Stripe call. A duplicate meter-event identifier means Stripe already
 * counted the event (a retry after a crash between the call and our mark): the row is reported.
 * 5xx, 429, timeouts and connection errors are retried later with backoff; other 4xx need a human
 * (the row stays pending with its error, and never blocks the others).
 */
export type StripeFailureKind = 'already_reported' | 'transient' | 'permanent';

export interface StripeFailureFacts {
  statusCode?: number;
  code?: string;
  message?: string;
  /** The SDK's error type (StripeConnectionError, StripeAPIError, ...). */
  type?: string;
}

/** Stripe's message for a meter event whose identifier it already holds. */
export const DUPLICATE_METER_EVENT = /already exists|duplicate/i;

export function classifyStripeFailure(f: StripeFailureFacts): StripeFailureKind {
  if (f.statusCode === 400 && (f.code === 'resource_already_exists' || DUPLICATE_METER_EVENT.test(f.message ?? '')))
    return 'already_reported';
  if (f.statusCode === undefined) return 'transient';
  if (f.statusCode === 429 || f.statusCode >= 500) return 'transient';
  if (f.statusCode === 409) return 'transient'; // idempotency key in use by a concurrent request
  return 'permanent';
}

/** Exponential backoff with a cap, for the relay loop after a transient failure. */
export function backoffMs(consecutiveFailures: number, baseMs = 500, capMs = 30_000): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, consecutiveFailures - 1));
}
