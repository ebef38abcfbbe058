import { Injectable, Optional } from '@nestjs/common';
import { afterCursor, DbService, Page, PageCursor, TenantScope, toPage } from '@twofold/platform/db';
import { CredentialCache, type CredentialVerifier, type Principal, tenantSuspended } from '@twofold/platform/auth';
import { API_KEY_PREFIX, hashApiKey, isWellFormedApiKey } from '@twofold/tenancy/domain';

export interface ApiKeyRow {
  id: string;
  tenantId: string;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  /** The permissions the key holds (docs/admin-roles.md). */
  scopes: string[];
}

const PUBLIC_FIELDS = {
  id: true,
  tenantId: true,
  name: true,
  prefix: true,
  createdAt: true,
  lastUsedAt: true,
  revokedAt: true,
  scopes: true,
} as const;

@Injectable()
export class ApiKeyRepository {
  /** The process's cache of verified credentials (absent in processes that take none): forgotten on revoke. */
  constructor(@Optional() private readonly credentials?: CredentialCache) {}

  async create(
    scope: TenantScope,
    input: { name: string; prefix: string; keyHash: string; scopes: readonly string[] },
  ): Promise<ApiKeyRow> {
    return scope.tx.apiKey.create({
      data: { tenantId: scope.tenantId, ...input, scopes: [...input.scopes] },
      select: PUBLIC_FIELDS,
    });
  }

  async find(scope: TenantScope, id: string): Promise<ApiKeyRow | null> {
    return scope.tx.apiKey.findFirst({ where: { tenantId: scope.tenantId, id }, select: PUBLIC_FIELDS });
  }

  async list(scope: TenantScope, page: { limit: number; cursor?: PageCursor }): Promise<Page<ApiKeyRow>> {
    const rows = await scope.tx.apiKey.findMany({
      where: { tenantId: scope.tenantId, ...afterCursor(page.cursor) },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: page.limit + 1,
      select: PUBLIC_FIELDS,
    });
    return toPage(rows, page.limit, (r) => r.createdAt);
  }

  async countActive(scope: TenantScope): Promise<number> {
    return scope.tx.apiKey.count({ where: { tenantId: scope.tenantId, revokedAt: null } });
  }

  /** Marks the key revoked; returns false if it was already revoked. */
  async revoke(scope: TenantScope, id: string, at: Date): Promise<boolean> {
    const { count } = await scope.tx.apiKey.updateMany({
      where: { tenantId: scope.tenantId, id, revokedAt: null },
      data: { revokedAt: at },
    });
    this.credentials?.forgetTenant(scope.tenantId);
    return count === 1;
  }

  /**
   * Serialises revocations of one tenant, so two concurrent requests cannot revoke its last two
   * keys at once (each would see the other still active).
   */
  async lockTenantKeys(scope: TenantScope): Promise<void> {
    await scope.tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`api_keys:${scope.tenantId}`}, 0))`;
  }
}

/**
 * Finds a key's tenant before any tenant is known, through the narrow SECURITY DEFINER function
 * (the app role cannot read api_keys across tenants). A revoked key, or a key of a suspended tenant
 * (403 tenant_suspended), is refused from the next lookup; the bearer strategy keeps accepted keys for
 * at most CREDENTIAL_CACHE_MS (≤ 1 s, docs/decisions/0027), and a revocation here forgets them at once.
 */
@Injectable()
export class DbApiKeyVerifier implements CredentialVerifier {
  readonly prefix = API_KEY_PREFIX;

  constructor(private readonly db: DbService) {}

  async verify(rawKey: string): Promise<Principal | null> {
    if (!isWellFormedApiKey(rawKey)) return null;
    // Plain pg (DbService.query): this runs on every API call, Prisma's per-statement cost is not worth it here.
    // The tenant's state comes from the same call (docs/decisions/0026): no second round trip.
    const rows = await this.db.query<{
      id: string;
      tenant_id: string;
      revoked_at: Date | null;
      tenant_suspended: boolean;
      scopes: string[];
    }>('SELECT id::text, tenant_id::text, revoked_at, tenant_suspended, scopes FROM twofold_find_api_key($1)', [
      hashApiKey(rawKey),
    ]);
    const row = rows[0];
    if (!row || row.revoked_at) return null;
    if (row.tenant_suspended) throw tenantSuspended();
    return { kind: 'tenant', tenantId: row.tenant_id, apiKeyId: row.id, scopes: row.scopes };
  }
}
