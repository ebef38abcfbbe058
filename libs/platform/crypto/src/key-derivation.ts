import { pbkdf2 } from 'node:crypto';
import { DomainError } from '@twofold/platform/errors';

/**
 * Bounds of a key-derivation pool (docs/decisions/0020). `concurrency` derivations run at once on
 * libuv's thread pool (4 threads by default, shared with file and DNS work: the pools of a process
 * together stay below it); up to `queue` more wait; one key (a tenant) holds at most `perKey`
 * running or waiting, so one tenant cannot fill the queue for the others.
 */
export interface KdfLimits {
  concurrency: number;
  queue: number;
  perKey: number;
}

export const KDF_BUSY = 'key_derivation_busy';

/** How long a refused caller is told to wait: a derivation in the pool takes well under a second. */
const RETRY_AFTER_SECONDS = 1;

/**
 * Runs CPU-heavy key derivations (PBKDF2, scrypt) off the event loop with bounded concurrency and a
 * bounded queue. Work beyond the bounds is refused at once with 429 `key_derivation_busy` (and
 * Retry-After) instead of queueing without end: a burst costs its senders a retry, never every
 * tenant's authentications their latency.
 */
export class KeyDerivationPool {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly held = new Map<string, number>();

  constructor(
    readonly name: string,
    private readonly limits: KdfLimits,
  ) {}

  /** What runs and waits now (tests and metrics). */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  /**
   * Runs `task` when a slot is free. `task` must do its heavy work asynchronously (node:crypto's
   * callback forms run on the thread pool); the slot is what bounds how many run at once.
   */
  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const mine = this.held.get(key) ?? 0;
    const full = this.running >= this.limits.concurrency && this.waiting.length >= this.limits.queue;
    if (mine >= this.limits.perKey || full) {
      throw new DomainError(
        KDF_BUSY,
        'rate_limited',
        `Too many password and key derivations are running (${this.name}); try again in ${RETRY_AFTER_SECONDS} s.`,
        { retryAfterSeconds: RETRY_AFTER_SECONDS },
      );
    }
    this.held.set(key, mine + 1);
    try {
      await this.acquire();
      try {
        return await task();
      } finally {
        this.release();
      }
    } finally {
      const left = (this.held.get(key) ?? 1) - 1;
      if (left === 0) this.held.delete(key);
      else this.held.set(key, left);
    }
  }

  private acquire(): Promise<void> {
    if (this.running < this.limits.concurrency) {
      this.running += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** The slot passes straight to the next waiter, so `running` never over- or undershoots. */
  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running -= 1;
  }
}

/** PBKDF2 on the thread pool (never `pbkdf2Sync` on a request path). */
export function pbkdf2Async(
  password: string,
  salt: Buffer,
  iterations: number,
  keyLength: number,
  digest: string,
): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    pbkdf2(password, salt, iterations, keyLength, digest, (error, key) => (error ? reject(error) : resolve(key))),
  );
}
