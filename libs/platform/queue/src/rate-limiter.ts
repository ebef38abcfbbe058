import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { rateLimitRefusalsTotal } from '@twofold/platform/metrics';
import { assertKeyPart, assertPositiveInteger, defineScript } from './rate-limit-script';

export interface SlidingWindowOptions {
  /** What is limited, e.g. `otp-send`; part of the key. */
  name: string;
  /** Hits allowed in any window of `windowMs`. */
  limit: number;
  windowMs: number;
  /** First key segment; defaults to `rl`. */
  prefix?: string;
  /** Injected clock (ms since epoch) used when a call passes no `nowMs`. */
  clock?: () => number;
}

export interface RateLimitResult {
  allowed: boolean;
  /** Hits still allowed in the current window (after this one, for `hit`). */
  remaining: number;
  /** 0 when allowed; otherwise the seconds until the oldest hit leaves the window (Retry-After). */
  retryAfterSeconds: number;
}

// An exact sliding log: one sorted-set entry (score = time in ms) per allowed hit. A hit counts
// while `now - score < window`. Refused hits are never written, so hammering cannot extend a
// block, and the set never holds more than `limit` entries. `key` and the ARGV positions are
// parameters, so another script (the start's lockout-then-send gate) runs the same lines.
export function slidingWindowHitLua(
  key: string,
  args: { now: string; window: string; limit: string; member: string },
): string {
  return `
local now = tonumber(${args.now})
local window = tonumber(${args.window})
local limit = tonumber(${args.limit})
redis.call('ZREMRANGEBYSCORE', ${key}, '-inf', now - window)
local count = redis.call('ZCARD', ${key})
if count < limit then
  redis.call('ZADD', ${key}, now, ${args.member})
  -- live until the newest entry leaves the window (a caller with a clock ahead may have written it)
  local newest = tonumber(redis.call('ZRANGE', ${key}, -1, -1, 'WITHSCORES')[2])
  redis.call('PEXPIRE', ${key}, math.max(newest, now) + window - now)
  return {1, limit - count - 1, 0}
end
local oldest = tonumber(redis.call('ZRANGE', ${key}, 0, 0, 'WITHSCORES')[2])
return {0, 0, oldest + window - now}
`;
}

const HIT_LUA = slidingWindowHitLua('KEYS[1]', {
  now: 'ARGV[1]',
  window: 'ARGV[2]',
  limit: 'ARGV[3]',
  member: 'ARGV[4]',
});

// Read-only twin of HIT_LUA: counts without pruning or writing.
const PEEK_LUA = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local live = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. (now - window), '+inf', 'WITHSCORES')
local count = #live / 2
if count < limit then
  return {1, limit - count, 0}
end
return {0, 0, tonumber(live[2]) + window - now}
`;

type ScriptReply = [allowed: number, remaining: number, waitMs: number];
type PeekArgs = [key: string, nowMs: number, windowMs: number, limit: number];
type HitArgs = [...PeekArgs, member: string];

/**
 * Sliding-window rate limit shared by every process that talks to the same Redis: each call is
 * one Lua script, so concurrent hits from any number of replicas never allow more than `limit`.
 *
 * Keys are `<prefix>:<name>:{<key>}`. The hash tag is the subject (pass `<tenantId>:<userId>`,
 * `<tenantId>:<sender>`, …), so on Redis Cluster every subject's keys stay in one slot while
 * different subjects spread over all shards (a shared `{rl}` tag would pin all limits to one node).
 */
export class SlidingWindowLimiter {
  private readonly prefix: string;
  private readonly clock: () => number;
  private readonly hitScript: (...args: HitArgs) => Promise<ScriptReply>;
  private readonly peekScript: (...args: PeekArgs) => Promise<ScriptReply>;

  constructor(
    private readonly redis: Redis,
    private readonly opts: SlidingWindowOptions,
  ) {
    this.prefix = opts.prefix ?? 'rl';
    assertKeyPart('prefix', this.prefix);
    assertKeyPart('name', opts.name);
    assertPositiveInteger('limit', opts.limit);
    assertPositiveInteger('windowMs', opts.windowMs);
    this.clock = opts.clock ?? Date.now;
    this.hitScript = defineScript(redis, 'twofoldSlidingWindowHit', 1, HIT_LUA);
    this.peekScript = defineScript(redis, 'twofoldSlidingWindowPeek', 1, PEEK_LUA);
  }

  /** Records the hit if it is allowed; a refused hit leaves no trace. */
  async hit(key: string, nowMs: number = this.clock()): Promise<RateLimitResult> {
    // Unique member, so hits in the same millisecond are all counted. randomUUID draws from Node's
    // pooled entropy (one getrandom per 128 ids), randomBytes from the kernel each time (issue 17 profile).
    const member = `${nowMs}-${randomUUID()}`;
    const reply = await this.hitScript(this.key(key), nowMs, this.opts.windowMs, this.opts.limit, member);
    if (reply[0] !== 1) rateLimitRefusalsTotal.inc({ limiter: this.opts.name });
    return toResult(reply);
  }

  /** What a hit now would get, without recording one. */
  async peek(key: string, nowMs: number = this.clock()): Promise<RateLimitResult> {
    return toResult(await this.peekScript(this.key(key), nowMs, this.opts.windowMs, this.opts.limit));
  }

  async reset(key: string): Promise<void> {
    await this.redis.del(this.key(key));
  }

  get name(): string {
    return this.opts.name;
  }

  get limit(): number {
    return this.opts.limit;
  }

  get windowMs(): number {
    return this.opts.windowMs;
  }

  /** The Redis key of a subject (exposed for tests and operations). */
  key(key: string): string {
    return `${this.prefix}:${this.opts.name}:{${key}}`;
  }
}

function toResult([allowed, remaining, waitMs]: ScriptReply): RateLimitResult {
  return {
    allowed: allowed === 1,
    remaining,
    retryAfterSeconds: allowed === 1 ? 0 : Math.max(1, Math.ceil(waitMs / 1000)),
  };
}
