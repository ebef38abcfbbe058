import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { verifyTotp } from '@twofold/authentication/domain';
import { csrfTokenFor, permissionsOf, type TenantPrincipal, tenantSuspended } from '@twofold/platform/auth';
import { APP_CONFIG } from '@twofold/platform/config';
import { DUMMY_PASSWORD_HASH, SecretBox, TOKEN_SECRET_BYTES, verifyPassword } from '@twofold/platform/crypto';
import { Clock, DbService } from '@twofold/platform/db';
import { adminTotpAad } from '@twofold/secrets/contracts';
import { AdminRepository, AdminRow, AuditLogRepository, SessionRow } from '@twofold/tenancy/data-access';
import { ADMIN_TOTP, AdminErrors, formatSessionToken, hashAdminToken, normalizeEmail } from '@twofold/tenancy/domain';
import { KeyDerivation } from '../common/key-derivation';
import type { AuthProviderConfig } from '../config';
import { AdminSignInLimits } from './admin-guards';

export interface SignInInput {
  email: string;
  password: string;
  code: string;
  tenantId?: string;
}

export interface SignedIn {
  token: string;
  csrfToken: string;
  session: SessionRow;
  admin: AdminRow;
}

type FailureReason = 'unknown_account' | 'password' | 'code' | 'replayed_code';

/** Sign-in, sign-out and the admin's sessions (docs/decisions/0031). */
@Injectable()
export class AdminSessionsService {
  constructor(
    private readonly db: DbService,
    private readonly admins: AdminRepository,
    private readonly audit: AuditLogRepository,
    private readonly box: SecretBox,
    private readonly kdf: KeyDerivation,
    private readonly limits: AdminSignInLimits,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AuthProviderConfig,
  ) {}

  /**
   * Every wrong credential is the same 401 `sign_in_failed`, counted per account and per IP; while
   * either count is full the answer is 429 before any password is hashed. The first sign-in with a
   * valid code enrols the TOTP; a code's step is accepted once (RFC 6238 §5.2).
   */
  async signIn(
    input: SignInInput,
    client: { ip: string; userAgent: string | null },
    correlationId: string,
  ): Promise<SignedIn> {
    const email = normalizeEmail(input.email);
    const accountKey = AdminSignInLimits.accountKey(email);
    const [account, ip] = await Promise.all([
      this.limits.perAccount.peek(accountKey),
      this.limits.perIp.peek(client.ip),
    ]);
    if (!account.allowed || !ip.allowed) {
      throw AdminErrors.signInRateLimited(Math.max(account.retryAfterSeconds, ip.retryAfterSeconds));
    }
    const candidates = await this.admins.findForSignIn(email, input.tenantId ?? null);
    const found = candidates.length === 1 ? candidates[0] : undefined;
    if (!found) {
      // Same cost as a known account, so timing does not tell which e-mails exist.
      await this.kdf.appPasswords.run('admin-sign-in', () => verifyPassword(input.password, DUMMY_PASSWORD_HASH));
      return this.fail(null, accountKey, client.ip, 'unknown_account', correlationId);
    }
    const { tenantId, id } = found;
    const stored = await this.db.inTenant(tenantId, (scope) => this.admins.lockAdminSecrets(scope, id));
    if (!stored) return this.fail(null, accountKey, client.ip, 'unknown_account', correlationId);
    const passwordOk = await this.kdf.appPasswords.run(tenantId, () =>
      verifyPassword(input.password, stored.passwordHash),
    );
    if (!passwordOk) return this.fail({ tenantId, adminId: id }, accountKey, client.ip, 'password', correlationId);
    if (found.tenantSuspended) throw tenantSuspended();

    const token = formatSessionToken(randomBytes(TOKEN_SECRET_BYTES));
    const outcome = await this.db.inTenant(tenantId, async (scope) => {
      const admin = await this.admins.lockAdminSecrets(scope, id);
      if (!admin) return { ok: false as const, reason: 'unknown_account' as const };
      const seed = this.box.open(admin.keyId, Buffer.from(admin.totpSeedCiphertext), adminTotpAad(tenantId, id));
      const now = this.clock.now();
      const check = verifyTotp({
        secret: seed,
        code: input.code,
        timeMs: now.getTime(),
        period: ADMIN_TOTP.period,
        digits: ADMIN_TOTP.digits,
        algorithm: ADMIN_TOTP.algorithm,
        window: ADMIN_TOTP.window,
        lastUsedStep: admin.totpLastStep,
      });
      if (!check.ok)
        return { ok: false as const, reason: check.reason === 'replayed' ? 'replayed_code' : 'code' } as const;
      await this.admins.acceptTotpStep(scope, id, check.step, admin.totpEnrolledAt ? null : now);
      const session = await this.admins.createSession(scope, {
        adminId: id,
        tokenHash: hashAdminToken(token),
        createdAt: now,
        expiresAt: new Date(now.getTime() + this.config.ADMIN_SESSION_ABSOLUTE_HOURS * 3_600_000),
        ipAddress: client.ip,
        userAgent: client.userAgent?.slice(0, 512) ?? null,
      });
      await this.audit.record(
        scope,
        { type: 'admin', adminId: id },
        {
          action: 'admin.sign_in',
          targetType: 'admin_session',
          targetId: session.id,
          correlationId,
          details: { ipAddress: client.ip, totpEnrolled: admin.totpEnrolledAt === null },
        },
      );
      const { passwordHash: _p, totpSeedCiphertext: _s, keyId: _k, totpLastStep: _t, ...row } = admin;
      return { ok: true as const, session, admin: { ...row, totpEnrolledAt: row.totpEnrolledAt ?? now } };
    });
    if (!outcome.ok) return this.fail({ tenantId, adminId: id }, accountKey, client.ip, outcome.reason, correlationId);
    await this.limits.perAccount.reset(accountKey);
    return { token, csrfToken: csrfTokenFor(token), session: outcome.session, admin: outcome.admin };
  }

