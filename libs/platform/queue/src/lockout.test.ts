import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { LockoutOptions, UserLockout } from './lockout';

const URL = 'redis://127.0.0.1:6379';
const MIN = 60_000;
const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);

describe('UserLockout (real Redis)', () => {
  const redis = new Redis(URL);
  const user = 'tenant-1:user-1';
  let lockout: UserLockout;

  const make = (opts: Partial<LockoutOptions> = {}) =>
    new UserLockout(redis, { name: 'otp-verify', prefix: `t-${randomUUID()}`, ...opts });

  /** Fails until the lock starts; returns the time of the locking failure and its result. */
  async function failUntilLocked(from: number) {
    for (let i = 0; i < 10; i++) {
      const t = from + i * 1_000;
      const r = await lockout.recordFailure(user, t);
      if (r.locked) return { at: t, ...r };
    }
    throw new Error('not locked after 10 failures');
  }

  beforeEach(() => {
    lockout = make();
  });

  afterAll(async () => {
    await redis.quit();
  });

  it('locks on the 10th failure within 10 minutes, for 1 minute', async () => {
    for (let i = 0; i < 9; i++) {
      expect(await lockout.recordFailure(user, T0 + i * 1_000)).toEqual({ locked: false, retryAfterSeconds: 0 });
    }
    expect(await lockout.check(user, T0 + 9_000)).toEqual({ locked: false, retryAfterSeconds: 0 });
    expect(await lockout.recordFailure(user, T0 + 9_000)).toEqual({ locked: true, retryAfterSeconds: 60 });
    expect(await lockout.check(user, T0 + 39_000)).toEqual({ locked: true, retryAfterSeconds: 30 });
    expect(await lockout.check(user, T0 + 9_000 + MIN)).toEqual({ locked: false, retryAfterSeconds: 0 });
  });

  it('counts failures in a sliding window: old failures age out', async () => {
    for (let i = 0; i < 9; i++) await lockout.recordFailure(user, T0 + i * 1_000);
    // 10 minutes after the first failure it no longer counts: 9 in the window.
    expect((await lockout.recordFailure(user, T0 + 10 * MIN)).locked).toBe(false);
    expect((await lockout.recordFailure(user, T0 + 10 * MIN + 1)).locked).toBe(true);
  });

  it('escalates 1, 2, 4, 8 minutes and caps at 15', async () => {
    const durations: number[] = [];
    let t = T0;
    for (let round = 0; round < 7; round++) {
      const lock = await failUntilLocked(t);
      durations.push(lock.retryAfterSeconds / 60);
      t = lock.at + lock.retryAfterSeconds * 1_000; // the moment the lock ends
      expect((await lockout.check(user, t - 1)).locked).toBe(true);
      expect((await lockout.check(user, t)).locked).toBe(false);
    }
    expect(durations).toEqual([1, 2, 4, 8, 15, 15, 15]);
  });

  it('ignores failures during a lock: 1,000 failures at once lock for 1 minute, never longer than the cap', async () => {
    const results = [];
    for (let i = 0; i < 1_000; i++) results.push(await lockout.recordFailure(user, T0 + i));
    expect(results.filter((r) => r.locked)).toHaveLength(991);
    expect(Math.max(...results.map((r) => r.retryAfterSeconds))).toBe(60);
    expect((await lockout.check(user, T0 + 9 + MIN)).locked).toBe(false);

    // 1,000 failures spread over hours, as fast as locks allow: no lock ever exceeds 15 minutes,
    // and the user is free the moment each one ends.
    let t = T0 + 10 * MIN;
    let sent = 0;
    let longest = 0;
    while (sent < 1_000) {
      const r = await lockout.recordFailure(user, t);
      sent++;
      longest = Math.max(longest, r.retryAfterSeconds);
      const state = await lockout.check(user, t);
      t += state.locked ? state.retryAfterSeconds * 1_000 : 1;
    }
    expect(longest).toBe(15 * 60);
  });

  it('counts concurrent failures from 2 connections exactly once each', async () => {
    const other = new Redis(URL);
    try {
      const prefix = `t-${randomUUID()}`;
      const a = new UserLockout(redis, { name: 'otp-verify', prefix });
      const b = new UserLockout(other, { name: 'otp-verify', prefix });
      const results = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).recordFailure(user, T0)));
      // Exactly one failure starts the lock; the rest are 9 counted and 30 ignored.
      expect(results.filter((r) => r.locked)).toHaveLength(31);
      expect(await a.check(user, T0)).toEqual({ locked: true, retryAfterSeconds: 60 });
    } finally {
      await other.quit();
    }
  });

  it('a success clears the failure count and ends a running lock, but keeps the escalation level', async () => {
    for (let i = 0; i < 9; i++) await lockout.recordFailure(user, T0 + i);
    await lockout.recordSuccess(user, T0 + 100);
    expect(await redis.exists(lockout.failuresKey(user))).toBe(0);
    // 9 more failures do not lock: the earlier ones were forgotten.
    for (let i = 0; i < 9; i++) expect((await lockout.recordFailure(user, T0 + 200 + i)).locked).toBe(false);

    const first = await lockout.recordFailure(user, T0 + 300);
    expect(first).toEqual({ locked: true, retryAfterSeconds: 60 });
    await lockout.recordSuccess(user, T0 + 1_000);
    expect(await lockout.check(user, T0 + 1_000)).toEqual({ locked: false, retryAfterSeconds: 0 });

    // The level survived the success: the next lock is the second step.
    const second = await failUntilLocked(T0 + 2_000);
    expect(second.retryAfterSeconds).toBe(120);
  });

  it('decays the level by one step per hour without a lock', async () => {
    let t = T0;
    for (let round = 0; round < 5; round++) {
      const lock = await failUntilLocked(t);
      t = lock.at + lock.retryAfterSeconds * 1_000;
    } // level 5 (15 min)
    // Two quiet hours after the last lock ended: level 3 → the next lock is level 4 (8 minutes).
    const next = await failUntilLocked(t + 2 * 60 * MIN);
    expect(next.retryAfterSeconds).toBe(8 * 60);
  });

  it('sets TTLs on every key', async () => {
    await lockout.recordFailure(user, T0);
    const failuresTtl = await redis.pttl(lockout.failuresKey(user));
    expect(failuresTtl).toBeGreaterThan(9 * MIN);
    expect(failuresTtl).toBeLessThanOrEqual(10 * MIN);

    await failUntilLocked(T0 + 1_000);
    expect(await redis.exists(lockout.failuresKey(user))).toBe(0);
    // Lock (1 min) plus one decay step (1 h) at level 1.
    const stateTtl = await redis.pttl(lockout.stateKey(user));
    expect(stateTtl).toBeGreaterThan(60 * MIN);
    expect(stateTtl).toBeLessThanOrEqual(61 * MIN);
    expect(lockout.stateKey(user)).toMatch(/:otp-verify:\{tenant-1:user-1\}:s$/);
  });

  it('keeps users apart', async () => {
    await failUntilLocked(T0);
    expect((await lockout.check(user, T0 + 10_000)).locked).toBe(true);
    expect((await lockout.check('tenant-1:user-2', T0 + 10_000)).locked).toBe(false);
    expect((await lockout.check('tenant-2:user-1', T0 + 10_000)).locked).toBe(false);
  });

  it('refuses a policy whose cap is below the first lock', () => {
    expect(() => make({ baseLockMs: 10 * MIN, maxLockMs: MIN })).toThrow(/maxLockMs/);
    expect(() => make({ maxFailures: 0 })).toThrow(/maxFailures/);
  });
});
