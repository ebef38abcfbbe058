import { StripeGateway, UsageRelayRepository } from '@twofold/billing/data-access';
import { Clock, DbService } from '@twofold/platform/db';
import { formatFailed, parseResolution } from '../src/reconcile';
import { ReconciliationService } from '../src/reconciliation/reconciliation.service';
import { UsageRelayService } from '../src/usage/usage-relay.service';
import { BillingHarness, createProvider, createTenant, insertAuthenticationUsage, startBilling } from './harness';

const DAY = 86_400_000;

/**
 * Issue 13 item 4 (R10): the relay cannot stall on rows Stripe refuses for good, and never holds a
 * database transaction across a Stripe call.
 */
describe('usage relay: failed rows and slow Stripe (R2, R10)', () => {
  let h: BillingHarness;
  beforeAll(async () => {
    h = await startBilling({ batchSize: 200 });
  });
  afterAll(() => h.close());
  afterEach(() => h.stripe.clearFaults());

  const rowsOf = (tenantId: string) =>
    h.sql<{ key: string; reported: boolean; failed: boolean; skipped: string | null; error: string | null }>(
      `SELECT idempotency_key AS key, reported_at IS NOT NULL AS reported, failed_at IS NOT NULL AS failed,
              skipped_reason AS skipped, last_error AS error
         FROM usage_ledger WHERE tenant_id = $1 ORDER BY occurred_at`,
      [tenantId],
    );

  it('200 old rows Stripe refuses for good do not hold back a new row; they become failed, alerted, and resolvable', async () => {
    const t = await createTenant(h);
    const p = await createProvider(h, t, 'per_authentication');
    await h.loop.pass(); // customer and subscription
    // Older than Stripe's 35-day window for meter events: refused with a 400, whatever the retry.
    await insertAuthenticationUsage(h, t.id, p, 200, new Date(Date.now() - 40 * DAY));
    await insertAuthenticationUsage(h, t.id, p, 1, new Date());

    const first = await h.loop.pass();
    const second = await h.loop.pass();
    const rows = await rowsOf(t.id);
    const newest = rows.at(-1);
    expect(newest).toMatchObject({ reported: true, failed: false });
    expect(rows.filter((r) => r.failed)).toHaveLength(200);
    expect(rows.filter((r) => r.failed).every((r) => r.error?.includes('35 days'))).toBe(true);
    expect(first.failedRows).toBe(200);
    expect(second.failedRows).toBe(200); // still waiting for an operator, and still alerted
    // Set aside: the next passes do not send them again.
    const sent = h.stripe.requests.filter((r) => r.path === '/v1/billing/meter_events').length;
    await h.loop.pass();
    expect(h.stripe.requests.filter((r) => r.path === '/v1/billing/meter_events')).toHaveLength(sent);
    expect(h.stripe.meterEvents.has(newest?.key ?? '')).toBe(true);

    // reconcile lists them; the operator voids one and retries another, each audited.
    const reconcile = h.worker.get(ReconciliationService);
    const failed = await reconcile.failed();
    expect(failed).toHaveLength(200);
    expect(formatFailed(failed.slice(0, 1))[0]).toMatch(
      /^FAILED tenant=\S+ row=\S+ key=authentication:\S+ quantity=1 /,
    );
    const [toVoid, toRetry] = failed as [(typeof failed)[0], (typeof failed)[0]];
    expect(await reconcile.resolveFailed(toVoid.id, 'void', 'billed by hand on invoice 42')).not.toBeNull();
    expect(await reconcile.resolveFailed(toVoid.id, 'void', 'again')).toBeNull(); // already resolved
    expect(await reconcile.resolveFailed(toRetry.id, 'retry', 'customer restored')).not.toBeNull();
    const audit = await h.sql<{ action: string; actor: string; target: string; reason: string }>(
      `SELECT action, actor_type::text AS actor, target_id AS target, details->>'reason' AS reason
         FROM audit_log WHERE tenant_id = $1 ORDER BY occurred_at`,
      [t.id],
    );
    expect(audit).toEqual([
      { action: 'usage.void_failed', actor: 'operator', target: toVoid.id, reason: 'billed by hand on invoice 42' },
      { action: 'usage.retry_failed', actor: 'operator', target: toRetry.id, reason: 'customer restored' },
    ]);
    const after = await h.sql<{ id: string; skipped: string | null; failed: boolean }>(
      `SELECT id::text AS id, skipped_reason AS skipped, failed_at IS NOT NULL AS failed FROM usage_ledger
        WHERE id = ANY($1::uuid[])`,
      [[toVoid.id, toRetry.id]],
    );
    expect(after.find((r) => r.id === toVoid.id)?.skipped).toBe('voided');
    expect(after.find((r) => r.id === toRetry.id)).toMatchObject({ skipped: null, failed: false });
    // The retried row is sent again on the next pass (and, still too old, fails again).
    await h.loop.pass();
    expect((await reconcile.failed()).map((f) => f.id)).toContain(toRetry.id);
    expect((await reconcile.failed()).map((f) => f.id)).not.toContain(toVoid.id);
  });

  it('the operator command refuses a resolution without a UUID or a reason', () => {
    expect(parseResolution(['--from', '2026-09'])).toBeNull();
    expect(() => parseResolution(['--void-failed', 'nope', '--reason', 'x'])).toThrow(/UUID/);
    expect(() => parseResolution(['--void-failed', '7f1c8a52-6b4e-4d43-9d1a-0c3a2b1e9f00'])).toThrow(/--reason/);
    expect(parseResolution(['--retry-failed', '7F1C8A52-6B4E-4D43-9D1A-0C3A2B1E9F00', '--reason', ' fixed '])).toEqual({
      id: '7f1c8a52-6b4e-4d43-9d1a-0c3a2b1e9f00',
      decision: 'retry',
      reason: 'fixed',
    });
  });

  it('1.5 s of Stripe latency per call, two relays at once: each row is sent once and reported once', async () => {
    const t = await createTenant(h);
    const p = await createProvider(h, t, 'per_authentication');
    await h.loop.pass();
    const ROWS = 24;
    await insertAuthenticationUsage(h, t.id, p, ROWS);
    const before = {
      calls: h.stripe.requests.filter((r) => r.path === '/v1/billing/meter_events').length,
      replayed: h.stripe.replayedKeys.length,
      duplicates: h.stripe.duplicateIdentifiers.length,
    };
    h.stripe.fail((r) => (r.path === '/v1/billing/meter_events' ? { delayMs: 1_500 } : undefined));
    // Two workers, 2 calls at a time each: a batch takes ~18 s, longer than a tenant transaction may
    // last (15 s). The claim and the outcome are separate short transactions, so nothing times out.
    const relay = () =>
      new UsageRelayService(
        h.worker.get(DbService),
        h.worker.get(UsageRelayRepository),
        h.worker.get(StripeGateway),
        h.worker.get(Clock),
        { batchSize: ROWS, concurrency: 2 },
      );
    const [a, b] = await Promise.all([relay().relayTenantBatch(t.id), relay().relayTenantBatch(t.id)]);
    expect(a.claimed + b.claimed).toBe(ROWS);
    expect(a.reported + b.reported).toBe(ROWS);
    const calls = h.stripe.requests.filter((r) => r.path === '/v1/billing/meter_events').slice(before.calls);
    expect(calls).toHaveLength(ROWS); // no row was sent twice
    expect(new Set(calls.map((c) => c.idempotencyKey)).size).toBe(ROWS);
    expect(h.stripe.replayedKeys).toHaveLength(before.replayed);
    expect(h.stripe.duplicateIdentifiers).toHaveLength(before.duplicates);
    const rows = await rowsOf(t.id);
    expect(rows.filter((r) => r.reported)).toHaveLength(ROWS);
  }, 60_000);
});
