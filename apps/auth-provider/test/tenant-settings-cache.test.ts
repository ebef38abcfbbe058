import { adminQuery } from '@twofold/platform/testing';
import {
  bearer,
  createTenant,
  createUser,
  expectError,
  Harness,
  OPERATOR_KEY,
  startAuthProvider,
  TenantFixture,
} from './harness';
import { ServiceProcess, startServiceProcess } from './service-process';

/**
 * Issue 17 "fewer reads at start", docs/decisions/0029: each process keeps the tenant's part of a
 * start context (tier, method policy, delivery countries, provider resolution, ...) and drops it when
 * the `twofold_notify_tenant_settings` trigger announces a change at COMMIT. Two processes of one
 * install on one database: this test's in-process app ("here") and the real service in a child
 * process ("there"), both with a 60 s TTL, so only the notification can explain a change seen within
 * a second or two. Every change goes through "here" (admin API) or plain SQL (billing worker, operator),
 * and is seen "there".
 */
const TTL_MS = '60000';
/** The notification's few milliseconds, plus requests on a loaded CI machine; far below the 60 s TTL. */
const SEEN_WITHIN_MS = 2_000;

/** Start bodies for SMS, each from the next of a few users (R13's start limit is per user). */
interface Users {
  next(): { userId: string; method: 'sms' };
}

