import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { lockoutRefusalsTotal, lockoutsTotal } from '@twofold/platform/metrics';
import { assertKeyPart, assertPositiveInteger, defineScript } from './rate-limit-script';

export interface LockoutOptions {
  /** What is protected, e.g. `otp-verify`; part of the key. */
  name: string;
  /** Failures within `windowMs` that start a lock (the Nth failure locks). Default 10. */
  maxFailures?: number;
  /** Default 10 minutes. */
  windowMs?: number;
  /** First lock; each further lock doubles it. Default 1 minute. */
  baseLockMs?: number;
  /** No lock is ever longer. Default 15 minutes. */
  maxLockMs?: number;
  /** The escalation level drops by one per `decayMs` after a lock ended. Default 1 hour. */
  decayMs?: number;
  /** First key segment; defaults to `lockout`. */
  prefix?: string;
  /** Injected clock (ms since epoch) used when a call passes no `nowMs`. */
  clock?: () => number;
}

export interface LockoutState {
  locked: boolean;
  /** 0 when not locked; otherwise seconds until the lock ends (Retry-After). */
  retryAfterSeconds: number;
}

export const LOCKOUT_DEFAULTS = {
  maxFailures: 10,
  windowMs: 10 * 60_000,
  baseLockMs: 60_000,
  maxLockMs: 15 * 60_000,
  decayMs: 60 * 60_000,
} as const;

// KEYS[1] failures (sorted set of failure times), KEYS[2] state (hash: until, level).
// While locked, failures are ignored: the attacker cannot lengthen or escalate a running lock.
// The Nth failure in the window locks for base * 2^(level-1), capped, and empties the failure
// log, so every further lock costs N fresh failures after the previous one ended.
const FAILURE_LUA = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local maxFailures = tonumber(ARGV[3])
local baseLock = tonumber(ARGV[4])
local maxLock = tonumber(ARGV[5])
local decay = tonumber(ARGV[6])
local maxLevel = tonumber(ARGV[7])
local state = redis.call('HMGET', KEYS[2], 'until', 'level')
local lockedUntil = tonumber(state[1]) or 0
local level = tonumber(state[2]) or 0
if now < lockedUntil then
  return {1, lockedUntil - now, 0}
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
redis.call('ZADD', KEYS[1], now, ARGV[8])
if redis.call('ZCARD', KEYS[1]) < maxFailures then
  redis.call('PEXPIRE', KEYS[1], window)
  return {0, 0, 0}
end
level = math.max(0, level - math.floor((now - lockedUntil) / decay))
level = math.min(level + 1, maxLevel)
local duration = math.min(baseLock * 2 ^ (level - 1), maxLock)
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[2], 'until', now + duration, 'level', level)
-- the state is dropped once the level would have decayed to 0
redis.call('PEXPIRE', KEYS[2], duration + level * decay)
-- the third value says this failure started the lock (counted in twofold_lockouts_total)
return {1, duration, 1}
`;

// A success forgets the failures and ends a running lock, but keeps the level (see decision 0009).
const SUCCESS_LUA = `
redis.call('DEL', KEYS[1])
local lockedUntil = tonumber(redis.call('HGET', KEYS[2], 'until'))
if lockedUntil and tonumber(ARGV[1]) < lockedUntil then
  redis.call('HSET', KEYS[2], 'until', ARGV[1])
