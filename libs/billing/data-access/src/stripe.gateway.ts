import { Inject, Injectable } from '@nestjs/common';
import Stripe from 'stripe';
import { classifyStripeFailure, StripeFailureKind } from '@twofold/billing/domain';
import { stripeErrorsTotal, stripeRequestDuration } from '@twofold/platform/metrics';

export const STRIPE_SETTINGS = Symbol('STRIPE_SETTINGS');

export interface StripeSettings {
  apiBaseUrl: string;
  secretKey: string;
  webhookSecret: string;
  timeoutMs: number;
  prices: { per_authentication: string; per_user: string };
  /** Licensed per-seat price of bought license seats (R4). */
  seatPrice: string;
  /** Days a bought pool stays in force after a failed renewal. */
  unpaidGraceDays: number;
  meterEvents: { per_authentication: string; per_user: string };
  meterIds: { per_authentication: string; per_user: string };
}

/** A Stripe call failed; `kind` says whether it is already done, worth retrying, or needs a human. */
export class StripeCallError extends Error {
  constructor(
    readonly kind: StripeFailureKind,
    message: string,
    readonly statusCode?: number,
  ) {
    super(message);
  }
}

export function stripeClient(s: Pick<StripeSettings, 'apiBaseUrl' | 'secretKey' | 'timeoutMs'>): Stripe {
  const url = new URL(s.apiBaseUrl);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return new Stripe(s.secretKey, {
    host: url.hostname,
    port: url.port ? Number(url.port) : protocol === 'http' ? 80 : 443,
    protocol,
    telemetry: false,
    timeout: s.timeoutMs,
    // The SDK retries 5xx/429/connection errors with the same Idempotency-Key; our own loop retries after that.
    maxNetworkRetries: 1,
  });
}

function toCallError(error: unknown): StripeCallError {
  const e = error as { statusCode?: number; code?: string; message?: string; type?: string };
  const kind = classifyStripeFailure({ statusCode: e.statusCode, code: e.code, message: e.message, type: e.type });
  return new StripeCallError(
    kind,
    `${e.type ?? 'Error'}${e.statusCode ? ` ${e.statusCode}` : ''}: ${e.message ?? String(error)}`,
    e.statusCode,
  );
}

/**
 * One Stripe request: its duration and, when it fails, the kind of failure (docs/decisions/0024),
 * labelled by operation only (in memory, around the call we await anyway).
 */
async function call<T>(operation: string, work: () => Promise<T>): Promise<T> {
  const started = process.hrtime.bigint();
  try {
    const result = await work();
    stripeRequestDuration.observe({ operation, outcome: 'ok' }, secondsSince(started));
    return result;
  } catch (error) {
    stripeRequestDuration.observe({ operation, outcome: 'error' }, secondsSince(started));
    const failure = toCallError(error);
    stripeErrorsTotal.inc({ operation, kind: failure.kind });
    throw failure;
  }
}

const secondsSince = (started: bigint) => Number(process.hrtime.bigint() - started) / 1e9;

/** All Stripe I/O of the billing domain (STYLE: repositories do all I/O). Every write carries an idempotency key. */
@Injectable()
export class StripeGateway {
  readonly stripe: Stripe;

  constructor(@Inject(STRIPE_SETTINGS) readonly settings: StripeSettings) {
    this.stripe = stripeClient(settings);
  }

  /** R2/R3: one meter event; identifier = the usage row's key, so Stripe counts it at most once. */
  async sendMeterEvent(event: {
    eventName: string;
    customer: string;
    value: number;
    identifier: string;
    timestamp: number;
    idempotencyKey: string;
  }): Promise<void> {
    await call('meter_events.create', () =>
      this.stripe.billing.meterEvents.create(
        {
          event_name: event.eventName,
          payload: { stripe_customer_id: event.customer, value: String(event.value) },
          identifier: event.identifier,
          timestamp: event.timestamp,
        },
        { idempotencyKey: event.idempotencyKey },
      ),
    );
  }

  async createCustomer(p: { name: string; metadata: Record<string, string>; idempotencyKey: string }): Promise<string> {
    const c = await call('customers.create', () =>
      this.stripe.customers.create({ name: p.name, metadata: p.metadata }, { idempotencyKey: p.idempotencyKey }),
    );
    return c.id;
  }

  async createSubscription(p: {
    customer: string;
    price: string;
    metadata: Record<string, string>;
    idempotencyKey: string;
  }): Promise<Stripe.Subscription> {
    return call('subscriptions.create', () =>
      this.stripe.subscriptions.create(
        { customer: p.customer, items: [{ price: p.price }], metadata: p.metadata },
        { idempotencyKey: p.idempotencyKey },
      ),
    );
  }

  /** R4: seats bought by the tenant: a licensed price with quantity = seats, ending after the term. */
  async createSeatSubscription(p: {
    customer: string;
    seats: number;
    cancelAt: number;
    metadata: Record<string, string>;
    idempotencyKey: string;
  }): Promise<Stripe.Subscription> {
    return call('subscriptions.create', () =>
      this.stripe.subscriptions.create(
        {
          customer: p.customer,
          items: [{ price: this.settings.seatPrice, quantity: p.seats }],
          cancel_at: p.cancelAt,
          metadata: p.metadata,
        },
        { idempotencyKey: p.idempotencyKey },
      ),
    );
  }

  /** A seat change mid-term: Stripe prorates it; our pool follows its webhook. */
  async changeSeats(p: { subscription: string; item: string; seats: number; idempotencyKey: string }): Promise<void> {
    await call('subscriptions.update', () =>
      this.stripe.subscriptions.update(
        p.subscription,
        { items: [{ id: p.item, quantity: p.seats }], proration_behavior: 'create_prorations' },
        { idempotencyKey: p.idempotencyKey },
      ),
    );
  }

  async cancelSubscription(id: string, idempotencyKey: string): Promise<Stripe.Subscription> {
    return call('subscriptions.cancel', () => this.stripe.subscriptions.cancel(id, {}, { idempotencyKey }));
  }

  /** Stripe's aggregated meter value for a customer over [start, end) (seconds). */
  async meterTotal(meterId: string, customer: string, start: number, end: number): Promise<number> {
    const page = await call('meters.list_event_summaries', () =>
      this.stripe.billing.meters.listEventSummaries(meterId, { customer, start_time: start, end_time: end }),
    );
    return page.data.reduce((sum, s) => sum + s.aggregated_value, 0);
  }

  async previewInvoice(customer: string, subscription?: string): Promise<Stripe.Invoice> {
    return call('invoices.create_preview', () =>
      this.stripe.invoices.createPreview({ customer, ...(subscription ? { subscription } : {}) }),
    );
  }

  /** Verifies the signature over the raw body (tolerance in seconds) and returns the event. */
  constructEvent(rawBody: Buffer, signatureHeader: string, toleranceSeconds: number): Stripe.Event {
    return this.stripe.webhooks.constructEvent(rawBody, signatureHeader, this.settings.webhookSecret, toleranceSeconds);
  }
}
