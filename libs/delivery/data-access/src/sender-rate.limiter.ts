import type { Redis } from 'ioredis';

export interface RatedSender {
  sender: string;
  ratePerSecond: number;
}

/** A sender and how long to wait for its slot, or no sender and how long until one is within reach. */
export type Reservation<T extends RatedSender> = { sender: T; waitMs: number } | { sender: null; waitMs: number };

// One call reserves the earliest send slot over the candidates (ties go to the earlier candidate,
// so a random rotation spreads load). Each sender is paced by GCRA (one "theoretical arrival time"
// per sender, in µs): a sender at N/s sends one message every 1/N s, with at most one interval of
// catch-up, so it never bursts a whole second's worth at once and its rate holds in every window.
// The slot may lie ahead (up to ARGV[1] µs): the caller waits for it instead of asking again, so
// a saturated pool costs one Redis call per message, not one per retry. Redis' own clock (TIME),
// so all worker processes agree whatever their local clocks say.
const RESERVE_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local horizon = tonumber(ARGV[1])
local best, bestAt, bestTat = 0, -1, 0
for i, key in ipairs(KEYS) do
  local interval = 1000000 / tonumber(ARGV[i + 1])
  local tat = tonumber(redis.call('GET', key) or '0')
  if tat < now then tat = now end
  local at = tat - interval
  if at < now then at = now end
  if bestAt < 0 or at < bestAt then
    best, bestAt, bestTat = i, at, tat + interval
  end
end
if bestAt - now > horizon then
  return {0, math.ceil(bestAt - now - horizon)}
end
redis.call('SET', KEYS[best], string.format('%.0f', bestTat), 'PX', math.ceil((bestTat - now) / 1000) + 1000)
return {best, math.ceil(bestAt - now)}
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
    redis.defineCommand('twofoldSenderReserve', { lua: RESERVE_LUA });
    const commands = redis as unknown as Record<string, (...args: (string | number)[]) => Promise<[number, number]>>;
    this.script = (...args) => commands.twofoldSenderReserve(...args);
  }

  key(pool: string, sender: string): string {
    return `${this.prefix}:{${pool}}:${sender}`;
  }

  /**
   * Reserves the earliest send slot over `candidates` if it is at most `horizonMs` away: the
   * sender, and how long to wait before sending (0 = now). Otherwise reserves nothing and says
   * how long until a slot would be within the horizon.
   */
  async reserve<T extends RatedSender>(
    pool: string,
    candidates: readonly T[],
    horizonMs: number,
  ): Promise<Reservation<T>> {
    if (candidates.length === 0) throw new Error('reserve: no candidates');
    const keys = candidates.map((c) => this.key(pool, c.sender));
    const [index, waitUs] = await this.script(
      keys.length,
      ...keys,
      Math.round(horizonMs * 1000),
      ...candidates.map((c) => c.ratePerSecond),
    );
    return index > 0
      ? { sender: candidates[index - 1], waitMs: waitUs / 1000 }
      : { sender: null, waitMs: Math.max(1, waitUs / 1000) };
  }
}
