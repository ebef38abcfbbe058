import { BillingHarness, bearer, createTenant, startBilling, TenantFixture, WEBHOOK_SECRET } from './harness';

const DAY = 86_400_000;

/**
 * R4, issue 13 item 1 (decision 0018): a tenant buys seats through Stripe. The real SDK talks to the
 * fake Stripe; the pool comes from the signed invoice.paid webhook and follows the subscription.
 */
describe('license seats bought through Stripe (R4, R10)', () => {
  let h: BillingHarness;
  let url: string;
  let t: TenantFixture;
  beforeAll(async () => {
    h = await startBilling();
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    url = `${await h.app.getUrl()}/v1/billing/webhooks/stripe`.replace('[::1]', '127.0.0.1');
    t = await createTenant(h);
  });
  afterAll(() => h.close());

  const purchase = (id: string, key = t.apiKey) => h.http().get(`/v1/billing/license-purchases/${id}`).set(bearer(key));
  const pool = async (id: string) =>
    (
      await h.sql<{ seats: number; termStart: Date; termEnd: Date; purchaseId: string }>(
        `SELECT seats, term_start AS "termStart", term_end AS "termEnd", purchase_id::text AS "purchaseId"
           FROM license_pools WHERE id = $1`,
        [id],
      )
    )[0];
  const send = async (type: string, object: Record<string, unknown>, created?: number) => {
    const res = await h.stripe.sendWebhook(url, h.stripe.event(type, object, created), WEBHOOK_SECRET);
    expect(res.status).toBe(200);
  };

  it('buy → 202 awaiting payment; paid → the pool is in force; seats change as Stripe confirms; other tenants see 404', async () => {
    const res = await h
      .http()
      .post('/v1/billing/license-purchases')
      .set(bearer(t.apiKey))
      .send({ seats: 5, termMonths: 12 });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ seats: 5, termMonths: 12, status: 'awaiting_payment', poolId: null });
    const subId = res.body.stripeSubscriptionId as string;
    const sub = h.stripe.subscriptions.get(subId);
    expect(sub?.items.data[0]).toMatchObject({ price: { id: 'price_seat' }, quantity: 5 });
    expect(sub?.cancel_at).toBeGreaterThan(Date.now() / 1000 + 360 * 86_400); // the term: 12 months
    expect([...h.stripe.customers.values()].filter((c) => c.metadata.tenantId === t.id)).toHaveLength(1);

    // Not paid yet: no seats.
    expect((await h.sql(`SELECT 1 FROM license_pools WHERE tenant_id = $1`, [t.id])).length).toBe(0);
    await send('invoice.paid', h.stripe.invoiceFor(subId, 'paid'));
    const active = await purchase(res.body.id);
    expect(active.body).toMatchObject({ status: 'active', seats: 5 });
    expect(active.body.poolId).toEqual(expect.any(String));
    expect(await pool(active.body.poolId)).toMatchObject({ seats: 5, purchaseId: res.body.id });
    // A redelivered invoice.paid changes nothing (one pool).
    expect((await h.sql(`SELECT 1 FROM license_pools WHERE tenant_id = $1`, [t.id])).length).toBe(1);

    // Mid-term: 8 seats. Stripe changes the quantity (and prorates); our pool follows its webhook.
    const change = await h
      .http()
      .patch(`/v1/billing/license-purchases/${res.body.id}`)
      .set(bearer(t.apiKey))
      .send({ seats: 8 });
    expect(change.status).toBe(202);
    expect(h.stripe.subscriptions.get(subId)?.items.data[0]?.quantity).toBe(8);
    expect((await pool(active.body.poolId))?.seats).toBe(5);
    await send(
      'customer.subscription.updated',
      h.stripe.subscriptions.get(subId) as unknown as Record<string, unknown>,
    );
    expect((await pool(active.body.poolId))?.seats).toBe(8);
    expect((await purchase(res.body.id)).body.seats).toBe(8);

    // Another tenant: 404, for reading and for changing.
    const other = await createTenant(h);
    const cross = await purchase(res.body.id, other.apiKey);
    expect(cross.status).toBe(404);
    expect(cross.body).toMatchObject({ code: 'license_purchase_not_found', correlationId: expect.any(String) });
    const crossChange = await h
      .http()
      .patch(`/v1/billing/license-purchases/${res.body.id}`)
      .set(bearer(other.apiKey))
      .send({ seats: 1 });
    expect(crossChange.status).toBe(404);
    expect((await h.http().get('/v1/billing/license-purchases').set(bearer(other.apiKey))).body.items).toEqual([]);
  });

  it('Stripe unreachable: the purchase waits as pending with the error, and the billing loop sends it later', async () => {
    const later = await createTenant(h);
    h.stripe.failNext(4, { status: 503 }, '/v1/customers');
    const res = await h
      .http()
      .post('/v1/billing/license-purchases')
      .set(bearer(later.apiKey))
      .send({ seats: 4, termMonths: 6 });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'pending', stripeSubscriptionId: null });
    expect(res.body.lastError).toMatch(/503/);
    h.stripe.clearFaults();
    await h.loop.pass();
    const after = await purchase(res.body.id, later.apiKey);
    expect(after.body).toMatchObject({ status: 'awaiting_payment', lastError: null });
    expect(h.stripe.subscriptions.get(after.body.stripeSubscriptionId)?.items.data[0]?.quantity).toBe(4);
  });

  it('an invoice.paid that arrives before the purchase records its subscription is refused (500), then applied on redelivery', async () => {
    const early = await createTenant(h);
    const res = await h
      .http()
      .post('/v1/billing/license-purchases')
      .set(bearer(early.apiKey))
      .send({ seats: 3, termMonths: 12 });
    const subId = res.body.stripeSubscriptionId as string;
    // As if our row were not committed yet: pending, no subscription.
    await h.sql(`UPDATE license_purchases SET status = 'pending', stripe_subscription_id = NULL WHERE id = $1`, [
      res.body.id,
    ]);
    const event = h.stripe.event('invoice.paid', h.stripe.invoiceFor(subId, 'paid'));
    const first = await h.stripe.sendWebhook(url, event, WEBHOOK_SECRET);
    expect(first.status).toBe(500);
    await h.sql(`UPDATE license_purchases SET status = 'awaiting_payment', stripe_subscription_id = $2 WHERE id = $1`, [
      res.body.id,
      subId,
    ]);
    const again = await h.stripe.sendWebhook(url, event, WEBHOOK_SECRET); // Stripe's redelivery: same event id
    expect(again.status).toBe(200);
    expect((await purchase(res.body.id, early.apiKey)).body).toMatchObject({
      status: 'active',
      poolId: expect.any(String),
    });
  });

  it('at most 5 purchases wait for payment at once, also when asked in parallel (no free Stripe objects)', async () => {
    const spammer = await createTenant(h);
    const calls = h.stripe.requests.filter((r) => r.path === '/v1/subscriptions').length;
    const answers = await Promise.all(
      Array.from({ length: 12 }, () =>
        h.http().post('/v1/billing/license-purchases').set(bearer(spammer.apiKey)).send({ seats: 1, termMonths: 1 }),
      ),
    );
    expect(answers.filter((a) => a.status === 202)).toHaveLength(5);
    const refused = answers.filter((a) => a.status !== 202);
    expect(refused.every((a) => a.status === 409 && a.body.code === 'unpaid_purchases_limit')).toBe(true);
    expect(h.stripe.requests.filter((r) => r.path === '/v1/subscriptions').length - calls).toBe(5);
    // Paying one frees a place.
    const paid = answers.find((a) => a.status === 202)?.body as { stripeSubscriptionId: string };
    await send('invoice.paid', h.stripe.invoiceFor(paid.stripeSubscriptionId, 'paid'));
    const more = await h
      .http()
      .post('/v1/billing/license-purchases')
      .set(bearer(spammer.apiKey))
      .send({ seats: 1, termMonths: 1 });
    expect(more.status).toBe(202);
  });

  it('bad input is refused with a code; fewer seats than assigned is refused', async () => {
    for (const body of [{ seats: 0, termMonths: 12 }, { seats: 5, termMonths: 37 }, { seats: '5' }, {}])
      expect((await h.http().post('/v1/billing/license-purchases').set(bearer(t.apiKey)).send(body)).body.code).toBe(
        'validation_failed',
      );
    const res = await h
      .http()
      .post('/v1/billing/license-purchases')
      .set(bearer(t.apiKey))
      .send({ seats: 3, termMonths: 12 });
    await send('invoice.paid', h.stripe.invoiceFor(res.body.stripeSubscriptionId, 'paid'));
    const poolId = (await purchase(res.body.id)).body.poolId as string;
    const userIds = await h.sql<{ id: string }>(
      `INSERT INTO users (tenant_id, id, user_name, updated_at)
       SELECT $1, gen_random_uuid(), 'seat-' || g || '-' || gen_random_uuid(), now() FROM generate_series(1, 2) g RETURNING id::text`,
      [t.id],
    );
    for (const u of userIds)
      await h.sql(
        `INSERT INTO license_assignments (tenant_id, id, pool_id, user_id) VALUES ($1, gen_random_uuid(), $2, $3)`,
        [t.id, poolId, u.id],
      );
    const fewer = await h
      .http()
      .patch(`/v1/billing/license-purchases/${res.body.id}`)
      .set(bearer(t.apiKey))
      .send({ seats: 1 });
    expect(fewer.status).toBe(409);
    expect(fewer.body.code).toBe('seats_below_assigned');
  });

  it('a failed renewal keeps the seats during the grace period, then the pool lapses; the subscription ending ends it', async () => {
    const res = await h
      .http()
      .post('/v1/billing/license-purchases')
      .set(bearer(t.apiKey))
      .send({ seats: 2, termMonths: 12 });
    const subId = res.body.stripeSubscriptionId as string;
    await send('invoice.paid', h.stripe.invoiceFor(subId, 'paid'));
    const failedAt = Math.floor(Date.now() / 1000) + 60;
    await send('invoice.payment_failed', h.stripe.invoiceFor(subId, 'open'), failedAt);
    expect((await purchase(res.body.id)).body).toMatchObject({ status: 'past_due' });
    const poolId = (await purchase(res.body.id)).body.poolId as string;

    h.setNow(new Date(failedAt * 1000 + 13 * DAY)); // inside the 14-day grace: still in force
    await h.loop.pass();
    expect((await purchase(res.body.id)).body.status).toBe('past_due');
    h.setNow(new Date(failedAt * 1000 + 15 * DAY));
    await h.loop.pass();
    h.setNow(undefined);
    expect((await purchase(res.body.id)).body.status).toBe('lapsed');
    expect((await pool(poolId))?.termEnd).toEqual(new Date(failedAt * 1000 + 14 * DAY));

    // Another purchase whose subscription Stripe ends: the pool ends then.
    const second = await h
      .http()
      .post('/v1/billing/license-purchases')
      .set(bearer(t.apiKey))
      .send({ seats: 2, termMonths: 1 });
    await send('invoice.paid', h.stripe.invoiceFor(second.body.stripeSubscriptionId, 'paid'));
    const endedAt = Math.floor(Date.now() / 1000) + 120;
    const sub = {
      ...h.stripe.subscriptions.get(second.body.stripeSubscriptionId),
      status: 'canceled',
      canceled_at: endedAt,
    };
    await send('customer.subscription.deleted', sub as unknown as Record<string, unknown>, endedAt);
    const ended = (await purchase(second.body.id)).body;
    expect(ended).toMatchObject({ status: 'ended' });
    expect((await pool(ended.poolId))?.termEnd).toEqual(new Date(endedAt * 1000));
  });
});
