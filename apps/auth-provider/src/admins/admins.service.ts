import { Injectable } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { permissionDenied } from '@twofold/platform/auth';
import { Clock, DbService } from '@twofold/platform/db';
import { encodeBase32, otpauthUri, SecretBox, TOKEN_SECRET_BYTES, hashPassword } from '@twofold/platform/crypto';
import { APP_CONFIG } from '@twofold/platform/config';
import { Inject } from '@nestjs/common';
import { adminTotpAad } from '@twofold/secrets/contracts';
import type { Actor } from '@twofold/tenancy/contracts';
import { AdminRepository, AdminRow, AuditLogRepository, InvitationRow } from '@twofold/tenancy/data-access';
import {
  ADMIN_TOTP,
  ADMIN_TOTP_SEED_BYTES,
  AdminErrors,
  type AdminRole,
  formatInvitationToken,
  hashAdminToken,
  invitationState,
  isWellFormedInvitationToken,
  missingPermissions,
  normalizeEmail,
  permissionsOfRole,
} from '@twofold/tenancy/domain';
import { KeyDerivation } from '../common/key-derivation';
import type { AuthProviderConfig } from '../config';

export interface AcceptedInvitation {
  admin: AdminRow;
  totp: { secret: string; otpauthUri: string };
}

/** Invitations, acceptance and role changes (docs/decisions/0031). */
@Injectable()
export class AdminsService {
  constructor(
    private readonly db: DbService,
    private readonly admins: AdminRepository,
    private readonly audit: AuditLogRepository,
    private readonly box: SecretBox,
    private readonly kdf: KeyDerivation,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AuthProviderConfig,
  ) {}

  /** No escalation: the caller must hold every permission of the role it hands out. */
  private assertCanGrant(held: readonly string[], role: AdminRole): void {
    const beyond = missingPermissions(held, permissionsOfRole(role));
    if (beyond.length > 0) throw permissionDenied(beyond[0] as string);
  }

  async invite(
    tenantId: string,
    input: { email: string; role: AdminRole },
    held: readonly string[],
    actor: Actor,
    correlationId: string,
  ): Promise<InvitationRow & { token: string }> {
    this.assertCanGrant(held, input.role);
    const email = normalizeEmail(input.email);
    const token = formatInvitationToken(randomBytes(TOKEN_SECRET_BYTES));
    const expiresAt = new Date(this.clock.now().getTime() + this.config.ADMIN_INVITATION_TTL_HOURS * 3_600_000);
    return this.db.inTenant(tenantId, async (scope) => {
      if (await this.admins.findAdminByEmail(scope, email)) throw AdminErrors.emailTaken();
      const row = await this.admins.createInvitation(scope, {
        email,
        role: input.role,
        tokenHash: hashAdminToken(token),
        expiresAt,
      });
      await this.audit.record(scope, actor, {
        action: 'admin.invite',
        targetType: 'admin_invitation',
        targetId: row.id,
        correlationId,
        details: { email, role: input.role, expiresAt: expiresAt.toISOString() },
      });
      return { ...row, token };
    });
  }

  listInvitations(tenantId: string): Promise<InvitationRow[]> {
    return this.db.inTenant(tenantId, (scope) => this.admins.listInvitations(scope));
  }

  async revokeInvitation(tenantId: string, id: string, actor: Actor, correlationId: string): Promise<void> {
    await this.db.inTenant(tenantId, async (scope) => {
      const row = await this.admins.findInvitation(scope, id);
      if (!row) throw AdminErrors.invitationNotFound();
      if (invitationState(row, this.clock.now()) !== 'pending') return;
      await this.admins.revokeInvitation(scope, id, this.clock.now());
      await this.audit.record(scope, actor, {
        action: 'admin_invitation.revoke',
        targetType: 'admin_invitation',
        targetId: id,
        correlationId,
      });
    });
  }

