import type { Redis } from 'ioredis';

/**
 * Registers a Lua script on the client with `defineCommand`, so ioredis sends EVALSHA and falls
 * back to EVAL (which caches the script) only after a NOSCRIPT, e.g. after a Redis restart or on
 * a cluster node that has not seen it yet.
 */
export function defineScript<A extends (string | number)[], R>(
  redis: Redis,
  name: string,
  numberOfKeys: number,
  lua: string,
): (...args: A) => Promise<R> {
  redis.defineCommand(name, { numberOfKeys, lua });
  const commands = redis as unknown as Record<string, (...args: A) => Promise<R>>;
  return (...args) => commands[name](...args);
}

/** A name or prefix with a brace would move the cluster hash tag away from the subject. */
export function assertKeyPart(what: string, value: string): void {
  if (value === '' || /[{}]/.test(value)) throw new Error(`${what} must be non-empty and without braces: "${value}"`);
}

export function assertPositiveInteger(what: string, value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`${what} must be a positive integer, got ${value}`);
}
