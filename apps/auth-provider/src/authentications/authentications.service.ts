import { Injectable, Logger } from '@nestjs/common';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  AuthenticationRecordRepository,
  AuthenticationRepository,
  AuthenticationRow,
} from '@twofold/authentication/data-access';
import {
  afterWrongCode,
  AuthenticationErrors,
  AuthMethodName,
  CODE_DIGITS,
  codesEqual,
  DenyReason,
  expiryFor,
  gateVerification,
  generateNumericCode,
  hashCode,
  isCodeDelivered,
  keepOnly,
  MAX_ATTEMPTS,
  verifyHotp,
  verifyTotp,
} from '@twofold/authentication/domain';
import { UsageOutboxRepository } from '@twofold/billing/data-access';
import { MessageRepository } from '@twofold/delivery/data-access';
import { codeAad } from '@twofold/delivery/contracts';
import {
  AppPasswordRepository,
  DeviceActivationRepository,
  MethodPolicyRepository,
  MethodRepository,
  UserRepository,
  UserRow,
} from '@twofold/directory/data-access';
import {
  AuthMethodCode,
  deviceSeedAad,
  effectivePolicy,
  normaliseUserName,
  verifyAppPassword,
} from '@twofold/directory/domain';
import { SecretBox } from '@twofold/platform/crypto';
import { Clock, DbService, TenantScope } from '@twofold/platform/db';
import { QueueProducer } from '@twofold/platform/queue';
import { MfaServerRepository, MfaServerRow, ProviderRepository, ProviderRow } from '@twofold/providers/data-access';
import { mergeRecordFields, RecordFieldSettings } from '@twofold/providers/domain';
import { TenantRepository } from '@twofold/tenancy/data-access';
import { OathTokenRepository, oathSecretAad } from '@twofold/tokens/data-access';
import { AuthenticationGuards } from './authentication-guards';

/** Who calls: a tenant's application (API key) or one of its activated MFA servers (R12). */
export interface Caller {
  tenantId: string;
  serverId: string | null;
  serverProviderId: string | null;
}

export interface StartInput {
  userId?: string;
  userName?: string;
  method?: AuthMethodName;
  providerId?: string;
  /** R26: the end user's IP as the calling application saw it. */
  clientIp?: string;
  /** R17: the non-browser client presented the account's normal password (checked by the caller's directory). */
  primaryPassword?: boolean;
}

export interface VerifyInput {
  code?: string;
  /** app_notification: the device's answer, with its push token. */
  approve?: boolean;
  deviceToken?: string;
}

export interface AuthenticationView {
  id: string;
  status: 'pending' | 'approved' | 'denied';
  method: AuthMethodName;
  expiresAt: Date;
  reason?: DenyReason;
  /** False while a wrong code still leaves tries (R13). */
  final: boolean;
  attemptsRemaining?: number;
}

