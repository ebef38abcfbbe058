import { Injectable, Logger } from '@nestjs/common';
import { BillingAccountsRepository, StripeCallError, StripeGateway } from '@twofold/billing/data-access';
import { stripeCustomerRequest } from '@twofold/billing/domain';
import { DbService } from '@twofold/platform/db';

/**
 * R10: a Stripe customer per tenant (per provider when the provider is not linked to a tenant,
 * R7) and a subscription with the model's metered price per provider; a deleted provider's
 * subscription is cancelled. Stripe calls carry idempotency keys derived from our ids
 * (`customer:<type>:<ownerId>`, `subscription:<providerId>`, `cancel:<providerId>`), so a crash
 * between Stripe's answer and our insert just repeats the call and gets the same object back.
 */
@Injectable()
export class SubscriptionReconciler {
  private readonly logger = new Logger(SubscriptionReconciler.name);

  constructor(
    private readonly db: DbService,
    private readonly accounts: BillingAccountsRepository,
    private readonly stripe: StripeGateway,
  ) {}

  async reconcileAll(): Promise<{ created: number; cancelled: number; failed: number }> {
    const result = { created: 0, cancelled: 0, failed: 0 };
    for (const { tenantId, providerId } of await this.accounts.providersToReconcile(500)) {
      try {
        const r = await this.reconcileProvider(tenantId, providerId);
        if (r === 'created') result.created += 1;
        if (r === 'cancelled') result.cancelled += 1;
      } catch (error) {
        result.failed += 1;
        this.logger.warn(
          { tenantId, providerId, err: (error as Error).message },
          'provider billing not reconciled yet',
        );
        if (!(error instanceof StripeCallError)) throw error;
      }
    }
    return result;
  }

  /**
   * One tenant at a time (advisory lock, whatever the number of billing workers): the choice of
   * customer and the rows that record it happen in one transaction, so two workers reconciling two
   * new providers of one tenant cannot both pick the tenant customer for the same model. The Stripe
   * calls run inside it (idempotency keys make a rolled-back attempt safe to repeat), hence the
   * longer transaction timeout.
   */
  async reconcileProvider(tenantId: string, providerId: string): Promise<'created' | 'cancelled' | 'nothing'> {
    return this.db.inTenant(
      tenantId,
      async (scope) => {
        await this.accounts.lockTenantReconciliation(scope);
        const provider = await this.accounts.provider(scope, providerId);
        if (!provider) return 'nothing';
        const subscription = await this.accounts.subscription(scope, providerId);

        if (provider.deletedAt) {
          if (!subscription || subscription.status === 'canceled') return 'nothing';
          const cancelled = await this.stripe.cancelSubscription(
            subscription.stripeSubscriptionId,
            `cancel:${providerId}`,
          );
          await this.accounts.updateSubscription(scope, subscription.id, {
            status: cancelled.status,
            canceledAt: cancelled.canceled_at ? new Date(cancelled.canceled_at * 1000) : new Date(),
          });
          return 'cancelled';
        }
        if (subscription) return 'nothing';

        // R10: one customer per tenant, or per unlinked provider (R7) — and per provider when the
        // tenant's customer already bills another live provider of the same model (Stripe meters
        // aggregate per customer: sharing would bill each provider the other's usage).
        const shares = provider.linkedTenantId
          ? await this.accounts.tenantCustomerBillsModel(scope, provider.billingModel, providerId)
          : false;
        const ownerType = provider.linkedTenantId && !shares ? ('tenant' as const) : ('provider' as const);
        const ownerId = ownerType === 'tenant' ? tenantId : providerId;
        let customer = await this.accounts.customer(scope, ownerType, ownerId);
        if (!customer) {
          const tenantName = (await this.accounts.tenantName(scope)) ?? tenantId;
          const stripeCustomerId = await this.stripe.createCustomer(
            stripeCustomerRequest({
              tenantId,
              tenantName,
              ...(ownerType === 'provider' ? { provider: { id: providerId, name: provider.name } } : {}),
            }),
          );
          customer = await this.accounts.saveCustomer(scope, {
            ownerType,
            ownerId,
            providerId: ownerType === 'provider' ? providerId : null,
            stripeCustomerId,
          });
        }
        const price = this.stripe.settings.prices[provider.billingModel];
        const sub = await this.stripe.createSubscription({
          customer: customer.stripeCustomerId,
          price,
          metadata: { tenantId, providerId, billingModel: provider.billingModel },
          idempotencyKey: `subscription:${providerId}`,
        });
        const item = sub.items.data[0];
        await this.accounts.saveSubscription(scope, {
          providerId,
          customerId: customer.id,
          stripeSubscriptionId: sub.id,
          stripeSubscriptionItemId: item?.id ?? null,
          stripePriceId: price,
          status: sub.status,
          currentPeriodStart: item ? new Date(item.current_period_start * 1000) : null,
          currentPeriodEnd: item ? new Date(item.current_period_end * 1000) : null,
        });
        this.logger.log({ tenantId, providerId, subscription: sub.id }, 'subscription created');
        return 'created';
      },
      { timeoutMs: 120_000 },
    );
  }
}
