import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { QueueProducer } from '@twofold/platform/queue';
import { adminQuery, FakeTwilio, FakeTwilioRequest } from '@twofold/platform/testing';
import { bearer, createTenant, createUser, Harness, startAuthProvider, TenantFixture } from './harness';

/**
 * Every delivery outcome visible, and no lost code (docs/decisions/0019), end to end: this app
 * in-process, the real delivery worker and status-callback service as child processes (apps never
 * import each other), the fake Twilio through the official SDK with signed callbacks, PostgreSQL,
 * and a Redis server of this file's own, so it can be stopped without touching the shared one.
 */
const RUN_SOURCE = join(__dirname, '../../../libs/platform/testing/run-source.js');
const ACCOUNT_SID = `AC${randomBytes(16).toString('hex')}`;
const AUTH_TOKEN = randomBytes(16).toString('hex');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function until<T>(check: () => Promise<T | undefined | false>, timeoutMs: number, what: () => string) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A redis-server of our own on a spare port, without persistence: stopping it loses everything. */
class PrivateRedis {
  private process?: ChildProcess;
  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.process = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    const probe = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    await until(
      () =>
        probe
          .connect()
          .then(() => probe.ping())
          .then((p) => p === 'PONG')
          .catch(() => false),
      10_000,
      () => `redis-server on ${this.port}`,
    );
    probe.disconnect();
  }

  async stop(): Promise<void> {
    const p = this.process;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((resolve) => p.once('exit', resolve));
    p.kill('SIGKILL');
    await exited;
  }
}

