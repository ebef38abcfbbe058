import { Injectable, Logger } from '@nestjs/common';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import {
  AuthenticationRow,
  AuthenticationSqlRepository,
  ContextProvider,
  ContextServer,
  ContextUser,
  StartContext,
} from '@twofold/authentication/data-access';
import {
  afterWrongCode,
  AuthenticationErrors,
  CODE_DIGITS,
  codesEqual,
  decideDestination,
  DenyReason,
  expiryFor,
  gateVerification,
  generateNumericCode,
  hashCode,
  isCodeDelivered,
  MAX_ATTEMPTS,
  verifyHotp,
  verifyTotp,
} from '@twofold/authentication/domain';
import { UsageOutboxSqlRepository } from '@twofold/billing/data-access';
import { DeliveryView, MessageSqlRepository } from '@twofold/delivery/data-access';
import { numberPrefix } from '@twofold/delivery/contracts';
import { AuthenticatorSqlRepository, DeviceAddress } from '@twofold/directory/data-access';
import {
  effectivePolicy,
  matchAppPassword,
  MAX_APP_PASSWORDS_PER_USER,
  normaliseUserName,
} from '@twofold/directory/domain';
import { SecretBox } from '@twofold/platform/crypto';
import { Clock, DbService, isUuid, newRowId, SqlScope, SqlStatement } from '@twofold/platform/db';
import { QueueProducer } from '@twofold/platform/queue';
import { OathTokenSqlRepository } from '@twofold/tokens/data-access';
import { AuditLogRepository } from '@twofold/tenancy/data-access';
import { KeyDerivation } from '../common/key-derivation';
import { AuthenticationCloser } from './authentication-closer';
import { AuthenticationGuards } from './authentication-guards';
import { codeAad, deviceSecretAad, deviceSeedAad, oathSecretAad } from '@twofold/secrets/contracts';
import { AuthMethod } from '@twofold/directory/contracts';

/** Who calls: a tenant's application (API key) or one of its activated MFA servers (R12). */
export interface Caller {
  tenantId: string;
  serverId: string | null;
  serverProviderId: string | null;
}

export interface StartInput {
  userId?: string;
  userName?: string;
  method?: AuthMethod;
  providerId?: string;
  /** R26: the end user's IP as the calling application saw it. */
  clientIp?: string;
  /** R17: the non-browser client presented the account's normal password (checked by the caller's directory). */
  primaryPassword?: boolean;
}

export interface VerifyInput {
  code?: string;
  /** app_notification: the device's answer, its push token (an address) and its secret (the proof). */
  approve?: boolean;
  deviceToken?: string;
  deviceSecret?: string;
}

/** One SMS or call of an authentication, as GET shows it (docs/decisions/0019). */
export type DeliveryEntry = DeliveryView;

export interface AuthenticationView {
  id: string;
  status: 'pending' | 'approved' | 'denied';
  method: AuthMethod;
  expiresAt: Date;
  reason?: DenyReason;
  /** False while a wrong code still leaves tries (R13). */
  final: boolean;
  attemptsRemaining?: number;
  /** GET, sms/voice: the latest message's outcome, and every message in order (a voice fallback is the second). */
  delivery?: DeliveryEntry | null;
  deliveries?: DeliveryEntry[];
}

/** A velocity refusal inside the start's transaction, reported after it rolled back. */
interface VelocityRefusal {
  country: string;
  cap: 'country' | 'prefix';
  retryAfterSeconds: number;
  firstAlert: boolean;
}

type Check =
  | { ok: true; device?: { id: string; token: string } }
  | { ok: false; reason: DenyReason; final: boolean }
  /** R17: the candidate hashes of an app password, to compute outside the transaction. */
  | { derive: { id: string; passwordHash: string }[] };

/** The app password an earlier pass matched (null: none matched). */
type AppPasswordMatch = { id: string | null };

type Outcome = { userKey: string; success: boolean; failure: boolean };

type VerifyPass =
  | { kind: 'done'; view: AuthenticationView; outcome: Outcome | null }
  | { kind: 'derive'; passwords: { id: string; passwordHash: string }[] };

