import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { createHash } from 'node:crypto';
import { APP_CONFIG } from '@twofold/platform/config';
import { REDIS_CLIENT, SlidingWindowLimiter } from '@twofold/platform/queue';
import type { AuthProviderConfig } from '../config';

const WINDOW_MS = 15 * 60_000;

/**
 * Failed admin sign-ins, counted in Redis per account and per client IP (docs/decisions/0031, like the
 * limiters of docs/decisions/0009): shared by every replica. Only failures are counted; a sign-in is
 * refused with 429 `sign_in_rate_limited` while either window is full, before any password is hashed.
 */
@Injectable()
export class AdminSignInLimits {
  readonly perAccount: SlidingWindowLimiter;
  readonly perIp: SlidingWindowLimiter;

  constructor(@Inject(REDIS_CLIENT) redis: Redis, @Inject(APP_CONFIG) config: AuthProviderConfig) {
    this.perAccount = new SlidingWindowLimiter(redis, {
      name: 'admin-sign-in-account',
      limit: config.ADMIN_SIGN_IN_FAILURES_PER_ACCOUNT,
      windowMs: WINDOW_MS,
    });
    this.perIp = new SlidingWindowLimiter(redis, {
      name: 'admin-sign-in-ip',
      limit: config.ADMIN_SIGN_IN_FAILURES_PER_IP,
      windowMs: WINDOW_MS,
    });
  }

  /** The account's key: a digest of the e-mail (no address in Redis keys). */
  static accountKey(email: string): string {
    return createHash('sha256').update(email).digest('hex').slice(0, 32);
  }
}
