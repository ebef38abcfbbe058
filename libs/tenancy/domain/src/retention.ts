/**
 * Retention and erasure rules (issue 16 item 2, docs/decisions/0025). Pure: no clock, no I/O.
 */

/** The operator's bounds and default for one kind of data, in days. */
export interface RetentionBounds {
  defaultDays: number;
  minDays: number;
  maxDays: number;
}

export type RetentionKind = 'records' | 'audit';

const DAY_MS = 86_400_000;

/**
 * A tenant's setting as the purge applies it: null is the platform default; a value the operator's
 * bounds no longer admit (the bounds changed after it was set) is held to the nearest bound.
 */
export function effectiveRetentionDays(setting: number | null, bounds: RetentionBounds): number {
  const days = setting ?? bounds.defaultDays;
  return Math.min(bounds.maxDays, Math.max(bounds.minDays, days));
}

/** Why a tenant's new setting is refused, or null. null (back to the default) is always allowed. */
export function retentionSettingProblem(setting: number | null, bounds: RetentionBounds): string | null {
  if (setting === null) return null;
  if (!Number.isInteger(setting) || setting < bounds.minDays || setting > bounds.maxDays)
    return `must be a whole number of days from ${bounds.minDays} to ${bounds.maxDays} (the operator's bounds), or null for the default (${bounds.defaultDays})`;
  return null;
}

/**
 * Rows that occurred before this instant may go. Never later than the start of the month before
 * `now`'s month (UTC): billing closes a month from its records 10 minutes after it ends, so the
 * previous month's records are always kept, whatever the bounds say (the config floor of 62 days
 * already implies it; this holds even if that floor were lowered).
 */
export function retentionCutoff(now: Date, days: number): Date {
  const byDays = now.getTime() - days * DAY_MS;
  const previousMonthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1);
  return new Date(Math.min(byDays, previousMonthStart));
}

/**
 * The instant before which whole monthly partitions can be dropped: the earliest cutoff of all
 * tenants (nobody keeps anything older). With no tenants, the default's cutoff.
 */
export function commonCutoff(now: Date, days: number[], bounds: RetentionBounds): Date {
  const longest = Math.max(effectiveRetentionDays(null, bounds), ...days);
  return retentionCutoff(now, longest);
}

/** What erased values become. Not a value anyone could have typed into a name or an e-mail. */
export const ERASED = '[erased]';

/**
 * The R26 unique id of an erased user's records: stable and distinct per user, so per-user counts
 * (distinct unique ids, distinct user ids) come out the same after the erasure. A user id is a random
 * UUID that says nothing about the person once the directory row is gone.
 */
export const erasedUniqueId = (userId: string): string => `erased:${userId}`;

/** Keys of audit snapshots that hold a person's data. */
const PERSONAL_KEYS: ReadonlySet<string> = new Set([
  'userName',
  'firstName',
  'lastName',
  'email',
  'phone',
  'phoneNumber',
  'toPhone',
  'deviceToken',
  'clientIp',
  'uniqueId',
  'name',
]);

/**
 * An audit entry's details with the person's data replaced by ERASED: every value under a personal
 * key (null stays null) and any string equal to one of the person's known values (case-insensitive),
 * wherever it sits. Returns the same object when nothing changed, so a repeat erasure writes nothing.
 */
export function scrubDetails(details: unknown, personal: ReadonlySet<string>, targetsPerson: boolean): unknown {
  const known = new Set([...personal].filter((v) => v.length > 0).map((v) => v.toLowerCase()));
  const walk = (value: unknown, key: string | null): unknown => {
    if (typeof value === 'string') {
      if (value === ERASED) return value;
      if (known.has(value.toLowerCase())) return ERASED;
      if (targetsPerson && key !== null && PERSONAL_KEYS.has(key)) return ERASED;
      return value;
    }
    if (Array.isArray(value)) {
      const next = value.map((v) => walk(v, key));
      return next.some((v, i) => v !== value[i]) ? next : value;
    }
    if (value !== null && typeof value === 'object') {
      let changed = false;
      const next: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        next[k] = walk(v, k);
        if (next[k] !== v) changed = true;
      }
      return changed ? next : value;
    }
    return value;
  };
  return walk(details, null);
}
