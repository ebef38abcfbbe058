import { Injectable, Optional } from '@nestjs/common';
import { CredentialCache } from '@twofold/platform/auth';
import { afterCursor, Page, PageCursor, TenantScope, toPage } from '@twofold/platform/db';

export interface MfaServerRow {
  id: string;
  tenantId: string;
  providerId: string;
  name: string;
  ipAddress: string | null;
  pendingSmsTimeoutSeconds: number;
  voiceCallerId: string | null;
  activatedAt: Date;
  lastSeenAt: Date | null;
  revokedAt: Date | null;
  revokedReason: MfaServerRevokedReason | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Why a server was cut off: an admin, its provider's deletion, or a re-link (R8: re-activate). */
export type MfaServerRevokedReason = 'admin' | 'provider_deleted' | 'relinked';

export interface NewMfaServer {
  providerId: string;
  name: string;
  ipAddress: string | null;
  pendingSmsTimeoutSeconds: number;
  voiceCallerId: string | null;
  credentialHash: string;
}

export interface MfaServerPatch {
  name?: string;
  pendingSmsTimeoutSeconds?: number;
  voiceCallerId?: string | null;
}

/** Never the credential hash. */
const FIELDS = {
  id: true,
  tenantId: true,
  providerId: true,
  name: true,
  ipAddress: true,
  pendingSmsTimeoutSeconds: true,
  voiceCallerId: true,
  activatedAt: true,
  lastSeenAt: true,
  revokedAt: true,
  revokedReason: true,
  createdAt: true,
  updatedAt: true,
} as const;

/** The audit action that marks a server cut off by a provider link change (R8). */

@Injectable()
export class MfaServerRepository {
  /** The process's cache of verified credentials (absent in processes that take none): forgotten on revoke. */
  constructor(@Optional() private readonly credentials?: CredentialCache) {}

  async create(scope: TenantScope, input: NewMfaServer): Promise<MfaServerRow> {
    return scope.tx.mfaServer.create({ data: { tenantId: scope.tenantId, ...input }, select: FIELDS });
  }

  async find(scope: TenantScope, id: string): Promise<MfaServerRow | null> {
    return scope.tx.mfaServer.findFirst({ where: { tenantId: scope.tenantId, id }, select: FIELDS });
  }

  async list(
    scope: TenantScope,
    page: { limit: number; cursor?: PageCursor; providerId?: string },
  ): Promise<Page<MfaServerRow>> {
    const rows = await scope.tx.mfaServer.findMany({
      where: {
        tenantId: scope.tenantId,
        ...(page.providerId ? { providerId: page.providerId } : {}),
        ...afterCursor(page.cursor),
      },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: page.limit + 1,
      select: FIELDS,
    });
    return toPage(rows, page.limit, (r) => r.createdAt);
  }

  async update(scope: TenantScope, id: string, patch: MfaServerPatch): Promise<MfaServerRow> {
    await scope.tx.mfaServer.updateMany({ where: { tenantId: scope.tenantId, id }, data: patch });
    return scope.tx.mfaServer.findFirstOrThrow({ where: { tenantId: scope.tenantId, id }, select: FIELDS });
  }

  /** Returns false if it was already revoked. */
  async revoke(scope: TenantScope, id: string, at: Date, reason: MfaServerRevokedReason): Promise<boolean> {
    const { count } = await scope.tx.mfaServer.updateMany({
      where: { tenantId: scope.tenantId, id, revokedAt: null },
      data: { revokedAt: at, revokedReason: reason },
    });
    this.credentials?.forgetTenant(scope.tenantId);
    return count === 1;
  }

  /** Revokes every active server of a provider; returns the ids it revoked. */
  async revokeAllOfProvider(
    scope: TenantScope,
    providerId: string,
    at: Date,
    reason: MfaServerRevokedReason,
  ): Promise<string[]> {
    const rows = await scope.tx.$queryRaw<{ id: string }[]>`
      UPDATE mfa_servers SET revoked_at = ${at}, revoked_reason = ${reason}::mfa_server_revoked_reason, updated_at = ${at}
       WHERE tenant_id = ${scope.tenantId}::uuid AND provider_id = ${providerId}::uuid AND revoked_at IS NULL
      RETURNING id::text`;
    this.credentials?.forgetTenant(scope.tenantId);
    return rows.map((r) => r.id);
  }
}
