import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { SEND_LIMIT } from '@twofold/authentication/domain';
import { VELOCITY } from '@twofold/delivery/contracts';
import { APP_CONFIG } from '@twofold/platform/config';
import { DeliveryVelocity, REDIS_CLIENT, SendGate, SlidingWindowLimiter, UserLockout } from '@twofold/platform/queue';
import type { AuthProviderConfig } from '../config';

/**
 * The Redis-held protections of the authentication API (R13, the lockout policy of
 * docs/decisions/0009, the velocity caps of docs/decisions/0019): shared by every replica, keyed
 * per tenant and user, or per tenant and destination.
 */
@Injectable()
export class AuthenticationGuards {
  readonly sends: SlidingWindowLimiter;
  readonly lockout: UserLockout;
  readonly velocity: DeliveryVelocity;
  /** A code send's lockout check and R13 send limit in one Redis round trip. */
  readonly sendGate: SendGate;

  constructor(
    @Inject(REDIS_CLIENT) redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AuthProviderConfig,
  ) {
    this.sends = new SlidingWindowLimiter(redis, {
      name: 'sends',
      limit: SEND_LIMIT.limit,
      windowMs: SEND_LIMIT.windowMs,
    });
    this.lockout = new UserLockout(redis, { name: 'verify' });
    this.sendGate = new SendGate(redis, this.lockout, this.sends);
    this.velocity = new DeliveryVelocity(redis, {
      countryWindowMs: VELOCITY.countryWindowMs,
      prefixWindowMs: VELOCITY.prefixWindowMs,
      prefixDistinctNumbers: config.SMS_PREFIX_BURST_NUMBERS,
      alertEveryMs: 3_600_000,
    });
  }

  /** The tenant's hourly cap per country: its own setting or the default, never above the ceiling. */
  velocityLimit(tenantSetting: number | null): number {
    return Math.min(tenantSetting ?? this.config.SMS_VELOCITY_DEFAULT_PER_HOUR, this.config.SMS_VELOCITY_MAX_PER_HOUR);
  }

  static userKey(tenantId: string, userId: string): string {
    return `${tenantId}:${userId}`;
  }
}
