/**
 * A tenant's lifecycle (docs/decisions/0026): active → suspended (by the operator, every credential
 * refused, nothing deleted) → back to active on resume; or deletion scheduled (suspended at once,
 * cancelled by resume during the grace) → deleting (grace over: providers closed, waiting for the
 * money to settle) → deleted (personal data gone, the row stays as a tombstone).
 */
export const TENANT_STATES = ['active', 'suspended', 'deletion_scheduled', 'deleting', 'deleted'] as const;
export type TenantState = (typeof TENANT_STATES)[number];

export interface TenantLifecycle {
  suspendedAt: Date | null;
  deletionDueAt: Date | null;
  deletionStartedAt: Date | null;
  deletedAt: Date | null;
}

export function tenantState(t: TenantLifecycle): TenantState {
  if (t.deletedAt) return 'deleted';
  if (t.deletionStartedAt) return 'deleting';
  if (t.deletionDueAt) return 'deletion_scheduled';
  if (t.suspendedAt) return 'suspended';
  return 'active';
}

export const DAY_MS = 86_400_000;

/** When a deletion asked for at `now` may start. */
export function deletionDueAt(now: Date, graceDays: number): Date {
  return new Date(now.getTime() + graceDays * DAY_MS);
}

/** Only a tenant whose deletion has not started can be resumed (the grace is the window to change one's mind). */
export function canResume(t: TenantLifecycle): boolean {
  return !t.deletedAt && !t.deletionStartedAt;
}

/**
 * The gate of a deletion (docs/decisions/0026): personal data goes only once every usage row of
 * the tenant reached Stripe (or was voided by an operator) and the month in which its providers were
 * closed has ended and been closed (its user-month rows written), so nothing billable is lost.
 */
export interface MoneyFacts {
  /** Usage rows neither reported nor skipped (pending or failed). */
  unreportedUsage: number;
  /** per_user providers of the tenant without their user-month row for the closing month. */
  unclosedProviders: number;
  /** Stripe subscriptions of its providers not yet cancelled. */
  liveSubscriptions: number;
  /** The closing month (the month deletion started in) has ended, plus the month-close grace. */
  closingMonthEnded: boolean;
  /**
   * Exports whose file may still be on the reporting worker's disk (queued, running, done and not yet
   * expired): the file goes with its expiry job, which needs the row (EXPORT_RETENTION_HOURS).
   */
  openExports: number;
}

export type MoneyVerdict = { settled: true } | { settled: false; waitingFor: string[] };

export function moneySettled(f: MoneyFacts): MoneyVerdict {
  const waitingFor: string[] = [];
  if (!f.closingMonthEnded) waitingFor.push('closing_month');
  if (f.unclosedProviders > 0) waitingFor.push('user_month_rows');
  if (f.unreportedUsage > 0) waitingFor.push('usage_reported');
  if (f.liveSubscriptions > 0) waitingFor.push('subscriptions_cancelled');
  if (f.openExports > 0) waitingFor.push('export_files_expired');
  return waitingFor.length === 0 ? { settled: true } : { settled: false, waitingFor };
}
