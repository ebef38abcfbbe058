import { Injectable, Logger } from '@nestjs/common';
import type Stripe from 'stripe';
import { z } from 'zod';
import { BillingErrors, isUnpaidInvoice, shouldApply } from '@twofold/billing/domain';
import { BillingAccountsRepository, LicensePurchaseRepository, StripeGateway } from '@twofold/billing/data-access';
import { Clock, DbService, TenantScope } from '@twofold/platform/db';
import { LicensePurchaseService } from '../purchases/license-purchase.service';

/** R10: Stripe may sign events at most this long ago, and not later than this ahead of our clock. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

const HANDLED = new Set([
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'invoice.created',
  'invoice.finalized',
  'invoice.paid',
  'invoice.payment_failed',
]);

/**
 * What an event must be for us to store it (its id is the idempotency key). Anything signed but not
 * like this is refused with 400 `webhook_event_invalid`; an event like this but whose object we do
 * not understand is stored and ignored (200), never a 500 (issue 13 item 5).
 */
const EventEnvelope = z
  .object({
    id: z.string().min(1).max(255),
    type: z.string().min(1).max(255),
    created: z.number().int().nonnegative(),
    livemode: z.boolean().optional(),
  })
  .passthrough();

/** A Stripe reference: the object's id, or the object itself when expanded. */
const StripeRef = z
  .union([z.string(), z.object({ id: z.string() }).passthrough()])
  .nullable()
  .optional();
const Seconds = z.number().int().nullable().optional();
const Amount = z.number().int().nullable().optional();

/** The fields of a subscription and of an invoice that apply() reads, with the types it assumes. */
const SubscriptionObject = z
  .object({
    id: z.string().min(1),
    customer: StripeRef,
    status: z.string(),
    canceled_at: Seconds,
    items: z
      .object({
        data: z.array(
          z.object({ current_period_start: Seconds, current_period_end: Seconds, quantity: Seconds }).passthrough(),
        ),
      })
      .passthrough()
      .optional(),
  })
  .passthrough();
const InvoiceObject = z
  .object({
    id: z.string().min(1),
    customer: StripeRef,
    status: z.string().nullable().optional(),
    currency: z.string().nullable().optional(),
    subtotal: Amount,
    total: Amount,
    amount_due: Amount,
    amount_paid: Amount,
    period_start: Seconds,
    period_end: Seconds,
    hosted_invoice_url: z.string().nullable().optional(),
    subscription: StripeRef,
    parent: z
      .object({
        subscription_details: z.object({ subscription: z.string().nullable().optional() }).passthrough().nullish(),
      })
      .passthrough()
      .nullable()
      .optional(),
  })
  .passthrough();

/** Why the object of a handled event cannot be applied, or null when it can. */
function notUnderstood(event: Stripe.Event): string | null {
  const object = (event as unknown as { data?: { object?: unknown } }).data?.object;
  const schema = event.type.startsWith('customer.subscription.') ? SubscriptionObject : InvoiceObject;
  const parsed = schema.safeParse(object);
  if (parsed.success) return null;
  const issue = parsed.error.issues[0];
  return `data.object${issue?.path.length ? `.${issue.path.join('.')}` : ''}: ${issue?.message ?? 'not understood'}`;
}

const secondsToDate = (s: number | null | undefined) => (typeof s === 'number' ? new Date(s * 1000) : null);
const idOf = (v: string | { id: string } | null | undefined) => (typeof v === 'string' ? v : (v?.id ?? null));

/** The subscription an invoice bills (Stripe's newer `parent.subscription_details`, or the older field). */
const subscriptionOfInvoice = (invoice: Stripe.Invoice) =>
  idOf(
    (invoice as unknown as { parent?: { subscription_details?: { subscription?: string } } }).parent
      ?.subscription_details?.subscription ?? (invoice as unknown as { subscription?: string }).subscription,
  );

/**
 * Stripe webhooks: signature over the raw body, each event stored once by its id, then applied
 * idempotently and in any order (an object keeps the `created` of the newest event applied).
 */
@Injectable()
export class StripeWebhookService {
  private readonly logger = new Logger(StripeWebhookService.name);