/** A free port for our Redis: 6390 and up (the shared server is on 6379). */
async function redisPort(): Promise<number> {
  for (let port = 6390 + Math.floor(Math.random() * 100); port < 6500; port++) {
    const free = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port for redis-server');
}

describe('delivery outcomes and the outbox, end to end (docs/decisions/0019, R24, R26)', () => {
  let redis: PrivateRedis;
  let h: Harness;
  let twilio: FakeTwilio;
  let t: TenantFixture;
  const children: ChildProcess[] = [];
  const output: string[] = [];
  const log = () => output.join('').slice(-4000);

  const spawnService = (entry: string, env: Record<string, string>) => {
    const child = spawn(process.execPath, [RUN_SOURCE, entry], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
    child.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
    children.push(child);
  };

  beforeAll(async () => {
    redis = new PrivateRedis(await redisPort());
    await redis.start();
    h = await startAuthProvider({ REDIS_URL: redis.url });
    twilio = await FakeTwilio.start({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
    const callbackPort = await freePort();
    const publicBaseUrl = `http://127.0.0.1:${callbackPort}`;
    const common = {
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
      DATABASE_URL: h.db.appUrl,
      DATABASE_POOL_SIZE: '3',
      REDIS_URL: redis.url,
      QUEUE_PREFIX: h.queuePrefix,
      TWILIO_API_BASE_URL: twilio.url,
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      PUBLIC_BASE_URL: publicBaseUrl,
    };
    spawnService('apps/delivery/src/main.ts', {
      ...common,
      HOST: '127.0.0.1',
      PORT: String(callbackPort),
      OPERATOR_API_KEY: `op_${randomBytes(24).toString('hex')}`,
    });
    spawnService('apps/delivery/src/worker.ts', {
      ...common,
      WORKER_CONCURRENCY: '8',
      TWILIO_VOICE_FROM: '+12025550199',
      DELIVERY_SWEEP_INTERVAL_SECONDS: '1',
      DELIVERY_SWEEP_AFTER_SECONDS: '2',
    });
    await until(
      () =>
        fetch(`${publicBaseUrl}/health/ready`)
          .then((r) => r.status === 200)
          .catch(() => false),
      90_000,
      () => `the delivery service:\n${log()}`,
    );
    t = await createTenant(h);
    await api().post('/v1/providers').send({ name: 'P', billingModel: 'per_authentication' }).expect(201);
  }, 120_000);

  afterAll(async () => {
    for (const c of children) {
      if (c.exitCode !== null || c.signalCode !== null) continue;
      const exited = new Promise((resolve) => c.once('exit', resolve));
      c.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 10_000)))]);
      clearTimeout(timer);
      if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    }
    await h?.close();
    await twilio?.close();
    await redis?.stop();
  }, 60_000);

  const api = (tenant?: TenantFixture) => {
    const key = (tenant ?? t).apiKey;
    return {
      post: (url: string) => h.http().post(url).set(bearer(key)),
      get: (url: string) => h.http().get(url).set(bearer(key)),
    };
  };

  let phoneSeq = 100;
  /** A user with `method` at a fresh US number (so the fake's per-number outcomes do not mix). */
  const user = async (method: 'sms' | 'voice' = 'sms', tenant = t) => {
    const phone = `+1212555${String(phoneSeq++).padStart(4, '0')}`;
    const u = await createUser(h, tenant, { mfaEnabled: true });
    await api(tenant).post(`/v1/users/${u.id}/methods`).send({ method, phoneNumber: phone }).expect(201);
    return { ...u, phone };
  };

  const start = async (userId: string, method: 'sms' | 'voice' = 'sms', tenant = t) => {
    const res = await api(tenant).post('/v1/authentications').send({ userId, method });
    if (res.status !== 201) throw new Error(`start: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id as string;
  };

  type Delivery = { channel: string; status: string; errorCode: string | null; sender: string | null };
  const deliveryWhen = (id: string, done: (d: Delivery[]) => boolean, tenant = t) =>
    until(
      async () => {
        const res = await api(tenant).get(`/v1/authentications/${id}`);
        const deliveries = (res.body.deliveries ?? []) as Delivery[];
        return done(deliveries) ? (res.body as { delivery: Delivery; deliveries: Delivery[] }) : undefined;
      },
      30_000,
      () => `deliveries of ${id}:\n${log()}`,
    );

  const requestsTo = (to: string): FakeTwilioRequest[] => twilio.requests.filter((r) => r.params.To === to);
  const codeIn = (r: FakeTwilioRequest): string =>
    r.kind === 'message'
      ? ((r.params.Body.match(/\d{6}/) ?? [''])[0] as string)
      : ((r.params.Twiml.match(/(\d, ){5}\d/) ?? [''])[0] as string).replace(/, /g, '');

  it('R24: an SMS shows queued → sent → delivered with its short code; the code it carried verifies', async () => {
    const u = await user();
    const id = await start(u.id);
    const view = await deliveryWhen(id, (d) => d[0]?.status === 'delivered');
    expect(view.delivery).toMatchObject({ channel: 'sms', status: 'delivered', errorCode: null });
    expect(['97671', '69829', '51789', '99399']).toContain(view.delivery.sender);
    expect(view.deliveries).toHaveLength(1);
    const [sms] = requestsTo(u.phone);
    const ok = await api()
      .post(`/v1/authentications/${id}/verify`)
      .send({ code: codeIn(sms) });
    expect(ok.body.status).toBe('approved');
  }, 60_000);

  it.each([
    ['invalid_number', '21211'],
    ['unsubscribed', '21610'],
    ['unroutable', '21612'],
    ['no_permission', '21408'],
  ] as const)(
    'a permanent Twilio error (%s) shows failed with Twilio’s code %s, one request',
    async (failure, code) => {
      const u = await user();
      twilio.failTo(u.phone, failure);
      const id = await start(u.id);
      const view = await deliveryWhen(id, (d) => d[0]?.status === 'failed');
      expect(view.delivery).toMatchObject({ channel: 'sms', status: 'failed', errorCode: code });
      expect(requestsTo(u.phone)).toHaveLength(1);
    },
  );

  it('R26: the authentication record keeps the final delivery outcome', async () => {
    const u = await user();
    twilio.failTo(u.phone, 'invalid_number');
    const id = await start(u.id);
    await deliveryWhen(id, (d) => d[0]?.status === 'failed');
    for (let i = 0; i < 5; i++) await api().post(`/v1/authentications/${id}/verify`).send({ code: '000000' });
    const [record] = await adminQuery<{ delivery_status: string; result: string }>(
      h.db,
      'SELECT delivery_status::text, result::text FROM authentication_records WHERE authentication_id = $1',
      [id],
    );
    expect(record).toEqual({ delivery_status: 'failed', result: 'deny' });
  });

  it('voice fallback: the failed SMS and the call are two entries of deliveries[]; the call’s code verifies', async () => {
    const tenant = await createTenant(h, 'Fallback');
    await api(tenant).post('/v1/providers').send({ name: 'P', billingModel: 'per_authentication' }).expect(201);
    await adminQuery(h.db, 'UPDATE tenants SET sms_fallback_to_voice = true WHERE id = $1', [tenant.id]);
    const u = await user('sms', tenant);
    twilio.failTo(u.phone, 'unsubscribed', 1); // the SMS only: the call goes through
    const id = await start(u.id, 'sms', tenant);
    const view = await deliveryWhen(id, (d) => d.length === 2 && d[1]?.status === 'delivered', tenant);
    expect(view.deliveries).toEqual([
      expect.objectContaining({ channel: 'sms', status: 'failed', errorCode: '21610' }),
      expect.objectContaining({ channel: 'voice', status: 'delivered', sender: '+12025550199' }),
    ]);
    expect(view.delivery).toMatchObject({ channel: 'voice', status: 'delivered' });
    const call = requestsTo(u.phone).find((r) => r.kind === 'call') as FakeTwilioRequest;
    const ok = await api(tenant)
      .post(`/v1/authentications/${id}/verify`)
      .send({ code: codeIn(call) });
    expect(ok.body.status).toBe('approved');
    const [record] = await adminQuery<{ delivery_status: string }>(
      h.db,
      'SELECT delivery_status::text FROM authentication_records WHERE authentication_id = $1',
      [id],
    );
    expect(record.delivery_status).toBe('delivered');
  }, 60_000);

  it('Redis stopped between commit and enqueue: the start answers, and the SMS leaves once after Redis returns', async () => {
    const u = await user();
    const producer = h.app.get(QueueProducer);
    const enqueue = producer.enqueue.bind(producer);
    // The outage, at the one moment that matters: after the start's transaction committed.
    const spy = jest.spyOn(producer, 'enqueue').mockImplementationOnce(async (...args) => {
      await redis.stop();
      return enqueue(...args);
    });
    const startedAt = Date.now();
    const id = await start(u.id);
    spy.mockRestore();
    const [row] = await adminQuery<{ status: string; has_code: boolean }>(
      h.db,
      'SELECT status::text, code_ciphertext IS NOT NULL AS has_code FROM messages WHERE authentication_id = $1',
      [id],
    );
    expect(row).toEqual({ status: 'queued', has_code: true });
    await new Promise((r) => setTimeout(r, 3_000)); // longer than the sweeper's delay: it cannot reach Redis
    expect(requestsTo(u.phone)).toHaveLength(0);

    await redis.start();
    const view = await deliveryWhen(id, (d) => d[0]?.status === 'delivered');
    expect(view.delivery.status).toBe('delivered');
    expect(Date.now() - startedAt).toBeLessThan(180_000); // R13: within the code's lifetime
    await new Promise((r) => setTimeout(r, 2_500)); // a few more sweeper rounds: still one SMS
    const sent = requestsTo(u.phone);
    expect(sent).toHaveLength(1);
    const ok = await api()
      .post(`/v1/authentications/${id}/verify`)
      .send({ code: codeIn(sent[0]) });
    expect(ok.body.status).toBe('approved');
    // The authentication ended: its sealed code leaves the row within a sweeper round.
    await until(
      async () =>
        (
          await adminQuery<{ n: number }>(
            h.db,
            'SELECT count(*)::int AS n FROM messages WHERE authentication_id = $1 AND code_ciphertext IS NOT NULL',
            [id],
          )
        )[0]?.n === 0,
      10_000,
      () => 'the sealed code cleared',
    );
  }, 90_000);

  it('tenant isolation: another tenant’s authentication answers 404, deliveries and all', async () => {
    const u = await user();
    const id = await start(u.id);
    const other = await createTenant(h, 'Other');
    const res = await api(other).get(`/v1/authentications/${id}`);
    expect(res.status).toBe(404);
    expect(JSON.stringify(res.body)).not.toContain('deliver');
  });
});
