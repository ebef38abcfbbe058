import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { SendSmsJob } from '@twofold/delivery/contracts';
import { codeAad } from '@twofold/secrets/contracts';
import { SecretBox } from '@twofold/platform/crypto';
import { delta, Scrape } from '@twofold/platform/testing';
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

/**
 * Issue 16 item 3 (docs/decisions/0024): /metrics after real traffic, read over HTTP as Prometheus
 * reads it, and who may read it.
 */
describe('GET /metrics (auth-provider)', () => {
  let h: Harness;
  let t: TenantFixture;
  let redis: Redis;
  let smsQueue: Queue;

  beforeAll(async () => {
    h = await startAuthProvider();
    t = await createTenant(h);
    await h
      .http()
      .post('/v1/providers')
      .set(bearer(t.apiKey))
      .send({ name: 'Per auth', billingModel: 'per_authentication' })
      .expect(201);
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
    smsQueue = new Queue('delivery.sms', { connection: redis, prefix: h.queuePrefix });
  });
  afterAll(async () => {
    await smsQueue.close();
    await redis.quit();
    await h.close();
  });

  const scrape = async (): Promise<Scrape> => {
    const res = await h.http().get('/metrics').set(bearer(OPERATOR_KEY));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return Scrape.parse(res.text);
  };

  const smsUser = async () => {
    const u = await createUser(h, t, { mfaEnabled: true });
    await h
      .http()
      .post(`/v1/users/${u.id}/methods`)
      .set(bearer(t.apiKey))
      .send({ method: 'sms', phoneNumber: '+14255550100' })
      .expect(201);
    return u;
  };
  const start = (userId: string) =>
    h.http().post('/v1/authentications').set(bearer(t.apiKey)).send({ userId, method: 'sms' });
  const verify = (id: string, code: string) =>
    h.http().post(`/v1/authentications/${id}/verify`).set(bearer(t.apiKey)).send({ code });
  const codeOf = async (authenticationId: string): Promise<string> => {
    const job = (await smsQueue.getJobs(['waiting', 'delayed', 'prioritized']))
      .map((j) => j.data as SendSmsJob)
      .find((d) => d.authenticationId === authenticationId);
    if (!job) throw new Error('no queued SMS job for this authentication');
    return h.app
      .get(SecretBox)
      .open(job.code.keyId, Buffer.from(job.code.ciphertext, 'base64'), codeAad(job.tenantId, job.messageId))
      .toString('utf8');
  };
  const wrongFor = (code: string) => (code === '000000' ? '111111' : '000000');

  it('counts authentications, denials, lockouts, rate-limit refusals and requests by route template; reads the queue', async () => {
    const before = await scrape();
    const verifyStatuses = new Map<number, number>();
    const countVerify = (status: number) => verifyStatuses.set(status, (verifyStatuses.get(status) ?? 0) + 1);

    // One success.
    const ok = await start((await smsUser()).id);
    expect(ok.status).toBe(201);
    const right = await verify(ok.body.id, await codeOf(ok.body.id));
    expect(right.body.status).toBe('approved');
    countVerify(right.status);

    // Two authentications of one user, five wrong codes each: two denials (too_many_attempts), and the
    // tenth failure locks the user (decision 0009); a third start is refused because of the lock.
    const locked = await smsUser();
    for (let round = 0; round < 2; round++) {
      const a = await start(locked.id);
      expect(a.status).toBe(201);
      const wrong = wrongFor(await codeOf(a.body.id));
      for (let i = 0; i < 5; i++) countVerify((await verify(a.body.id, wrong)).status);
    }
    expectError(await start(locked.id), 429, 'user_locked_out');

    // R13: five sends, then the sixth is refused by the per-user send limit.
    const chatty = await smsUser();
    const first = await start(chatty.id);
    for (let i = 0; i < 4; i++)
      await h.http().post(`/v1/authentications/${first.body.id}/resend`).set(bearer(t.apiKey)).send({}).expect(200);
    expectError(await start(chatty.id), 429, 'send_limit_reached');

    await h.http().get('/no/such/route').expect(404);

    const after = await scrape();
    expect(delta(before, after, 'twofold_authentications_total', { method: 'sms', result: 'success' })).toBe(1);
    expect(delta(before, after, 'twofold_authentications_total', { method: 'sms', result: 'deny' })).toBe(2);
    expect(
      delta(before, after, 'twofold_authentication_denials_total', { method: 'sms', reason: 'too_many_attempts' }),
    ).toBe(2);
    expect(delta(before, after, 'twofold_lockouts_total', { name: 'verify' })).toBe(1);
    expect(delta(before, after, 'twofold_lockout_refusals_total', { name: 'verify' })).toBe(1);
    expect(delta(before, after, 'twofold_rate_limit_refusals_total', { limiter: 'sends' })).toBe(1);

    // Requests by route template, never by the raw URL (no authentication id in any label).
    const verifyRoute = '/v1/authentications/:id/verify';
    for (const [status, count] of verifyStatuses) {
      expect(
        delta(before, after, 'twofold_http_request_duration_seconds_count', {
          route: verifyRoute,
          method: 'POST',
          status: String(status),
        }),
      ).toBe(count);
    }
    expect(
      delta(before, after, 'twofold_http_request_duration_seconds_count', {
        route: '/v1/authentications',
        method: 'POST',
        status: '429',
      }),
    ).toBe(2);
    expect(
      delta(before, after, 'twofold_http_request_duration_seconds_count', {
        route: 'unmatched',
        method: 'GET',
        status: '404',
      }),
    ).toBe(1);
    const labels = after.labelValues();
    expect(labels.some((v) => /[0-9a-f]{8}-[0-9a-f]{4}-/i.test(v))).toBe(false);
    expect(labels).not.toContain(t.id);
    expect(after.text).not.toContain('+14255550100');
    expect(after.text).not.toContain('/no/such/route');

    // Queue depth, read from BullMQ when scraped: every SMS job waits (no delivery worker here).
    const waiting = await smsQueue.getWaitingCount();
    expect(waiting).toBeGreaterThanOrEqual(8);
    expect(after.value('twofold_queue_jobs', { queue: 'delivery.sms', state: 'waiting' })).toBe(waiting);
    for (const state of ['active', 'failed', 'delayed']) {
      expect(after.has('twofold_queue_jobs', { queue: 'delivery.voice', state })).toBe(true);
    }
    // Default process metrics are on.
    expect(after.has('process_cpu_user_seconds_total')).toBe(true);
    expect(after.has('nodejs_eventloop_lag_seconds')).toBe(true);
  });

  it('is not in the OpenAPI document', async () => {
    const doc = await h.http().get('/docs/openapi.json').expect(200);
    expect(Object.keys(doc.body.paths)).not.toContain('/metrics');
  });

  it('refuses anyone without the operator key outside the allow-list, with a code and a correlation id (R29)', async () => {
    expectError(await h.http().get('/metrics'), 403, 'metrics_access_denied');
    expectError(await h.http().get('/metrics').set(bearer(t.apiKey)), 403, 'metrics_access_denied');
    expectError(
      await h
        .http()
        .get('/metrics')
        .set(bearer(`${OPERATOR_KEY}x`)),
      403,
      'metrics_access_denied',
    );
    expectError(await h.http().get('/metrics').set('authorization', OPERATOR_KEY), 403, 'metrics_access_denied');
    // A key counts only in the Authorization header (decision 0021).
    expectError(await h.http().get(`/metrics?access_token=${OPERATOR_KEY}`), 403, 'metrics_access_denied');
    await h.http().get('/metrics').set(bearer(OPERATOR_KEY)).expect(200);
  });
});

