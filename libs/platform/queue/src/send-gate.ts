import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { lockoutRefusalsTotal, rateLimitRefusalsTotal } from '@twofold/platform/metrics';
import { LockoutState, UserLockout } from './lockout';
import { defineScript } from './rate-limit-script';
import { RateLimitResult, SlidingWindowLimiter, slidingWindowHitLua } from './rate-limiter';

// KEYS: 1 the subject's lockout state (hash, `until`), 2 the subject's send log. Both carry the
// subject's hash tag, so the script stays on one Redis Cluster slot. A locked subject is refused
// before the send is counted; a refused send is never written (the sliding log's rule).
const GATE_LUA = `
local lockedUntil = tonumber(redis.call('HGET', KEYS[1], 'until')) or 0
if tonumber(ARGV[1]) < lockedUntil then
  return {-1, 0, lockedUntil - tonumber(ARGV[1])}
end
${slidingWindowHitLua('KEYS[2]', { now: 'ARGV[1]', window: 'ARGV[2]', limit: 'ARGV[3]', member: 'ARGV[4]' })}`;

type Reply = [allowed: number, remaining: number, waitMs: number];

export type SendGateResult = { locked: LockoutState } | { locked: null; send: RateLimitResult };

/**
 * The lockout check and the per-subject send limit of one code send, in one Lua script: one Redis
 * round trip instead of two (issue 17), with the same keys, policies and metrics as `UserLockout`
 * and `SlidingWindowLimiter` used alone.
 */
export class SendGate {
  private readonly script: (
    stateKey: string,
    sendsKey: string,
    now: number,
    window: number,
    limit: number,
    member: string,
  ) => Promise<Reply>;

  constructor(
    redis: Redis,
    private readonly lockout: UserLockout,
    private readonly sends: SlidingWindowLimiter,
  ) {
    this.script = defineScript(redis, 'twofoldLockoutThenSend', 2, GATE_LUA);
  }

  async hit(key: string, nowMs: number): Promise<SendGateResult> {
    const [allowed, remaining, waitMs] = await this.script(
      this.lockout.stateKey(key),
      this.sends.key(key),
      nowMs,
      this.sends.windowMs,
      this.sends.limit,
      `${nowMs}-${randomUUID()}`,
    );
    if (allowed === -1) {
      lockoutRefusalsTotal.inc({ name: this.lockout.name });
      return { locked: { locked: true, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) } };
    }
    if (allowed !== 1) rateLimitRefusalsTotal.inc({ limiter: this.sends.name });
    return {
      locked: null,
      send: {
        allowed: allowed === 1,
        remaining,
        retryAfterSeconds: allowed === 1 ? 0 : Math.max(1, Math.ceil(waitMs / 1000)),
      },
    };
  }
}
