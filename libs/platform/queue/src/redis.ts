import { Redis, RedisOptions } from 'ioredis';

/**
 * BullMQ needs `maxRetriesPerRequest: null` on worker connections; producers and health checks
 * fail fast instead so an HTTP request never hangs on a Redis outage.
 */
export function createRedis(
  url: string,
  role: 'worker' | 'client',
  name: string,
  /** e.g. `enableAutoPipelining` for a client that many concurrent jobs share. */
  extra: Pick<RedisOptions, 'enableAutoPipelining'> = {},
): Redis {
  const options: RedisOptions =
    role === 'worker'
      ? { maxRetriesPerRequest: null, enableReadyCheck: true, connectionName: name }
      : { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2_000, connectionName: name };
  return new Redis(url, { ...options, ...extra, lazyConnect: false });
}
