/**
 * R3 + R4 part-month rule (docs/decisions/0013-billing.md): a user is billed by a per_user
 * provider for a month when there is at least one moment in that month at which the user was
 * MFA-enabled and held no license in force. Licensed for every moment they were enabled → not
 * billed; enabled and unlicensed for even one moment → billed once (never more than once a month).
 *
 * This is the reference implementation (tests compare the SQL against it); the worker computes the
 * same thing in PostgreSQL over the history tables.
 */

export interface Change {
  at: Date;
  on: boolean;
}

/** Half-open intervals [start, end) in epoch ms; end = Infinity for "still on". */
export type Interval = [number, number];

/** Intervals during which a flag was on, from its change history (ordered or not). */
export function intervalsFromChanges(changes: Change[]): Interval[] {
  const sorted = [...changes].sort((a, b) => a.at.getTime() - b.at.getTime());
  const out: Interval[] = [];
  let since: number | undefined;
  for (const c of sorted) {
    const t = c.at.getTime();
    if (c.on && since === undefined) since = t;
    else if (!c.on && since !== undefined) {
      if (t > since) out.push([since, t]);
      since = undefined;
    }
  }
  if (since !== undefined) out.push([since, Infinity]);
  return out;
}

export function intersect(a: Interval[], b: Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const [s1, e1] of a)
    for (const [s2, e2] of b) {
      const s = Math.max(s1, s2);
      const e = Math.min(e1, e2);
      if (e > s) out.push([s, e]);
    }
  return out;
}

/** Whether `covered` covers every instant of `target`. */
export function covers(covered: Interval[], target: Interval): boolean {
  let cursor = target[0];
  const sorted = [...covered].sort((x, y) => x[0] - y[0]);
  for (const [s, e] of sorted) {
    if (s > cursor) break;
    if (e > cursor) cursor = e;
    if (cursor >= target[1]) return true;
  }
  return cursor >= target[1];
}

export interface UserMonthFacts {
  /** Enabled at some moment of the month. */
  enabled: boolean;
  /** Enabled and unlicensed at some moment of the month: billed. */
  billable: boolean;
  /** Enabled at some moment of the month and licensed for all of it: counted as licensed. */
  licensed: boolean;
}

/**
 * @param mfa the user's MFA-enabled history
 * @param licenses each license assignment's history, with its pool's term [termStart, termEnd)
 */
export function userMonthFacts(
  mfa: Change[],
  licenses: { changes: Change[]; termStart: Date; termEnd: Date }[],
  monthStart: Date,
  monthEnd: Date,
): UserMonthFacts {
  const month: Interval = [monthStart.getTime(), monthEnd.getTime()];
  const enabled = intersect(intervalsFromChanges(mfa), [month]);
  const licensed = licenses.flatMap((l) =>
    intersect(intervalsFromChanges(l.changes), [[l.termStart.getTime(), l.termEnd.getTime()]]),
  );
  const billable = enabled.some((e) => !covers(licensed, e));
  return { enabled: enabled.length > 0, billable, licensed: enabled.length > 0 && !billable };
}

/**
 * Issue 13 item 3: the moments of [start, end) at which the provider was linked to each tenant, from
 * its link history (oldest first; a change holds until the next one). A month's per-user count
 * covers every tenant in the result, each over its own windows.
 */
export function linkWindows(
  changes: readonly { linkedTenantId: string | null; changedAt: Date }[],
  start: Date,
  end: Date,
): Map<string, [Date, Date][]> {
  const out = new Map<string, [Date, Date][]>();
  changes.forEach((c, i) => {
    if (!c.linkedTenantId) return;
    const next = changes[i + 1]?.changedAt;
    const s = c.changedAt > start ? c.changedAt : start;
    const e = next && next < end ? next : end;
    if (e <= s) return;
    const list = out.get(c.linkedTenantId) ?? [];
    list.push([s, e]);
    out.set(c.linkedTenantId, list);
  });
  return out;
}

/**
 * The reference rule with a provider's link windows and its MFA servers' served moments (issue 13
 * items 2 and 3): the user's moments are those enabled inside `windows`, plus the instants `served`;
 * billed when any of them had no license in force, licensed when all of them had one.
 */
export function userFactsIn(
  mfa: Change[],
  licenses: { changes: Change[]; termStart: Date; termEnd: Date }[],
  windows: [Date, Date][],
  served: Date[],
): UserMonthFacts {
  const enabled = intersect(
    intervalsFromChanges(mfa),
    windows.map(([s, e]) => [s.getTime(), e.getTime()] as Interval),
  );
  const licensed = licenses.flatMap((l) =>
    intersect(intervalsFromChanges(l.changes), [[l.termStart.getTime(), l.termEnd.getTime()]]),
  );
  const servedBilled = served.some((t) => !licensed.some(([s, e]) => s <= t.getTime() && t.getTime() < e));
  const billable = enabled.some((e) => !covers(licensed, e)) || servedBilled;
  const any = enabled.length > 0 || served.length > 0;
  return { enabled: any, billable, licensed: any && !billable };
}
