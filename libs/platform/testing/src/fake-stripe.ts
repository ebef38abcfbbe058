import { createHash, randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseQuery } from 'qs';
import Stripe from 'stripe';

/**
 * A small Stripe stand-in speaking Stripe's wire format (form-encoded requests, JSON answers,
 * `{ error: { type, code, message } }` failures) for what Twofold uses: customers, subscriptions
 * (create, retrieve, cancel), billing meter events and their summaries, invoice previews.
 * Point the real `stripe` SDK at it with `{ host, port, protocol: 'http' }`.
 *
 * Like Stripe it honours `Idempotency-Key` (same key + same request → the first answer replayed;
 * same key + other parameters → 400 idempotency_error) and refuses a meter event whose
 * `identifier` it already holds with a 400. It records every request, can be told to fail
 * (500, 429, a hang past the client's timeout, or "counted then 500"), and sends signed webhooks.
 */

export interface FakeStripeRequest {
  method: string;
  path: string;
  params: Record<string, unknown>;
  idempotencyKey?: string;
  at: number;
}

export interface FakeMeterEvent {
  identifier: string;
  event_name: string;
  customer: string;
  value: number;
  timestamp: number;
  created: number;
}

/**
 * What to do with one request: fail with a status, hang (client timeout), count then fail, or answer
 * normally after a delay (a slow Stripe).
 */
export type FakeStripeFault =
  { status: 500 | 502 | 503 | 429 } | { hang: true } | { countThenFail: 500 } | { delayMs: number };

export interface FakeMeter {
  id: string;
  event_name: string;
}

export interface FakePrice {
  id: string;
  /** Minor units per unit of the meter's aggregated value (metered) or per unit of quantity (licensed). */
  unit_amount: number;
  currency: string;
  /** The meter of a metered price; absent for a licensed (per-seat) price. */
  meter?: string;
}

interface StoredResponse {
  fingerprint: string;
  status: number;
  body: unknown;
}

interface Subscription {
  id: string;
  object: 'subscription';
  customer: string;
  status: string;
  created: number;
  start_date: number;
  canceled_at: number | null;
  cancel_at: number | null;
  metadata: Record<string, string>;
  items: {
    object: 'list';
    data: {
      id: string;
      object: 'subscription_item';
      price: { id: string };
      quantity?: number;
      current_period_start: number;
      current_period_end: number;
    }[];
  };
}

export class FakeStripe {
  readonly requests: FakeStripeRequest[] = [];
  /** Accepted meter events by identifier (each counted once). */
  readonly meterEvents = new Map<string, FakeMeterEvent>();
  /** Identifiers of meter events refused because Stripe already had them. */
  readonly duplicateIdentifiers: string[] = [];
  /** Idempotency keys whose first answer was replayed to a retry. */
  readonly replayedKeys: string[] = [];
  readonly customers = new Map<
    string,
    { id: string; object: 'customer'; metadata: Record<string, string>; name?: string; created: number }
  >();
  readonly subscriptions = new Map<string, Subscription>();
  readonly meters = new Map<string, FakeMeter>();
  readonly prices = new Map<string, FakePrice>();
  private readonly idempotency = new Map<string, StoredResponse>();
  private faults: ((r: FakeStripeRequest) => FakeStripeFault | undefined)[] = [];
  private server?: Server;
  private readonly hung = new Set<ServerResponse>();
  private seq = 0;
  /** The fake's clock for `created` fields (seconds); tests may move it. */
  now: () => number = () => Math.floor(Date.now() / 1000);

  constructor() {
    this.defineMeteredPrice('price_auth', 'mtr_auth', 'twofold_authentications', 5);
    this.defineMeteredPrice('price_user', 'mtr_user', 'twofold_billable_users', 300);
    this.prices.set('price_seat', { id: 'price_seat', unit_amount: 250, currency: 'usd' });
  }

