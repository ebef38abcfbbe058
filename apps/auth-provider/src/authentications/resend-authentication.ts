import { Injectable } from '@nestjs/common';
import { AuthenticationSqlRepository } from '@twofold/authentication/data-access';
import { AuthenticationErrors, gateVerification, usableMethod } from '@twofold/authentication/domain';
import { AuthMethod } from '@twofold/directory/contracts';
import { effectivePolicy } from '@twofold/directory/domain';
import { Clock, DbService } from '@twofold/platform/db';
import { AuthenticationCloser } from './authentication-closer';
import { AuthenticationGuards } from './authentication-guards';
import { AuthenticationView, Caller, STATUS_OF, viewOf } from './authentication-view';
import { CodeDispatcher } from './code-dispatcher';
import { SendAdmission } from './send-admission';

/**
 * R14: a new code, or a switch to another registered method, in the same authentication: no new
 * usage row (R2), the same send limits as a start (R13), and the old code stops working.
 */
@Injectable()
export class ResendAuthentication {
  constructor(
    private readonly db: DbService,
    private readonly clock: Clock,
    private readonly admission: SendAdmission,
    private readonly codes: CodeDispatcher,
    private readonly authentications: AuthenticationSqlRepository,
    private readonly closer: AuthenticationCloser,
  ) {}

  run(caller: Caller, id: string, method: AuthMethod | undefined, correlationId: string): Promise<AuthenticationView> {
    return this.admission.reporting(caller, correlationId, () => this.resend(caller, id, method));
  }

  private resend(caller: Caller, id: string, method: AuthMethod | undefined): Promise<AuthenticationView> {
    return this.db.inTenantSql(caller.tenantId, async (scope) => {
      const now = this.clock.now();
      const locked = await this.authentications.lock(scope, id);
      if (!locked) throw AuthenticationErrors.notFound();
      const { auth, record } = locked;
      const gate = gateVerification(auth, caller.serverId, now);
      if (gate.kind === 'closed') throw AuthenticationErrors.closed(STATUS_OF[auth.status]);
      if (gate.kind === 'deny')
        return viewOf(await this.closer.close(scope, auth, record, { status: gate.status, reason: gate.reason }));
      if (!auth.userId) throw AuthenticationErrors.userNotFound();
      const ctx = await this.authentications.startContext(scope, {
        userId: auth.userId,
        providerId: auth.providerId,
        serverId: auth.serverId,
      });
      const user = ctx.user;
      if (!user) throw AuthenticationErrors.userNotFound();
      const next = method ?? auth.method;
      const phone = usableMethod(
        { ...ctx, enabled: effectivePolicy(ctx.tier, ctx.policy), userPhone: user.phone },
        next,
      );
      let codeHash: string | null = null;
      if (phone) {
        const channel = next as 'sms' | 'voice';
        const userKey = AuthenticationGuards.userKey(caller.tenantId, user.id);
        const country = await this.admission.admit(ctx, scope.tenantId, userKey, channel, phone, now);
        const code = this.codes.newCode();
        codeHash = this.codes.hash(code, id);
        // A provider deleted since the start has no caller id to offer any more.
        const provider = ctx.providers[0] ?? null;
        this.codes.dispatch(scope, auth, channel, { phone, country }, code, provider, ctx.server);
      }
      // The old code stops working: a new hash replaces it (or none, for a method without a sent code).
      const updated = await this.authentications.update(
        scope,
        id,
        { method: next, phone, codeHash, sendsCount: auth.sendsCount + (codeHash ? 1 : 0) },
        { last: true },
      );
      return viewOf(updated);
    });
  }
}
