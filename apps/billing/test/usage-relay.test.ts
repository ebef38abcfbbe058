import { monthKey } from '@twofold/billing/domain';
import { formatLines, parsePeriod } from '../src/reconcile';
import { ReconciliationService } from '../src/reconciliation/reconciliation.service';
import { SubscriptionReconciler } from '../src/subscriptions/subscription-reconciler.service';
import {
  BillingHarness,
  bearer,
  createProvider,
  createTenant,
  drain,
  insertAuthenticationUsage,
  startBilling,
} from './harness';

/** R2, R6, R9, R10: the usage outbox reaches Stripe's meter exactly once per row, through failures. */
describe('usage relay (R2, R6, R9, R10)', () => {
  let h: BillingHarness;
  beforeAll(async () => {
    h = await startBilling({ batchSize: 50 });
  });
  afterAll(() => h.close());
  afterEach(() => h.stripe.clearFaults());

  it('R10: creates a customer and a metered subscription per provider, visible on the provider; another tenant gets 404', async () => {
    const t = await createTenant(h);
    const other = await createTenant(h);
    const perAuth = await createProvider(h, t, 'per_authentication');
    const perUser = await createProvider(h, t, 'per_user');
    await h.loop.pass();
    await h.loop.pass();
    const a = await h.http().get(`/v1/billing/providers/${perAuth}`).set(bearer(t.apiKey));
    expect(a.status).toBe(200);
    expect(a.body.subscription).toMatchObject({ stripePriceId: 'price_auth', status: 'active' });
    const u = await h.http().get(`/v1/billing/providers/${perUser}`).set(bearer(t.apiKey));
    expect(u.body.subscription).toMatchObject({ stripePriceId: 'price_user', status: 'active' });
    // One customer per tenant: both subscriptions belong to it, and Stripe has no other.
    expect(u.body.stripeCustomerId).toBe(a.body.stripeCustomerId);
    expect([...h.stripe.customers.values()].filter((c) => c.metadata.tenantId === t.id)).toHaveLength(1);
    expect(h.stripe.subscriptions.get(a.body.subscription.stripeSubscriptionId)?.customer).toBe(
      a.body.stripeCustomerId,
    );

    const cross = await h.http().get(`/v1/billing/providers/${perAuth}`).set(bearer(other.apiKey));
    expect(cross.status).toBe(404);
    expect(cross.body.code).toBe('provider_not_found');
    expect(typeof cross.body.correlationId).toBe('string');

    // Deleting the provider cancels its subscription.
    await h.sql(`UPDATE providers SET deleted_at = now() WHERE id = $1`, [perAuth]);
    await h.loop.pass();
    const gone = await h.http().get(`/v1/billing/providers/${perAuth}`).set(bearer(t.apiKey));
    expect(gone.body.subscription.status).toBe('canceled');
    expect(h.stripe.subscriptions.get(a.body.subscription.stripeSubscriptionId)?.status).toBe('canceled');
  });

  it('R2/R10: two live providers of the same model in one tenant bill through separate customers, each its own usage', async () => {
    const t = await createTenant(h);
    const first = await createProvider(h, t, 'per_authentication');
    await h.loop.pass();
    const second = await createProvider(h, t, 'per_authentication');
    await h.loop.pass();
    await insertAuthenticationUsage(h, t.id, first, 7);
    await insertAuthenticationUsage(h, t.id, second, 3);
    await drain(h);
    await h.loop.pass();
    const a = await h.http().get(`/v1/billing/providers/${first}`).set(bearer(t.apiKey));
    const b = await h.http().get(`/v1/billing/providers/${second}`).set(bearer(t.apiKey));
    expect(a.body.stripeCustomerId).not.toBe(b.body.stripeCustomerId);
    expect(h.stripe.meterEventsFor(a.body.stripeCustomerId, 'twofold_authentications')).toHaveLength(7);
    expect(h.stripe.meterEventsFor(b.body.stripeCustomerId, 'twofold_authentications')).toHaveLength(3);
  });

  it('R10: two billing workers reconciling two new providers of one tenant at once still give them separate customers', async () => {
    const t = await createTenant(h);
    const first = await createProvider(h, t, 'per_authentication');
    const second = await createProvider(h, t, 'per_authentication');
    // Two reconcilers at the same moment, as two worker processes would run them.
    const reconciler = h.worker.get(SubscriptionReconciler);
    await Promise.all([reconciler.reconcileProvider(t.id, first), reconciler.reconcileProvider(t.id, second)]);
    const rows = await h.sql<{ p: string; c: string }>(
      `SELECT s.provider_id AS p, c.stripe_customer_id AS c FROM stripe_subscriptions s
         JOIN stripe_customers c ON c.tenant_id = s.tenant_id AND c.id = s.customer_id WHERE s.tenant_id = $1`,
      [t.id],
    );
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((r) => r.c)).size).toBe(2);
  });

  it('R2/R6: every authentication row becomes one meter event with identifier = its key; nothing twice on re-runs', async () => {
    const t = await createTenant(h);
    const p = await createProvider(h, t, 'per_authentication');
    await insertAuthenticationUsage(h, t.id, p, 120);
    await drain(h);
    await h.loop.pass();
    const [sub] = await h.sql<{ c: string }>(
      `SELECT c.stripe_customer_id AS c FROM stripe_customers c WHERE c.tenant_id = $1`,
      [t.id],
    );
    const events = h.stripe.meterEventsFor(sub?.c ?? '', 'twofold_authentications');
    expect(events).toHaveLength(120);
    const keys = await h.sql<{ k: string; s: string | null }>(
      `SELECT idempotency_key AS k, stripe_identifier AS s FROM usage_ledger WHERE tenant_id = $1 AND reported_at IS NOT NULL`,
      [t.id],
    );
    expect(keys).toHaveLength(120);
    expect(new Set(events.map((e) => e.identifier))).toEqual(new Set(keys.map((k) => k.k)));
    expect(keys.every((k) => k.k === k.s)).toBe(true);
    // Each meter-event call carried an Idempotency-Key derived from the row key.
    const calls = h.stripe.requests.filter((r) => r.path === '/v1/billing/meter_events');
    expect(calls.every((c) => c.idempotencyKey === `meter-event:${String(c.params.identifier)}`)).toBe(true);
  });

  it('R2: authentications of a per_user provider and of a free-tier tenant (R9) are never reported', async () => {
    const t = await createTenant(h);
    const perUser = await createProvider(h, t, 'per_user');
    const free = await createTenant(h, 'free');
    const freeProvider = await createProvider(h, free, 'per_authentication');
    await insertAuthenticationUsage(h, t.id, perUser, 7);
    await insertAuthenticationUsage(h, free.id, freeProvider, 5);
    const before = h.stripe.meterEvents.size;
    await drain(h);
    expect(h.stripe.meterEvents.size).toBe(before);
    const rows = await h.sql<{ reason: string; n: number }>(
      `SELECT skipped_reason AS reason, count(*)::int AS n FROM usage_ledger WHERE tenant_id IN ($1, $2) GROUP BY 1 ORDER BY 1`,
      [t.id, free.id],
    );
    expect(rows).toEqual([
      { reason: 'free_tier', n: 5 },
      { reason: 'not_billed_by_model', n: 7 },
    ]);
    // R9: a free tenant gets no Stripe subscription either.
    expect((await h.sql(`SELECT 1 FROM stripe_subscriptions WHERE tenant_id = $1`, [free.id])).length).toBe(0);
  });

  it('R10: Stripe counted the event but the answer was lost (crash window) → the retry is refused as a duplicate and the row is marked, counted once', async () => {
    const t = await createTenant(h);
    const p = await createProvider(h, t, 'per_authentication');
    await h.loop.pass(); // subscription
    await insertAuthenticationUsage(h, t.id, p, 30);
    h.stripe.failNext(10, { countThenFail: 500 }, '/v1/billing/meter_events');
    await drain(h);
    const [c] = await h.sql<{ c: string }>(
      `SELECT stripe_customer_id AS c FROM stripe_customers WHERE tenant_id = $1`,
      [t.id],
    );
    expect(h.stripe.meterEventsFor(c?.c ?? '')).toHaveLength(30);
    // The 10 lost answers were retried with the same identifier and refused as duplicates.
    expect(h.stripe.duplicateIdentifiers.length).toBeGreaterThanOrEqual(10);
    const [row] = await h.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM usage_ledger WHERE tenant_id = $1 AND reported_at IS NOT NULL`,
      [t.id],
    );
    expect(row?.n).toBe(30);
  });

  it('tenant usage API: current-period authentications per provider; another tenant sees none of them', async () => {
    const t = await createTenant(h);
    const other = await createTenant(h);
    const p = await createProvider(h, t, 'per_authentication');
    await insertAuthenticationUsage(h, t.id, p, 12);
    await drain(h);
    const res = await h.http().get('/v1/billing/usage').set(bearer(t.apiKey));
    expect(res.status).toBe(200);
    expect(res.body.providers).toEqual([
      expect.objectContaining({
        providerId: p,
        authentications: 12,
        reported: 12,
        pending: 0,
        billingModel: 'per_authentication',
      }),
    ]);
    const theirs = await h.http().get('/v1/billing/usage').set(bearer(other.apiKey));
    expect(theirs.body.providers).toEqual([]);
    const bad = await h.http().get('/v1/billing/usage?period=2026-13').set(bearer(t.apiKey));
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('period_invalid');
    const upcoming = await h.http().get('/v1/billing/invoices/upcoming').set(bearer(t.apiKey));
    expect(upcoming.status).toBe(200);
    expect(upcoming.body.items[0]).toMatchObject({ amountDue: 12 * 5, currency: 'usd' });
    expect((await h.http().get('/v1/billing/usage')).status).toBe(401);
  });
});

describe('reconciliation command (R10)', () => {
  let h: BillingHarness;
  beforeAll(async () => {
    h = await startBilling();
  });
  afterAll(() => h.close());

  it('prints no difference when ledger and Stripe agree, and the difference when Stripe holds an extra event', async () => {
    const t = await createTenant(h);
    const p = await createProvider(h, t, 'per_authentication');
    await insertAuthenticationUsage(h, t.id, p, 25);
    await drain(h);
    const { from, to } = parsePeriod(['--from', monthKey(new Date())]);
    const service = h.worker.get(ReconciliationService);
    let lines = await service.compare(from, to);
    expect(lines.filter((l) => l.ours !== l.stripe)).toEqual([]);
    expect(lines.find((l) => l.meter === 'authentications')).toMatchObject({ ours: 25, stripe: 25 });

    const [c] = await h.sql<{ c: string }>(
      `SELECT stripe_customer_id AS c FROM stripe_customers WHERE tenant_id = $1`,
      [t.id],
    );
    await h.stripe.client().billing.meterEvents.create({
      event_name: 'twofold_authentications',
      payload: { stripe_customer_id: c?.c ?? '', value: '1' },
      identifier: 'stray-event',
    });
    lines = await service.compare(from, to);
    const out = formatLines(lines, false);
    expect(out).toHaveLength(1);
    expect(out[0]).toContain('DIFF');
    expect(out[0]).toContain('ledger=25 stripe=26 difference=1');
  });
});