const STATUS_OF = { pending: 'pending', succeeded: 'approved', denied: 'denied', expired: 'denied' } as const;

export function viewOf(a: AuthenticationRow, override?: Partial<AuthenticationView>): AuthenticationView {
  const reason = (a.status === 'expired' ? 'expired' : a.denyReason) as DenyReason | null;
  return {
    id: a.id,
    status: STATUS_OF[a.status],
    method: a.method,
    expiresAt: a.expiresAt,
    final: a.status !== 'pending',
    ...(reason ? { reason } : {}),
    ...(a.status === 'pending' ? { attemptsRemaining: MAX_ATTEMPTS - a.attempts } : {}),
    ...override,
  };
}

/**
 * The authentication API (R11–R14, R17, R18, R26). Every authentication writes its usage row in
 * the transaction that creates it (R2: resends and method switches do not add one) and ends in
 * exactly one authentication record, written in the statement that closes it.
 *
 * The hot path runs on plain SQL (`DbService.inTenantSql`, docs/decisions/0015): a start is one
 * context read and one statement inserting the authentication with its usage row and message,
 * an SMS/voice verification one statement (docs/decisions/0028), any other one locking read and one
 * statement closing it with its record.
 */
@Injectable()
export class AuthenticationsService {
  private readonly logger = new Logger(AuthenticationsService.name);
  private readonly codePepper: Buffer;

  constructor(
    private readonly db: DbService,
    private readonly clock: Clock,
    private readonly box: SecretBox,
    private readonly producer: QueueProducer,
    private readonly guards: AuthenticationGuards,
    private readonly authentications: AuthenticationSqlRepository,
    private readonly usage: UsageOutboxSqlRepository,
    private readonly messages: MessageSqlRepository,
    private readonly authenticators: AuthenticatorSqlRepository,
    private readonly tokens: OathTokenSqlRepository,
    private readonly closer: AuthenticationCloser,
    private readonly kdf: KeyDerivation,
    private readonly audit: AuditLogRepository,
  ) {
    this.codePepper = box.derive('one-time-code-hash');
  }

  async start(caller: Caller, input: StartInput, correlationId: string): Promise<AuthenticationView> {
    const refusal: { velocity?: VelocityRefusal } = {};
    try {
      return await this.startOnce(caller, input, correlationId, refusal);
    } catch (error) {
      if (refusal.velocity) await this.reportVelocity(caller, refusal.velocity, correlationId);
      throw error;
    }
  }

