import { Inject, Injectable, Logger } from '@nestjs/common';
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
  private readonly logger = new Logger(AuthenticationGuards.name);
  readonly sends: SlidingWindowLimiter;
  readonly lockout: UserLockout;
  readonly velocity: DeliveryVelocity;
  /** A code send's lockout check and R13 send limit in one Redis round trip. */
  readonly sendGate: SendGate;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
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

  /**
   * docs/decisions/0028: which user an SMS/voice authentication belongs to, kept until it expires,
   * so a verification can ask for the user's lockout before its one statement locks the row. Not
   * awaited: a verification that finds no entry (not yet written, Redis lost it) takes the two-step
   * path. Commands on one connection run in order, so this process's next verification finds it.
   */
  rememberUser(tenantId: string, authenticationId: string, userSubject: string, expiresAt: Date, now: Date): void {
    const ttlMs = Math.max(1000, expiresAt.getTime() - now.getTime());
    this.redis
      .set(AuthenticationGuards.userOfKey(tenantId, authenticationId), userSubject, 'PX', ttlMs)
      .catch((error: unknown) =>
        this.logger.warn(
          { err: error instanceof Error ? error.message : String(error) },
          'could not remember the user',
        ),
      );
  }

  /** The user (`userId ?? userName`) `rememberUser` kept for the authentication, or null. */
  async userOf(tenantId: string, authenticationId: string): Promise<string | null> {
    return this.redis.get(AuthenticationGuards.userOfKey(tenantId, authenticationId));
  }

  /** One key per authentication; the subject is the hash tag (docs/decisions/0009). */
  private static userOfKey(tenantId: string, authenticationId: string): string {
    return `auth-user:{${tenantId}:${authenticationId}}`;
  }

  static userKey(tenantId: string, userId: string): string {
    return `${tenantId}:${userId}`;
  }
}
