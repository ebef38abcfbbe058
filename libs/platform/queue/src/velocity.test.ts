import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { DeliveryVelocity } from './velocity';

const URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const HOUR = 3_600_000;
const TEN_MIN = 600_000;
const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);

describe('DeliveryVelocity (real Redis, docs/decisions/0019)', () => {
  const redis = new Redis(URL);
  let velocity: DeliveryVelocity;
  let tenantId: string;

  beforeEach(() => {
    velocity = new DeliveryVelocity(redis, {
      prefix: `t-${randomUUID()}`,
      countryWindowMs: HOUR,
      prefixWindowMs: TEN_MIN,
      prefixDistinctNumbers: 50,
      alertEveryMs: HOUR,
    });
    tenantId = randomUUID();
  });
  afterAll(async () => {
    await redis.quit();
  });

  const hit = (number: string, at: number, limit = 3, country = 'US') =>
    velocity.hit({ tenantId, country, limit, prefix: number.slice(1, 7), number }, at);

  it('caps sends per tenant and country in a rolling hour; Retry-After until the oldest leaves; refusals leave no trace', async () => {
    for (let i = 0; i < 3; i++) expect(await hit(`+1212555010${i}`, T0 + i * 1000)).toEqual({ allowed: true });
    expect(await hit('+13125550100', T0 + 10_000)).toEqual({
      allowed: false,
      cap: 'country',
      retryAfterSeconds: 3590,
      firstAlert: true,
    });
    // Hammering does not extend the block, and the alert is raised once per hour.
    for (let i = 0; i < 20; i++) await hit('+13125550100', T0 + 20_000 + i);
    expect(await hit('+13125550100', T0 + HOUR - 1)).toMatchObject({ allowed: false, firstAlert: false });
    expect(await hit('+13125550100', T0 + HOUR)).toEqual({ allowed: true });
    // Other countries and other tenants have their own budgets.
    expect(await hit('+14165550123', T0 + 10_000, 3, 'CA')).toEqual({ allowed: true });
  });

  it('the 50th different number under one 6-digit prefix within 10 minutes trips the cap; a repeated number does not', async () => {
    for (let i = 0; i < 49; i++) {
      expect(await hit(`+1212555${String(1000 + i)}`, T0 + i * 1000, 1000)).toEqual({ allowed: true });
    }
    expect(await hit('+12125559999', T0 + 60_000, 1000)).toMatchObject({ allowed: false, cap: 'prefix' });
    expect(await hit('+12125551000', T0 + 60_000, 1000)).toEqual({ allowed: true });
    expect(await hit('+13125559999', T0 + 60_000, 1000)).toEqual({ allowed: true });
    // Ten minutes after the first number was last seen, a new one passes.
    expect(await hit('+12125559999', T0 + TEN_MIN + 1_000, 1000)).toEqual({ allowed: true });
  });

  it('is exact under concurrency: 40 parallel hits from 4 connections allow exactly the limit', async () => {
    const clients = Array.from({ length: 4 }, () => new Redis(URL));
    const prefix = `t-${randomUUID()}`;
    const limiters = clients.map(
      (c) =>
        new DeliveryVelocity(c, {
          prefix,
          countryWindowMs: HOUR,
          prefixWindowMs: TEN_MIN,
          prefixDistinctNumbers: 1000,
          alertEveryMs: HOUR,
        }),
    );
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        limiters[i % 4].hit({ tenantId, country: 'US', limit: 7, prefix: '121255', number: '+12125550100' }, T0),
      ),
    );
    expect(results.filter((r) => r.allowed)).toHaveLength(7);
    expect(results.filter((r) => !r.allowed && r.firstAlert)).toHaveLength(1);
    await Promise.all(clients.map((c) => c.quit()));
  });

  it('keys of one tenant share a hash tag and expire', async () => {
    await hit('+12125550100', Date.now());
    const ttl = await redis.pttl(velocity.key(tenantId, 'c:US'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(HOUR);
    expect(velocity.key(tenantId, 'p:121255')).toContain(`{${tenantId}}`);
  });
});