  private async fail(
    known: { tenantId: string; adminId: string } | null,
    accountKey: string,
    ip: string,
    reason: FailureReason,
    correlationId: string,
  ): Promise<never> {
    await Promise.all([this.limits.perAccount.hit(accountKey), this.limits.perIp.hit(ip)]);
    if (known) {
      // Audited in the account's tenant; an unknown e-mail has no tenant to audit in (the limiter counts it).
      await this.db.inTenant(known.tenantId, (scope) =>
        this.audit.record(
          scope,
          { type: 'admin', adminId: known.adminId },
          {
            action: 'admin.sign_in_failed',
            targetType: 'admin',
            targetId: known.adminId,
            correlationId,
            details: { reason, ipAddress: ip },
          },
        ),
      );
    }
    throw AdminErrors.signInFailed();
  }

  async signOut(principal: Extract<TenantPrincipal, { kind: 'admin' }>, correlationId: string): Promise<void> {
    await this.db.inTenant(principal.tenantId, async (scope) => {
      await this.admins.revokeSession(scope, principal.sessionId, this.clock.now());
      await this.audit.record(
        scope,
        { type: 'admin', adminId: principal.adminId },
        {
          action: 'admin.sign_out',
          targetType: 'admin_session',
          targetId: principal.sessionId,
          correlationId,
        },
      );
    });
  }

  async current(
    principal: Extract<TenantPrincipal, { kind: 'admin' }>,
  ): Promise<{ session: SessionRow; admin: AdminRow }> {
    return this.db.inTenant(principal.tenantId, async (scope) => {
      const session = await this.admins.findSession(scope, principal.sessionId);
      const admin = await this.admins.findAdmin(scope, principal.adminId);
      if (!session || !admin) throw AdminErrors.sessionExpired();
      return { session, admin };
    });
  }

  list(principal: Extract<TenantPrincipal, { kind: 'admin' }>): Promise<SessionRow[]> {
    return this.db.inTenant(principal.tenantId, (scope) =>
      this.admins.listSessions(scope, principal.adminId, this.clock.now()),
    );
  }

  /**
   * An admin revokes their own sessions; a caller holding `admins:write` (an owner, a key) revokes any
   * session of the tenant. Anything else, and another tenant's session, is 404.
   */
  async revoke(
    principal: TenantPrincipal,
    id: string,
    actor: Parameters<AuditLogRepository['record']>[1],
    correlationId: string,
  ): Promise<void> {
    await this.db.inTenant(principal.tenantId, async (scope) => {
      const session = await this.admins.findSession(scope, id);
      const mayRevokeAny = (permissionsOf(principal) ?? []).includes('admins:write');
      const own = principal.kind === 'admin' && session?.adminId === principal.adminId;
      if (!session || (!own && !mayRevokeAny)) throw AdminErrors.sessionNotFound();
      if (session.revokedAt) return;
      await this.admins.revokeSession(scope, id, this.clock.now());
      await this.audit.record(scope, actor, {
        action: 'admin_session.revoke',
        targetType: 'admin_session',
        targetId: id,
        correlationId,
        details: { adminId: session.adminId },
      });
    });
  }
}