describe('tenant settings cache across two processes (invalidated by NOTIFY)', () => {
  let here: Harness;
  let there: ServiceProcess;
  let t: TenantFixture;
  const op = bearer(OPERATOR_KEY);

  beforeAll(async () => {
    here = await startAuthProvider({ TENANT_SETTINGS_CACHE_MS: TTL_MS });
    there = await startServiceProcess({
      NODE_ENV: 'test',
      LOG_LEVEL: 'error',
      DATABASE_URL: here.db.appUrl,
      DATABASE_POOL_SIZE: '2',
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: here.queuePrefix,
      AUTH_SWEEP_INTERVAL_SECONDS: '0',
      OPERATOR_API_KEY: OPERATOR_KEY,
      SERVER_HTTPS_ONLY: 'false',
      TENANT_SETTINGS_CACHE_MS: TTL_MS,
    });
    if (!there.ready) throw new Error(`the service did not start:\n${there.output()}`);
    t = await createTenant(here);
    await createProvider(t);
    // Both processes listen before anything is cached.
    await untilListeners(2);
  }, 90_000);
  afterAll(async () => {
    await there?.stop();
    await here.close();
  });

  async function createProvider(tenant: TenantFixture): Promise<string> {
    const p = await here
      .http()
      .post('/v1/providers')
      .set(bearer(tenant.apiKey))
      .send({ name: 'Per auth', billingModel: 'per_authentication' });
    if (p.status !== 201) throw new Error(`provider: ${p.status} ${JSON.stringify(p.body)}`);
    return p.body.id as string;
  }

  /** A new user with SMS at a US number (each check its own user: R13's start limit is per user). */
  async function smsUser(tenant = t): Promise<string> {
    const u = await createUser(here, tenant, { mfaEnabled: true });
    const m = await here
      .http()
      .post(`/v1/users/${u.id}/methods`)
      .set(bearer(tenant.apiKey))
      .send({ method: 'sms', phoneNumber: '+14255550100' });
    if (m.status !== 201) throw new Error(`method: ${m.status} ${JSON.stringify(m.body)}`);
    return u.id;
  }

  /** Users made before a change (a disabled method or the free tier refuses registering SMS). */
  async function smsUsers(n: number, tenant = t): Promise<Users> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push(await smsUser(tenant));
    let next = 0;
    return { next: () => ({ userId: ids[next++ % ids.length] as string, method: 'sms' }) };
  }

  const startThere = (key: string, body: object) =>
    fetch(`${there.url}/v1/authentications`, {
      method: 'POST',
      headers: { ...bearer(key), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as { code?: string; status?: string } }));

  /** Starts there until the answer has `code` (or 201 for null); returns how long that took (ms). */
  async function untilThere(key: string, users: Users, code: string | null): Promise<number> {
    const started = performance.now();
    for (;;) {
      const got = await startThere(key, users.next());
      if (code === null ? got.status === 201 : got.body.code === code) return performance.now() - started;
      if (performance.now() - started > 5_000) throw new Error(`still ${got.status} ${JSON.stringify(got.body)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Waits until `n` processes LISTEN on the channel (each holds one `twofold-listen` connection). */
  async function untilListeners(n: number): Promise<void> {
    const started = performance.now();
    for (;;) {
      const rows = await adminQuery<{ n: number }>(
        here.db,
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'twofold-listen'`,
      );
      if (rows[0]?.n === n) return;
      if (performance.now() - started > 10_000) throw new Error(`${rows[0]?.n} listeners, not ${n}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Runs SQL with triggers off (session_replication_role = replica): a change no one is told about. */
  const silently = (sql: string) =>
    adminQuery(here.db, `BEGIN; SET LOCAL session_replication_role = replica; ${sql}; COMMIT`);

  it('the other process really keeps the tenant part: a change made with triggers off is not seen there', async () => {
    const u = await smsUsers(6);
    expect((await startThere(t.apiKey, u.next())).status).toBe(201);
    await silently(`UPDATE tenants SET tier = 'free' WHERE id = '${t.id}'`);
    try {
      // No notification: "there" still serves its cached (standard-tier) settings...
      expect((await startThere(t.apiKey, u.next())).status).toBe(201);
      // ...until the change is announced, as the trigger would have at COMMIT.
      await adminQuery(here.db, `SELECT pg_notify('twofold_tenant_settings', $1)`, [t.id]);
      expect(await untilThere(t.apiKey, u, 'free_tier_method_not_allowed')).toBeLessThan(SEEN_WITHIN_MS);
    } finally {
      await adminQuery(here.db, `UPDATE tenants SET tier = 'standard' WHERE id = $1`, [t.id]);
    }
    expect(await untilThere(t.apiKey, u, null)).toBeLessThan(SEEN_WITHIN_MS);
  });

  it('R20: a method disabled by the admin in one process is refused in the other well within the TTL', async () => {
    const u = await smsUsers(6);
    expect((await startThere(t.apiKey, u.next())).status).toBe(201);
    const off = await here.http().patch('/v1/method-policy').set(bearer(t.apiKey)).send({ sms: false });
    expect(off.status).toBe(200);
    expect(await untilThere(t.apiKey, u, 'method_disabled')).toBeLessThan(SEEN_WITHIN_MS);
    // And where the change was made (its own notification comes back to it too).
    const start = () => here.http().post('/v1/authentications').set(bearer(t.apiKey));
    const refusedHere = await start().send(u.next());
    expectError(refusedHere, 409, 'method_disabled');

    expect((await here.http().patch('/v1/method-policy').set(bearer(t.apiKey)).send({ sms: true })).status).toBe(200);
    expect(await untilThere(t.apiKey, u, null)).toBeLessThan(SEEN_WITHIN_MS);
  });

  it('R9: a tier downgrade made in SQL (as the billing worker does) is refused there at once', async () => {
    const u = await smsUsers(6);
    expect((await startThere(t.apiKey, u.next())).status).toBe(201);
    await adminQuery(here.db, `UPDATE tenants SET tier = 'free' WHERE id = $1`, [t.id]);
    try {
      expect(await untilThere(t.apiKey, u, 'free_tier_method_not_allowed')).toBeLessThan(SEEN_WITHIN_MS);
    } finally {
      await adminQuery(here.db, `UPDATE tenants SET tier = 'standard' WHERE id = $1`, [t.id]);
    }
    expect(await untilThere(t.apiKey, u, null)).toBeLessThan(SEEN_WITHIN_MS);
  });

  it('delivery countries: a country the admin removes is refused there at once (docs/decisions/0019)', async () => {
    const u = await smsUsers(6);
    expect((await startThere(t.apiKey, u.next())).status).toBe(201);
    const before = (await here.http().get(`/v1/tenants/${t.id}`).set(bearer(t.apiKey))).body
      .deliveryCountries as string[];
    const patched = await here
      .http()
      .patch(`/v1/tenants/${t.id}`)
      .set(bearer(t.apiKey))
      .send({ deliveryCountries: before.filter((c) => c !== 'US') });
    expect(patched.status).toBe(200);
    expect(await untilThere(t.apiKey, u, 'country_not_allowed')).toBeLessThan(SEEN_WITHIN_MS);
    await here
      .http()
      .patch(`/v1/tenants/${t.id}`)
      .set(bearer(t.apiKey))
      .send({ deliveryCountries: before })
      .expect(200);
    expect(await untilThere(t.apiKey, u, null)).toBeLessThan(SEEN_WITHIN_MS);
  });

  it('R7: a deleted provider stops serving there at once; a new one serves', async () => {
    const tenant = await createTenant(here, 'Fabrikam');
    const provider = await createProvider(tenant);
    const u = await smsUsers(6, tenant);
    expect((await startThere(tenant.apiKey, u.next())).status).toBe(201);
    expect((await here.http().delete(`/v1/providers/${provider}`).set(bearer(tenant.apiKey))).status).toBe(204);
    expect(await untilThere(tenant.apiKey, u, 'no_provider')).toBeLessThan(SEEN_WITHIN_MS);
    await createProvider(tenant);
    expect(await untilThere(tenant.apiKey, u, null)).toBeLessThan(SEEN_WITHIN_MS);
  });

  it('a suspended tenant is refused with 403 tenant_suspended (the settings cache keeps no credential)', async () => {
    const tenant = await createTenant(here, 'Suspended');
    await createProvider(tenant);
    const u = await smsUsers(6, tenant);
    expect((await startThere(tenant.apiKey, u.next())).status).toBe(201);
    expect((await here.http().post(`/v1/tenants/${tenant.id}/suspend`).set(op).send({ reason: 'test' })).status).toBe(
      200,
    );
    expectError(
      await here.http().post('/v1/authentications').set(bearer(tenant.apiKey)).send(u.next()),
      403,
      'tenant_suspended',
    );
    // There: within the credential cache's 1 s (docs/decisions/0027), not the settings cache's 60 s.
    expect(await untilThere(tenant.apiKey, u, 'tenant_suspended')).toBeLessThan(SEEN_WITHIN_MS);
  });

  it("tenant isolation: a tenant's cached settings never answer for another tenant", async () => {
    const free = await createTenant(here, 'Free');
    await createProvider(free);
    const freeUser = await smsUser(free);
    await adminQuery(here.db, `UPDATE tenants SET tier = 'free' WHERE id = $1`, [free.id]);
    const u = await smsUsers(4);
    // Alternate: each tenant's answer stays its own, whichever was cached last.
    for (let i = 0; i < 3; i++) {
      expect((await startThere(t.apiKey, u.next())).status).toBe(201);
      expect((await startThere(free.apiKey, { userId: freeUser, method: 'sms' })).body.code).toBe(
        'free_tier_method_not_allowed',
      );
    }
    // A user id of one tenant is not found through another tenant's key (RLS + the key's tenant id).
    expect((await startThere(free.apiKey, u.next())).body.code).toBe('user_not_found');
  });

  it('a lost subscription drops everything: a change made while it was down is seen once it is back', async () => {
    const u = await smsUsers(6);
    expect((await startThere(t.apiKey, u.next())).status).toBe(201);
    // Cut both processes' LISTEN connections; each reconnects after 250 ms at the earliest.
    await adminQuery(
      here.db,
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = current_database() AND application_name = 'twofold-listen'`,
    );
    // Changed while nobody listens: this notification reaches no one.
    await adminQuery(here.db, `UPDATE tenants SET tier = 'free' WHERE id = $1`, [t.id]);
    try {
      expect(await untilThere(t.apiKey, u, 'free_tier_method_not_allowed')).toBeLessThan(SEEN_WITHIN_MS);
      await untilListeners(2);
    } finally {
      await adminQuery(here.db, `UPDATE tenants SET tier = 'standard' WHERE id = $1`, [t.id]);
    }
    expect(await untilThere(t.apiKey, u, null)).toBeLessThan(SEEN_WITHIN_MS);
  });
});