  private async startOnce(
    caller: Caller,
    input: StartInput,
    correlationId: string,
    refusal: { velocity?: VelocityRefusal },
  ): Promise<AuthenticationView> {
    const outgoing: (() => Promise<void>)[] = [];
    const now = this.clock.now();
    // The lockout check needs only the user id when the caller sent one: ask Redis while Postgres reads.
    const earlyLock = input.userId
      ? this.guards.lockout.check(AuthenticationGuards.userKey(caller.tenantId, input.userId), now.getTime())
      : null;
    earlyLock?.catch(() => undefined); // awaited below; never an unhandled rejection meanwhile
    const view = await this.db.inTenantSql(caller.tenantId, async (scope) => {
      const ctx = await this.authentications.startContext(scope, {
        ...(input.userId ? { userId: input.userId } : { userName: normaliseUserName(input.userName ?? '') }),
        providerId: caller.serverProviderId ?? input.providerId ?? null,
        serverId: caller.serverId,
      });
      const user = ctx.user;
      if (!user) throw AuthenticationErrors.userNotFound();
      const userKey = AuthenticationGuards.userKey(caller.tenantId, user.id);
      const locked = await (earlyLock ?? this.guards.lockout.check(userKey, now.getTime()));
      if (locked.locked) throw AuthenticationErrors.userLockedOut(locked.retryAfterSeconds);

      const provider = this.resolveProvider(scope, caller, input.providerId, ctx.providers);
      const server = caller.serverId ? ctx.server : null;
      const method = (input.method ?? user.defaultMethod) as AuthMethod | null;
      if (!method) throw AuthenticationErrors.noDefaultMethod();
      const phone = this.usableMethod(ctx, user, method);

      const id = newRowId();
      let status: AuthenticationRow['status'] = 'pending';
      let denyReason: DenyReason | null = null;
      // R17: a legacy client that sent the normal password of an MFA-enabled account needs an app password.
      if (method === 'app_password' && input.primaryPassword && user.mfaEnabled) denyReason = 'app_password_required';
      // R18: the app was activated once, but no activation is active any more.
      if ((method === 'app_notification' || method === 'app_code') && ctx.activeDevices === 0) {
        denyReason = 'account_not_activated';
      }
      if (denyReason) status = 'denied';

      let code: string | null = null;
      let country: string | null = null;
      if (phone && status === 'pending') {
        country = await this.admitSend(scope.tenantId, ctx, userKey, method as 'sms' | 'voice', phone, now, refusal);
        code = generateNumericCode(randomBytes, CODE_DIGITS);
      }
      // R2: the usage row, and the message carrying the code, are written in the same statement.
      const message =
        code && phone && country
          ? this.codeMessage(
              scope.tenantId,
              { id, providerId: provider.id, userId: user.id },
              method as 'sms' | 'voice',
              { phone, country },
              code,
              provider,
              server,
            )
          : null;
      const usage = this.usage.authenticationRow(scope.tenantId, {
        authenticationId: id,
        providerId: provider.id,
        occurredAt: now,
      });
      // The last statement of a pending start: COMMIT rides in the same write (nothing after it can fail).
      if (status === 'pending') scope.commitWithNext();
      const auth = await this.authentications.create(
        scope,
        {
          id,
          providerId: provider.id,
          serverId: server?.id ?? null,
          userId: user.id,
          userName: user.userName,
          method,
          status,
          codeHash: code ? hashCode(code, this.codePepper, id) : null,
          sendsCount: code ? 1 : 0,
          phone,
          deviceActivationId: null,
          expiresAt: expiryFor(now, server),
          denyReason,
          clientIp: input.clientIp ?? null,
          correlationId,
          completedAt: status === 'pending' ? null : now,
        },
        message ? [usage, message.statement] : [usage],
      );
      if (message) outgoing.push(message.send);
      if (message) this.guards.rememberUser(scope.tenantId, id, user.id, auth.expiresAt, now);
      if (status !== 'pending') {
        scope.commitWithNext();
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
        );
      }
      return viewOf(auth);
    });
    await this.flush(outgoing);
    return view;
  }

  async verify(caller: Caller, id: string, input: VerifyInput): Promise<AuthenticationView> {
    const quick = await this.verifyCodeInOneStatement(caller, id, input);
    if (quick) return quick;
    let matched: AppPasswordMatch | undefined;
    for (;;) {
      const pass = await this.verifyPass(caller, id, input, matched);
      if (pass.kind === 'done') {
        const o = pass.outcome;
        if (o?.success) await this.guards.lockout.recordSuccess(o.userKey);
        if (o?.failure) await this.guards.lockout.recordFailure(o.userKey, this.clock.now().getTime());
        return pass.view;
      }
      // R17: the app password's hashes are computed between two transactions, never while the
      // authentication's row lock (or a connection) is held, in the bounded pool (docs/decisions/0020).
      const candidates = pass.passwords;
      const code = input.code ?? '';
      matched = {
        id: await this.kdf.appPasswords.run(caller.tenantId, () => matchAppPassword(code, candidates)),
      };
    }
  }

  /**
   * SMS/voice in one statement, BEGIN and COMMIT pipelined around it (docs/decisions/0028): the
   * user's lockout is asked before, by the user the start remembered, so no row lock waits on Redis;
   * the statement checks the row is that user's. Null: take the two-step path (no remembered user,
   * another method, or a locked user, whom the two-step path answers exactly as before).
   */
  private async verifyCodeInOneStatement(
    caller: Caller,
    rawId: string,
    input: VerifyInput,
  ): Promise<AuthenticationView | null> {
    const id = rawId.toLowerCase();
    if (!isUuid(id)) return null;
    const userSubject = await this.guards.userOf(caller.tenantId, id);
    if (userSubject === null) return null;
    const userKey = AuthenticationGuards.userKey(caller.tenantId, userSubject);
    const now = this.clock.now();
    if ((await this.guards.lockout.peek(userKey, now.getTime())).locked) return null;
    const result = await this.db.inTenantSql(caller.tenantId, (scope) =>
      this.closer.closeByCode(scope, {
        id,
        now,
        callerServerId: caller.serverId,
        userSubject,
        codeHash: input.code ? hashCode(input.code, this.codePepper, id) : null,
      }),
    );
    if (!result) throw AuthenticationErrors.notFound();
    const { outcome, auth } = result;
    switch (outcome) {
      case 'fallback':
        return null;
      case 'closed':
      case 'wrong_server':
      case 'expired':
        return viewOf(auth);
      case 'success':
        await this.guards.lockout.recordSuccess(userKey);
        return viewOf(auth);
      case 'too_many_attempts':
        await this.guards.lockout.recordFailure(userKey, this.clock.now().getTime());
        return viewOf(auth);
      case 'invalid_code':
        await this.guards.lockout.recordFailure(userKey, this.clock.now().getTime());
        return viewOf(auth, { status: 'denied', reason: 'invalid_code', final: false });
    }
  }

  /**
   * One locked pass of a verification. An app password needs two: the first reads the candidate
   * hashes and releases the lock, the second (with the match) decides.
   */
  private verifyPass(
    caller: Caller,
    id: string,
    input: VerifyInput,
    matched: AppPasswordMatch | undefined,
  ): Promise<VerifyPass> {
    return this.db.inTenantSql(caller.tenantId, async (scope): Promise<VerifyPass> => {
      const now = this.clock.now();
      const locked = await this.authentications.lock(scope, id);
      if (!locked) throw AuthenticationErrors.notFound();
      const { auth, record } = locked;
      const done = (view: AuthenticationView, outcome: Outcome | null = null): VerifyPass => ({
        kind: 'done',
        view,
        outcome,
      });
      const gate = gateVerification(auth, caller.serverId, now);
      if (gate.kind === 'closed') return done(viewOf(auth));
      if (gate.kind === 'deny')
        return done(viewOf(await this.closer.close(scope, auth, record, { status: gate.status, reason: gate.reason })));
      const userKey = AuthenticationGuards.userKey(caller.tenantId, auth.userId ?? auth.userName);
      const lockout = await this.guards.lockout.check(userKey, now.getTime());
      if (lockout.locked) throw AuthenticationErrors.userLockedOut(lockout.retryAfterSeconds);

      const check = await this.check(scope, auth, input, now, matched);
      if ('derive' in check) return { kind: 'derive', passwords: check.derive };
      if (check.ok) {
        const device = check.device ?? null;
        return done(
          viewOf(
            await this.closer.close(
              scope,
              { ...auth, deviceActivationId: device?.id ?? auth.deviceActivationId },
              record,
              { status: 'succeeded', reason: null },
              device?.token ?? null,
            ),
          ),
          { userKey, success: true, failure: false },
        );
      }
      if (check.final)
        return done(viewOf(await this.closer.close(scope, auth, record, { status: 'denied', reason: check.reason })));
      const failure: Outcome = { userKey, success: false, failure: true };
      const next = afterWrongCode(auth.attempts);
      if (next.final)
        return done(
          viewOf(
            await this.closer.close(scope, auth, record, {
              status: 'denied',
              reason: next.reason,
              attempts: next.attempts,
            }),
          ),
          failure,
        );
      scope.commitWithNext();
      const updated = await this.authentications.update(scope, id, { attempts: next.attempts });
      return done(viewOf(updated, { status: 'denied', reason: 'invalid_code', final: false }), failure);
    });
  }

  /** R14: send a new code, or switch to another registered method, in the same authentication. */
  async resend(
    caller: Caller,
    id: string,
    method: AuthMethod | undefined,
    correlationId = `resend:${id}`,
  ): Promise<AuthenticationView> {
    const refusal: { velocity?: VelocityRefusal } = {};
    try {
      return await this.resendOnce(caller, id, method, refusal);
    } catch (error) {
      if (refusal.velocity) await this.reportVelocity(caller, refusal.velocity, correlationId);
      throw error;
    }
  }

  private async resendOnce(
    caller: Caller,
    id: string,
    method: AuthMethod | undefined,
    refusal: { velocity?: VelocityRefusal },
  ): Promise<AuthenticationView> {
    const outgoing: (() => Promise<void>)[] = [];
    const view = await this.db.inTenantSql(caller.tenantId, async (scope) => {
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
      const phone = this.usableMethod(ctx, user, next);
      let code: string | null = null;
      let country: string | null = null;
      if (phone) {
        const userKey = AuthenticationGuards.userKey(caller.tenantId, user.id);
        country = await this.admitSend(scope.tenantId, ctx, userKey, next as 'sms' | 'voice', phone, now, refusal);
        code = generateNumericCode(randomBytes, CODE_DIGITS);
      }
      // The old code stops working: a new hash replaces it (or none, for a method without a sent code).
      const updated = await this.authentications.update(scope, id, {
        method: next,
        phone,
        codeHash: code ? hashCode(code, this.codePepper, id) : null,
        sendsCount: auth.sendsCount + (code ? 1 : 0),
      });
      if (code && phone && country) {
        // A provider deleted since the start has no caller id to offer any more.
        const provider = ctx.providers[0] ?? null;
        const message = this.codeMessage(
          scope.tenantId,
          updated,
          next as 'sms' | 'voice',
          { phone, country },
          code,
          provider,
          ctx.server,
        );
        await scope.query(message.statement.text, message.statement.values);
        outgoing.push(message.send);
      }
      return viewOf(updated);
    });
    await this.flush(outgoing);
    return view;
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

  // --- internals -------------------------------------------------------------------------------

  /**
   * Whether a code may be sent to `phone` now (docs/decisions/0019): the number's class, the
   * tenant's countries and, for SMS, a sender route, all before anything is written; then R13's
   * per-user limit and the tenant's velocity caps. Returns the destination country.
   */
  private async admitSend(
    tenantId: string,
    ctx: StartContext,
    userKey: string,
    channel: 'sms' | 'voice',
    phone: string,
    now: Date,
    refusal: { velocity?: VelocityRefusal },
  ): Promise<string> {
    const destination = decideDestination(phone, channel, {
      allowedCountries: ctx.deliveryCountries,
      routedCountries: ctx.routedCountries,
    });
    if (!destination.ok) throw destination.error;
    const sent = await this.guards.sends.hit(userKey, now.getTime());
    if (!sent.allowed) throw AuthenticationErrors.sendLimitReached(sent.retryAfterSeconds);
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
      refusal.velocity = { country: destination.country, ...velocity };
      throw AuthenticationErrors.smsVelocityExceeded(destination.country, velocity.retryAfterSeconds);
    }
    return destination.country;
  }

  /**
   * The first velocity refusal of a tenant in an hour: one audit entry for the tenant and one alert
   * for operators (an error-level log line with `alert`), never more per hour, whatever an attacker sends.
   */
  private async reportVelocity(caller: Caller, v: VelocityRefusal, correlationId: string): Promise<void> {
    if (!v.firstAlert) return;
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

  /** R7, R12: the caller's provider among those the context read loaded. */
  private resolveProvider(
    scope: SqlScope,
    caller: Caller,
    requested: string | undefined,
    loaded: ContextProvider[],
  ): ContextProvider {
    if (caller.serverProviderId) {
      if (requested && requested !== caller.serverProviderId) throw AuthenticationErrors.providerNotFound();
      const p = loaded.find((x) => x.id === caller.serverProviderId);
      if (!p) throw AuthenticationErrors.providerNotFound();
      return p;
    }
    if (requested) {
      const p = loaded.find((x) => x.id === requested);
      // R7: a provider without a tenant link serves only MFA servers.
      if (!p || p.linkedTenantId !== scope.tenantId) throw AuthenticationErrors.providerNotFound();
      return p;
    }
    if (loaded.length === 0) throw AuthenticationErrors.noProvider();
    if (loaded.length > 1) throw AuthenticationErrors.providerRequired();
    return loaded[0] as ContextProvider;
  }

  /**
   * R9, R20, R11: the tenant allows the method and the user has registered it. Returns the number
   * an SMS/voice code goes to (the method's own, else the user's), null for other methods.
   */
  private usableMethod(ctx: StartContext, user: ContextUser, method: AuthMethod): string | null {
    if (ctx.tier === 'free' && isCodeDelivered(method)) throw AuthenticationErrors.freeTierMethodNotAllowed(method);
    const policy = effectivePolicy(ctx.tier, ctx.policy as { method: AuthMethod; enabled: boolean }[]);
    if (!policy[method as AuthMethod]) {
      if (ctx.tier === 'free') throw AuthenticationErrors.freeTierMethodNotAllowed(method);
      throw AuthenticationErrors.methodDisabled(method);
    }
    if (method === 'app_password') {
      // R17: only while the tenant allows app passwords; then decided per sign-in, registered or not.
      if (!ctx.appPasswordsAllowed) throw AuthenticationErrors.appPasswordsNotAllowed();
      return null;
    }
    const registered = ctx.methods.find((m) => m.method === method);
    if (!registered) throw AuthenticationErrors.methodNotRegistered(method);
    if (!isCodeDelivered(method)) return null;
    const phone = registered.phone ?? user.phone;
    if (!phone) throw AuthenticationErrors.noPhoneNumber();
    return phone;
  }

  /**
   * The queued message row (written by the caller's statement) and the job that carries the
   * sealed code, sent to Redis only after commit.
   */
  private codeMessage(
    tenantId: string,
    auth: Pick<AuthenticationRow, 'id' | 'providerId' | 'userId'>,
    channel: 'sms' | 'voice',
    to: { phone: string; country: string },
    code: string,
    provider: Pick<ContextProvider, 'voiceCallerId'> | null,
    server: Pick<ContextServer, 'voiceCallerId'> | null,
  ): { statement: SqlStatement; send: () => Promise<void> } {
    const messageId = newRowId();
    const sealed = this.box.seal(Buffer.from(code, 'utf8'), codeAad(tenantId, messageId));
    const sealedCode = { keyId: sealed.keyId, ciphertext: sealed.ciphertext.toString('base64') };
    const callerId = channel === 'voice' ? (server?.voiceCallerId ?? provider?.voiceCallerId ?? null) : null;
    // The row is the outbox (docs/decisions/0019): it keeps the sealed code, so the job can be
    // enqueued again by the delivery sweeper if the enqueue after commit fails.
    const statement = this.messages.queued(tenantId, {
      id: messageId,
      authenticationId: auth.id,
      providerId: auth.providerId,
      userId: auth.userId,
      channel,
      toPhone: to.phone,
      country: to.country,
      code: sealedCode,
      callerId,
    });
    const base = {
      tenantId,
      idempotencyKey: messageId,
      authenticationId: auth.id,
      messageId,
      code: sealedCode,
    };
    const send =
      channel === 'sms'
        ? () => this.producer.enqueue('delivery.sms', { type: 'delivery.sms.send', ...base })
        : () =>
            this.producer.enqueue('delivery.voice', {
              type: 'delivery.voice.call',
              ...base,
              callerId,
            });
    return { statement, send };
  }

  /**
   * Jobs go out after commit; a failure leaves the message `queued` with its sealed code, and the
   * delivery worker's outbox sweeper enqueues it a few seconds later (docs/decisions/0019).
   */
  private async flush(outgoing: (() => Promise<void>)[]): Promise<void> {
    for (const send of outgoing) {
      await send().catch((error: unknown) =>
        this.logger.error(
          { err: error instanceof Error ? error.message : String(error) },
          'could not enqueue a delivery job',
        ),
      );
    }
  }

  private async check(
    scope: SqlScope,
    auth: AuthenticationRow,
    input: VerifyInput,
    now: Date,
    matched: AppPasswordMatch | undefined,
  ): Promise<Check> {
    const userId = auth.userId as string;
    switch (auth.method) {
      case 'sms':
      case 'voice': {
        const ok =
          !!input.code && !!auth.codeHash && codesEqual(hashCode(input.code, this.codePepper, auth.id), auth.codeHash);
        return ok ? { ok: true } : { ok: false, reason: 'invalid_code', final: false };
      }
      case 'app_code': {
        const devices = await this.authenticators.activeDeviceSecrets(scope, userId);
        if (devices.length === 0) return { ok: false, reason: 'account_not_activated', final: true };
        for (const d of devices) {
          const seed = this.box.open(d.keyId, d.seedCiphertext, deviceSeedAad(scope.tenantId, userId, d.id));
          const r = verifyTotp({
            secret: seed,
            code: input.code ?? '',
            timeMs: now.getTime(),
            period: 30,
            digits: 6,
            algorithm: 'SHA1',
            window: 1,
            lastUsedStep: d.lastUsedStep,
          });
          if (r.ok && (await this.authenticators.useDeviceStep(scope, d.id, r.step)))
            return { ok: true, device: { id: d.id, token: d.deviceToken } };
        }
        return { ok: false, reason: 'invalid_code', final: false };
      }
      case 'oath_token': {
        for (const t of await this.tokens.assignedSecrets(scope, userId, now)) {
          const secret = this.box.open(t.keyId, t.secretCiphertext, oathSecretAad(scope.tenantId, t.id));
          const options = { algorithm: t.algorithm, digits: t.digits as 6 | 7 | 8 };
          if (t.type === 'totp') {
            const r = verifyTotp({
              ...options,
              secret,
              code: input.code ?? '',
              timeMs: now.getTime(),
              period: t.period as 30 | 60,
              window: 1,
              lastUsedStep: t.lastUsedStep,
            });
            if (r.ok && (await this.tokens.useStep(scope, t.id, r.step))) return { ok: true };
          } else {
            const r = verifyHotp({ ...options, secret, code: input.code ?? '', counter: t.counter });
            if (r.ok && (await this.tokens.advanceCounter(scope, t.id, t.counter, r.nextCounter))) return { ok: true };
          }
        }
        return { ok: false, reason: 'invalid_code', final: false };
      }
      case 'app_password': {
        if (!matched) {
          // R17: a tenant that stopped allowing app passwords refuses them at once, at no scrypt cost.
          const { allowed, passwords } = await this.authenticators.appPasswordCandidates(
            scope,
            userId,
            MAX_APP_PASSWORDS_PER_USER,
          );
          if (!allowed) return { ok: false, reason: 'app_passwords_not_allowed', final: true };
          if (!input.code || passwords.length === 0) return { ok: false, reason: 'invalid_code', final: false };
          return { derive: passwords };
        }
        // The setting, or the matched password, may have changed while the hashes were computed.
        const use = await this.authenticators.useAppPassword(scope, matched.id, now);
        if (!use.allowed) return { ok: false, reason: 'app_passwords_not_allowed', final: true };
        return use.used ? { ok: true } : { ok: false, reason: 'invalid_code', final: false };
      }
      case 'app_notification': {
        // The push token only says which device answers; its secret proves the answer (issue 15
        // item 10). Approving and denying both need it: a token seen in a report can do neither.
        const device = input.deviceToken
          ? await this.authenticators.deviceByToken(scope, userId, input.deviceToken)
          : null;
        if (!device || typeof input.approve !== 'boolean' || !this.deviceSecretMatches(scope, userId, device, input))
          return { ok: false, reason: 'invalid_code', final: false };
        if (!device.active) return { ok: false, reason: 'account_not_activated', final: true };
        return input.approve
          ? { ok: true, device: { id: device.id, token: input.deviceToken as string } }
          : { ok: false, reason: 'denied_by_user', final: true };
      }
    }
  }

  /** Constant time. An activation made before device secrets has none: it cannot answer (re-activate). */
  private deviceSecretMatches(scope: SqlScope, userId: string, device: DeviceAddress, input: VerifyInput): boolean {
    if (!device.secretCiphertext || !input.deviceSecret) return false;
    const stored = this.box.open(
      device.keyId,
      device.secretCiphertext,
      deviceSecretAad(scope.tenantId, userId, device.id),
    );
    const given = Buffer.from(input.deviceSecret, 'utf8');
    return given.length === stored.length && timingSafeEqual(given, stored);
  }
}
