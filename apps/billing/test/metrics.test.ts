import { randomBytes } from 'node:crypto';
import { delta, Scrape } from '@twofold/platform/testing';
import {
  BillingHarness,
  bearer,
  createProvider,
  createTenant,
  drain,
  insertAuthenticationUsage,
  startBilling,
  WEBHOOK_SECRET,
} from './harness';

const HOUR = 60 * 60 * 1000;
const OPERATOR_KEY = `op_${randomBytes(24).toString('hex')}`;

/**
 * Issue 16 item 3 (docs/decisions/0024): billing's /metrics after real Stripe traffic through the
 * fake: request durations and errors by operation, the usage backlog gauges (pending, stale, oldest
 * age) read from PostgreSQL when scraped, webhooks by route template.
 */
describe('GET /metrics (billing)', () => {
  let h: BillingHarness;
  let url: string;
  beforeAll(async () => {
    h = await startBilling({ env: { OPERATOR_API_KEY: OPERATOR_KEY } });
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    url = `${await h.app.getUrl()}/v1/billing/webhooks/stripe`.replace('[::1]', '127.0.0.1');
  });
  afterAll(() => h.close());

  const scrape = async (): Promise<Scrape> => {
    const res = await h.http().get('/metrics').set(bearer(OPERATOR_KEY));
    expect(res.status).toBe(200);
    return Scrape.parse(res.text);
  };
  const stripeCalls = (name: string, labels: Record<string, string>, before: Scrape, after: Scrape) =>
    delta(before, after, name, labels);

  it('counts Stripe calls by operation and outcome, and reads the usage backlog when scraped', async () => {
    const empty = await scrape();
    expect(empty.value('twofold_usage_rows', { state: 'pending' })).toBe(0);
    expect(empty.value('twofold_usage_rows', { state: 'stale' })).toBe(0);
    expect(empty.value('twofold_usage_oldest_pending_age_seconds')).toBe(0);

    const t = await createTenant(h);
    const p = await createProvider(h, t, 'per_authentication');
    await h.loop.pass(); // one customer, one subscription
    const setUp = await scrape();
    expect(
      stripeCalls(
        'twofold_stripe_request_duration_seconds_count',
        { operation: 'customers.create', outcome: 'ok' },
        empty,
        setUp,
      ),
    ).toBe(1);
    expect(
      stripeCalls(
        'twofold_stripe_request_duration_seconds_count',
        { operation: 'subscriptions.create', outcome: 'ok' },
        empty,
        setUp,
      ),
    ).toBe(1);

    // 7 rows 13 h old and 2 rows 30 minutes old; Stripe refuses every meter event for now.
    const start = new Date(Date.now() - 13 * HOUR);
    await insertAuthenticationUsage(h, t.id, p, 7, start);
    await insertAuthenticationUsage(h, t.id, p, 2, new Date(Date.now() - HOUR / 2));
    const backlog = await scrape();
    expect(backlog.value('twofold_usage_rows', { state: 'pending' })).toBe(9);
    expect(backlog.value('twofold_usage_rows', { state: 'stale' })).toBe(7);
    const age = backlog.value('twofold_usage_oldest_pending_age_seconds');
    expect(age).toBeGreaterThanOrEqual(13 * 3600);
    expect(age).toBeLessThan(13 * 3600 + 120);

    const requestsBefore = h.stripe.requests.length;
    h.stripe.failNext(10_000, { status: 503 }, '/v1/billing/meter_events');
    await h.loop.pass();
    h.stripe.clearFaults();
    // One call of ours per idempotency key; the SDK's own retry reuses the key.
    const failedCalls = new Set(
      h.stripe.requests
        .slice(requestsBefore)
        .filter((r) => r.path === '/v1/billing/meter_events')
        .map((r) => r.idempotencyKey),
    ).size;
    expect(failedCalls).toBeGreaterThan(0);
    const failing = await scrape();
    expect(
      stripeCalls(
        'twofold_stripe_errors_total',
        { operation: 'meter_events.create', kind: 'transient' },
        backlog,
        failing,
      ),
    ).toBe(failedCalls);
    expect(
      stripeCalls(
        'twofold_stripe_request_duration_seconds_count',
        { operation: 'meter_events.create', outcome: 'error' },
        backlog,
        failing,
      ),
    ).toBe(failedCalls);
    expect(failing.value('twofold_usage_rows', { state: 'pending' })).toBe(9);

    // Stripe is back: every row is reported once, and the backlog is empty.
    await drain(h);
    const drained = await scrape();
    expect(
      stripeCalls(
        'twofold_stripe_request_duration_seconds_count',
        { operation: 'meter_events.create', outcome: 'ok' },
        failing,
        drained,
      ),
    ).toBe(9);
    expect(drained.value('twofold_usage_rows', { state: 'pending' })).toBe(0);
    expect(drained.value('twofold_usage_rows', { state: 'stale' })).toBe(0);
    expect(drained.value('twofold_usage_oldest_pending_age_seconds')).toBe(0);
    expect(drained.text).not.toContain(t.id);
    expect(drained.has('twofold_queue_jobs', { queue: 'billing.usage', state: 'waiting' })).toBe(true);
  });

  it('observes webhooks under their route template', async () => {
    const before = await scrape();
    const event = h.stripe.event('invoice.created', { id: 'in_metrics', object: 'invoice', status: 'draft' });
    const ok = await h.stripe.sendWebhook(url, event, WEBHOOK_SECRET);
    const bad = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=00' },
      body: JSON.stringify(event),
    });
    expect(bad.status).toBe(400);
    const after = await scrape();
    const route = '/v1/billing/webhooks/stripe';
    expect(
      delta(before, after, 'twofold_http_request_duration_seconds_count', {
        route,
        method: 'POST',
        status: String(ok.status),
      }),
    ).toBe(1);
    expect(
      delta(before, after, 'twofold_http_request_duration_seconds_count', { route, method: 'POST', status: '400' }),
    ).toBe(1);
  });

  it('refuses a tenant key and no key with metrics_access_denied (R29)', async () => {
    const t = await createTenant(h);
    for (const res of [await h.http().get('/metrics'), await h.http().get('/metrics').set(bearer(t.apiKey))]) {
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ code: 'metrics_access_denied', correlationId: res.headers['x-correlation-id'] });
      expect(res.body.message.length).toBeGreaterThan(0);
    }
  });
});
