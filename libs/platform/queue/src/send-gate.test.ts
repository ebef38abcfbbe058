import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { UserLockout } from './lockout';
import { SlidingWindowLimiter } from './rate-limiter';
import { SendGate } from './send-gate';

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);

/** Issue 17: a code send's lockout check and R13 send limit in one script, with the limiters' own semantics. */
describe('SendGate (real Redis)', () => {
  const redis = new Redis('redis://127.0.0.1:6379');
  const user = 'tenant-1:user-1';
  let lockout: UserLockout;
  let sends: SlidingWindowLimiter;
  let gate: SendGate;

  beforeEach(() => {
    const prefix = `t-${randomUUID()}`;
    lockout = new UserLockout(redis, { name: 'verify', prefix });
    sends = new SlidingWindowLimiter(redis, { name: 'sends', prefix, limit: 5, windowMs: 5 * 60_000 });
    gate = new SendGate(redis, lockout, sends);
  });

  afterAll(async () => {
    await redis.quit();
  });

  it('R13: five sends in five minutes, the sixth refused with the wait until the oldest leaves', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await gate.hit(user, T0 + i * 1_000);
      expect(r).toEqual({ locked: null, send: { allowed: true, remaining: 4 - i, retryAfterSeconds: 0 } });
    }
    expect(await gate.hit(user, T0 + 10_000)).toEqual({
      locked: null,
      send: { allowed: false, remaining: 0, retryAfterSeconds: 290 },
    });
    // the same log as the limiter's own: it sees five
    expect((await sends.peek(user, T0 + 10_000)).allowed).toBe(false);
    // five minutes after the first, it has left the window: one more may go
    expect(await gate.hit(user, T0 + 5 * 60_000)).toMatchObject({ locked: null, send: { allowed: true } });
  });

  it('a locked-out user is refused before the send is counted', async () => {
    for (let i = 0; i < 10; i++) await lockout.recordFailure(user, T0 + i);
    const refused = await gate.hit(user, T0 + 1_000);
    expect(refused.locked).toEqual({ locked: true, retryAfterSeconds: 60 });
    expect(await sends.peek(user, T0 + 1_000)).toMatchObject({ allowed: true, remaining: 5 });
    // the lock ends: the send goes and is counted
    const after = await gate.hit(user, T0 + 70_000);
    expect(after).toEqual({ locked: null, send: { allowed: true, remaining: 4, retryAfterSeconds: 0 } });
  });

  it('subjects are apart, and both keys of one subject share its hash tag (one Redis Cluster slot)', async () => {
    for (let i = 0; i < 5; i++) await gate.hit(user, T0 + i);
    expect(await gate.hit('tenant-1:user-2', T0 + 10)).toMatchObject({ locked: null, send: { allowed: true } });
    const tag = (key: string) => /\{([^}]*)\}/.exec(key)?.[1];
    expect(tag(lockout.stateKey(user))).toBe(user);
    expect(tag(sends.key(user))).toBe(user);
  });
});
