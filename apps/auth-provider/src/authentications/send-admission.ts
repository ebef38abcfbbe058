import { Injectable, Logger } from '@nestjs/common';
import { StartContext } from '@twofold/authentication/data-access';
import { AuthenticationErrors, decideDestination } from '@twofold/authentication/domain';
import { numberPrefix } from '@twofold/delivery/contracts';
import { DbService } from '@twofold/platform/db';
import { AuditLogRepository } from '@twofold/tenancy/data-access';
import { AuthenticationGuards } from './authentication-guards';
import { Caller } from './authentication-view';

/** A velocity refusal, reported once the refused transaction rolled back. */
interface VelocityRefusal {
  country: string;
  cap: 'country' | 'prefix';
  retryAfterSeconds: number;
  firstAlert: boolean;
}

/**
 * Whether a code may be sent to a number now (docs/decisions/0019), for starts and resends alike:
 * the number's class, the tenant's countries and, for SMS, a sender route, all before anything is
 * written; then the user's lockout with R13's per-user send limit (one Redis script), and the
 * tenant's velocity caps (another: their keys live in the tenant's Redis Cluster slot).
 */
@Injectable()
export class SendAdmission {
  private readonly logger = new Logger(SendAdmission.name);
  /** The refusals `admit` threw, until the use case reports them after its rollback. */
  private readonly refusals = new WeakMap<object, VelocityRefusal>();

  constructor(
    private readonly guards: AuthenticationGuards,
    private readonly db: DbService,
    private readonly audit: AuditLogRepository,
  ) {}

  /** Returns the destination country, or throws the refusal. */
  async admit(
    ctx: Pick<StartContext, 'deliveryCountries' | 'routedCountries' | 'smsVelocityPerHour'>,
    tenantId: string,
    userKey: string,
    channel: 'sms' | 'voice',
    phone: string,
    now: Date,
  ): Promise<string> {
    const destination = decideDestination(phone, channel, {
      allowedCountries: ctx.deliveryCountries,
      routedCountries: ctx.routedCountries,
    });
    if (!destination.ok) throw destination.error;
    // One script: a locked-out user gets no code (docs/decisions/0009), and only then is the send counted (R13).
    const gate = await this.guards.sendGate.hit(userKey, now.getTime());
    if (gate.locked) throw AuthenticationErrors.userLockedOut(gate.locked.retryAfterSeconds);
    if (!gate.send.allowed) throw AuthenticationErrors.sendLimitReached(gate.send.retryAfterSeconds);
    const velocity = await this.guards.velocity.hit(
      {
        tenantId,
        country: destination.country,
        limit: this.guards.velocityLimit(ctx.smsVelocityPerHour),
        prefix: numberPrefix(destination.e164),
        number: destination.e164,
      },
      now.getTime(),
    );
    if (!velocity.allowed) {
      const error = AuthenticationErrors.smsVelocityExceeded(destination.country, velocity.retryAfterSeconds);
      this.refusals.set(error, { country: destination.country, ...velocity });
      throw error;
    }
    return destination.country;
  }

  /**
   * Runs a start or resend; a velocity refusal it met is reported after the rollback: the first of a
   * tenant in an hour gets one audit entry and one alert for operators (an error-level log line with
   * `alert`), never more per hour, whatever an attacker sends.
   */
  async reporting<T>(caller: Caller, correlationId: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      const refusal = typeof error === 'object' && error !== null ? this.refusals.get(error) : undefined;
      if (refusal?.firstAlert) await this.report(caller, refusal, correlationId);
      throw error;
    }
  }

  private async report(caller: Caller, v: VelocityRefusal, correlationId: string): Promise<void> {
    this.logger.error(
      { alert: 'sms_velocity_exceeded', tenantId: caller.tenantId, country: v.country, cap: v.cap },
      'SMS/voice velocity cap reached: possible SMS pumping',
    );
    await this.db
      .inTenant(caller.tenantId, (scope) =>
        this.audit.record(
          scope,
          caller.serverId ? { type: 'mfa_server', serverId: caller.serverId } : { type: 'system', name: 'velocity' },
          {
            action: 'delivery.velocity_exceeded',
            targetType: 'tenant',
            targetId: caller.tenantId,
            correlationId,
            details: { country: v.country, cap: v.cap, retryAfterSeconds: v.retryAfterSeconds },
          },
        ),
      )
      .catch((error: unknown) =>
        this.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'could not audit velocity'),
      );
  }
}
