import { Injectable, Logger } from '@nestjs/common';
import { BillingErrors, stripeCustomerRequest } from '@twofold/billing/domain';
import {
  BillingAccountsRepository,
  LicensePurchaseRepository,
  LicensePurchaseRow,
  StripeCallError,
  StripeGateway,
} from '@twofold/billing/data-access';
import { Clock, DbService, TenantScope } from '@twofold/platform/db';
import type { Actor } from '@twofold/tenancy/contracts';
import { AuditLogRepository } from '@twofold/tenancy/data-access';

const DAY_MS = 86_400_000;

/**
 * Purchases a tenant may have waiting for payment at once. Each one makes a Stripe customer call and a
 * subscription: without a cap, a tenant key could create them by the thousand at no cost to itself.
 */
export const MAX_UNPAID_PURCHASES = 5;

/** The term's end: `months` calendar months (UTC) after `from`, clamped to the month's last day. */
export function addMonthsUtc(from: Date, months: number): Date {
  const target = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(from.getUTCDate(), lastDay));
  target.setUTCHours(from.getUTCHours(), from.getUTCMinutes(), from.getUTCSeconds(), 0);
  return target;
}

/**
 * R4: seats are bought (decision 0018). A tenant buys them through Stripe: a subscription with the
 * licensed per-seat price, quantity = seats, ending after the term (`cancel_at`). The pool exists from
 * the first paid invoice (`invoice.paid`), its seats follow the subscription (Stripe prorates
 * changes), it lapses when the subscription ends or a renewal stays unpaid past the grace period.
 * Stripe is called outside any database transaction; every call carries an idempotency key derived
 * from the purchase, so the request and the billing loop can both push a pending purchase safely.
 */
@Injectable()
export class LicensePurchaseService {
  private readonly logger = new Logger(LicensePurchaseService.name);

  constructor(
    private readonly db: DbService,
    private readonly purchases: LicensePurchaseRepository,
    private readonly accounts: BillingAccountsRepository,
    private readonly stripe: StripeGateway,
    private readonly audit: AuditLogRepository,
    private readonly clock: Clock,
  ) {}

  async purchase(
    tenantId: string,
    input: { seats: number; termMonths: number },
    actor: Actor,
    correlationId: string,
  ): Promise<LicensePurchaseRow> {
    const row = await this.db.inTenant(tenantId, async (scope) => {
      if ((await this.purchases.lockAndCountUnpaid(scope)) >= MAX_UNPAID_PURCHASES)
        throw BillingErrors.unpaidPurchasesLimit(MAX_UNPAID_PURCHASES);
      const p = await this.purchases.create(scope, input);
      await this.audit.record(scope, actor, {
        action: 'license_purchase.create',
        targetType: 'license_purchase',
        targetId: p.id,
        correlationId,
        details: { seats: p.seats, termMonths: p.termMonths },
      });
      return p;
    });
    // Best effort now; the billing loop pushes any purchase still pending.
    await this.toStripe(tenantId, row.id).catch((error: unknown) => {
      this.logger.warn({ tenantId, purchaseId: row.id, err: (error as Error).message }, 'purchase not at Stripe yet');
    });
    return this.get(tenantId, row.id);
  }

  async get(tenantId: string, id: string): Promise<LicensePurchaseRow> {
    const row = await this.db.inTenant(tenantId, (scope) => this.purchases.find(scope, id));
    if (!row) throw BillingErrors.licensePurchaseNotFound();
    return row;
  }

  list(tenantId: string): Promise<LicensePurchaseRow[]> {
    return this.db.inTenant(tenantId, (scope) => this.purchases.list(scope, 100));
  }

