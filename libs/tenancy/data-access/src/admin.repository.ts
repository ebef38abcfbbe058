import { Injectable } from '@nestjs/common';
import { DbService, type TenantScope } from '@twofold/platform/db';
import type { AdminRole } from '@twofold/tenancy/domain';

export interface AdminRow {
  id: string;
  tenantId: string;
  email: string;
  role: AdminRole;
  totpEnrolledAt: Date | null;
  createdAt: Date;
}

/** What sign-in needs besides the public fields: never leaves the service. */
export interface AdminSecretsRow extends AdminRow {
  passwordHash: string;
  totpSeedCiphertext: Uint8Array;
  keyId: string;
  totpLastStep: bigint | null;
}

export interface InvitationRow {
  id: string;
  tenantId: string;
  email: string;
  role: AdminRole;
  expiresAt: Date;
  acceptedAt: Date | null;
  revokedAt: Date | null;
  adminId: string | null;
  createdAt: Date;
}

export interface SessionRow {
  id: string;
  tenantId: string;
  adminId: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  ipAddress: string | null;
  userAgent: string | null;
}

const ADMIN = { id: true, tenantId: true, email: true, role: true, totpEnrolledAt: true, createdAt: true } as const;
const INVITATION = {
  id: true,
  tenantId: true,
  email: true,
  role: true,
  expiresAt: true,
  acceptedAt: true,
  revokedAt: true,
  adminId: true,
  createdAt: true,
} as const;
const SESSION = {
  id: true,
  tenantId: true,
  adminId: true,
  createdAt: true,
  lastSeenAt: true,
  expiresAt: true,
  revokedAt: true,
  ipAddress: true,
  userAgent: true,
} as const;

/** Admins, their invitations and sessions (docs/decisions/0031). Tokens arrive hashed. */
@Injectable()
export class AdminRepository {
  constructor(private readonly db: DbService) {}

  // --- admins -------------------------------------------------------------------------------------

  async createAdmin(
    scope: TenantScope,
    input: {
      id: string;
      email: string;
      role: AdminRole;
      passwordHash: string;
      totpSeedCiphertext: Buffer;
      keyId: string;
    },
  ): Promise<AdminRow> {
    return scope.tx.admin.create({
      data: { tenantId: scope.tenantId, ...input, totpSeedCiphertext: new Uint8Array(input.totpSeedCiphertext) },
      select: ADMIN,
    });
  }

  async findAdmin(scope: TenantScope, id: string): Promise<AdminRow | null> {
    return scope.tx.admin.findFirst({ where: { tenantId: scope.tenantId, id }, select: ADMIN });
  }

  async findAdminByEmail(scope: TenantScope, email: string): Promise<AdminRow | null> {
    return scope.tx.admin.findFirst({ where: { tenantId: scope.tenantId, email }, select: ADMIN });
  }

  /** Locks the admin row: concurrent sign-ins of one admin serialise on the TOTP step. */
  async lockAdminSecrets(scope: TenantScope, id: string): Promise<AdminSecretsRow | null> {
    const rows = await scope.tx.$queryRaw<{ id: string }[]>`
      SELECT id::text FROM admins WHERE tenant_id = ${scope.tenantId}::uuid AND id = ${id}::uuid FOR UPDATE`;
    if (rows.length === 0) return null;
    return scope.tx.admin.findFirst({
      where: { tenantId: scope.tenantId, id },
      select: { ...ADMIN, passwordHash: true, totpSeedCiphertext: true, keyId: true, totpLastStep: true },
    });
  }

  async acceptTotpStep(scope: TenantScope, id: string, step: bigint, enrolledAt: Date | null): Promise<void> {
    await scope.tx.admin.update({
      where: { tenantId_id: { tenantId: scope.tenantId, id } },
      data: { totpLastStep: step, ...(enrolledAt ? { totpEnrolledAt: enrolledAt } : {}) },
    });
  }

  async listAdmins(scope: TenantScope): Promise<AdminRow[]> {
    return scope.tx.admin.findMany({
      where: { tenantId: scope.tenantId },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: 1000,
      select: ADMIN,
    });
  }

  async setRole(scope: TenantScope, id: string, role: AdminRole): Promise<AdminRow> {
    return scope.tx.admin.update({
      where: { tenantId_id: { tenantId: scope.tenantId, id } },
      data: { role },
      select: ADMIN,
    });
  }

  async countOwners(scope: TenantScope): Promise<number> {
    return scope.tx.admin.count({ where: { tenantId: scope.tenantId, role: 'owner' } });
  }

  async deleteAdmin(scope: TenantScope, id: string): Promise<void> {
    await scope.tx.admin.delete({ where: { tenantId_id: { tenantId: scope.tenantId, id } } });
  }

