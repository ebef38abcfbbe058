/** Billing months are calendar months in UTC (STYLE: money and time). */

/** First instant (UTC) of the calendar month of `at`. */
export function monthStartUtc(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
}

/** First instant of the month after the one `monthStart` begins. */
export function nextMonthStart(monthStart: Date): Date {
  return new Date(Date.UTC(monthStart.getUTCFullYear(), monthStart.getUTCMonth() + 1, 1));
}

/** `yyyy-mm` of the month containing `at`. */
export function monthKey(at: Date): string {
  return `${at.getUTCFullYear()}-${String(at.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** Parses `yyyy-mm`; undefined when it is not a month. */
export function parseMonth(value: string): Date | undefined {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(value);
  if (!m) return undefined;
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1));
}

/** Every month start from `from`'s month up to, not including, `untilExclusive`'s month. */
export function monthsBetween(from: Date, untilExclusive: Date): Date[] {
  const months: Date[] = [];
  const end = monthStartUtc(untilExclusive).getTime();
  for (let m = monthStartUtc(from); m.getTime() < end; m = nextMonthStart(m)) months.push(m);
  return months;
}

/**
 * A month is closed (its user-month rows written) this long after it ended: the last instants'
 * history rows and authentication records may commit a little after midnight, and the services'
 * clocks may differ by a little. Ten minutes is far more than both; Stripe finalises the month's
 * invoice about an hour after the period ends.
 */
export const MONTH_CLOSE_GRACE_MS = 10 * 60 * 1000;
