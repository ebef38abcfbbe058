import { Injectable, Logger } from '@nestjs/common';
import { monthKey, monthsBetween, monthStartUtc, nextMonthStart } from '@twofold/billing/domain';
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

  /** Writes the missing user-month rows of every month that ended before now. */
  async closeEndedMonths(): Promise<number> {
    const now = this.clock.now();
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
   * Users of the provider's linked directory over the part of [from, to) in which the provider
   * existed. An unlinked provider (R7) serves no cloud users.
   */
  async countFor(
    scope: TenantScope,
    provider: { linkedTenantId: string | null; createdAt: Date; deletedAt: Date | null },
    from: Date,
    to: Date,
  ): Promise<MonthUserCounts> {
    if (!provider.linkedTenantId) return { billable: 0, licensed: 0 };
    const start = provider.createdAt > from ? provider.createdAt : from;
    const end = provider.deletedAt && provider.deletedAt < to ? provider.deletedAt : to;
    if (end <= start) return { billable: 0, licensed: 0 };
    return this.db.withinTenant(scope, provider.linkedTenantId, (directory) => this.users.count(directory, start, end));
  }
}
