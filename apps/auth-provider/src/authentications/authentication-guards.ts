import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { SEND_LIMIT } from '@twofold/authentication/domain';
import { REDIS_CLIENT, SlidingWindowLimiter, UserLockout } from '@twofold/platform/queue';

/**
 * The two Redis-held protections of the authentication API (R13 and the lockout policy,
 * docs/decisions/0009): shared by every replica, keyed per tenant and user.
 */
@Injectable()
export class AuthenticationGuards {
  readonly sends: SlidingWindowLimiter;
  readonly lockout: UserLockout;

  constructor(@Inject(REDIS_CLIENT) redis: Redis) {
    this.sends = new SlidingWindowLimiter(redis, {
      name: 'sends',
      limit: SEND_LIMIT.limit,
      windowMs: SEND_LIMIT.windowMs,
    });
    this.lockout = new UserLockout(redis, { name: 'verify' });
  }

  static userKey(tenantId: string, userId: string): string {
    return `${tenantId}:${userId}`;
  }
}
