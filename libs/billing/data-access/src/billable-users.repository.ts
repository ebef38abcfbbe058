import { Injectable } from '@nestjs/common';
import { nextMonthStart, userMonthOccurredAt, userMonthUsageKey } from '@twofold/billing/domain';
import { DbService, TenantScope } from '@twofold/platform/db';

export interface MonthUserCounts {
  /** R3/R4: enabled and unlicensed at some moment of [from, to). */
  billable: number;
  /** Enabled at some moment of [from, to) and licensed for every such moment. */
  licensed: number;
}

/**
 * Per-user billing input (R3, R4) from the histories the database writes itself
 * (user_mfa_state_changes, license_assignment_changes, provider_link_changes), the pools' terms
 * and the authentication records of the provider's MFA servers. The rule is the one of
 * userMonthFacts in @twofold/billing/domain, expressed with PostgreSQL multiranges: enabled time in
 * the month minus licensed time (assigned ∩ pool term) must be empty for a user not to be billed.
 */
@Injectable()
export class BillableUsersRepository {
  constructor(private readonly db: DbService) {}

  /**
   * Counts for the directory tenant of `scope` over `window` (half-open [start, end) pieces: the
   * moments the provider was linked to this directory within the month). With `served`, users of this
   * directory whom the provider's MFA servers served in [served.from, served.to) count as well, each at
   * the moment its authentication was recorded (issue 13 item 2; docs/decisions/0018). A user is
   * billed when some moment of theirs (enabled in the window, or served) had no license in force.
   */
  async count(
    scope: TenantScope,
    window: readonly (readonly [Date, Date])[],
    served?: { providerId: string; from: Date; to: Date },
  ): Promise<MonthUserCounts> {
    const starts = window.map((w) => w[0]);
    const ends = window.map((w) => w[1]);
    const upTo = [...ends, served?.to ?? new Date(0)].reduce((a, b) => (b > a ? b : a), new Date(0));
    const [row] = await scope.tx.$queryRaw<MonthUserCounts[]>`
      WITH win AS (
        SELECT coalesce(range_agg(tstzrange(s, e, '[)')), '{}'::tstzmultirange) AS w
          FROM unnest(${starts}::timestamptz[], ${ends}::timestamptz[]) AS x(s, e) WHERE s < e
      ), mfa AS (
        SELECT user_id, enabled, changed_at,
               lead(changed_at) OVER (PARTITION BY user_id ORDER BY changed_at, id) AS next_at
          FROM user_mfa_state_changes
         WHERE tenant_id = ${scope.tenantId}::uuid AND changed_at < ${upTo}
      ), enabled AS (
        SELECT m.user_id, range_agg(tstzrange(m.changed_at, m.next_at, '[)')) * (SELECT w FROM win) AS mr
          FROM mfa m
         WHERE m.enabled AND tstzrange(m.changed_at, m.next_at, '[)') && (SELECT w FROM win)
         GROUP BY m.user_id
      ), served AS (
        SELECT r.user_id, range_agg(tstzrange(r.occurred_at, r.occurred_at, '[]')) AS mr
          FROM authentication_records r
         WHERE ${served?.providerId ?? null}::uuid IS NOT NULL
           AND r.tenant_id = ${scope.tenantId}::uuid AND r.provider_id = ${served?.providerId ?? null}::uuid
           AND r.occurred_at >= ${served?.from ?? new Date(0)} AND r.occurred_at < ${served?.to ?? new Date(0)}
           AND r.server_id IS NOT NULL AND r.user_id IS NOT NULL
         GROUP BY r.user_id
      ), active AS (
        SELECT user_id, coalesce(e.mr, '{}'::tstzmultirange) + coalesce(s.mr, '{}'::tstzmultirange) AS mr
          FROM enabled e FULL JOIN served s USING (user_id)
      ), lic AS (
        SELECT c.user_id, c.assigned, c.changed_at, p.term_start, p.term_end,
               lead(c.changed_at) OVER (PARTITION BY c.user_id, c.pool_id ORDER BY c.changed_at, c.id) AS next_at
          FROM license_assignment_changes c
          JOIN license_pools p ON p.tenant_id = c.tenant_id AND p.id = c.pool_id
         WHERE c.tenant_id = ${scope.tenantId}::uuid AND c.changed_at < ${upTo}
      ), licensed AS (
        SELECT user_id, range_agg(tstzrange(changed_at, next_at, '[)') * tstzrange(term_start, term_end, '[)')) AS mr
          FROM lic WHERE assigned GROUP BY user_id
      )
      SELECT count(*) FILTER (WHERE NOT isempty(a.mr - coalesce(l.mr, '{}'::tstzmultirange)))::int AS billable,
             count(*) FILTER (WHERE isempty(a.mr - coalesce(l.mr, '{}'::tstzmultirange)))::int AS licensed
        FROM active a LEFT JOIN licensed l USING (user_id)
       WHERE NOT isempty(a.mr)`;
    return row ?? { billable: 0, licensed: 0 };
  }

  /** The provider's link changes before `before`, oldest first (provider_link_changes, by trigger). */
  async linkChanges(
    scope: TenantScope,
    providerId: string,
    before: Date,
  ): Promise<{ linkedTenantId: string | null; changedAt: Date }[]> {
    return scope.tx.providerLinkChange.findMany({
      where: { tenantId: scope.tenantId, providerId, changedAt: { lt: before } },
      orderBy: [{ changedAt: 'asc' }, { id: 'asc' }],
      select: { linkedTenantId: true, changedAt: true },
    });
  }

  /** per_user providers of every tenant (SECURITY DEFINER lookup). */
  async perUserProviders(): Promise<{ tenantId: string; providerId: string }[]> {
    const rows = await this.db.client.$queryRaw<{ tenant_id: string; id: string }[]>`
      SELECT tenant_id::text AS tenant_id, id::text AS id FROM twofold_per_user_providers()`;
    return rows.map((r) => ({ tenantId: r.tenant_id, providerId: r.id }));
  }

  /** Months (starts) for which the provider already has its user-month row. */
  async closedMonths(scope: TenantScope, providerId: string): Promise<Set<number>> {
    // The literal kind matches the partial index of user-month rows (usage_ledger_user_months_idx);
    // a bound enum parameter cannot, and under RLS an enum `=` is never an index condition.
    const rows = await scope.tx.$queryRaw<{ periodStart: Date }[]>`
      SELECT period_start AS "periodStart" FROM usage_ledger
       WHERE tenant_id = ${scope.tenantId}::uuid AND provider_id = ${providerId}::uuid AND kind = 'user_month'`;
    return new Set(rows.map((r) => r.periodStart.getTime()));
  }

  /** Writes the month's one user-month row (a second write of the same month is a no-op). */
  async recordUserMonth(scope: TenantScope, providerId: string, monthStart: Date, quantity: number): Promise<void> {
    await scope.tx.usageLedgerEntry.createMany({
      data: [
        {
          tenantId: scope.tenantId,
          providerId,
          kind: 'user_month',
          idempotencyKey: userMonthUsageKey(providerId, monthStart),
          periodStart: monthStart,
          subjectId: providerId,
          quantity,
          occurredAt: userMonthOccurredAt(nextMonthStart(monthStart)),
        },
      ],
      skipDuplicates: true,
    });
  }
}