  /**
   * A seat change mid-term: Stripe changes the quantity and prorates it; our purchase and pool change
   * when its `customer.subscription.updated` arrives. Fewer seats than are assigned is refused here.
   */
  async changeSeats(
    tenantId: string,
    id: string,
    seats: number,
    actor: Actor,
    correlationId: string,
  ): Promise<LicensePurchaseRow> {
    const current = await this.db.inTenant(tenantId, async (scope) => {
      const p = await this.purchases.lock(scope, id);
      if (!p) throw BillingErrors.licensePurchaseNotFound();
      if (!['awaiting_payment', 'active', 'past_due'].includes(p.status) || !p.stripeSubscriptionId)
        throw BillingErrors.licensePurchaseNotActive(p.status);
      const pool = p.poolId ? await this.purchases.pool(scope, p.poolId) : null;
      if (pool && seats < pool.assignedCount) throw BillingErrors.seatsBelowAssigned(pool.assignedCount);
      return p;
    });
    try {
      await this.stripe.changeSeats({
        subscription: current.stripeSubscriptionId as string,
        item: current.stripeSubscriptionItemId as string,
        seats,
        idempotencyKey: `license-purchase-seats:${id}:${correlationId}`,
      });
    } catch (error) {
      if (error instanceof StripeCallError) throw BillingErrors.billingUnavailable();
      throw error;
    }
    // Audited once Stripe took the change (the seats themselves change with its webhook).
    await this.db.inTenant(tenantId, (scope) =>
      this.audit.record(scope, actor, {
        action: 'license_purchase.change_seats',
        targetType: 'license_purchase',
        targetId: id,
        correlationId,
        details: { from: current.seats, to: seats },
      }),
    );
    return this.get(tenantId, id);
  }

  /** The loop's part: push pending purchases to Stripe, lapse those unpaid past the grace period. */
  async reconcileAll(): Promise<{ pushed: number; lapsed: number; failed: number }> {
    const result = { pushed: 0, lapsed: 0, failed: 0 };
    const grace = this.stripe.settings.unpaidGraceDays * DAY_MS;
    const now = this.clock.now();
    for (const p of await this.purchases.toReconcile(new Date(now.getTime() - grace), 200)) {
      try {
        if (p.status === 'pending') {
          await this.toStripe(p.tenantId, p.id);
          result.pushed += 1;
        } else if (await this.lapse(p.tenantId, p.id, grace)) result.lapsed += 1;
      } catch (error) {
        result.failed += 1;
        this.logger.warn({ tenantId: p.tenantId, purchaseId: p.id, err: (error as Error).message }, 'purchase');
        if (!(error instanceof StripeCallError)) throw error;
      }
    }
    return result;
  }

  /** pending → awaiting_payment: the tenant's customer and the seat subscription. */
  async toStripe(tenantId: string, id: string): Promise<void> {
    const p = await this.db.inTenant(tenantId, (scope) => this.purchases.find(scope, id));
    if (!p || p.status !== 'pending') return;
    // From the purchase's own time, so a retry sends the very same request (idempotency key).
    const termEnd = addMonthsUtc(p.createdAt, p.termMonths);
    let customer;
    let sub;
    try {
      customer = await this.tenantCustomer(tenantId);
      sub = await this.stripe.createSeatSubscription({
        customer: customer.stripeCustomerId,
        seats: p.seats,
        cancelAt: Math.floor(termEnd.getTime() / 1000),
        metadata: { tenantId, purchaseId: id },
        idempotencyKey: `license-purchase:${id}`,
      });
    } catch (error) {
      const permanent = error instanceof StripeCallError && error.kind === 'permanent';
      await this.db.inTenant(tenantId, (scope) =>
        this.purchases.update(scope, id, {
          ...(permanent ? { status: 'failed' } : {}),
          lastError: (error as Error).message.slice(0, 500),
        }),
      );
      throw error;
    }
    await this.db.inTenant(tenantId, async (scope) => {
      const locked = await this.purchases.lock(scope, id);
      if (!locked || locked.status !== 'pending') return;
      await this.purchases.update(scope, id, {
        status: 'awaiting_payment',
        customerId: customer.id,
        stripeSubscriptionId: sub.id,
        stripeSubscriptionItemId: sub.items.data[0]?.id ?? null,
        termStart: new Date(sub.start_date * 1000),
        termEnd,
        lastError: null,
      });
    });
  }

  /** The tenant's Stripe customer (the one its linked providers bill through, same idempotency key). */
  private async tenantCustomer(tenantId: string) {
    const existing = await this.db.inTenant(tenantId, async (scope) => ({
      customer: await this.accounts.customer(scope, 'tenant', tenantId),
      name: (await this.accounts.tenantName(scope)) ?? tenantId,
    }));
    if (existing.customer) return existing.customer;
    const stripeCustomerId = await this.stripe.createCustomer(
      stripeCustomerRequest({ tenantId, tenantName: existing.name }),
    );
    return this.db.inTenant(tenantId, (scope) =>
      this.accounts.saveCustomer(scope, { ownerType: 'tenant', ownerId: tenantId, providerId: null, stripeCustomerId }),
    );
  }

