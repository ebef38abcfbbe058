import { Injectable } from '@nestjs/common';
import { AuthenticationSqlRepository } from '@twofold/authentication/data-access';
import { AuthenticationErrors, isCodeDelivered } from '@twofold/authentication/domain';
import { MessageSqlRepository } from '@twofold/delivery/data-access';
import { AuthMethod } from '@twofold/directory/contracts';
import { Clock, DbService } from '@twofold/platform/db';
import { AuthenticationCloser } from './authentication-closer';
import { AuthenticationView, Caller, StartInput, VerifyInput, viewOf } from './authentication-view';
import { ResendAuthentication } from './resend-authentication';
import { StartAuthentication } from './start-authentication';
import { VerifyAuthentication } from './verify-authentication';

export type { AuthenticationView, Caller, DeliveryEntry, StartInput, VerifyInput } from './authentication-view';
export { viewOf } from './authentication-view';

/**
 * The authentication API (R11–R14, R17, R18, R26): its entry points. Starting, verifying and
 * resending are use cases of their own (start-authentication.ts, verify-authentication.ts,
 * resend-authentication.ts); reading one and closing the expired ones live here.
 *
 * The hot path runs on plain SQL (`DbService.inTenantSql`, docs/decisions/0015, 0016): a start is
 * one context read and one statement inserting the authentication with its usage row and message,
 * a verification one locking read and one statement closing it with its record.
 */
@Injectable()
export class AuthenticationsService {
  constructor(
    private readonly db: DbService,
    private readonly clock: Clock,
    private readonly authentications: AuthenticationSqlRepository,
    private readonly messages: MessageSqlRepository,
    private readonly closer: AuthenticationCloser,
    private readonly starting: StartAuthentication,
    private readonly verifying: VerifyAuthentication,
    private readonly resending: ResendAuthentication,
  ) {}

  start(caller: Caller, input: StartInput, correlationId: string): Promise<AuthenticationView> {
    return this.starting.run(caller, input, correlationId);
  }

  verify(caller: Caller, id: string, input: VerifyInput): Promise<AuthenticationView> {
    return this.verifying.run(caller, id, input);
  }

  resend(
    caller: Caller,
    id: string,
    method: AuthMethod | undefined,
    correlationId = `resend:${id}`,
  ): Promise<AuthenticationView> {
    return this.resending.run(caller, id, method, correlationId);
  }

  /** The authentication, and for sms/voice every delivery outcome so far (docs/decisions/0019). */
  async get(caller: Caller, id: string): Promise<AuthenticationView> {
    return this.db.inTenantSql(caller.tenantId, async (scope) => {
      const found = await this.authentications.find(scope, id);
      if (!found) throw AuthenticationErrors.notFound();
      let auth = found;
      if (found.status === 'pending' && this.clock.now().getTime() >= found.expiresAt.getTime()) {
        const locked = await this.authentications.lock(scope, id);
        if (locked?.auth.status === 'pending') {
          // COMMIT rides with the deliveries read below, the transaction's last statement.
          auth = await this.closer.close(
            scope,
            locked.auth,
            locked.record,
            { status: 'expired', reason: 'expired' },
            null,
            false,
          );
        } else auth = locked?.auth ?? found;
      }
      if (!isCodeDelivered(auth.method) && auth.sendsCount === 0) return viewOf(auth);
      scope.commitWithNext();
      const deliveries = await this.messages.ofAuthentication(scope, id);
      return viewOf(auth, { delivery: deliveries[deliveries.length - 1] ?? null, deliveries });
    });
  }

  /** Closes pending authentications nobody came back for (each in its tenant's scope). */
  async sweepExpired(limit = 500): Promise<number> {
    const due = await this.authentications.expiredPending(this.db, limit);
    let closed = 0;
    for (const { tenantId, id } of due) {
      await this.db.inTenantSql(tenantId, async (scope) => {
        const locked = await this.authentications.lock(scope, id);
        if (locked?.auth.status === 'pending' && this.clock.now().getTime() >= locked.auth.expiresAt.getTime()) {
          await this.closer.close(scope, locked.auth, locked.record, { status: 'expired', reason: 'expired' });
          closed += 1;
        }
      });
    }
    return closed;
  }
}
