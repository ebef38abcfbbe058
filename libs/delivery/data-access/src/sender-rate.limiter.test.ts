import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { SenderRateLimiter } from './sender-rate.limiter';

const URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('SenderRateLimiter (real Redis)', () => {
  const redis = new Redis(URL);
  let limiter: SenderRateLimiter;
  const a = { sender: 'A', ratePerSecond: 10 };
  const b = { sender: 'B', ratePerSecond: 10 };

  beforeEach(() => {
    limiter = new SenderRateLimiter(redis, `t-${randomUUID()}`);
  });

  afterAll(async () => {
    await redis.quit();
  });

  it('reserves slots 1/N s apart per sender (one interval of catch-up), earliest sender first', async () => {
    const got = [];
    for (let i = 0; i < 6; i++) got.push(await limiter.reserve('short_code', [a, b], 1_000));
    // Idle senders: A now, A again now (catch-up), B now, B now, then A and B one interval (100 ms) ahead.
    expect(got.map((g) => g.sender?.sender)).toEqual(['A', 'A', 'B', 'B', 'A', 'B']);
    const waits = got.map((g) => g.waitMs);
    for (const w of waits.slice(0, 4)) expect(w).toBeLessThan(20);
    for (const w of waits.slice(4)) {
      expect(w).toBeGreaterThan(50); // less the time the calls took
      expect(w).toBeLessThanOrEqual(100);
    }
  });

  it('takes nothing beyond the horizon and says how long until a slot is within it', async () => {
    const one = { sender: 'S', ratePerSecond: 2 };
    expect((await limiter.reserve('route', [one], 400)).sender).toEqual(one);
    expect((await limiter.reserve('route', [one], 400)).sender).toEqual(one);
    // The next slot is 500 ms ahead: outside a 400 ms horizon, so nothing is reserved.
    const refused = await limiter.reserve('route', [one], 400);
    expect(refused.sender).toBeNull();
    expect(refused.waitMs).toBeGreaterThan(50);
    expect(refused.waitMs).toBeLessThanOrEqual(100);
    const later = await limiter.reserve('route', [one], 600);
    expect(later.sender).toEqual(one);
    expect(later.waitMs).toBeGreaterThan(400);
  });

  it('hands each slot to one caller only, across connections', async () => {
    const other = new Redis(URL);
    try {
      const prefix = `t-${randomUUID()}`;
      const limiters = [new SenderRateLimiter(redis, prefix), new SenderRateLimiter(other, prefix)];
      const busy = { sender: 'F', ratePerSecond: 100 };
      const t0 = Date.now();
      const got = await Promise.all(Array.from({ length: 20 }, (_, i) => limiters[i % 2].reserve('p', [busy], 1_000)));
      const elapsed = Date.now() - t0;
      expect(got.every((g) => g.sender === busy)).toBe(true);
      // 20 distinct slots 10 ms apart (two at once at the start, the catch-up): the last one is
      // 180 ms after the first; a slot handed out twice would bring it 10 ms closer.
      const last = Math.max(...got.map((g) => g.waitMs));
      expect(last).toBeLessThanOrEqual(180);
      expect(last + elapsed).toBeGreaterThanOrEqual(178);
    } finally {
      await other.quit();
    }
  });
});
