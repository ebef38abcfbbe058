import { Injectable, Logger } from '@nestjs/common';
import {
  linkWindows,
  MONTH_CLOSE_GRACE_MS,
  monthKey,
  monthsBetween,
  monthStartUtc,
  nextMonthStart,
} from '@twofold/billing/domain';
import { BillableUsersRepository, BillingAccountsRepository, MonthUserCounts } from '@twofold/billing/data-access';
import { Clock, DbService, TenantScope } from '@twofold/platform/db';

/**
 * R3/R4: once a UTC month has ended, each per_user provider gets exactly one usage row for it
 * (`user_month:<providerId>:<yyyy-mm>`, quantity = billable users), which the relay reports like any
 * other row. Writing it twice is a no-op (unique key), so this can run as often as we like.
 */
@Injectable()
export class UserMonthService {
  private readonly logger = new Logger(UserMonthService.name);

  constructor(
    private readonly db: DbService,
    private readonly users: BillableUsersRepository,
    private readonly accounts: BillingAccountsRepository,
    private readonly clock: Clock,
  ) {}

  /**
   * Writes the missing user-month rows of every month that ended at least MONTH_CLOSE_GRACE_MS ago:
   * the histories and records of a month's last instants are written by transactions that may
   * commit a little after midnight (and by other processes' clocks).
   */
  async closeEndedMonths(): Promise<number> {
    const now = new Date(this.clock.now().getTime() - MONTH_CLOSE_GRACE_MS);
    let written = 0;
    for (const { tenantId, providerId } of await this.users.perUserProviders()) {
      written += await this.db.inTenant(tenantId, async (scope) => {
        const provider = await this.accounts.provider(scope, providerId);
        if (!provider || provider.billingModel !== 'per_user') return 0;
        const closed = await this.users.closedMonths(scope, providerId);
        const last = provider.deletedAt ? nextMonthStart(monthStartUtc(provider.deletedAt)) : monthStartUtc(now);
        const until = last.getTime() < monthStartUtc(now).getTime() ? last : monthStartUtc(now);
        let n = 0;
        for (const month of monthsBetween(provider.createdAt, until)) {
          if (closed.has(month.getTime())) continue;
          const counts = await this.countFor(scope, provider, month, nextMonthStart(month));
          await this.users.recordUserMonth(scope, providerId, month, counts.billable);
          this.logger.log(
            { tenantId, providerId, month: monthKey(month), billable: counts.billable },
            'user-month closed',
          );
          n += 1;
        }
        return n;
      });
    }
    return written;
  }

  /**
   * R3/R4 over the part of [from, to) in which the provider existed (docs/decisions/0013, 0018):
   * - every tenant the provider was linked to at any moment of it, each over the moments it was
   *   linked (link history; unlinking or relinking near the month's end changes nothing used);
   * - the users its MFA servers served (authentication records of the owner's directory), linked or
   *   not: an unlinked provider (R7) serves no cloud users, but its servers' users are billed.
   * Users of different directories are different people, so the tenants' counts add up.
   */
  async countFor(
    scope: TenantScope,
    provider: { id: string; linkedTenantId: string | null; createdAt: Date; deletedAt: Date | null },
    from: Date,
    to: Date,
  ): Promise<MonthUserCounts> {
    const start = provider.createdAt > from ? provider.createdAt : from;
    const end = provider.deletedAt && provider.deletedAt < to ? provider.deletedAt : to;
    if (end <= start) return { billable: 0, licensed: 0 };
    const changes = await this.users.linkChanges(scope, provider.id, end);
    const windows = linkWindows(changes, start, end);
    const served = { providerId: provider.id, from: start, to: end };
    const total: MonthUserCounts = { billable: 0, licensed: 0 };
    const add = (c: MonthUserCounts) => {
      total.billable += c.billable;
      total.licensed += c.licensed;
    };
    for (const [tenantId, pieces] of windows) {
      const own = tenantId === scope.tenantId;
      add(
        await this.db.withinTenant(scope, tenantId, (directory) =>
          this.users.count(directory, pieces, own ? served : undefined),
        ),
      );
    }
    if (!windows.has(scope.tenantId)) add(await this.users.count(scope, [], served));
    return total;
  }
}
