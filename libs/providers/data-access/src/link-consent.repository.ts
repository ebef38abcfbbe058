import { Injectable } from '@nestjs/common';
import { afterCursor, DbService, Page, PageCursor, TenantScope, toPage } from '@twofold/platform/db';
import type { LinkConsent } from '@twofold/providers/domain';

export interface LinkConsentRow {
  id: string;
  tenantId: string;
  providerId: string | null;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  usedByTenantId: string | null;
  revokedAt: Date | null;
}

const FIELDS = {
  id: true,
  tenantId: true,
  providerId: true,
  createdAt: true,
  expiresAt: true,
  usedAt: true,
  usedByTenantId: true,
  revokedAt: true,
} as const;

/** R8 consents, kept by the consenting tenant; only the token's SHA-256 is stored. */
@Injectable()
export class LinkConsentRepository {
  constructor(private readonly db: DbService) {}

  async create(
    scope: TenantScope,
    input: { providerId: string | null; tokenHash: string; expiresAt: Date },
  ): Promise<LinkConsentRow> {
    return scope.tx.providerLinkConsent.create({ data: { tenantId: scope.tenantId, ...input }, select: FIELDS });
  }

  async find(scope: TenantScope, id: string): Promise<LinkConsentRow | null> {
    return scope.tx.providerLinkConsent.findFirst({ where: { tenantId: scope.tenantId, id }, select: FIELDS });
  }

  async list(scope: TenantScope, page: { limit: number; cursor?: PageCursor }): Promise<Page<LinkConsentRow>> {
    const rows = await scope.tx.providerLinkConsent.findMany({
      where: { tenantId: scope.tenantId, ...afterCursor(page.cursor) },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: page.limit + 1,
      select: FIELDS,
    });
    return toPage(rows, page.limit, (r) => r.createdAt);
  }

  async revoke(scope: TenantScope, id: string, at: Date): Promise<boolean> {
    const { count } = await scope.tx.providerLinkConsent.updateMany({
      where: { tenantId: scope.tenantId, id, usedAt: null, revokedAt: null },
      data: { revokedAt: at },
    });
    return count === 1;
  }

  /** Finds a consent by its token before its tenant is known (SECURITY DEFINER lookup). */
  async findByTokenHash(tokenHash: string): Promise<(LinkConsent & { id: string }) | null> {
    const rows = await this.db.client.$queryRaw<
      {
        id: string;
        tenant_id: string;
        provider_id: string | null;
        expires_at: Date;
        used_at: Date | null;
        revoked_at: Date | null;
      }[]
    >`SELECT id::text, tenant_id::text, provider_id::text, expires_at, used_at, revoked_at FROM twofold_find_link_consent(${tokenHash})`;
    const r = rows[0];
    return r
      ? {
          id: r.id,
          tenantId: r.tenant_id,
          providerId: r.provider_id,
          expiresAt: r.expires_at,
          usedAt: r.used_at,
          revokedAt: r.revoked_at,
        }
      : null;
  }

  /** Claims the consent once (in the consenting tenant's scope); false when someone was first. */
  async consume(scope: TenantScope, id: string, byTenantId: string, at: Date): Promise<boolean> {
    const { count } = await scope.tx.providerLinkConsent.updateMany({
      where: { tenantId: scope.tenantId, id, usedAt: null, revokedAt: null, expiresAt: { gt: at } },
      data: { usedAt: at, usedByTenantId: byTenantId },
    });
    return count === 1;
  }
}
