import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { rateLimitRefusalsTotal } from '@twofold/platform/metrics';
import { assertKeyPart, assertPositiveInteger, defineScript } from './rate-limit-script';

export interface VelocityOptions {
  /** First key segment; defaults to `vel`. */
  prefix?: string;
  /** Rolling window of the per-country cap (ms). */
  countryWindowMs: number;
  /** Rolling window of the per-prefix burst check (ms). */
  prefixWindowMs: number;
  /** The n-th different number under one prefix within the prefix window is refused. */
  prefixDistinctNumbers: number;
  /** At most one alert per tenant in this time (ms). */
  alertEveryMs: number;
  clock?: () => number;
}

export interface VelocityHit {
  tenantId: string;
  country: string;
  /** Sends allowed to `country` in any country window. */
  limit: number;
  /** The number's prefix (e.g. its first 6 digits) and the number itself. */
  prefix: string;
  number: string;
}

export type VelocityResult =
  | { allowed: true }
  | {
      allowed: false;
      /** Which cap refused it. */
      cap: 'country' | 'prefix';
      retryAfterSeconds: number;
      /** True for the first refusal of this tenant within `alertEveryMs`: raise the alert once. */
      firstAlert: boolean;
    };

// KEYS: 1 country log (one entry per allowed send), 2 prefix numbers (member = number, score =
// last send), 3 the tenant's alert flag. All three share the tenant's hash tag. Refused sends are
// not recorded, so hammering cannot extend a block; every key expires with its window.
const HIT_LUA = `
local now = tonumber(ARGV[1])
local cwindow = tonumber(ARGV[2])
local climit = tonumber(ARGV[3])
local member = ARGV[4]
local pwindow = tonumber(ARGV[5])
local plimit = tonumber(ARGV[6])
local number = ARGV[7]
local alertMs = tonumber(ARGV[8])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - cwindow)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - pwindow)
local cap = ''
if redis.call('ZCARD', KEYS[1]) >= climit then
  cap = 'country'
elseif not redis.call('ZSCORE', KEYS[2], number) and redis.call('ZCARD', KEYS[2]) + 1 >= plimit then
  cap = 'prefix'
end
if cap == '' then
  redis.call('ZADD', KEYS[1], now, member)
  redis.call('PEXPIRE', KEYS[1], cwindow)
  redis.call('ZADD', KEYS[2], now, number)
  redis.call('PEXPIRE', KEYS[2], pwindow)
  return {1, 0, 0, ''}
end
local wait
if cap == 'country' then
  wait = tonumber(redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2]) + cwindow - now
else
  wait = tonumber(redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')[2]) + pwindow - now
end
local first = redis.call('SET', KEYS[3], now, 'NX', 'PX', alertMs) and 1 or 0
return {0, wait, first, cap}
`;

type Reply = [allowed: number, waitMs: number, firstAlert: number, cap: string];
type Args = [
  countryKey: string,
  prefixKey: string,
  alertKey: string,
  nowMs: number,
  countryWindowMs: number,
  limit: number,
  member: string,
  prefixWindowMs: number,
  prefixDistinct: number,
  number: string,
  alertMs: number,
];

/**
 * SMS/voice velocity caps against SMS pumping (docs/decisions/0019): per tenant and destination
 * country a rolling cap, and per tenant and number prefix a burst check on *different* numbers
 * (pumping walks a number range; a real user asks for several codes to one number). One Lua script,
 * one round trip, exact across replicas. Keys `<prefix>:{<tenantId>}:…`: one slot per tenant.
 */
export class DeliveryVelocity {
  private readonly prefix: string;
  private readonly clock: () => number;
  private readonly script: (...args: Args) => Promise<Reply>;

  constructor(
    redis: Redis,
    private readonly opts: VelocityOptions,
  ) {
    this.prefix = opts.prefix ?? 'vel';
    assertKeyPart('prefix', this.prefix);
    assertPositiveInteger('countryWindowMs', opts.countryWindowMs);
    assertPositiveInteger('prefixWindowMs', opts.prefixWindowMs);
    assertPositiveInteger('prefixDistinctNumbers', opts.prefixDistinctNumbers);
    assertPositiveInteger('alertEveryMs', opts.alertEveryMs);
    this.clock = opts.clock ?? Date.now;
    this.script = defineScript(redis, 'twofoldDeliveryVelocityHit', 3, HIT_LUA);
  }

  /** Records the send if both caps allow it; a refused send leaves no trace (but the alert flag). */
  async hit(h: VelocityHit, nowMs: number = this.clock()): Promise<VelocityResult> {
    assertPositiveInteger('limit', h.limit);
    const [allowed, waitMs, firstAlert, cap] = await this.script(
      this.key(h.tenantId, `c:${h.country}`),
      this.key(h.tenantId, `p:${h.prefix}`),
      this.key(h.tenantId, 'alert'),
      nowMs,
      this.opts.countryWindowMs,
      h.limit,
      `${nowMs}-${randomUUID()}`,
      this.opts.prefixWindowMs,
      this.opts.prefixDistinctNumbers,
      h.number,
      this.opts.alertEveryMs,
    );
    if (allowed === 1) return { allowed: true };
    rateLimitRefusalsTotal.inc({ limiter: cap === 'prefix' ? 'sms_velocity_prefix' : 'sms_velocity_country' });
    return {
      allowed: false,
      cap: cap === 'prefix' ? 'prefix' : 'country',
      retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
      firstAlert: firstAlert === 1,
    };
  }

  key(tenantId: string, part: string): string {
    return `${this.prefix}:{${tenantId}}:${part}`;
  }
}