type Check = { ok: true; deviceActivationId?: string } | { ok: false; reason: DenyReason; final: boolean };

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
 * exactly one authentication record, written in the transaction that closes it.
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
    private readonly authentications: AuthenticationRepository,
    private readonly records: AuthenticationRecordRepository,
    private readonly usage: UsageOutboxRepository,
    private readonly messages: MessageRepository,
    private readonly users: UserRepository,
    private readonly methods: MethodRepository,
    private readonly policy: MethodPolicyRepository,
    private readonly devices: DeviceActivationRepository,
    private readonly appPasswords: AppPasswordRepository,
    private readonly tokens: OathTokenRepository,
    private readonly providers: ProviderRepository,
    private readonly servers: MfaServerRepository,
    private readonly tenants: TenantRepository,
  ) {
    this.codePepper = box.derive('one-time-code-hash');
  }

  async start(caller: Caller, input: StartInput, correlationId: string): Promise<AuthenticationView> {
    const outgoing: (() => Promise<void>)[] = [];
    const view = await this.db.inTenant(caller.tenantId, async (scope) => {
      const now = this.clock.now();
      const user = input.userId
        ? await this.users.find(scope, input.userId)
        : await this.users.findByUserName(scope, normaliseUserName(input.userName ?? ''));
      if (!user) throw AuthenticationErrors.userNotFound();
      const userKey = AuthenticationGuards.userKey(caller.tenantId, user.id);
      const locked = await this.guards.lockout.check(userKey, now.getTime());
      if (locked.locked) throw AuthenticationErrors.userLockedOut(locked.retryAfterSeconds);

      const provider = await this.resolveProvider(scope, caller, input.providerId);
      const server = caller.serverId ? await this.servers.find(scope, caller.serverId) : null;
      const method = (input.method ?? user.defaultMethod) as AuthMethodName | null;
      if (!method) throw AuthenticationErrors.noDefaultMethod();
      const phone = await this.usableMethod(scope, user, method);

      const id = randomUUID();
      let status: AuthenticationRow['status'] = 'pending';
      let denyReason: DenyReason | null = null;
      // R17: a legacy client that sent the normal password of an MFA-enabled account needs an app password.
      if (method === 'app_password' && input.primaryPassword && user.mfaEnabled) denyReason = 'app_password_required';
      // R18: the app was activated once, but no activation is active any more.
      if (
        (method === 'app_notification' || method === 'app_code') &&
        (await this.devices.countActive(scope, user.id)) === 0
      ) {
        denyReason = 'account_not_activated';
      }
      if (denyReason) status = 'denied';

      let code: string | null = null;
      if (phone && status === 'pending') {
        const sent = await this.guards.sends.hit(userKey, now.getTime());
        if (!sent.allowed) throw AuthenticationErrors.sendLimitReached(sent.retryAfterSeconds);
        code = generateNumericCode(randomBytes, CODE_DIGITS);
      }
      const auth = await this.authentications.create(scope, {
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
      });
      await this.usage.recordAuthentication(scope, { authenticationId: id, providerId: provider.id, occurredAt: now });
      if (code && phone)
        outgoing.push(await this.queueCode(scope, auth, method as 'sms' | 'voice', phone, code, provider, server));
      if (status !== 'pending') await this.writeRecord(scope, auth, provider, server, user);
      return viewOf(auth);
    });
    await this.flush(outgoing);
    return view;
  }

  async verify(caller: Caller, id: string, input: VerifyInput): Promise<AuthenticationView> {
    let outcome: { userKey: string; success: boolean; failure: boolean } | null = null;
    const view = await this.db.inTenant(caller.tenantId, async (scope) => {
      const now = this.clock.now();
      const auth = await this.authentications.lock(scope, id);
      if (!auth) throw AuthenticationErrors.notFound();
      const gate = gateVerification(auth, caller.serverId, now);
      if (gate.kind === 'closed') return viewOf(auth);
      if (gate.kind === 'deny') return viewOf(await this.close(scope, auth, gate.status, gate.reason));
      const userKey = AuthenticationGuards.userKey(caller.tenantId, auth.userId ?? auth.userName);
      const locked = await this.guards.lockout.check(userKey, now.getTime());
      if (locked.locked) throw AuthenticationErrors.userLockedOut(locked.retryAfterSeconds);

      const check = await this.check(scope, auth, input, now);
      if (check.ok) {
        outcome = { userKey, success: true, failure: false };
        if (check.deviceActivationId)
          await this.authentications.update(scope, id, { deviceActivationId: check.deviceActivationId });
        return viewOf(await this.close(scope, auth, 'succeeded', null));
      }
      if (check.final) return viewOf(await this.close(scope, auth, 'denied', check.reason));
      outcome = { userKey, success: false, failure: true };
      const next = afterWrongCode(auth.attempts);
      if (next.final)
        return viewOf(
          await this.close(scope, { ...auth, attempts: next.attempts }, 'denied', next.reason, next.attempts),
        );
      const updated = await this.authentications.update(scope, id, { attempts: next.attempts });
      return viewOf(updated, { status: 'denied', reason: 'invalid_code', final: false });
    });
    const o = outcome as { userKey: string; success: boolean; failure: boolean } | null;
    if (o?.success) await this.guards.lockout.recordSuccess(o.userKey);
    if (o?.failure) await this.guards.lockout.recordFailure(o.userKey, this.clock.now().getTime());
    return view;
  }

  /** R14: send a new code, or switch to another registered method, in the same authentication. */
  async resend(caller: Caller, id: string, method: AuthMethodName | undefined): Promise<AuthenticationView> {
    const outgoing: (() => Promise<void>)[] = [];
    const view = await this.db.inTenant(caller.tenantId, async (scope) => {
      const now = this.clock.now();
      const auth = await this.authentications.lock(scope, id);
      if (!auth) throw AuthenticationErrors.notFound();
      const gate = gateVerification(auth, caller.serverId, now);
      if (gate.kind === 'closed') throw AuthenticationErrors.closed(STATUS_OF[auth.status]);
      if (gate.kind === 'deny') return viewOf(await this.close(scope, auth, gate.status, gate.reason));
      const user = auth.userId ? await this.users.find(scope, auth.userId) : null;
      if (!user) throw AuthenticationErrors.userNotFound();
      const next = method ?? auth.method;
      const phone = await this.usableMethod(scope, user, next);
      let code: string | null = null;
      if (phone) {
        const sent = await this.guards.sends.hit(AuthenticationGuards.userKey(caller.tenantId, user.id), now.getTime());
        if (!sent.allowed) throw AuthenticationErrors.sendLimitReached(sent.retryAfterSeconds);
        code = generateNumericCode(randomBytes, CODE_DIGITS);
      }
      // The old code stops working: a new hash replaces it (or none, for a method without a sent code).
      const updated = await this.authentications.update(scope, id, {
        method: next,
        phone,
        codeHash: code ? hashCode(code, this.codePepper, id) : null,
        sendsCount: auth.sendsCount + (code ? 1 : 0),
      });
      if (code && phone) {
        const provider = await this.providers.find(scope, auth.providerId);
        const server = auth.serverId ? await this.servers.find(scope, auth.serverId) : null;
        outgoing.push(await this.queueCode(scope, updated, next as 'sms' | 'voice', phone, code, provider, server));
      }
      return viewOf(updated);
    });
    await this.flush(outgoing);
    return view;
  }

  async get(caller: Caller, id: string): Promise<AuthenticationView> {
    return this.db.inTenant(caller.tenantId, async (scope) => {
      const auth = await this.authentications.find(scope, id);
      if (!auth) throw AuthenticationErrors.notFound();
      if (auth.status === 'pending' && this.clock.now().getTime() >= auth.expiresAt.getTime()) {
        const locked = await this.authentications.lock(scope, id);
        if (locked?.status === 'pending') return viewOf(await this.close(scope, locked, 'expired', 'expired'));
        return viewOf(locked ?? auth);
      }
      return viewOf(auth);
    });
  }

  /** Closes pending authentications nobody came back for (each in its tenant's scope). */
  async sweepExpired(limit = 500): Promise<number> {
    const due = await this.authentications.expiredPending(this.db.client, limit);
    let closed = 0;
    for (const { tenantId, id } of due) {
      await this.db.inTenant(tenantId, async (scope) => {
        const auth = await this.authentications.lock(scope, id);
        if (auth?.status === 'pending' && this.clock.now().getTime() >= auth.expiresAt.getTime()) {
          await this.close(scope, auth, 'expired', 'expired');
          closed += 1;
        }
      });
    }
    return closed;
  }

  // --- internals -------------------------------------------------------------------------------

  private async resolveProvider(
    scope: TenantScope,
    caller: Caller,
    requested: string | undefined,
  ): Promise<ProviderRow> {
    if (caller.serverProviderId) {
      if (requested && requested !== caller.serverProviderId) throw AuthenticationErrors.providerNotFound();
      const p = await this.providers.find(scope, caller.serverProviderId);
      if (!p) throw AuthenticationErrors.providerNotFound();
      return p;
    }
    if (requested) {
      const p = await this.providers.find(scope, requested);
      // R7: a provider without a tenant link serves only MFA servers.
      if (!p || p.linkedTenantId !== scope.tenantId) throw AuthenticationErrors.providerNotFound();
      return p;
    }
    const linked = await this.providers.linkedToTenant(scope);
    if (linked.length === 0) throw AuthenticationErrors.noProvider();
    if (linked.length > 1) throw AuthenticationErrors.providerRequired();
    return linked[0] as ProviderRow;
  }

  /**
   * R9, R20, R11: the tenant allows the method and the user has registered it. Returns the number
   * an SMS/voice code goes to (the method's own, else the user's), null for other methods. One read
   * of the user's methods serves both.
   */
  private async usableMethod(scope: TenantScope, user: UserRow, method: AuthMethodName): Promise<string | null> {
    const settings = await this.policy.settings(scope);
    if (settings.tier === 'free' && isCodeDelivered(method))
      throw AuthenticationErrors.freeTierMethodNotAllowed(method);
    const policy = effectivePolicy(settings.tier, await this.policy.list(scope));
    if (!policy[method as AuthMethodCode]) {
      if (settings.tier === 'free') throw AuthenticationErrors.freeTierMethodNotAllowed(method);
      throw AuthenticationErrors.methodDisabled(method);
    }
    if (method === 'app_password') return null; // R17 is decided per sign-in, registered or not.
    const registered = (await this.methods.list(scope, user.id)).find((m) => m.method === method);
    if (!registered) throw AuthenticationErrors.methodNotRegistered(method);
    if (!isCodeDelivered(method)) return null;
    const phone = registered.phone ?? user.phone;
    if (!phone) throw AuthenticationErrors.noPhoneNumber();
    return phone;
  }

  /** Queues the message row now; the job (with the code sealed) goes to Redis after commit. */
  private async queueCode(
    scope: TenantScope,
    auth: AuthenticationRow,
    channel: 'sms' | 'voice',
    phone: string,
    code: string,
    provider: ProviderRow | null,
    server: MfaServerRow | null,
  ): Promise<() => Promise<void>> {
    const messageId = randomUUID();
    await this.messages.createQueued(scope, {
      id: messageId,
      authenticationId: auth.id,
      providerId: auth.providerId,
      userId: auth.userId,
      channel,
      toPhone: phone,
      country: parsePhoneNumberFromString(phone)?.country ?? 'ZZ',
    });
    const sealed = this.box.seal(Buffer.from(code, 'utf8'), codeAad(scope.tenantId, messageId));
    const sealedCode = { keyId: sealed.keyId, ciphertext: sealed.ciphertext.toString('base64') };
    const base = {
      tenantId: scope.tenantId,
      idempotencyKey: messageId,
      authenticationId: auth.id,
      messageId,
      code: sealedCode,
    };
    return channel === 'sms'
      ? () => this.producer.enqueue('delivery.sms', { type: 'delivery.sms.send', ...base })
      : () =>
          this.producer.enqueue('delivery.voice', {
            type: 'delivery.voice.call',
            ...base,
            callerId: server?.voiceCallerId ?? provider?.voiceCallerId ?? null,
          });
  }

  /** Jobs go out after commit; a failure leaves the message `queued` for the delivery sweeper. */
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

  private async check(scope: TenantScope, auth: AuthenticationRow, input: VerifyInput, now: Date): Promise<Check> {
    const userId = auth.userId as string;
    switch (auth.method) {
      case 'sms':
      case 'voice': {
        const ok =
          !!input.code && !!auth.codeHash && codesEqual(hashCode(input.code, this.codePepper, auth.id), auth.codeHash);
        return ok ? { ok: true } : { ok: false, reason: 'invalid_code', final: false };
      }
      case 'app_code': {
        const devices = await this.devices.activeSecrets(scope, userId);
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
          if (r.ok && (await this.devices.useStep(scope, d.id, r.step))) return { ok: true, deviceActivationId: d.id };
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
        for (const p of await this.appPasswords.hashesOf(scope, userId)) {
          if (input.code && (await verifyAppPassword(input.code, p.passwordHash))) {
            await this.appPasswords.touch(scope, p.id, now);
            return { ok: true };
          }
        }
        return { ok: false, reason: 'invalid_code', final: false };
      }
      case 'app_notification': {
        const device = input.deviceToken ? await this.devices.findByToken(scope, userId, input.deviceToken) : null;
        if (!device || typeof input.approve !== 'boolean') return { ok: false, reason: 'invalid_code', final: false };
        if (!device.active) return { ok: false, reason: 'account_not_activated', final: true };
        return input.approve
          ? { ok: true, deviceActivationId: device.id }
          : { ok: false, reason: 'denied_by_user', final: true };
      }
    }
  }

  /** The one way an authentication ends: status, and its single record, in the same transaction. */
  private async close(
    scope: TenantScope,
    auth: AuthenticationRow,
    status: 'succeeded' | 'denied' | 'expired',
    reason: DenyReason | null,
    attempts?: number,
  ): Promise<AuthenticationRow> {
    const closed = await this.authentications.update(scope, auth.id, {
      status,
      denyReason: reason,
      completedAt: this.clock.now(),
      ...(attempts !== undefined ? { attempts } : {}),
    });
    const provider = await this.providers.findIncludingDeleted(scope, closed.providerId);
    const server = closed.serverId ? await this.servers.find(scope, closed.serverId) : null;
    const user = closed.userId ? await this.users.find(scope, closed.userId) : null;
    await this.writeRecord(scope, closed, provider, server, user);
    return closed;
  }

  /** R26: every field the provider keeps, the tenant's data region and the correlation id. */
  private async writeRecord(
    scope: TenantScope,
    auth: AuthenticationRow,
    provider: ProviderRow | null,
    server: MfaServerRow | null,
    user: UserRow | null,
  ): Promise<void> {
    const keep: RecordFieldSettings = mergeRecordFields(
      provider?.recordFields as Partial<RecordFieldSettings> | null,
      undefined,
    );
    const tenant = await this.tenants.find(scope);
    const device = auth.deviceActivationId ? await this.devices.tokenOf(scope, auth.deviceActivationId) : null;
    await this.records.write(scope, {
      authenticationId: auth.id,
      providerId: auth.providerId,
      occurredAt: auth.completedAt ?? this.clock.now(),
      uniqueId: auth.userName,
      userId: auth.userId,
      serverId: auth.serverId,
      firstName: keepOnly(keep.firstName, user?.firstName),
      lastName: keepOnly(keep.lastName, user?.lastName),
      email: keepOnly(keep.email, user?.email),
      phone: keepOnly(keep.phoneNumber, auth.phone),
      deviceToken: keepOnly(keep.deviceToken, device),
      method: auth.method,
      mode: auth.method,
      result: auth.status === 'succeeded' ? 'success' : 'deny',
      denyReason: auth.status === 'expired' ? 'expired' : auth.denyReason,
      serverName: keepOnly(keep.serverName, server?.name),
      serverIp: keepOnly(keep.serverIp, server?.ipAddress),
      clientIp: keepOnly(keep.clientIp, auth.clientIp),
      dataRegion: (tenant?.dataRegion ?? 'us') as 'us',
      deliveryStatus: isCodeDelivered(auth.method)
        ? ((await this.messages.latestStatusOf(scope, auth.id)) as 'queued' | null)
        : null,
      correlationId: auth.correlationId,
    });
  }
}
