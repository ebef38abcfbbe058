import { Injectable } from '@nestjs/common';
import type { BillingUsageDto, ProviderUsageDto } from '@twofold/billing/contracts';
import { BillingErrors, monthKey, monthStartUtc, nextMonthStart, parseMonth } from '@twofold/billing/domain';
import { BillingAccountsRepository, StripeCallError, StripeGateway } from '@twofold/billing/data-access';
import { Clock, DbService } from '@twofold/platform/db';
import { UserMonthService } from '../usage/user-month.service';

/** The tenant admin's view of billing: usage of a period, providers' Stripe links, invoices, next invoice. */
@Injectable()
export class BillingAccountService {
  constructor(
    private readonly db: DbService,
    private readonly accounts: BillingAccountsRepository,
    private readonly userMonths: UserMonthService,
    private readonly stripe: StripeGateway,
    private readonly clock: Clock,
  ) {}

  async usage(tenantId: string, period?: string): Promise<BillingUsageDto> {
    const from = period === undefined ? monthStartUtc(this.clock.now()) : parseMonth(period);
    if (!from) throw BillingErrors.periodInvalid(period ?? '');
    const to = nextMonthStart(from);
    const now = this.clock.now();
    const until = now < to ? now : to;
    return this.db.inTenant(tenantId, async (scope) => {
      const summary = await this.accounts.usageSummary(scope, from, to);
      const providers: ProviderUsageDto[] = [];
      for (const p of await this.accounts.providers(scope)) {
        const rows = summary.filter((s) => s.providerId === p.id);
        const auth = rows.find((r) => r.kind === 'authentication');
        const counts =
          p.billingModel === 'per_user' && until > from
            ? await this.userMonths.countFor(scope, p, from, until)
            : { billable: 0, licensed: 0 };
        if (p.deletedAt && p.deletedAt < from && rows.length === 0) continue;
        providers.push({
          providerId: p.id,
          name: p.name,
          billingModel: p.billingModel,
          deleted: p.deletedAt !== null,
          authentications: auth?.rows ?? 0,
          billableUsers: counts.billable,
          licensedUsers: counts.licensed,
          reported: rows.reduce((n, r) => n + r.reported, 0),
          pending: rows.reduce((n, r) => n + r.pending, 0),
        });
      }
      return { period: monthKey(from), periodStart: from.toISOString(), periodEnd: to.toISOString(), providers };
    });
  }

  async provider(tenantId: string, providerId: string) {
    return this.db.inTenant(tenantId, async (scope) => {
      const p = await this.accounts.provider(scope, providerId);
      if (!p) throw BillingErrors.providerNotFound();
      const sub = await this.accounts.subscription(scope, providerId);
      const customer = sub ? await this.accounts.customerById(scope, sub.customerId) : null;
      return {
        providerId: p.id,
        billingModel: p.billingModel,
        deleted: p.deletedAt !== null,
        stripeCustomerId: customer?.stripeCustomerId ?? null,
        subscription: sub
          ? {
              stripeSubscriptionId: sub.stripeSubscriptionId,
              stripePriceId: sub.stripePriceId,
              status: sub.status,
              currentPeriodStart: sub.currentPeriodStart?.toISOString() ?? null,
              currentPeriodEnd: sub.currentPeriodEnd?.toISOString() ?? null,
              canceledAt: sub.canceledAt?.toISOString() ?? null,
            }
          : null,
        unpaidSince: customer?.unpaidSince?.toISOString() ?? null,
      };
    });
  }

  async invoices(tenantId: string) {
    return this.db.inTenant(tenantId, async (scope) => {
      const rows = await this.accounts.invoices(scope, 100);
      const customers = await this.accounts.customers(scope);
      return {
        unpaidSince:
          customers
            .map((c) => c.unpaidSince)
            .find((d) => d)
            ?.toISOString() ?? null,
        items: rows.map((i) => ({
          id: i.id,
          stripeInvoiceId: i.stripeInvoiceId,
          status: i.status,
          currency: i.currency,
          subtotal: Number(i.subtotal),
          total: Number(i.total),
          amountDue: Number(i.amountDue),
          amountPaid: Number(i.amountPaid),
          periodStart: i.periodStart?.toISOString() ?? null,
          periodEnd: i.periodEnd?.toISOString() ?? null,
          hostedUrl: i.hostedUrl,
        })),
      };
    });
  }

  /** Stripe's own preview of the next invoice of each of the tenant's customers (minor units). */
  async upcoming(tenantId: string) {
    const customers = await this.db.inTenant(tenantId, (scope) => this.accounts.customers(scope));
    const items = [];
    for (const c of customers) {
      try {
        const preview = await this.stripe.previewInvoice(c.stripeCustomerId);
        items.push({
          stripeCustomerId: c.stripeCustomerId,
          currency: preview.currency,
          subtotal: preview.subtotal,
          total: preview.total,
          amountDue: preview.amount_due,
          periodStart: new Date(preview.period_start * 1000).toISOString(),
          periodEnd: new Date(preview.period_end * 1000).toISOString(),
        });
      } catch (error) {
        if (error instanceof StripeCallError) throw BillingErrors.billingUnavailable();
        throw error;
      }
    }
    return { items };
  }
}