end
return 0
`;

type FailureArgs = [
  failuresKey: string,
  stateKey: string,
  nowMs: number,
  windowMs: number,
  maxFailures: number,
  baseLockMs: number,
  maxLockMs: number,
  decayMs: number,
  maxLevel: number,
  member: string,
];

/**
 * Per-subject lockout after repeated failed verifications, bounded so that an attacker cannot
 * turn it into a long denial of service: a lock never exceeds `maxLockMs`, failures during a lock
 * are ignored, and each lock needs `maxFailures` new failures. Policy and reasoning: decision 0009.
 *
 * Keys are `<prefix>:<name>:{<key>}:f|s`: the subject is the hash tag, so both keys of one
 * subject share a Redis Cluster slot (the scripts touch both) and subjects spread over shards.
 * Pass `<tenantId>:<userId>` as the key.
 */
export class UserLockout {
  private readonly prefix: string;
  private readonly policy: Required<Omit<LockoutOptions, 'name' | 'prefix' | 'clock'>>;
  private readonly maxLevel: number;
  private readonly clock: () => number;
  private readonly failureScript: (...args: FailureArgs) => Promise<[locked: number, waitMs: number, started: number]>;
  private readonly successScript: (failuresKey: string, stateKey: string, nowMs: number) => Promise<number>;

  constructor(
    private readonly redis: Redis,
    private readonly opts: LockoutOptions,
  ) {
    this.prefix = opts.prefix ?? 'lockout';
    assertKeyPart('prefix', this.prefix);
    assertKeyPart('name', opts.name);
    this.policy = {
      maxFailures: opts.maxFailures ?? LOCKOUT_DEFAULTS.maxFailures,
      windowMs: opts.windowMs ?? LOCKOUT_DEFAULTS.windowMs,
      baseLockMs: opts.baseLockMs ?? LOCKOUT_DEFAULTS.baseLockMs,
      maxLockMs: opts.maxLockMs ?? LOCKOUT_DEFAULTS.maxLockMs,
      decayMs: opts.decayMs ?? LOCKOUT_DEFAULTS.decayMs,
    };
    for (const [what, value] of Object.entries(this.policy)) assertPositiveInteger(what, value);
    if (this.policy.maxLockMs < this.policy.baseLockMs) throw new Error('maxLockMs must be at least baseLockMs');
    // The first level whose doubling reaches the cap; higher levels would change nothing.
    this.maxLevel = 1 + Math.ceil(Math.log2(this.policy.maxLockMs / this.policy.baseLockMs));
    this.clock = opts.clock ?? Date.now;
    this.failureScript = defineScript(redis, 'twofoldLockoutFailure', 2, FAILURE_LUA);
    this.successScript = defineScript(redis, 'twofoldLockoutSuccess', 2, SUCCESS_LUA);
  }

  /** Call before verifying: a locked subject is refused without checking the code. */
  async check(key: string, nowMs: number = this.clock()): Promise<LockoutState> {
    const state = await this.peek(key, nowMs);
    if (state.locked) lockoutRefusalsTotal.inc({ name: this.opts.name });
    return state;
  }

  /** `check` without counting a refusal: for a caller that, when locked, lets `check` refuse later. */
  async peek(key: string, nowMs: number = this.clock()): Promise<LockoutState> {
    // One read of one field is atomic on its own; no script needed.
    const until = Number((await this.redis.hget(this.stateKey(key), 'until')) ?? 0);
    return toState(nowMs < until, until - nowMs);
  }

  async recordFailure(key: string, nowMs: number = this.clock()): Promise<LockoutState> {
    const { windowMs, maxFailures, baseLockMs, maxLockMs, decayMs } = this.policy;
    const [locked, waitMs, started] = await this.failureScript(
      this.failuresKey(key),
      this.stateKey(key),
      nowMs,
      windowMs,
      maxFailures,
      baseLockMs,
      maxLockMs,
      decayMs,
      this.maxLevel,
      `${nowMs}-${randomBytes(8).toString('hex')}`,
    );
    if (started === 1) lockoutsTotal.inc({ name: this.opts.name });
    return toState(locked === 1, waitMs);
  }

  /** The subject proved itself: failures are forgotten and a running lock ends. */
  async recordSuccess(key: string, nowMs: number = this.clock()): Promise<void> {
    await this.successScript(this.failuresKey(key), this.stateKey(key), nowMs);
  }

  get name(): string {
    return this.opts.name;
  }

  /** Keys of a subject (exposed for tests and operations, e.g. an admin unlock is a DEL of both). */
  failuresKey(key: string): string {
    return `${this.prefix}:${this.opts.name}:{${key}}:f`;
  }

  stateKey(key: string): string {
    return `${this.prefix}:${this.opts.name}:{${key}}:s`;
  }
}

function toState(locked: boolean, waitMs: number): LockoutState {
  return locked
    ? { locked, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) }
    : { locked, retryAfterSeconds: 0 };
}
