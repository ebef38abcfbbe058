import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { BillingHarness, createProvider, createTenant, insertAuthenticationUsage, startBilling } from './harness';

const TOTAL = 10_000;

function startWorker(h: BillingHarness): ChildProcess & { output: string[] } {
  const child = spawn(
    process.execPath,
    [join(__dirname, '../../../libs/platform/testing/run-source.js'), 'apps/billing/src/worker.ts'],
    {
      env: {
        ...process.env,
        ...h.env,
        BILLING_LOOP_INTERVAL_MS: '100',
        BILLING_BATCH_SIZE: '100',
        // The killed worker's claimed rows come back to the second one when their lease ends.
        BILLING_CLAIM_LEASE_MS: '10000',
        LOG_LEVEL: 'error',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  ) as ChildProcess & { output: string[] };
  child.output = [];
  child.stdout?.on('data', (d: Buffer) => child.output.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => child.output.push(d.toString()));
  return child;
}

async function until(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const reportedRows = async (h: BillingHarness) =>
  (await h.sql<{ n: number }>(`SELECT count(*)::int AS n FROM usage_ledger WHERE reported_at IS NOT NULL`))[0]?.n ?? 0;

/**
 * R10 fault test: a real billing worker process relays 10,000 usage rows (what 10,000
 * authentications write), is killed with SIGKILL mid-run, and a new process finishes the job.
 * Stripe must end with exactly 10,000 meter events and every row reported.
 */
describe('billing worker killed mid-run (R2, R10)', () => {
  let h: BillingHarness;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    h = await startBilling();
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await h.close();
  });

  it('kill -9 during the relay of 10,000 authentications: exactly 10,000 meter events, 10,000 rows reported', async () => {
    const t = await createTenant(h);
    const p = await createProvider(h, t, 'per_authentication');
    await insertAuthenticationUsage(h, t.id, p, TOTAL);

    const first = startWorker(h);
    children.push(first);
    await until(
      () => h.stripe.meterEvents.size >= 3_000,
      90_000,
      `the first worker to send 3,000 events: ${first.output.join('')}`,
    );
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const sentBeforeKill = h.stripe.meterEvents.size;
    const markedBeforeKill = await reportedRows(h);
    expect(sentBeforeKill).toBeLessThan(TOTAL);
    expect(markedBeforeKill).toBeLessThanOrEqual(sentBeforeKill);

    const second = startWorker(h);
    children.push(second);
    await until(
      async () => (await reportedRows(h)) === TOTAL,
      120_000,
      `the second worker to finish: ${second.output.join('')}`,
    );
    second.kill('SIGTERM');
    await new Promise((r) => second.once('exit', r));

    const [customer] = await h.sql<{ c: string }>(
      `SELECT stripe_customer_id AS c FROM stripe_customers WHERE tenant_id = $1`,
      [t.id],
    );
    const events = h.stripe.meterEventsFor(customer?.c ?? '', 'twofold_authentications');
    expect(events).toHaveLength(TOTAL);
    expect(events.reduce((s, e) => s + e.value, 0)).toBe(TOTAL);
    expect(h.stripe.meterEvents.size).toBe(TOTAL);
    const [rows] = await h.sql<{ n: number; distinct: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT stripe_identifier)::int AS distinct FROM usage_ledger WHERE reported_at IS NOT NULL`,
    );
    expect(rows).toEqual({ n: TOTAL, distinct: TOTAL });
    // Events Stripe had counted while our mark died with the process were resent: answered by the
    // idempotent replay (same Idempotency-Key) or refused as duplicate identifiers, never counted again.
    const resent = h.stripe.replayedKeys.length + h.stripe.duplicateIdentifiers.length;
    expect(resent).toBeGreaterThanOrEqual(sentBeforeKill - markedBeforeKill);
    process.stdout.write(
      `fault test: sent before kill ${sentBeforeKill}, marked before kill ${markedBeforeKill}, ` +
        `idempotent replays ${h.stripe.replayedKeys.length}, duplicate identifiers refused ${h.stripe.duplicateIdentifiers.length}\n`,
    );
  }, 240_000);
});