  /** past_due past the grace period: the pool ends where the grace ended. */
  private async lapse(tenantId: string, id: string, graceMs: number): Promise<boolean> {
    return this.db.inTenant(tenantId, async (scope) => {
      const p = await this.purchases.lock(scope, id);
      if (!p || p.status !== 'past_due' || !p.unpaidSince) return false;
      const end = new Date(p.unpaidSince.getTime() + graceMs);
      if (end > this.clock.now()) return false;
      await this.endPool(scope, p, end);
      await this.purchases.update(scope, id, { status: 'lapsed', endedAt: end });
      this.logger.warn({ tenantId, purchaseId: id, end }, 'bought seats lapsed: renewal unpaid past the grace period');
      return true;
    });
  }

  /** Webhook: an invoice of the purchase's subscription was paid or failed. */
  async applyInvoice(
    scope: TenantScope,
    purchaseId: string,
    type: string,
    invoiceStatus: string,
    eventCreated: Date,
  ): Promise<void> {
    const p = await this.purchases.lock(scope, purchaseId);
    if (!p) return;
    if (type === 'invoice.paid' || (invoiceStatus === 'paid' && type !== 'invoice.payment_failed')) {
      if (['ended', 'failed'].includes(p.status)) return;
      if (!p.poolId) {
        const termEnd = p.termEnd ?? addMonthsUtc(p.createdAt, p.termMonths);
        const poolId = await this.purchases.createPool(scope, p.id, {
          seats: p.seats,
          termStart: eventCreated < termEnd ? eventCreated : termEnd,
          termEnd,
        });
        await this.purchases.update(scope, p.id, { status: 'active', poolId, paidAt: eventCreated, unpaidSince: null });
        return;
      }
      if (p.status === 'lapsed' && p.termEnd) await this.purchases.updatePool(scope, p.poolId, { termEnd: p.termEnd });
      await this.purchases.update(scope, p.id, { status: 'active', unpaidSince: null, endedAt: null });
      return;
    }
    if (type === 'invoice.payment_failed' && p.status === 'active' && invoiceStatus !== 'paid')
      await this.purchases.update(scope, p.id, { status: 'past_due', unpaidSince: p.unpaidSince ?? eventCreated });
  }

  /** Webhook: the subscription changed (seats, status) or ended. Older events than the last applied change nothing. */
  async applySubscription(
    scope: TenantScope,
    purchaseId: string,
    sub: { status: string; quantity: number | null; canceledAt: Date | null; deleted: boolean },
    eventCreated: Date,
  ): Promise<void> {
    const p = await this.purchases.lock(scope, purchaseId);
    if (!p || (p.lastEventAt && eventCreated < p.lastEventAt)) return;
    const ended = sub.deleted || ['canceled', 'incomplete_expired'].includes(sub.status);
    if (ended) {
      const at = sub.canceledAt ?? eventCreated;
      await this.endPool(scope, p, at);
      await this.purchases.update(scope, p.id, {
        status: p.poolId ? 'ended' : 'failed',
        endedAt: at,
        lastEventAt: eventCreated,
      });
      return;
    }
    const seats = sub.quantity && sub.quantity > 0 ? sub.quantity : p.seats;
    if (p.poolId && seats !== p.seats) {
      const pool = await this.purchases.pool(scope, p.poolId);
      const kept = Math.max(seats, pool?.assignedCount ?? 0);
      if (kept !== seats)
        this.logger.warn(
          { tenantId: scope.tenantId, purchaseId: p.id, seats, assigned: pool?.assignedCount },
          'Stripe has fewer seats than are assigned: the pool keeps the assigned ones; unassign to match',
        );
      await this.purchases.updatePool(scope, p.poolId, { seats: kept });
    }
    await this.purchases.update(scope, p.id, { seats, lastEventAt: eventCreated });
  }

  private async endPool(scope: TenantScope, p: LicensePurchaseRow, at: Date): Promise<void> {
    if (!p.poolId) return;
    const pool = await this.purchases.pool(scope, p.poolId);
    if (!pool || at >= pool.termEnd) return;
    // Ended before it began (a term is never empty: the pool trigger refuses end <= start): it covers
    // its first millisecond only, which licenses nobody for any billed moment in practice.
    const end = at > pool.termStart ? at : new Date(pool.termStart.getTime() + 1);
    await this.purchases.updatePool(scope, p.poolId, { termEnd: end });
  }
}