  /**
   * The invited person sets a password and receives the TOTP seed (shown once). The second factor is
   * enrolled by the first sign-in with a valid code: no session exists before that.
   */
  async accept(input: { token: string; password: string }, correlationId: string): Promise<AcceptedInvitation> {
    if (!isWellFormedInvitationToken(input.token)) throw AdminErrors.invitationInvalid();
    const tokenHash = hashAdminToken(input.token);
    const found = await this.admins.findInvitationTenant(tokenHash);
    if (!found) throw AdminErrors.invitationInvalid();
    const { tenantId } = found;
    const pending = await this.db.inTenant(tenantId, (scope) => this.admins.findInvitation(scope, found.id));
    if (!pending || invitationState(pending, this.clock.now()) !== 'pending') throw AdminErrors.invitationInvalid();
    // scrypt runs before the transaction, in the bounded pool (docs/decisions/0020).
    const passwordHash = await this.kdf.appPasswords.run(tenantId, () => hashPassword(input.password));
    const seed = randomBytes(ADMIN_TOTP_SEED_BYTES);
    const adminId = randomUUID();
    const sealed = this.box.seal(seed, adminTotpAad(tenantId, adminId));
    return this.db.inTenant(tenantId, async (scope) => {
      const now = this.clock.now();
      if (await this.admins.findAdminByEmail(scope, pending.email)) throw AdminErrors.emailTaken();
      const admin = await this.admins.createAdmin(scope, {
        id: adminId,
        email: pending.email,
        role: pending.role,
        passwordHash,
        totpSeedCiphertext: sealed.ciphertext,
        keyId: sealed.keyId,
      });
      // Single use: a second acceptance (or one racing this) finds no pending row and rolls back.
      if (!(await this.admins.consumeInvitation(scope, pending.id, adminId, now)))
        throw AdminErrors.invitationInvalid();
      await this.audit.record(
        scope,
        { type: 'admin', adminId },
        {
          action: 'admin.accept',
          targetType: 'admin',
          targetId: adminId,
          correlationId,
          details: { invitationId: pending.id, email: pending.email, role: pending.role },
        },
      );
      return {
        admin,
        totp: {
          secret: encodeBase32(seed, { padding: false }),
          otpauthUri: otpauthUri({
            issuer: 'Twofold',
            accountName: pending.email,
            secret: seed,
            algorithm: ADMIN_TOTP.algorithm,
            digits: ADMIN_TOTP.digits,
            period: ADMIN_TOTP.period,
          }),
        },
      };
    });
  }

  list(tenantId: string): Promise<AdminRow[]> {
    return this.db.inTenant(tenantId, (scope) => this.admins.listAdmins(scope));
  }

  async get(tenantId: string, id: string): Promise<AdminRow> {
    const row = await this.db.inTenant(tenantId, (scope) => this.admins.findAdmin(scope, id));
    if (!row) throw AdminErrors.adminNotFound();
    return row;
  }

  async changeRole(
    tenantId: string,
    id: string,
    role: AdminRole,
    held: readonly string[],
    actor: Actor,
    correlationId: string,
  ): Promise<AdminRow> {
    return this.db.inTenant(tenantId, async (scope) => {
      await this.admins.lockTenantAdmins(scope);
      const row = await this.admins.findAdmin(scope, id);
      if (!row) throw AdminErrors.adminNotFound();
      this.assertCanGrant(held, role);
      if (row.role === role) return row;
      if (row.role === 'owner' && (await this.admins.countOwners(scope)) <= 1) throw AdminErrors.lastOwner();
      const updated = await this.admins.setRole(scope, id, role);
      await this.audit.record(scope, actor, {
        action: 'admin.role_change',
        targetType: 'admin',
        targetId: id,
        correlationId,
        details: { from: row.role, to: role },
      });
      return updated;
    });
  }

  async remove(tenantId: string, id: string, actor: Actor, correlationId: string): Promise<void> {
    await this.db.inTenant(tenantId, async (scope) => {
      await this.admins.lockTenantAdmins(scope);
      const row = await this.admins.findAdmin(scope, id);
      if (!row) throw AdminErrors.adminNotFound();
      if (row.role === 'owner' && (await this.admins.countOwners(scope)) <= 1) throw AdminErrors.lastOwner();
      // Its sessions go with it (ON DELETE CASCADE): it is signed out everywhere at once.
      await this.admins.deleteAdmin(scope, id);
      await this.audit.record(scope, actor, {
        action: 'admin.remove',
        targetType: 'admin',
        targetId: id,
        correlationId,
        details: { email: row.email, role: row.role },
      });
    });
  }
}
