import { Injectable } from '@nestjs/common';
import { afterCursor, DbService, Page, PageCursor, TenantScope, toPage } from '@twofold/platform/db';

export interface ActivationCredentialRow {
  id: string;
  tenantId: string;
  providerId: string;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  usedByServerId: string | null;
  revokedAt: Date | null;
}

/** What picks the tenant of an activation credential, found before any tenant is known. */
export interface ActivationCredentialLookup {
  id: string;
  tenantId: string;
  providerId: string;
  expiresAt: Date;
  usedAt: Date | null;
  revokedAt: Date | null;
  /** docs/decisions/0026: the credential's tenant is suspended (read in the same call). */
  tenantSuspended: boolean;
}

/** Never the credential hash. */
const FIELDS = {
  id: true,
  tenantId: true,
  providerId: true,
  createdAt: true,
  expiresAt: true,
  usedAt: true,
  usedByServerId: true,
  revokedAt: true,
} as const;

@Injectable()
export class ActivationCredentialRepository {
  constructor(private readonly db: DbService) {}

  async create(
    scope: TenantScope,
    input: { providerId: string; credentialHash: string; expiresAt: Date },
  ): Promise<ActivationCredentialRow> {
    return scope.tx.mfaServerActivationCredential.create({
      data: { tenantId: scope.tenantId, ...input },
      select: FIELDS,
    });
  }

  async find(scope: TenantScope, providerId: string, id: string): Promise<ActivationCredentialRow | null> {
    return scope.tx.mfaServerActivationCredential.findFirst({
      where: { tenantId: scope.tenantId, providerId, id },
      select: FIELDS,
    });
  }

  async list(
    scope: TenantScope,
    providerId: string,
    page: { limit: number; cursor?: PageCursor },
  ): Promise<Page<ActivationCredentialRow>> {
    const rows = await scope.tx.mfaServerActivationCredential.findMany({
      where: { tenantId: scope.tenantId, providerId, ...afterCursor(page.cursor) },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: page.limit + 1,
      select: FIELDS,
    });
    return toPage(rows, page.limit, (r) => r.createdAt);
  }

  /** Revokes an unused credential; false if it was used or already revoked. */
  async revoke(scope: TenantScope, id: string, at: Date): Promise<boolean> {
    const { count } = await scope.tx.mfaServerActivationCredential.updateMany({
      where: { tenantId: scope.tenantId, id, usedAt: null, revokedAt: null },
      data: { revokedAt: at },
    });
    return count === 1;
  }

  /** R8: after a link change only credentials generated afterwards may activate a server. */
  async revokeAllUnusedOfProvider(scope: TenantScope, providerId: string, at: Date): Promise<number> {
    const { count } = await scope.tx.mfaServerActivationCredential.updateMany({
      where: { tenantId: scope.tenantId, providerId, usedAt: null, revokedAt: null },
      data: { revokedAt: at },
    });
    return count;
  }

  /**
   * Takes the credential for one activation, atomically: of two concurrent activations with the same
   * credential, the second waits on the row lock, re-checks `used_at IS NULL` and matches nothing.
   */
  async consume(scope: TenantScope, id: string, now: Date): Promise<boolean> {
    const { count } = await scope.tx.mfaServerActivationCredential.updateMany({
      where: { tenantId: scope.tenantId, id, usedAt: null, revokedAt: null, expiresAt: { gt: now } },
      data: { usedAt: now },
    });
    return count === 1;
  }

  async recordUser(scope: TenantScope, id: string, serverId: string): Promise<void> {
    await scope.tx.mfaServerActivationCredential.updateMany({
      where: { tenantId: scope.tenantId, id },
      data: { usedByServerId: serverId },
    });
  }

  /**
   * Finds a credential's tenant before any tenant is known, through the narrow SECURITY DEFINER
   * function (the app role cannot read the table across tenants).
   */
  async lookup(credentialHash: string): Promise<ActivationCredentialLookup | null> {
    const rows = await this.db.client.$queryRaw<
      {
        id: string;
        tenant_id: string;
        provider_id: string;
        expires_at: Date;
        used_at: Date | null;
        revoked_at: Date | null;
        tenant_suspended: boolean;
      }[]
    >`SELECT id::text, tenant_id::text, provider_id::text, expires_at, used_at, revoked_at, tenant_suspended
        FROM twofold_find_activation_credential(${credentialHash})`;
    const row = rows[0];
    if (!row) return null;
    return {
      id: row.id,
      tenantId: row.tenant_id,
      providerId: row.provider_id,
      expiresAt: row.expires_at,
      usedAt: row.used_at,
      revokedAt: row.revoked_at,
      tenantSuspended: row.tenant_suspended,
    };
  }
}