describe('GET /metrics address allow-list (METRICS_ALLOW_CIDRS, TRUST_PROXY)', () => {
  const harnesses: Harness[] = [];
  afterAll(async () => {
    for (const h of harnesses) await h.close();
  });
  const start = async (env: Record<string, string>) => {
    const h = await startAuthProvider(env);
    harnesses.push(h);
    return h;
  };

  it('an allow-listed address reads without a key; others are refused; X-Forwarded-For counts only from a trusted proxy', async () => {
    // supertest connects from loopback (IPv4, or IPv4-mapped IPv6).
    const loopback = await start({ METRICS_ALLOW_CIDRS: '127.0.0.0/8, ::1' });
    const res = await loopback.http().get('/metrics').expect(200);
    expect(Scrape.parse(res.text).has('twofold_http_request_duration_seconds_count')).toBe(true);

    const elsewhere = await start({ METRICS_ALLOW_CIDRS: '10.0.0.0/8,2001:db8::/32' });
    expectError(await elsewhere.http().get('/metrics'), 403, 'metrics_access_denied');
    await elsewhere.http().get('/metrics').set(bearer(OPERATOR_KEY)).expect(200);

    // The scraper's address as the proxy reports it, only when TRUST_PROXY names that proxy.
    const untrusted = await start({ METRICS_ALLOW_CIDRS: '198.51.100.0/24' });
    expectError(
      await untrusted.http().get('/metrics').set('x-forwarded-for', '198.51.100.7'),
      403,
      'metrics_access_denied',
    );
    const behindProxy = await start({ METRICS_ALLOW_CIDRS: '198.51.100.0/24', TRUST_PROXY: '127.0.0.1,::1' });
    await behindProxy.http().get('/metrics').set('x-forwarded-for', '198.51.100.7').expect(200);
    expectError(
      await behindProxy.http().get('/metrics').set('x-forwarded-for', '203.0.113.9'),
      403,
      'metrics_access_denied',
    );
  });
});