  constructor(
    private readonly stripe: StripeGateway,
    private readonly accounts: BillingAccountsRepository,
    private readonly db: DbService,
    private readonly clock: Clock,
    private readonly purchases: LicensePurchaseRepository,
    private readonly seatPurchases: LicensePurchaseService,
  ) {}

  verify(rawBody: Buffer | undefined, signature: string | undefined): Stripe.Event {
    if (!rawBody || !signature) throw BillingErrors.webhookSignatureInvalid('missing body or Stripe-Signature header');
    const t = /(?:^|,)t=(\d+)/.exec(signature)?.[1];
    const now = Math.floor(this.clock.now().getTime() / 1000);
    // The SDK checks only the age; a timestamp from the future is refused here.
    if (t === undefined || Number(t) > now + WEBHOOK_TOLERANCE_SECONDS)
      throw BillingErrors.webhookSignatureInvalid('timestamp missing or in the future');
    let event: unknown;
    try {
      event = this.stripe.constructEvent(rawBody, signature, WEBHOOK_TOLERANCE_SECONDS);
    } catch (error) {
      throw BillingErrors.webhookSignatureInvalid((error as Error).message.split('\n')[0] ?? 'bad signature');
    }
    const envelope = EventEnvelope.safeParse(event);
    if (!envelope.success) {
      const issue = envelope.error.issues[0];
      throw BillingErrors.webhookEventInvalid(
        issue?.path.length ? `${issue.path.join('.')}: ${issue.message}` : 'not a JSON object',
      );
    }
    // PostgreSQL's jsonb cannot hold U+0000: such an event could not be stored, so it is refused.
    if (rawBody.includes('\\u0000')) throw BillingErrors.webhookEventInvalid('it contains a \\u0000 character');
    return event as Stripe.Event;
  }

  /** Returns 'duplicate' when the event was already processed (Stripe redelivered it). */
  async receive(event: Stripe.Event): Promise<'processed' | 'duplicate' | 'ignored'> {
    const fresh = await this.accounts.storeWebhookEvent({
      stripeEventId: event.id,
      type: event.type,
      livemode: event.livemode,
      payload: event as unknown as object,
    });
    if (!fresh) return 'duplicate';
    try {
      if (!HANDLED.has(event.type)) {
        await this.accounts.webhookProcessed(event.id, null);
        return 'ignored';
      }
      const why = notUnderstood(event);
      if (why) {
        this.logger.warn({ event: event.id, type: event.type, why }, 'webhook stored and ignored: not understood');
        await this.accounts.webhookProcessed(event.id, null, `not understood: ${why}`);
        return 'ignored';
      }
      const tenantId = await this.apply(event);
      await this.accounts.webhookProcessed(event.id, tenantId);
      return tenantId === null ? 'ignored' : 'processed';
    } catch (error) {
      await this.accounts.webhookFailed(event.id, (error as Error).message);
      throw error;
    }
  }

  private async apply(event: Stripe.Event): Promise<string | null> {
    const object = event.data.object as unknown as { customer?: string | { id: string } | null };
    const stripeCustomerId = idOf(object.customer);
    if (!stripeCustomerId) return null;
    const owner = await this.accounts.findCustomerTenant(stripeCustomerId);
    if (!owner) {
      this.logger.warn({ event: event.id, type: event.type }, 'webhook for a customer we do not know');
      return null;
    }
    const eventCreated = new Date(event.created * 1000);
    // R4: a seat purchase's subscription (decision 0018), found by its Stripe id in the same tenant.
    const subscriptionStripeId = event.type.startsWith('customer.subscription.')
      ? (event.data.object as { id: string }).id
      : subscriptionOfInvoice(event.data.object as Stripe.Invoice);
    const purchase = subscriptionStripeId ? await this.purchases.findBySubscription(subscriptionStripeId) : undefined;
    const purchaseId = purchase?.tenantId === owner.tenantId ? purchase.id : null;
    if (!purchaseId) await this.refuseWhilePurchaseIsSetUp(owner.tenantId, event);
    await this.db.inTenant(owner.tenantId, async (scope) => {
      if (event.type.startsWith('customer.subscription.')) {
        const sub = event.data.object as Stripe.Subscription;
        if (purchaseId)
          await this.seatPurchases.applySubscription(
            scope,
            purchaseId,
            {
              status: sub.status,
              quantity: sub.items?.data?.[0]?.quantity ?? null,
              canceledAt: secondsToDate(sub.canceled_at),
              deleted: event.type === 'customer.subscription.deleted',
            },
            eventCreated,
          );
        else await this.applySubscription(scope, sub, eventCreated);
      } else {
        const invoice = event.data.object as Stripe.Invoice;
        await this.applyInvoice(scope, owner.customerId, event.type, invoice, eventCreated);
        if (purchaseId)
          await this.seatPurchases.applyInvoice(scope, purchaseId, event.type, invoice.status ?? 'draft', eventCreated);
      }
    });
    return owner.tenantId;
  }

