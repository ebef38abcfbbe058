import {
  BillingHarness,
  bearer,
  createProvider,
  createTenant,
  startBilling,
  TenantFixture,
  WEBHOOK_SECRET,
} from './harness';

/** R10, R29: Stripe webhooks are signature-checked over the raw body, stored once, applied in any order. */
describe('Stripe webhooks (R10)', () => {
  let h: BillingHarness;
  let url: string;
  let t: TenantFixture;
  let other: TenantFixture;
  let customer: string;
  let subscription: string;

  beforeAll(async () => {
    h = await startBilling();
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    url = `${await h.app.getUrl()}/v1/billing/webhooks/stripe`.replace('[::1]', '127.0.0.1');
    t = await createTenant(h);
    other = await createTenant(h);
    const p = await createProvider(h, t, 'per_authentication');
    await h.loop.pass();
    const res = await h.http().get(`/v1/billing/providers/${p}`).set(bearer(t.apiKey));
    customer = res.body.stripeCustomerId as string;
    subscription = res.body.subscription.stripeSubscriptionId as string;
  });
  afterAll(() => h.close());

  const storedEvents = async () =>
    (await h.sql<{ n: number }>(`SELECT count(*)::int AS n FROM stripe_webhook_events`))[0]?.n;

  const invoice = (id: string, status: string, extra: Record<string, unknown> = {}) => ({
    id,
    object: 'invoice',
    customer,
    status,
    currency: 'usd',
    subtotal: 1250,
    total: 1250,
    amount_due: 1250,
    amount_paid: status === 'paid' ? 1250 : 0,
    period_start: 1788220800,
    period_end: 1790812800,
    hosted_invoice_url: `https://invoice.example/${id}`,
    parent: { type: 'subscription_details', subscription_details: { subscription } },
    ...extra,
  });

  it('R10/R29: a bad signature gets 400 with code, message and correlation id, and nothing is stored', async () => {
    const event = h.stripe.event('invoice.paid', invoice('in_bad', 'paid'));
    const res = await h.stripe.sendWebhook(url, event, WEBHOOK_SECRET, { signatureSecret: 'whsec_wrong' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'webhook_signature_invalid' });
    expect(typeof (res.body as { message: string }).message).toBe('string');
    expect(typeof (res.body as { correlationId: string }).correlationId).toBe('string');
    expect(await storedEvents()).toBe(0);
  });

  it('R10: a timestamp older than 300 s or more than 300 s in the future is refused', async () => {
    const now = Math.floor(Date.now() / 1000);
    // 330 s, not 301: the test and the service read the clock at different seconds.
    for (const timestamp of [now - 330, now + 330]) {
      const res = await h.stripe.sendWebhook(
        url,
        h.stripe.event('invoice.paid', invoice('in_old', 'paid')),
        WEBHOOK_SECRET,
        {
          timestamp,
        },
      );
      expect(res.status).toBe(400);
    }
    expect(await storedEvents()).toBe(0);
    // A body changed after signing does not verify either.
    const event = h.stripe.event('invoice.paid', invoice('in_x', 'paid'));
    const header = h.stripe
      .client()
      .webhooks.generateTestHeaderString({ payload: JSON.stringify(event), secret: WEBHOOK_SECRET });
    const tampered = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': header },
      body: JSON.stringify({ ...event, id: 'evt_other' }),
    });
    expect(tampered.status).toBe(400);
    expect(await storedEvents()).toBe(0);
  });

  it('R10: each event is stored once; a redelivery changes nothing', async () => {
    const event = h.stripe.event('invoice.created', invoice('in_1', 'draft'));
    const a = await h.stripe.sendWebhook(url, event, WEBHOOK_SECRET);
    const b = await h.stripe.sendWebhook(url, event, WEBHOOK_SECRET);
    expect(a).toMatchObject({ status: 200, body: { received: true, result: 'processed' } });
    expect(b).toMatchObject({ status: 200, body: { received: true, result: 'duplicate' } });
    const rows = await h.sql<{ n: number; tenant: string }>(
      `SELECT count(*)::int AS n, max(tenant_id::text) AS tenant FROM stripe_webhook_events WHERE stripe_event_id = $1`,
      [event.id],
    );
    expect(rows[0]).toEqual({ n: 1, tenant: t.id });
  });

  it('R10: events in any order: an older event never overwrites newer state; payment failure flags, payment clears', async () => {
    const base = Math.floor(Date.now() / 1000) - 100;
    const created = h.stripe.event('invoice.created', invoice('in_2', 'draft'), base);
    const finalized = h.stripe.event('invoice.finalized', invoice('in_2', 'open'), base + 10);
    const failed = h.stripe.event('invoice.payment_failed', invoice('in_2', 'open'), base + 20);
    const paid = h.stripe.event('invoice.paid', invoice('in_2', 'paid'), base + 30);

    await h.stripe.sendWebhook(url, failed, WEBHOOK_SECRET);
    await h.stripe.sendWebhook(url, created, WEBHOOK_SECRET);
    let list = await h.http().get('/v1/billing/invoices').set(bearer(t.apiKey));
    expect(list.body.items.find((i: { stripeInvoiceId: string }) => i.stripeInvoiceId === 'in_2')?.status).toBe('open');
    expect(list.body.unpaidSince).toBe(new Date((base + 20) * 1000).toISOString());

    await h.stripe.sendWebhook(url, paid, WEBHOOK_SECRET);
    await h.stripe.sendWebhook(url, finalized, WEBHOOK_SECRET); // late and older: ignored
    list = await h.http().get('/v1/billing/invoices').set(bearer(t.apiKey));
    expect(list.body.items.find((i: { stripeInvoiceId: string }) => i.stripeInvoiceId === 'in_2')).toMatchObject({
      status: 'paid',
      amountPaid: 1250,
      currency: 'usd',
    });
    expect(list.body.unpaidSince).toBeNull();

    // Another tenant sees none of it.
    const theirs = await h.http().get('/v1/billing/invoices').set(bearer(other.apiKey));
    expect(theirs.body).toEqual({ unpaidSince: null, items: [] });
  });

  it('R10: subscription updates apply newest-first; deletion marks it canceled', async () => {
    const base = Math.floor(Date.now() / 1000);
    const sub = (status: string) => ({
      id: subscription,
      object: 'subscription',
      customer,
      status,
      canceled_at: status === 'canceled' ? base : null,
      items: { object: 'list', data: [] },
    });
    await h.stripe.sendWebhook(
      url,
      h.stripe.event('customer.subscription.updated', sub('past_due'), base + 5),
      WEBHOOK_SECRET,
    );
    await h.stripe.sendWebhook(
      url,
      h.stripe.event('customer.subscription.updated', sub('active'), base + 1),
      WEBHOOK_SECRET,
    );
    const [row] = await h.sql<{ status: string }>(
      `SELECT status FROM stripe_subscriptions WHERE stripe_subscription_id = $1`,
      [subscription],
    );
    expect(row?.status).toBe('past_due');
    await h.stripe.sendWebhook(
      url,
      h.stripe.event('customer.subscription.deleted', sub('canceled'), base + 9),
      WEBHOOK_SECRET,
    );
    const [after] = await h.sql<{ status: string; canceled: Date | null }>(
      `SELECT status, canceled_at AS canceled FROM stripe_subscriptions WHERE stripe_subscription_id = $1`,
      [subscription],
    );
    expect(after?.status).toBe('canceled');
    expect(after?.canceled).not.toBeNull();
  });

  it('an event for an unknown customer or of another type is stored and acknowledged, changing nothing', async () => {
    const res = await h.stripe.sendWebhook(
      url,
      h.stripe.event('charge.succeeded', { id: 'ch_1', customer: 'cus_nobody' }),
      WEBHOOK_SECRET,
    );
    expect(res).toMatchObject({ status: 200, body: { result: 'ignored' } });
  });
});
