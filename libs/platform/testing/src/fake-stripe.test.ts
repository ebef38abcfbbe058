import { FakeStripe, startFakeStripe } from './fake-stripe';

/** The fake answers the real SDK as Stripe would for what Twofold uses. */
describe('FakeStripe', () => {
  let fake: FakeStripe;
  beforeAll(async () => {
    fake = await startFakeStripe();
  });
  afterAll(() => fake.stop());

  it('honours Idempotency-Key: same key and params replay; other params are refused', async () => {
    const stripe = fake.client();
    const a = await stripe.customers.create({ name: 'A' }, { idempotencyKey: 'customer:1' });
    const b = await stripe.customers.create({ name: 'A' }, { idempotencyKey: 'customer:1' });
    expect(b.id).toBe(a.id);
    await expect(stripe.customers.create({ name: 'B' }, { idempotencyKey: 'customer:1' })).rejects.toMatchObject({
      type: 'StripeIdempotencyError',
    });
  });

  it('refuses a meter event whose identifier it already holds with a 400, counting it once', async () => {
    const stripe = fake.client();
    const c = await stripe.customers.create({ name: 'M' });
    const event = {
      event_name: 'twofold_authentications',
      payload: { stripe_customer_id: c.id, value: '1' },
      identifier: 'authentication:x',
    };
    await stripe.billing.meterEvents.create(event);
    await expect(stripe.billing.meterEvents.create(event)).rejects.toMatchObject({
      statusCode: 400,
      code: 'resource_already_exists',
    });
    expect(fake.meterEventsFor(c.id)).toHaveLength(1);
    const summary = await stripe.billing.meters.listEventSummaries('mtr_auth', {
      customer: c.id,
      start_time: 0,
      end_time: 4_000_000_000,
    });
    expect(summary.data[0]?.aggregated_value).toBe(1);
  });

  it('fails on demand (500, 429) and the SDK sees Stripe errors', async () => {
    const stripe = fake.client();
    fake.failNext(5, { status: 429 });
    await expect(stripe.customers.create({ name: 'R' })).rejects.toMatchObject({ statusCode: 429 });
    fake.clearFaults();
    fake.failNext(5, { status: 500 }); // the SDK itself retries 5xx a few times
    await expect(stripe.customers.create({ name: 'R' })).rejects.toMatchObject({ statusCode: 500 });
    fake.clearFaults();
    expect(fake.requests.length).toBeGreaterThan(0);
  });
});
