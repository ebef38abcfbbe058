import { randomUUID } from 'node:crypto';
import { PURGED_TABLES, TenantDeletionRepository } from '@twofold/tenancy/data-access';
import { TenantDeletion } from '../src/tenant-deletion/tenant-deletion';
import {
  bearer,
  BillingHarness,
  createProvider,
  createTenant,
  drain,
  insertAuthenticationUsage,
  startBilling,
  TenantFixture,
} from './harness';

const BATCH = 2;
const T0 = new Date('2027-03-10T12:00:00Z');
const DUE = new Date('2027-04-09T12:00:00Z');

/**
 * docs/decisions/0026: the scheduled deletion, on the fake clock. A tenant whose deletion the operator
 * scheduled keeps everything until the grace is over; then its providers close (the billing loop
 * cancels their subscriptions and bills their last month); its personal data goes only after the
 * month closed and every usage row reached Stripe or was voided; in bounded batches; the tenant row
 * stays as a tombstone with the usage ledger and the Stripe rows.
 */
describe('tenant deletion after the grace (billing worker job)', () => {
  let h: BillingHarness;
  let job: TenantDeletion;
  let a: TenantFixture;
  let b: TenantFixture;
  let aPerUser: string;
  let aPerAuth: string;

  /** Personal data of a tenant, as the other apps write it. */
  async function seedPeople(t: TenantFixture, providerId: string, users: number, tag: string): Promise<void> {
    for (let i = 0; i < users; i++) {
      const userId = randomUUID();
      const email = `${tag}${i}@contoso.example`;
      const phone = `+1202555${String(1000 + i)}`;
      await h.sql(
        `INSERT INTO users (tenant_id, id, user_name, first_name, last_name, email, phone, mfa_enabled, default_method, updated_at)
         VALUES ($1, $2, $3, 'Alice', 'Liddell', $3, $4, true, 'sms', now())`,
        [t.id, userId, email, phone],
      );
      await h.sql(
        `INSERT INTO user_methods (tenant_id, id, user_id, method, phone) VALUES ($1, gen_random_uuid(), $2, 'sms', $3)`,
        [t.id, userId, phone],
      );
      const authId = randomUUID();
      await h.sql(
        `INSERT INTO authentication_records (tenant_id, id, occurred_at, authentication_id, provider_id, user_id, unique_id,
           method, result, data_region, correlation_id, first_name, email, phone, client_ip)
         VALUES ($1, gen_random_uuid(), $2, $3, $4, $5, $6, 'sms', 'success', 'us', 'c', 'Alice', $6, $7, '198.51.100.7')`,
        [t.id, T0, authId, providerId, userId, email, phone],
      );
      await h.sql(
        `INSERT INTO messages (tenant_id, id, authentication_id, provider_id, user_id, channel, status, to_phone, country, updated_at)
         VALUES ($1, gen_random_uuid(), $2, $3, $4, 'sms', 'delivered', $5, 'US', now())`,
        [t.id, authId, providerId, userId, phone],
      );
      await h.sql(
        `INSERT INTO audit_log (tenant_id, id, actor_type, action, target_type, target_id, correlation_id, details)
         VALUES ($1, gen_random_uuid(), 'operator', 'user.create', 'user', $2, 'c', $3)`,
        [t.id, userId, JSON.stringify({ after: { email, phone } })],
      );
    }
  }

  const count = async (table: string, tenantId: string): Promise<number> =>
    (await h.sql<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE tenant_id = $1`, [tenantId]))[0].n;

  /** Rows of any tenant table of the tenant that still mention one of its people. */
  async function mentions(tenantId: string, needle: string): Promise<string[]> {
    const tables = await h.sql<{ t: string }>(
      `SELECT c.relname AS t FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id'
        JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition`,
    );
    const found: string[] = [];
    for (const { t } of tables) {
      const [row] = await h.sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${t} x WHERE x.tenant_id = $1 AND to_jsonb(x)::text ILIKE $2`,
        [tenantId, `%${needle}%`],
      );
      if (row.n > 0) found.push(t);
    }
    return found;
  }

  beforeAll(async () => {
    h = await startBilling({ workerEnv: { TENANT_DELETION_BATCH_SIZE: String(BATCH) } });
    job = h.worker.get(TenantDeletion);
    h.setNow(T0);
    a = await createTenant(h);
    b = await createTenant(h);
    aPerUser = await createProvider(h, a, 'per_user', { createdAt: new Date('2027-03-01T00:00:00Z') });
    aPerAuth = await createProvider(h, a, 'per_authentication', { createdAt: new Date('2027-03-01T00:00:00Z') });
    const bPerAuth = await createProvider(h, b, 'per_authentication', { createdAt: new Date('2027-03-01T00:00:00Z') });
    await seedPeople(a, aPerAuth, 5, 'alice');
    await seedPeople(b, bPerAuth, 1, 'bob');
    await insertAuthenticationUsage(h, a.id, aPerAuth, 3, T0);
    await insertAuthenticationUsage(h, b.id, bPerAuth, 2, T0);
    await drain(h);
    // The operator's DELETE (auth-provider, tested there): suspended now, deletion due after 30 days.
    await h.sql(
      `UPDATE tenants SET suspended_at = $2, suspension_reason = 'deletion scheduled', deletion_due_at = $3 WHERE id = $1`,
      [a.id, T0, DUE],
    );
  });
  afterAll(() => h.close());

  it('a suspended tenant’s key is refused by the billing API with 403 tenant_suspended; another tenant’s is not', async () => {
    const refused = await h.http().get('/v1/billing/usage').set(bearer(a.apiKey));
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'tenant_suspended', correlationId: expect.any(String) });
    expect(refused.body.message).toMatch(/suspended/);
    expect((await h.http().get('/v1/billing/usage').set(bearer(b.apiKey))).status).toBe(200);
  });

  it('before the grace is over nothing happens', async () => {
    h.setNow(new Date('2027-04-09T11:59:00Z'));
    expect(await job.run()).toEqual([]);
    expect(await count('users', a.id)).toBe(5);
    expect(
      (await h.sql(`SELECT deleted_at FROM providers WHERE tenant_id = $1 AND deleted_at IS NOT NULL`, [a.id])).length,
    ).toBe(0);
  });

  it('grace over: providers closed, subscriptions cancelled by the billing loop; personal data waits for the month to close', async () => {
    h.setNow(new Date('2027-04-09T13:00:00Z'));
    const [first] = await job.run();
    expect(first).toMatchObject({ tenantId: a.id, outcome: 'waiting' });
    expect(await h.sql(`SELECT deletion_started_at FROM tenants WHERE id = $1`, [a.id])).toEqual([
      { deletion_started_at: new Date('2027-04-09T13:00:00Z') },
    ]);
    expect(
      await h.sql(`SELECT count(*)::int AS n FROM providers WHERE tenant_id = $1 AND deleted_at IS NULL`, [a.id]),
    ).toEqual([{ n: 0 }]);

    await drain(h);
    const subs = await h.sql<{ status: string }>(`SELECT status FROM stripe_subscriptions WHERE tenant_id = $1`, [
      a.id,
    ]);
    expect(subs.map((s) => s.status)).toEqual(['canceled', 'canceled']);
    const [second] = await job.run();
    expect(second).toEqual({ tenantId: a.id, outcome: 'waiting', waitingFor: ['closing_month', 'user_month_rows'] });
    expect(await count('users', a.id)).toBe(5);
  });

  it('a usage row Stripe refused for good holds the deletion until an operator settles it', async () => {
    h.setNow(new Date('2027-05-01T00:11:00Z'));
    await drain(h);
    const months = await h.sql<{ period_start: Date }>(
      `SELECT period_start FROM usage_ledger WHERE tenant_id = $1 AND provider_id = $2 AND kind = 'user_month' ORDER BY 1`,
      [a.id, aPerUser],
    );
    expect(months.map((m) => m.period_start.toISOString())).toEqual([
      '2027-03-01T00:00:00.000Z',
      '2027-04-01T00:00:00.000Z',
    ]);
    await h.sql(
      `INSERT INTO usage_ledger (tenant_id, id, provider_id, kind, idempotency_key, period_start, subject_id, failed_at, last_error)
       VALUES ($1, gen_random_uuid(), $2, 'authentication', 'authentication:' || gen_random_uuid(), '2027-04-01', gen_random_uuid(), now(), 'refused')`,
      [a.id, aPerAuth],
    );
    expect(await job.run()).toEqual([{ tenantId: a.id, outcome: 'waiting', waitingFor: ['usage_reported'] }]);
    await h.sql(
      `UPDATE usage_ledger SET skipped_reason = 'voided by operator' WHERE tenant_id = $1 AND failed_at IS NOT NULL`,
      [a.id],
    );
  });

  it('then deletes its personal data in bounded batches, keeps the billing rows and a tombstone, and leaves other tenants alone', async () => {
    const repository = h.worker.get(TenantDeletionRepository);
    const batches: number[] = [];
    const original = repository.purgeBatch.bind(repository);
    const spy = jest.spyOn(repository, 'purgeBatch').mockImplementation(async (tenantId, limit) => {
      const r = await original(tenantId, limit);
      if (r) batches.push(r.deleted);
      return r;
    });
    const usageBefore = await count('usage_ledger', a.id);
    try {
      expect(await job.run()).toEqual([{ tenantId: a.id, outcome: 'deleted' }]);
    } finally {
      spy.mockRestore();
    }
    expect(Math.max(...batches)).toBeLessThanOrEqual(BATCH);
    expect(batches.length).toBeGreaterThanOrEqual((3 * 5) / BATCH);

    for (const { table } of PURGED_TABLES.filter((t) => t.table !== 'audit_log'))
      expect([table, await count(table, a.id)]).toEqual([table, 0]);
    expect(await mentions(a.id, 'alice')).toEqual([]);
    expect(await mentions(a.id, '+1202555')).toEqual([]);
    expect(await mentions(a.id, '198.51.100.7')).toEqual([]);
    // The audit log keeps one entry: the deletion itself, by the system, naming no person.
    const audit = await h.sql<{ action: string; actor_type: string }>(
      `SELECT action, actor_type::text FROM audit_log WHERE tenant_id = $1`,
      [a.id],
    );
    expect(audit).toEqual([{ action: 'tenant.delete', actor_type: 'system' }]);
    // Finance keeps: the ledger (no personal data), Stripe customers, subscriptions, providers, the tombstone.
    expect(await count('usage_ledger', a.id)).toBe(usageBefore);
    expect(await count('stripe_customers', a.id)).toBeGreaterThan(0);
    expect(await count('stripe_subscriptions', a.id)).toBe(2);
    expect(await count('providers', a.id)).toBe(2);
    const [tombstone] = await h.sql<{ deleted_at: Date | null; suspended_at: Date | null }>(
      `SELECT deleted_at, suspended_at FROM tenants WHERE id = $1`,
      [a.id],
    );
    expect(tombstone.deleted_at).toEqual(new Date('2027-05-01T00:11:00Z'));
    expect(tombstone.suspended_at).not.toBeNull();
    // Its key is gone (401); tenant B is untouched.
    expect((await h.http().get('/v1/billing/usage').set(bearer(a.apiKey))).status).toBe(401);
    expect(await count('users', b.id)).toBe(1);
    expect(await count('authentication_records', b.id)).toBe(1);
    expect(await count('audit_log', b.id)).toBe(1);
    expect((await h.http().get('/v1/billing/usage').set(bearer(b.apiKey))).status).toBe(200);
    // Done for good: later runs find nothing.
    expect(await job.run()).toEqual([]);
  });
});
