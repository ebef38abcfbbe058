import { Injectable } from '@nestjs/common';
import { DbService, Prisma, TenantScope } from '@twofold/platform/db';

export interface ProviderBillingRow {
  id: string;
  name: string;
  billingModel: 'per_user' | 'per_authentication';
  linkedTenantId: string | null;
  deletedAt: Date | null;
  createdAt: Date;
}

/** Stripe customers, subscriptions, invoices and webhook events as Twofold mirrors them (R10). */
@Injectable()
export class BillingAccountsRepository {
  constructor(private readonly db: DbService) {}

  async providersToReconcile(limit: number): Promise<{ tenantId: string; providerId: string }[]> {
    const rows = await this.db.client.$queryRaw<{ tenant_id: string; id: string }[]>`
      SELECT tenant_id::text AS tenant_id, id::text AS id FROM twofold_providers_to_reconcile(${limit}::int)`;
    return rows.map((r) => ({ tenantId: r.tenant_id, providerId: r.id }));
  }

  async allCustomers(): Promise<{ tenantId: string; customerId: string }[]> {
    const rows = await this.db.client.$queryRaw<{ tenant_id: string; id: string }[]>`
      SELECT tenant_id::text AS tenant_id, id::text AS id FROM twofold_stripe_customers()`;
    return rows.map((r) => ({ tenantId: r.tenant_id, customerId: r.id }));
  }

  async tenantName(scope: TenantScope): Promise<string | undefined> {
    const t = await scope.tx.tenant.findFirst({ where: { id: scope.tenantId }, select: { name: true } });
    return t?.name;
  }

  async provider(scope: TenantScope, providerId: string): Promise<ProviderBillingRow | null> {
    return scope.tx.provider.findFirst({
      where: { tenantId: scope.tenantId, id: providerId },
      select: { id: true, name: true, billingModel: true, linkedTenantId: true, deletedAt: true, createdAt: true },
    });
  }