  /**
   * Stripe may announce a seat purchase's first invoice (paid at once with a card on file) before our
   * row records the subscription: the metadata names the purchase, still pending. Answering 500 makes
   * Stripe deliver it again later, when the row knows its subscription (decision 0018).
   */
  private async refuseWhilePurchaseIsSetUp(tenantId: string, event: Stripe.Event): Promise<void> {
    const object = event.data.object as {
      metadata?: Record<string, string> | null;
      parent?: { subscription_details?: { metadata?: Record<string, string> | null } | null } | null;
    };
    const named = object.metadata?.purchaseId ?? object.parent?.subscription_details?.metadata?.purchaseId;
    if (!named || !/^[0-9a-f-]{36}$/.test(named)) return;
    const pending = await this.db.inTenant(tenantId, (scope) => this.purchases.find(scope, named));
    if (pending?.status === 'pending')
      throw new Error(`license purchase ${named} is still being set up at Stripe: deliver the event again later`);
  }

  private async applySubscription(scope: TenantScope, sub: Stripe.Subscription, eventCreated: Date): Promise<void> {
    const stored = await this.accounts.subscriptionByStripeId(scope, sub.id);
    // A subscription we did not create (or not yet saved) is left to the reconciler.
    if (!stored || !shouldApply('subscription', stored, { eventCreated, status: sub.status })) return;
    const item = sub.items?.data?.[0];
    await this.accounts.updateSubscription(scope, stored.id, {
      status: sub.status,
      canceledAt: secondsToDate(sub.canceled_at),
      lastEventAt: eventCreated,
      ...(item
        ? {
            currentPeriodStart: secondsToDate(item.current_period_start),
            currentPeriodEnd: secondsToDate(item.current_period_end),
          }
        : {}),
    });
  }

  private async applyInvoice(
    scope: TenantScope,
    customerId: string,
    type: string,
    invoice: Stripe.Invoice,
    eventCreated: Date,
  ): Promise<void> {
    const stored = await this.accounts.invoiceByStripeId(scope, invoice.id ?? '');
    const status = invoice.status ?? 'draft';
    if (shouldApply('invoice', stored, { eventCreated, status })) {
      const subscriptionStripeId = subscriptionOfInvoice(invoice);
      const subscription = subscriptionStripeId
        ? await this.accounts.subscriptionByStripeId(scope, subscriptionStripeId)
        : null;
      await this.accounts.upsertInvoice(scope, invoice.id ?? '', {
        customerId,
        subscriptionId: subscription?.id ?? null,
        status,
        currency: invoice.currency ?? 'usd',
        subtotal: BigInt(invoice.subtotal ?? 0),
        total: BigInt(invoice.total ?? 0),
        amountDue: BigInt(invoice.amount_due ?? 0),
        amountPaid: BigInt(invoice.amount_paid ?? 0),
        periodStart: secondsToDate(invoice.period_start),
        periodEnd: secondsToDate(invoice.period_end),
        hostedUrl: invoice.hosted_invoice_url ?? null,
        lastEventAt: eventCreated,
      });
    }
    // R10: flag, never cut off. Judged on the newest state we hold, so a late, older
    // payment_failed does not flag an invoice that is already paid.
    const current = await this.accounts.invoiceByStripeId(scope, invoice.id ?? '');
    if (type === 'invoice.payment_failed' && current && isUnpaidInvoice(current.status, true))
      await this.accounts.setUnpaidSince(scope, customerId, eventCreated);
    else if ((await this.accounts.unpaidInvoiceCount(scope, customerId)) === 0)
      await this.accounts.setUnpaidSince(scope, customerId, null);
  }
}