  /**
   * A subscription's invoice, as Stripe sends it in invoice.* events: for a licensed price the amount
   * is quantity × unit amount (what the period costs).
   */
  invoiceFor(subscriptionId: string, status: 'open' | 'paid' = 'paid'): Record<string, unknown> {
    const sub = this.subscriptions.get(subscriptionId);
    if (!sub) throw new Error(`no subscription ${subscriptionId}`);
    const item = sub.items.data[0];
    const amount = (item?.quantity ?? 1) * (this.prices.get(item?.price.id ?? '')?.unit_amount ?? 0);
    return {
      id: `in_${this.nextId()}`,
      object: 'invoice',
      customer: sub.customer,
      status,
      currency: 'usd',
      subtotal: amount,
      total: amount,
      amount_due: amount,
      amount_paid: status === 'paid' ? amount : 0,
      period_start: item?.current_period_start,
      period_end: item?.current_period_end,
      hosted_invoice_url: null,
      parent: {
        type: 'subscription_details',
        subscription_details: { subscription: sub.id, metadata: sub.metadata },
      },
    };
  }

  defineMeteredPrice(priceId: string, meterId: string, eventName: string, unitAmount: number, currency = 'usd'): void {
    this.meters.set(meterId, { id: meterId, event_name: eventName });
    this.prices.set(priceId, { id: priceId, unit_amount: unitAmount, currency, meter: meterId });
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
    // Stripe's SDK keeps connections alive; do not let them hold the test process.
    this.server.keepAliveTimeout = 1_000;
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get port(): number {
    return (this.server?.address() as AddressInfo).port;
  }

  /** For STRIPE_API_BASE_URL. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** An SDK client aimed at this fake (what the tests use to check from Stripe's side). */
  client(key = 'sk_test_fake'): Stripe {
    return new Stripe(key, { host: '127.0.0.1', port: this.port, protocol: 'http', telemetry: false });
  }

  async stop(): Promise<void> {
    for (const res of this.hung) res.destroy();
    this.hung.clear();
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Adds a fault rule; the first rule that answers decides. Returns a function removing it. */
  fail(rule: (r: FakeStripeRequest) => FakeStripeFault | undefined): () => void {
    this.faults.push(rule);
    return () => {
      this.faults = this.faults.filter((f) => f !== rule);
    };
  }

  /** The next `count` requests matching `path` get `fault`. */
  failNext(count: number, fault: FakeStripeFault, path?: string): void {
    let left = count;
    this.fail((r) => {
      if (left <= 0 || (path && r.path !== path)) return undefined;
      left -= 1;
      return fault;
    });
  }

  clearFaults(): void {
    this.faults = [];
  }

  meterEventsFor(customer: string, eventName?: string): FakeMeterEvent[] {
    return [...this.meterEvents.values()].filter(
      (e) => e.customer === customer && (eventName === undefined || e.event_name === eventName),
    );
  }

  /**
   * Signs `event` with the SDK's own test-header helper and POSTs it to `url`, as Stripe does.
   * `timestamp` (seconds) and `secret` can be overridden to test refusals.
   */
  async sendWebhook(
    url: string,
    event: Record<string, unknown>,
    secret: string,
    options: { timestamp?: number; signatureSecret?: string } = {},
  ): Promise<{ status: number; body: unknown }> {
    const payload = JSON.stringify(event);
    const header = this.client().webhooks.generateTestHeaderString({
      payload,
      secret: options.signatureSecret ?? secret,
      timestamp: options.timestamp,
    });
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': header },
      body: payload,
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, body };
  }

  /** A Stripe event envelope around `object`. */
  event(type: string, object: Record<string, unknown>, created = this.now()): Record<string, unknown> {
    return {
      id: `evt_${this.nextId()}`,
      object: 'event',
      api_version: '2026-10-28.endive',
      created,
      livemode: false,
      pending_webhooks: 1,
      type,
      data: { object },
    };
  }

  private nextId(): string {
    this.seq += 1;
    return `${this.seq.toString(36)}${randomBytes(6).toString('hex')}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake');
    const params = (
      req.method === 'GET' || req.method === 'DELETE' ? parseQuery(url.search.slice(1)) : parseQuery(raw)
    ) as Record<string, unknown>;
    const idempotencyKey = header(req, 'idempotency-key');
    const request: FakeStripeRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      params,
      idempotencyKey,
      at: Date.now(),
    };
    this.requests.push(request);

    for (const rule of this.faults) {
      const fault = rule(request);
      if (!fault) continue;
      if ('delayMs' in fault) {
        await new Promise((r) => setTimeout(r, fault.delayMs));
        break; // then answered as usual
      }
      if ('hang' in fault) {
        this.hung.add(res);
        return; // never answers: the client times out
      }
      if ('countThenFail' in fault) {
        this.route(request); // the work happens (and is not remembered for the key), the answer is lost
        return send(res, fault.countThenFail, apiError('api_error', undefined, 'An unknown error occurred'));
      }
      return send(
        res,
        fault.status,
        apiError(
          fault.status === 429 ? 'invalid_request_error' : 'api_error',
          fault.status === 429 ? 'rate_limit' : undefined,
          fault.status === 429 ? 'Too many requests' : 'An unknown error occurred',
        ),
      );
    }

    if (idempotencyKey && request.method === 'POST') {
      const fingerprint = createHash('sha256').update(`${request.method} ${request.path} ${raw}`).digest('hex');
      const stored = this.idempotency.get(idempotencyKey);
      if (stored) {
        if (stored.fingerprint !== fingerprint) {
          return send(
            res,
            400,
            apiError(
              'idempotency_error',
              'idempotency_key_in_use',
              `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
            ),
          );
        }
        this.replayedKeys.push(idempotencyKey);
        res.setHeader('idempotent-replayed', 'true');
        return send(res, stored.status, stored.body);
      }
      const { status, body } = this.route(request);
      // Stripe does not store answers of requests that failed before doing anything (5xx).
      if (status < 500) this.idempotency.set(idempotencyKey, { fingerprint, status, body });
      return send(res, status, body);
    }
    const { status, body } = this.route(request);
    return send(res, status, body);
  }

  private route(r: FakeStripeRequest): { status: number; body: unknown } {
    const p = r.params;
    const parts = r.path.split('/').filter(Boolean); // v1, ...
    const key = `${r.method} /${parts.slice(1).join('/')}`;
    const id = parts[2];
    if (key === 'POST /customers') {
      const customer = {
        id: `cus_${this.nextId()}`,
        object: 'customer' as const,
        name: p.name as string | undefined,
        metadata: (p.metadata ?? {}) as Record<string, string>,
        created: this.now(),
      };
      this.customers.set(customer.id, customer);
      return ok(customer);
    }
    if (r.method === 'GET' && parts[1] === 'customers' && parts.length === 3) {
      const c = this.customers.get(id ?? '');
      return c ? ok(c) : missing('customer', id);
    }
    if (key === 'POST /subscriptions') {
      const customer = p.customer as string;
      if (!this.customers.has(customer)) return missing('customer', customer);
      const items = (p.items ?? []) as { price?: string; quantity?: string }[];
      const price = items[0]?.price;
      if (!price || !this.prices.has(price)) return missing('price', price);
      const licensed = !this.prices.get(price)?.meter;
      const quantity = items[0]?.quantity === undefined ? undefined : Number(items[0].quantity);
      if (!licensed && quantity !== undefined)
        return {
          status: 400,
          body: apiError(
            'invalid_request_error',
            'parameter_invalid',
            'A metered price takes no quantity.',
            'items[0][quantity]',
          ),
        };
      const now = this.now();
      const start = new Date(now * 1000);
      const periodStart = Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), 1) / 1000;
      const periodEnd = Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1) / 1000;
      const sub: Subscription = {
        id: `sub_${this.nextId()}`,
        object: 'subscription',
        customer,
        status: 'active',
        created: now,
        start_date: now,
        canceled_at: null,
        cancel_at: p.cancel_at === undefined ? null : Number(p.cancel_at),
        metadata: (p.metadata ?? {}) as Record<string, string>,
        items: {
          object: 'list',
          data: [
            {
              id: `si_${this.nextId()}`,
              object: 'subscription_item',
              price: { id: price },
              ...(licensed ? { quantity: quantity ?? 1 } : {}),
              current_period_start: periodStart,
              current_period_end: periodEnd,
            },
          ],
        },
      };
      this.subscriptions.set(sub.id, sub);
      return ok(sub);
    }
    if (r.method === 'GET' && parts[1] === 'subscriptions' && parts.length === 3) {
      const s = this.subscriptions.get(id ?? '');
      return s ? ok(s) : missing('subscription', id);
    }
    if (r.method === 'POST' && parts[1] === 'subscriptions' && parts.length === 3) {
      const s = this.subscriptions.get(id ?? '');
      if (!s) return missing('subscription', id);
      if (s.status === 'canceled')
        return {
          status: 400,
          body: apiError(
            'invalid_request_error',
            'resource_missing',
            'A canceled subscription can only update its metadata.',
          ),
        };
      const items = (p.items ?? []) as { id?: string; quantity?: string }[];
      for (const change of items) {
        const item = s.items.data.find((i) => i.id === change.id);
        if (!item) return missing('subscription_item', change.id);
        if (change.quantity !== undefined) item.quantity = Number(change.quantity);
      }
      return ok(s);
    }
    if (r.method === 'DELETE' && parts[1] === 'subscriptions' && parts.length === 3) {
      const s = this.subscriptions.get(id ?? '');
      if (!s) return missing('subscription', id);
      if (s.status !== 'canceled') {
        s.status = 'canceled';
        s.canceled_at = this.now();
      }
      return ok(s);
    }
    if (key === 'POST /billing/meter_events') {
      const payload = (p.payload ?? {}) as Record<string, string>;
      const eventName = p.event_name as string | undefined;
      const customer = payload.stripe_customer_id;
      const value = Number(payload.value ?? 1);
      if (!eventName || ![...this.meters.values()].some((m) => m.event_name === eventName))
        return {
          status: 400,
          body: apiError(
            'invalid_request_error',
            'parameter_invalid',
            `No active meter was found for event_name ${eventName}.`,
            'event_name',
          ),
        };
      if (!customer || !this.customers.has(customer))
        return {
          status: 400,
          body: apiError(
            'invalid_request_error',
            'resource_missing',
            `No such customer: '${customer}'`,
            'payload[stripe_customer_id]',
          ),
        };
      if (!Number.isFinite(value))
        return {
          status: 400,
          body: apiError('invalid_request_error', 'parameter_invalid', 'value must be a number', 'payload[value]'),
        };
      // Stripe accepts meter events from the past 35 days and up to 5 minutes ahead only.
      const at = Number(p.timestamp ?? this.now());
      if (at < this.now() - 35 * 86_400 || at > this.now() + 300)
        return {
          status: 400,
          body: apiError(
            'invalid_request_error',
            'timestamp_outside_window',
            'Timestamp must be within the past 35 days and no more than 5 minutes in the future.',
            'timestamp',
          ),
        };
      const identifier = (p.identifier as string | undefined) ?? `fake_${this.nextId()}`;
      if (this.meterEvents.has(identifier)) {
        this.duplicateIdentifiers.push(identifier);
        return {
          status: 400,
          body: apiError(
            'invalid_request_error',
            'resource_already_exists',
            `An event already exists with identifier ${identifier}.`,
            'identifier',
          ),
        };
      }
      const event: FakeMeterEvent = {
        identifier,
        event_name: eventName,
        customer,
        value,
        timestamp: at,
        created: this.now(),
      };
      this.meterEvents.set(identifier, event);
      return ok({
        object: 'billing.meter_event',
        created: event.created,
        event_name: eventName,
        identifier,
        livemode: false,
        payload,
        timestamp: event.timestamp,
      });
    }
    if (r.method === 'GET' && parts[1] === 'billing' && parts[2] === 'meters' && parts[4] === 'event_summaries') {
      const meter = this.meters.get(parts[3] ?? '');
      if (!meter) return missing('billing.meter', parts[3]);
      const customer = p.customer as string;
      const start = Number(p.start_time);
      const end = Number(p.end_time);
      const total = this.meterEventsFor(customer, meter.event_name)
        .filter((e) => e.timestamp >= start && e.timestamp < end)
        .reduce((sum, e) => sum + e.value, 0);
      return ok({
        object: 'list',
        url: r.path,
        has_more: false,
        data: [
          {
            id: `mtrusg_${this.nextId()}`,
            object: 'billing.meter_event_summary',
            aggregated_value: total,
            start_time: start,
            end_time: end,
            livemode: false,
            meter: meter.id,
          },
        ],
      });
    }
    if (key === 'POST /invoices/create_preview') {
      const customer = p.customer as string;
      if (!this.customers.has(customer)) return missing('customer', customer);
      const subs = [...this.subscriptions.values()].filter(
        (s) => s.customer === customer && s.status !== 'canceled' && (!p.subscription || s.id === p.subscription),
      );
      const lines = subs.map((s) => {
        const item = s.items.data[0];
        const price = this.prices.get(item?.price.id ?? '');
        const meter = price?.meter ? this.meters.get(price.meter) : undefined;
        const quantity = !price?.meter
          ? (item?.quantity ?? 1)
          : meter
            ? this.meterEventsFor(customer, meter.event_name)
                .filter(
                  (e) =>
                    e.timestamp >= (item?.current_period_start ?? 0) && e.timestamp < (item?.current_period_end ?? 0),
                )
                .reduce((sum, e) => sum + e.value, 0)
            : 0;
        return {
          subscription: s.id,
          price: price?.id,
          quantity,
          amount: quantity * (price?.unit_amount ?? 0),
          currency: price?.currency ?? 'usd',
        };
      });
      const total = lines.reduce((sum, l) => sum + l.amount, 0);
      const first = subs[0]?.items.data[0];
      return ok({
        id: `upcoming_in_${this.nextId()}`,
        object: 'invoice',
        customer,
        status: 'draft',
        currency: lines[0]?.currency ?? 'usd',
        subtotal: total,
        total,
        amount_due: total,
        amount_paid: 0,
        period_start: first?.current_period_start ?? this.now(),
        period_end: first?.current_period_end ?? this.now(),
        lines: {
          object: 'list',
          has_more: false,
          data: lines.map((l) => ({
            object: 'line_item',
            amount: l.amount,
            currency: l.currency,
            quantity: l.quantity,
            subscription: l.subscription,
            pricing: { price_details: { price: l.price } },
          })),
        },
      });
    }
    return {
      status: 404,
      body: apiError('invalid_request_error', undefined, `Unrecognized request URL (${r.method}: ${r.path}).`),
    };
  }
}

export async function startFakeStripe(): Promise<FakeStripe> {
  return new FakeStripe().start();
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function ok(body: unknown): { status: number; body: unknown } {
  return { status: 200, body };
}

function missing(what: string, id: unknown): { status: number; body: unknown } {
  return {
    status: 404,
    body: apiError('invalid_request_error', 'resource_missing', `No such ${what}: '${String(id)}'`),
  };
}

function apiError(
  type: string,
  code: string | undefined,
  message: string,
  param?: string,
): { error: Record<string, unknown> } {
  return { error: { type, ...(code ? { code } : {}), message, ...(param ? { param } : {}) } };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'request-id': `req_${randomBytes(7).toString('hex')}`,
  });
  res.end(text);
}
