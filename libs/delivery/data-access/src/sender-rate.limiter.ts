import type { Redis } from 'ioredis';

export interface RatedSender {
  sender: string;
  ratePerSecond: number;
}

export type Acquired<T extends RatedSender> = { sender: T; waitMs: 0 } | { sender: null; waitMs: number };

// One call tries the candidates in order and takes a send slot on the first that has one. Each
// sender is paced by GCRA (one "theoretical arrival time" per sender, in µs): a sender at N/s
// sends one message every 1/N s, with at most one interval of catch-up, so it never bursts a
// whole second's worth at once and its rate holds in every window. Redis' own clock (TIME), so
// all worker processes agree whatever their local clocks say.
const ACQUIRE_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local minWait = -1
for i, key in ipairs(KEYS) do
  local interval = 1000000 / tonumber(ARGV[i])
  local tat = tonumber(redis.call('GET', key) or '0')
  if tat < now then tat = now end
  if tat - now <= interval then
    local nextTat = tat + interval
    redis.call('SET', key, string.format('%.0f', nextTat), 'PX', math.ceil((nextTat - now) / 1000) + 1000)
    return {i, 0}
  end
  local wait = tat - interval - now
  if minWait < 0 or wait < minWait then minWait = wait end
end
return {0, math.ceil(minWait / 1000)}
`;

/**
 * Per-sender send rate (messages/second) shared by every worker process through Redis. The keys
 * of one pool share a hash tag (`{<pool>}`), so the multi-key script runs on one Redis Cluster
 * slot while different pools spread over the cluster.
 */
export class SenderRateLimiter {
  private readonly script: (...args: (string | number)[]) => Promise<[number, number]>;

  constructor(
    redis: Redis,
    private readonly prefix = 'dlv-rate',
  ) {
    redis.defineCommand('twofoldSenderAcquire', { lua: ACQUIRE_LUA });
    const commands = redis as unknown as Record<string, (...args: (string | number)[]) => Promise<[number, number]>>;
    this.script = (...args) => commands.twofoldSenderAcquire(...args);
  }

  key(pool: string, sender: string): string {
    return `${this.prefix}:{${pool}}:${sender}`;
  }

  /** Takes a send slot on the first candidate with capacity, or says how long until one frees up. */
  async acquire<T extends RatedSender>(pool: string, candidates: readonly T[]): Promise<Acquired<T>> {
    if (candidates.length === 0) throw new Error('acquire: no candidates');
    const keys = candidates.map((c) => this.key(pool, c.sender));
    const [index, waitMs] = await this.script(keys.length, ...keys, ...candidates.map((c) => c.ratePerSecond));
    return index > 0 ? { sender: candidates[index - 1], waitMs: 0 } : { sender: null, waitMs: Math.max(1, waitMs) };
  }
}