  async providers(scope: TenantScope): Promise<ProviderBillingRow[]> {
    return scope.tx.provider.findMany({
      where: { tenantId: scope.tenantId },
      select: { id: true, name: true, billingModel: true, linkedTenantId: true, deletedAt: true, createdAt: true },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
  }

  async customer(scope: TenantScope, ownerType: 'tenant' | 'provider', ownerId: string) {
    return scope.tx.stripeCustomer.findFirst({ where: { tenantId: scope.tenantId, ownerType, ownerId } });
  }

  /**
   * Whether another live provider of this billing model already bills through the tenant's
   * customer. Stripe meters aggregate per customer, so a second one there would see (and bill)
   * the first one's usage too.
   */
  /**
   * Serialises the subscription reconciliation of one tenant across billing workers (transaction
   * advisory lock): the customer choice below reads what another worker may be about to write.
   */
  async lockTenantReconciliation(scope: TenantScope): Promise<void> {
    await scope.tx
      .$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended('billing_reconcile:' || ${scope.tenantId}, 0))`;
  }

  async tenantCustomerBillsModel(scope: TenantScope, billingModel: string, exceptProviderId: string): Promise<boolean> {
    const rows = await scope.tx.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM stripe_subscriptions s
        JOIN stripe_customers c ON c.tenant_id = s.tenant_id AND c.id = s.customer_id
        JOIN providers p ON p.tenant_id = s.tenant_id AND p.id = s.provider_id
       WHERE s.tenant_id = ${scope.tenantId}::uuid AND c.owner_type = 'tenant'
         AND p.billing_model::text = ${billingModel} AND p.id <> ${exceptProviderId}::uuid
         AND p.deleted_at IS NULL AND s.status <> 'canceled'`;
    return (rows[0]?.n ?? 0) > 0;
  }

  async customers(scope: TenantScope) {
    return scope.tx.stripeCustomer.findMany({ where: { tenantId: scope.tenantId }, orderBy: { createdAt: 'asc' } });
  }

  async customerById(scope: TenantScope, id: string) {
    return scope.tx.stripeCustomer.findFirst({ where: { tenantId: scope.tenantId, id } });
  }

  async customerByStripeId(scope: TenantScope, stripeCustomerId: string) {
    return scope.tx.stripeCustomer.findFirst({ where: { tenantId: scope.tenantId, stripeCustomerId } });
  }

  /** Inserts the customer unless a concurrent pass did; returns the stored row either way. */
  async saveCustomer(
    scope: TenantScope,
    c: { ownerType: 'tenant' | 'provider'; ownerId: string; providerId: string | null; stripeCustomerId: string },
  ) {
    await scope.tx.stripeCustomer.createMany({ data: [{ tenantId: scope.tenantId, ...c }], skipDuplicates: true });
    return scope.tx.stripeCustomer.findFirstOrThrow({
      where: { tenantId: scope.tenantId, ownerType: c.ownerType, ownerId: c.ownerId },
    });
  }

  async subscription(scope: TenantScope, providerId: string) {
    return scope.tx.stripeSubscription.findFirst({ where: { tenantId: scope.tenantId, providerId } });
  }

  async subscriptionByStripeId(scope: TenantScope, stripeSubscriptionId: string) {
    return scope.tx.stripeSubscription.findFirst({ where: { tenantId: scope.tenantId, stripeSubscriptionId } });
  }

  async subscriptions(scope: TenantScope) {
    return scope.tx.stripeSubscription.findMany({ where: { tenantId: scope.tenantId } });
  }

  async saveSubscription(
    scope: TenantScope,
    s: {
      providerId: string;
      customerId: string;
      stripeSubscriptionId: string;
      stripeSubscriptionItemId: string | null;
      stripePriceId: string;
      status: string;
      currentPeriodStart: Date | null;
      currentPeriodEnd: Date | null;
    },
  ): Promise<void> {
    await scope.tx.stripeSubscription.createMany({ data: [{ tenantId: scope.tenantId, ...s }], skipDuplicates: true });
  }

  async updateSubscription(
    scope: TenantScope,
    id: string,
    data: {
      status: string;
      canceledAt?: Date | null;
      lastEventAt?: Date;
      currentPeriodStart?: Date | null;
      currentPeriodEnd?: Date | null;
    },
  ): Promise<void> {
    await scope.tx.stripeSubscription.updateMany({ where: { tenantId: scope.tenantId, id }, data });
  }

  async invoiceByStripeId(scope: TenantScope, stripeInvoiceId: string) {
    return scope.tx.stripeInvoice.findFirst({ where: { tenantId: scope.tenantId, stripeInvoiceId } });
  }

  async upsertInvoice(
    scope: TenantScope,
    stripeInvoiceId: string,
    data: Omit<Prisma.StripeInvoiceUncheckedCreateInput, 'tenantId' | 'stripeInvoiceId' | 'id'>,
  ): Promise<void> {
    await scope.tx.stripeInvoice.upsert({
      where: { tenantId_stripeInvoiceId: { tenantId: scope.tenantId, stripeInvoiceId } },
      create: { tenantId: scope.tenantId, stripeInvoiceId, ...data },
      update: data,
    });
  }

  async invoices(scope: TenantScope, limit: number) {
    return scope.tx.stripeInvoice.findMany({
      where: { tenantId: scope.tenantId },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit,
    });
  }

  async unpaidInvoiceCount(scope: TenantScope, customerId: string): Promise<number> {
    return scope.tx.stripeInvoice.count({
      where: { tenantId: scope.tenantId, customerId, status: { in: ['open', 'uncollectible'] }, amountPaid: { lt: 1 } },
    });
  }

  async setUnpaidSince(scope: TenantScope, customerId: string, since: Date | null): Promise<void> {
    if (since === null) {
      await scope.tx.stripeCustomer.updateMany({
        where: { tenantId: scope.tenantId, id: customerId },
        data: { unpaidSince: null },
      });
    } else {
      await scope.tx.stripeCustomer.updateMany({
        where: { tenantId: scope.tenantId, id: customerId, unpaidSince: null },
        data: { unpaidSince: since },
      });
    }
  }

  /** The tenant of a Stripe customer (SECURITY DEFINER lookup; webhooks name only the customer). */
  async findCustomerTenant(stripeCustomerId: string): Promise<{ tenantId: string; customerId: string } | undefined> {
    const rows = await this.db.client.$queryRaw<{ tenant_id: string; id: string }[]>`
      SELECT tenant_id::text AS tenant_id, id::text AS id FROM twofold_find_stripe_customer(${stripeCustomerId})`;
    return rows[0] ? { tenantId: rows[0].tenant_id, customerId: rows[0].id } : undefined;
  }

  /** Stores a webhook event once by its Stripe id; returns whether it still needs processing. */
  async storeWebhookEvent(e: {
    stripeEventId: string;
    type: string;
    livemode: boolean;
    payload: object;
  }): Promise<boolean> {
    await this.db.client.stripeWebhookEvent.createMany({
      data: [
        {
          stripeEventId: e.stripeEventId,
          type: e.type,
          livemode: e.livemode,
          payload: e.payload as Prisma.InputJsonValue,
        },
      ],
      skipDuplicates: true,
    });
    const stored = await this.db.client.stripeWebhookEvent.findUniqueOrThrow({
      where: { stripeEventId: e.stripeEventId },
      select: { processedAt: true },
    });
    return stored.processedAt === null;
  }

  /** Done with the event; `note` says why it was ignored when it was not understood. */
  async webhookProcessed(stripeEventId: string, tenantId: string | null, note: string | null = null): Promise<void> {
    await this.db.client.stripeWebhookEvent.updateMany({
      where: { stripeEventId, processedAt: null },
      data: { processedAt: new Date(), tenantId, attempts: { increment: 1 }, lastError: note?.slice(0, 500) ?? null },
    });
  }

  async webhookFailed(stripeEventId: string, error: string): Promise<void> {
    await this.db.client.stripeWebhookEvent.updateMany({
      where: { stripeEventId },
      data: { attempts: { increment: 1 }, lastError: error.slice(0, 500) },
    });
  }

  /**
   * Per provider and kind: rows, quantity, reported and pending rows of [from, to), in one pass
   * (FILTER aggregates) over the month's partition only (pruned on period_start); the RLS policy's
   * current_setting() is a one-time filter of the plan, not a per-row call.
   *
   * JIT is off for the rest of this transaction: a tenant-month is a few hundred thousand rows at
   * most, and compiling the plan (100–170 ms measured on bench/billing's 200,000-row tenants) cost
   * more than the aggregation itself. See docs/decisions/0015-billing-operations.md.
   */
  async usageSummary(scope: TenantScope, from: Date, to: Date) {
    await scope.tx.$executeRaw`SET LOCAL jit = off`;
    return scope.tx.$queryRaw<
      {
        providerId: string;
        kind: string;
        rows: number;
        quantity: number;
        reported: number;
        pending: number;
        reportedQuantity: number;
      }[]
    >`
      SELECT provider_id::text AS "providerId", kind::text AS "kind", count(*)::int AS "rows",
             coalesce(sum(quantity), 0)::int AS "quantity",
             count(*) FILTER (WHERE reported_at IS NOT NULL)::int AS "reported",
             count(*) FILTER (WHERE reported_at IS NULL AND skipped_reason IS NULL)::int AS "pending",
             coalesce(sum(quantity) FILTER (WHERE reported_at IS NOT NULL), 0)::int AS "reportedQuantity"
        FROM usage_ledger
       WHERE tenant_id = ${scope.tenantId}::uuid AND period_start >= ${from} AND period_start < ${to}
       GROUP BY provider_id, kind`;
  }

  /** What we reported to Stripe for a customer, per kind, by meter-event timestamp in [from, to). */
  async reportedForCustomer(scope: TenantScope, customerId: string, from: Date, to: Date) {
    return scope.tx.$queryRaw<{ kind: string; quantity: number }[]>`
      SELECT u.kind::text AS "kind", coalesce(sum(u.quantity), 0)::int AS "quantity"
        FROM usage_ledger u
        JOIN stripe_subscriptions s ON s.tenant_id = u.tenant_id AND s.provider_id = u.provider_id
       WHERE u.tenant_id = ${scope.tenantId}::uuid AND s.customer_id = ${customerId}::uuid
         AND u.reported_at IS NOT NULL AND u.occurred_at >= ${from} AND u.occurred_at < ${to}
         -- A row's month starts at or before it occurred: the same rows, from the range's partitions only.
         AND u.period_start >= date_trunc('month', ${from}::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
         AND u.period_start < ${to}
       GROUP BY u.kind`;
  }
}
