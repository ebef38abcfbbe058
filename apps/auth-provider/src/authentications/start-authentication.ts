import { Injectable } from '@nestjs/common';
import { AuthenticationRow, AuthenticationSqlRepository } from '@twofold/authentication/data-access';
import {
  AuthenticationErrors,
  chooseProvider,
  decideStart,
  expiryFor,
  isCodeDelivered,
  usableMethod,
} from '@twofold/authentication/domain';
import { UsageOutboxSqlRepository } from '@twofold/billing/data-access';
import { AuthMethod } from '@twofold/directory/contracts';
import { effectivePolicy, normaliseUserName } from '@twofold/directory/domain';
import { Clock, DbService, newRowId } from '@twofold/platform/db';
import { AuthenticationCloser } from './authentication-closer';
import { AuthenticationGuards } from './authentication-guards';
import { AuthenticationView, Caller, StartInput, viewOf } from './authentication-view';
import { CodeDispatcher } from './code-dispatcher';
import { SendAdmission } from './send-admission';

/**
 * Starts an authentication (R7, R9, R11–R13, R17, R18, R20, R26). One context read, then one
 * statement that inserts the authentication carrying its usage row (R2: written with the
 * authentication, so a start is billed once whatever happens next) and, for sms/voice, its queued
 * message; COMMIT rides with it. A start denied at once (R17, R18) also writes its record.
 */
@Injectable()
export class StartAuthentication {
  constructor(
    private readonly db: DbService,
    private readonly clock: Clock,
    private readonly guards: AuthenticationGuards,
    private readonly admission: SendAdmission,
    private readonly codes: CodeDispatcher,
    private readonly authentications: AuthenticationSqlRepository,
    private readonly usage: UsageOutboxSqlRepository,
    private readonly closer: AuthenticationCloser,
  ) {}

  run(caller: Caller, input: StartInput, correlationId: string): Promise<AuthenticationView> {
    return this.admission.reporting(caller, correlationId, () => this.start(caller, input, correlationId));
  }

  private async start(caller: Caller, input: StartInput, correlationId: string): Promise<AuthenticationView> {
    const now = this.clock.now();
    // A start that sends no code checks the lockout alone; with the user id and such a method in the
    // request, Redis is asked while PostgreSQL reads. A code send checks it with its send limit.
    const earlyLock =
      input.userId && input.method && !isCodeDelivered(input.method)
        ? this.guards.lockout.check(AuthenticationGuards.userKey(caller.tenantId, input.userId), now.getTime())
        : null;
    earlyLock?.catch(() => undefined); // awaited below; never an unhandled rejection meanwhile
    return this.db.inTenantSql(caller.tenantId, async (scope) => {
      const ctx = await this.authentications.startContext(scope, {
        ...(input.userId ? { userId: input.userId } : { userName: normaliseUserName(input.userName ?? '') }),
        providerId: caller.serverProviderId ?? input.providerId ?? null,
        serverId: caller.serverId,
      });
      const user = ctx.user;
      if (!user) throw AuthenticationErrors.userNotFound();
      const userKey = AuthenticationGuards.userKey(caller.tenantId, user.id);
      const provider = chooseProvider(scope.tenantId, caller, input.providerId, ctx.providers);
      const server = caller.serverId ? ctx.server : null;
      const method = (input.method ?? user.defaultMethod) as AuthMethod | null;
      if (!method) throw AuthenticationErrors.noDefaultMethod();
      const phone = usableMethod(
        { ...ctx, enabled: effectivePolicy(ctx.tier, ctx.policy), userPhone: user.phone },
        method,
      );
      const decision = decideStart({
        method,
        primaryPassword: input.primaryPassword === true,
        mfaEnabled: user.mfaEnabled,
        activeDevices: ctx.activeDevices,
      });

      const sends = phone !== null && decision.status === 'pending';
      if (!sends) {
        const locked = await (earlyLock ?? this.guards.lockout.check(userKey, now.getTime()));
        if (locked.locked) throw AuthenticationErrors.userLockedOut(locked.retryAfterSeconds);
      }

      const id = newRowId();
      let codeHash: string | null = null;
      if (phone && sends) {
        const channel = method as 'sms' | 'voice';
        const country = await this.admission.admit(ctx, scope.tenantId, userKey, channel, phone, now);
        const code = this.codes.newCode();
        codeHash = this.codes.hash(code, id);
        this.codes.dispatch(
          scope,
          { id, providerId: provider.id, userId: user.id },
          channel,
          { phone, country },
          code,
          provider,
          server,
        );
      }
      // R2: the usage row rides in the statement that creates the authentication.
      this.usage.attachAuthentication(scope, { authenticationId: id, providerId: provider.id, occurredAt: now });
      const denied = decision.status === 'denied' ? decision : null;
      const auth: AuthenticationRow = await this.authentications.create(
        scope,
        {
          id,
          providerId: provider.id,
          serverId: server?.id ?? null,
          userId: user.id,
          userName: user.userName,
          method,
          status: decision.status,
          codeHash,
          sendsCount: codeHash ? 1 : 0,
          phone,
          deviceActivationId: null,
          expiresAt: expiryFor(now, server),
          denyReason: denied?.reason ?? null,
          clientIp: input.clientIp ?? null,
          correlationId,
          completedAt: denied ? now : null,
        },
        { last: !denied },
      );
      // Verify asks the user's lockout before its one statement (docs/decisions/0028): the start
      // remembers whose authentication this is, before the code's job can be enqueued after commit.
      if (codeHash) this.guards.rememberUser(scope.tenantId, id, user.id, auth.expiresAt, now);
      if (denied) {
        // R26: a start denied at once has its record too, written last.
        await this.authentications.writeRecord(
          scope,
          this.closer.recordOf(auth, {
            firstName: user.firstName,
            lastName: user.lastName,
            email: user.email,
            recordFields: provider.recordFields,
            serverName: server?.name ?? null,
            serverIp: server?.ipAddress ?? null,
            dataRegion: ctx.dataRegion,
            deliveryStatus: null,
          }),
          { last: true },
        );
      }
      return viewOf(auth);
    });
  }
}
