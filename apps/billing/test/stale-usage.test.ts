import { Logger } from '@nestjs/common';
import { formatStale } from '../src/reconcile';
import { ReconciliationService } from '../src/reconciliation/reconciliation.service';
import {
  BillingHarness,
  createProvider,
  createTenant,
  drain,
  insertAuthenticationUsage,
  startBilling,
} from './harness';

const HOUR = 60 * 60 * 1000;

/**
 * R10 and Stripe's ~24 h idempotency window (docs/decisions/0015-billing-operations.md): usage rows
 * still pending 12 h after they occurred raise one error per billing pass and show in the
 * reconciliation command, while a retry is still deduplicated by Stripe.
 */
describe('usage pending longer than 12 h', () => {
  let h: BillingHarness;
  let errors: jest.SpyInstance;
  beforeAll(async () => {
    h = await startBilling();
  });
  afterAll(() => h.close());
  beforeEach(() => {
    errors = jest.spyOn(Logger.prototype, 'error');
  });
  afterEach(() => {
    errors.mockRestore();
    h.stripe.clearFaults();
    h.setNow(undefined);
  });

  const staleErrors = () =>
    errors.mock.calls.filter((args) => String(args[1]).startsWith('usage rows pending longer than 12 h'));

  it('logs one error per pass with the count, prints STALE lines, and clears once Stripe took the rows', async () => {
    const t = await createTenant(h);
    const other = await createTenant(h);
    const p = await createProvider(h, t, 'per_authentication');
    const q = await createProvider(h, other, 'per_authentication');
    await h.loop.pass(); // customers and subscriptions
    const start = new Date();
    await insertAuthenticationUsage(h, t.id, p, 7, start);
    await insertAuthenticationUsage(h, other.id, q, 2, new Date(start.getTime() + 2 * HOUR));
    // Stripe rejects every meter event for now: the rows stay pending.
    h.stripe.failNext(10_000, { status: 503 }, '/v1/billing/meter_events');

    h.setNow(new Date(start.getTime() + 11 * HOUR));
    expect((await h.loop.pass()).staleRows).toBe(0);
    expect(staleErrors()).toHaveLength(0);

    h.setNow(new Date(start.getTime() + 13 * HOUR));
    expect((await h.loop.pass()).staleRows).toBe(7);
    expect(staleErrors()).toHaveLength(1);
    expect(staleErrors()[0]?.[0]).toMatchObject({
      staleRows: 7,
      tenants: 1,
      oldest: start.toISOString(),
      sample: [{ tenantId: t.id, rows: 7 }],
    });
    expect(formatStale(await h.worker.get(ReconciliationService).stalePending())).toEqual([
      `STALE tenant=${t.id} pending=7 oldest=${start.toISOString()} (pending longer than 12 h)`,
    ]);

    // Two hours on, both tenants' rows are stale: still one error for the pass, with the total.
    h.setNow(new Date(start.getTime() + 15 * HOUR));
    expect((await h.loop.pass()).staleRows).toBe(9);
    expect(staleErrors()).toHaveLength(2);
    expect(staleErrors()[1]?.[0]).toMatchObject({ staleRows: 9, tenants: 2, oldest: start.toISOString() });
    expect((await h.worker.get(ReconciliationService).stalePending()).map((s) => [s.tenantId, s.rows])).toEqual([
      [t.id, 7],
      [other.id, 2],
    ]);

    // Stripe is back within the window: every row is reported once and the alert stops.
    h.stripe.clearFaults();
    await drain(h);
    expect((await h.loop.pass()).staleRows).toBe(0);
    expect(staleErrors()).toHaveLength(2);
    expect(await h.worker.get(ReconciliationService).stalePending()).toEqual([]);
    const [c] = await h.sql<{ c: string }>(
      `SELECT stripe_customer_id AS c FROM stripe_customers WHERE tenant_id = $1`,
      [t.id],
    );
    expect(h.stripe.meterEventsFor(c?.c ?? '', 'twofold_authentications')).toHaveLength(7);
  });

  it('rows never billed (skipped) and reported rows are never stale', async () => {
    const free = await createTenant(h, 'free');
    const p = await createProvider(h, free, 'per_authentication');
    const start = new Date();
    await insertAuthenticationUsage(h, free.id, p, 3, start);
    await drain(h);
    h.setNow(new Date(start.getTime() + 30 * HOUR));
    expect((await h.loop.pass()).staleRows).toBe(0);
    expect(staleErrors()).toHaveLength(0);
  });
});
