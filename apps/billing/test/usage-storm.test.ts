import {
  BillingHarness,
  createProvider,
  createTenant,
  drain,
  insertAuthenticationUsage,
  startBilling,
} from './harness';

/** R10 exactness under a failing Stripe: its own file (own app: Passport strategies are process-global). */
describe('usage relay under a Stripe storm (R10)', () => {
  let h: BillingHarness;
  beforeAll(async () => {
    h = await startBilling({ batchSize: 100, stripeTimeoutMs: 300 });
  });
  afterAll(() => h.close());

  it('R10: a storm of 500, 429 and timeouts loses nothing and counts nothing twice', async () => {
    const t = await createTenant(h);
    const p = await createProvider(h, t, 'per_authentication');
    await h.loop.pass();
    await insertAuthenticationUsage(h, t.id, p, 500);
    let n = 0;
    h.stripe.fail((r) => {
      if (r.path !== '/v1/billing/meter_events') return undefined;
      n += 1;
      if (n > 1500) return undefined; // the storm passes
      const roll = n % 10;
      if (roll === 0) return { status: 500 };
      if (roll === 3) return { status: 429 };
      if (roll === 6) return { countThenFail: 500 };
      if (roll === 9) return { hang: true };
      return undefined;
    });
    await drain(h, 100);
    expect(h.stripe.meterEvents.size).toBe(500);
    const [row] = await h.sql<{ n: number; attempts: number }>(
      `SELECT count(*)::int AS n, max(report_attempts)::int AS attempts FROM usage_ledger WHERE reported_at IS NOT NULL`,
    );
    expect(row?.n).toBe(500);
    expect(row?.attempts).toBeGreaterThan(1);
  }, 120_000);
});