  /** Serialises role changes and removals of one tenant (the last owner stays). */
  async lockTenantAdmins(scope: TenantScope): Promise<void> {
    await scope.tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`admins:${scope.tenantId}`}, 0))`;
  }

  /** The admins with this e-mail before the tenant is known (at most 2 rows: one is the answer). */
  async findForSignIn(
    email: string,
    tenantId: string | null,
  ): Promise<{ id: string; tenantId: string; tenantSuspended: boolean }[]> {
    const rows = await this.db.query<{ id: string; tenant_id: string; tenant_suspended: boolean }>(
      'SELECT id::text, tenant_id::text, tenant_suspended FROM twofold_find_admin_for_sign_in($1, $2::uuid)',
      [email, tenantId],
    );
    return rows.map((r) => ({ id: r.id, tenantId: r.tenant_id, tenantSuspended: r.tenant_suspended }));
  }

  // --- invitations --------------------------------------------------------------------------------

  async createInvitation(
    scope: TenantScope,
    input: { email: string; role: AdminRole; tokenHash: string; expiresAt: Date },
  ): Promise<InvitationRow> {
    return scope.tx.adminInvitation.create({ data: { tenantId: scope.tenantId, ...input }, select: INVITATION });
  }

  async findInvitation(scope: TenantScope, id: string): Promise<InvitationRow | null> {
    return scope.tx.adminInvitation.findFirst({ where: { tenantId: scope.tenantId, id }, select: INVITATION });
  }

  async listInvitations(scope: TenantScope): Promise<InvitationRow[]> {
    return scope.tx.adminInvitation.findMany({
      where: { tenantId: scope.tenantId },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: 1000,
      select: INVITATION,
    });
  }

  /** The invitation a token names, before the tenant is known. */
  async findInvitationTenant(tokenHash: string): Promise<{ id: string; tenantId: string } | null> {
    const rows = await this.db.query<{ id: string; tenant_id: string }>(
      'SELECT id::text, tenant_id::text FROM twofold_find_admin_invitation($1)',
      [tokenHash],
    );
    return rows[0] ? { id: rows[0].id, tenantId: rows[0].tenant_id } : null;
  }

  /** Single use: only a pending invitation is consumed; false when another request got there first. */
  async consumeInvitation(scope: TenantScope, id: string, adminId: string, at: Date): Promise<boolean> {
    const { count } = await scope.tx.adminInvitation.updateMany({
      where: { tenantId: scope.tenantId, id, acceptedAt: null, revokedAt: null, expiresAt: { gt: at } },
      data: { acceptedAt: at, adminId },
    });
    return count === 1;
  }

  async revokeInvitation(scope: TenantScope, id: string, at: Date): Promise<void> {
    await scope.tx.adminInvitation.updateMany({
      where: { tenantId: scope.tenantId, id, acceptedAt: null, revokedAt: null },
      data: { revokedAt: at },
    });
  }

  // --- sessions -----------------------------------------------------------------------------------

  async createSession(
    scope: TenantScope,
    input: {
      adminId: string;
      tokenHash: string;
      createdAt: Date;
      expiresAt: Date;
      ipAddress: string | null;
      userAgent: string | null;
    },
  ): Promise<SessionRow> {
    return scope.tx.adminSession.create({
      data: { tenantId: scope.tenantId, ...input, lastSeenAt: input.createdAt },
      select: SESSION,
    });
  }

  async findSession(scope: TenantScope, id: string): Promise<SessionRow | null> {
    return scope.tx.adminSession.findFirst({ where: { tenantId: scope.tenantId, id }, select: SESSION });
  }

  /** The admin's sessions still live at `now` (not revoked, not past the absolute timeout), newest first. */
  async listSessions(scope: TenantScope, adminId: string, now: Date): Promise<SessionRow[]> {
    return scope.tx.adminSession.findMany({
      where: { tenantId: scope.tenantId, adminId, revokedAt: null, expiresAt: { gt: now } },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: 100,
      select: SESSION,
    });
  }

  async revokeSession(scope: TenantScope, id: string, at: Date): Promise<void> {
    await scope.tx.adminSession.updateMany({
      where: { tenantId: scope.tenantId, id, revokedAt: null },
      data: { revokedAt: at },
    });
  }

  async revokeAdminSessions(scope: TenantScope, adminId: string, at: Date): Promise<void> {
    await scope.tx.adminSession.updateMany({
      where: { tenantId: scope.tenantId, adminId, revokedAt: null },
      data: { revokedAt: at },
    });
  }

  /**
   * Every request with a session cookie (plain pg, one round trip): the session, its admin's role and
   * the tenant's state; a live session's last_seen_at moves to `now` (at most once a minute).
   */
  async touchSession(
    tokenHash: string,
    now: Date,
    idleSeconds: number,
  ): Promise<{
    id: string;
    tenantId: string;
    adminId: string;
    role: AdminRole | null;
    live: boolean;
    tenantSuspended: boolean;
  } | null> {
    const rows = await this.db.query<{
      id: string;
      tenant_id: string;
      admin_id: string;
      role: AdminRole | null;
      live: boolean;
      tenant_suspended: boolean;
    }>(
      `SELECT id::text, tenant_id::text, admin_id::text, role::text AS role, live, tenant_suspended
         FROM twofold_touch_admin_session($1, $2, make_interval(secs => $3))`,
      [tokenHash, now, idleSeconds],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      id: r.id,
      tenantId: r.tenant_id,
      adminId: r.admin_id,
      role: r.role,
      live: r.live,
      tenantSuspended: r.tenant_suspended,
    };
  }
}
