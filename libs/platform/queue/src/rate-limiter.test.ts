import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { SlidingWindowLimiter } from './rate-limiter';

const URL = 'redis://127.0.0.1:6379';
const FIVE_MIN = 5 * 60_000;
const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);

describe('SlidingWindowLimiter (real Redis)', () => {
  const redis = new Redis(URL);
  // A fresh prefix per test keeps runs and parallel files apart.
  let limiter: SlidingWindowLimiter;
  const user = 'tenant-1:user-1';

  beforeEach(() => {
    limiter = new SlidingWindowLimiter(redis, {
      name: 'otp-send',
      limit: 5,
      windowMs: FIVE_MIN,
      prefix: `t-${randomUUID()}`,
    });
  });

  afterAll(async () => {
    await redis.quit();
  });

  it('allows 5 sends in 5 minutes and refuses the 6th with Retry-After (R13)', async () => {
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await limiter.hit(user, T0 + i * 1_000));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, true, true]);
    expect(results.map((r) => r.remaining)).toEqual([4, 3, 2, 1, 0]);
    expect(results.every((r) => r.retryAfterSeconds === 0)).toBe(true);

    // The oldest send (T0) leaves the window at T0 + 5 min, 290 s after T0 + 10 s.
    expect(await limiter.hit(user, T0 + 10_000)).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 290 });
    // Rounded up, never 0 while refused.
    expect(await limiter.hit(user, T0 + FIVE_MIN - 1)).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 1 });
  });

  it('counts hits within the same millisecond', async () => {
    const results = await Promise.all(Array.from({ length: 7 }, () => limiter.hit(user, T0)));
    expect(results.filter((r) => r.allowed)).toHaveLength(5);
  });

  it('slides: one slot frees when the oldest hit is 5 minutes old, not before', async () => {
    for (let i = 0; i < 5; i++) expect((await limiter.hit(user, T0 + i * 60_000)).allowed).toBe(true);
    expect((await limiter.hit(user, T0 + FIVE_MIN - 1)).allowed).toBe(false);
    expect(await limiter.hit(user, T0 + FIVE_MIN + 1)).toEqual({ allowed: true, remaining: 0, retryAfterSeconds: 0 });
    // Only that one slot: the next frees at T0 + 6 min.
    expect(await limiter.hit(user, T0 + FIVE_MIN + 2)).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 60 });
    expect((await limiter.hit(user, T0 + 6 * 60_000)).allowed).toBe(true);
  });

  it('does not record refused hits, so hammering does not extend the block', async () => {
    for (let i = 0; i < 5; i++) await limiter.hit(user, T0);
    for (let t = T0 + 1_000; t < T0 + FIVE_MIN; t += 3_000) {
      expect((await limiter.hit(user, t)).allowed).toBe(false);
    }
    expect(await redis.zcard(limiter.key(user))).toBe(5);
    // Exactly when the first five leave the window, the user has the full budget again.
    const after = await limiter.hit(user, T0 + FIVE_MIN);
    expect(after).toEqual({ allowed: true, remaining: 4, retryAfterSeconds: 0 });
  });

  it('allows exactly `limit` of 50 concurrent hits from 5 separate connections', async () => {
    const connections = Array.from({ length: 5 }, () => new Redis(URL));
    try {
      const prefix = `t-${randomUUID()}`;
      const limiters = connections.map(
        (c) => new SlidingWindowLimiter(c, { name: 'otp-send', limit: 5, windowMs: FIVE_MIN, prefix }),
      );
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => limiters[i % 5].hit(user, T0 + (i % 3))));
      expect(results.filter((r) => r.allowed)).toHaveLength(5);
      expect(results.filter((r) => !r.allowed).every((r) => r.retryAfterSeconds === 300)).toBe(true);
      expect(await redis.zcard(limiters[0].key(user))).toBe(5);
    } finally {
      await Promise.all(connections.map((c) => c.quit()));
    }
  });

  it('sets a TTL of one window on the key, and the key carries the subject as its hash tag', async () => {
    await limiter.hit(user, T0);
    const key = limiter.key(user);
    expect(key).toMatch(/^t-[0-9a-f-]+:otp-send:\{tenant-1:user-1\}$/);
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(FIVE_MIN - 5_000);
    expect(ttl).toBeLessThanOrEqual(FIVE_MIN);
  });

  it('keeps subjects apart', async () => {
    for (let i = 0; i < 5; i++) await limiter.hit(user, T0);
    expect((await limiter.hit(user, T0)).allowed).toBe(false);
    expect((await limiter.hit('tenant-1:user-2', T0)).allowed).toBe(true);
    expect((await limiter.hit('tenant-2:user-1', T0)).allowed).toBe(true);
  });

  it('peeks without recording, and reset clears the subject', async () => {
    expect(await limiter.peek(user, T0)).toEqual({ allowed: true, remaining: 5, retryAfterSeconds: 0 });
    for (let i = 0; i < 5; i++) await limiter.hit(user, T0 + i);
    expect(await limiter.peek(user, T0 + 1_000)).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 299 });
    expect(await limiter.peek(user, T0 + FIVE_MIN)).toEqual({ allowed: true, remaining: 1, retryAfterSeconds: 0 });
    expect(await redis.zcard(limiter.key(user))).toBe(5);

    await limiter.reset(user);
    expect(await redis.exists(limiter.key(user))).toBe(0);
    expect((await limiter.hit(user, T0 + 2_000)).remaining).toBe(4);
  });

  it('refuses options that would break the key layout or the limit', () => {
    expect(() => new SlidingWindowLimiter(redis, { name: '{x}', limit: 5, windowMs: 1_000 })).toThrow(/braces/);
    expect(() => new SlidingWindowLimiter(redis, { name: 'x', limit: 0, windowMs: 1_000 })).toThrow(/limit/);
    expect(() => new SlidingWindowLimiter(redis, { name: 'x', limit: 5, windowMs: 1.5 })).toThrow(/windowMs/);
  });
});
