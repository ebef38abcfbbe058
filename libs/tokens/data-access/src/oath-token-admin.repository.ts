import { Injectable } from '@nestjs/common';
import { afterCursor, Page, PageCursor, Prisma, TenantScope, toPage } from '@twofold/platform/db';

/** A token as admins see it: never the secret. */
export interface OathTokenRow {
  id: string;
  serial: string;
  pskcKeyId: string;
  manufacturer: string | null;
  model: string | null;
  type: 'totp' | 'hotp';
  algorithm: 'SHA1' | 'SHA256' | 'SHA512';
  digits: number;
  period: number;
  expiresAt: Date | null;
  assignedUserId: string | null;
  assignedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A token ready to store: the caller sealed the secret with oathSecretAad(tenantId, id). */
export interface NewOathToken {
  id: string;
  serial: string;
  pskcKeyId: string;
  manufacturer: string | null;
  model: string | null;
  secretCiphertext: Buffer;
  keyId: string;
  type: 'totp' | 'hotp';
  algorithm: 'SHA1' | 'SHA256' | 'SHA512';
  digits: number;
  period: number;
  counter: bigint;
  expiresAt: Date | null;
  assignedUserId: string | null;
}

const FIELDS = {
  id: true,
  serial: true,
  pskcKeyId: true,
  manufacturer: true,
  model: true,
  type: true,
  algorithm: true,
  digits: true,
  period: true,
  expiresAt: true,
  assignedUserId: true,
  assignedAt: true,
  createdAt: true,
  updatedAt: true,
} satisfies Prisma.OathTokenSelect;

/** Hardware OATH tokens (R25) as the admin API manages them: import, list, assign, delete. */
@Injectable()
export class OathTokenAdminRepository {
  /** The (serial, PSKC key id) pairs among `serials` that the tenant already holds. */
  async existingKeys(scope: TenantScope, serials: string[]): Promise<{ serial: string; pskcKeyId: string }[]> {
    if (serials.length === 0) return [];
    return scope.tx.oathToken.findMany({
      where: { tenantId: scope.tenantId, serial: { in: [...new Set(serials)] } },
      select: { serial: true, pskcKeyId: true },
    });
  }

  async createMany(scope: TenantScope, tokens: NewOathToken[], at: Date): Promise<void> {
    if (tokens.length === 0) return;
    await scope.tx.oathToken.createMany({
      data: tokens.map((t) => ({
        ...t,
        secretCiphertext: new Uint8Array(t.secretCiphertext),
        tenantId: scope.tenantId,
        assignedAt: t.assignedUserId ? at : null,
      })),
    });
  }

  /** With `forUpdate`, locks the row so assignment changes of one token serialise. */
  async find(scope: TenantScope, id: string, forUpdate = false): Promise<OathTokenRow | null> {
    if (forUpdate) {
      await scope.tx
        .$queryRaw`SELECT 1 FROM oath_tokens WHERE tenant_id = ${scope.tenantId}::uuid AND id = ${id}::uuid FOR UPDATE`;
    }
    return scope.tx.oathToken.findFirst({ where: { tenantId: scope.tenantId, id }, select: FIELDS });
  }

  async list(
    scope: TenantScope,
    filter: { assigned?: boolean },
    page: { limit: number; cursor?: PageCursor },
  ): Promise<Page<OathTokenRow>> {
    const where: Prisma.OathTokenWhereInput = { tenantId: scope.tenantId, ...afterCursor(page.cursor) };
    if (filter.assigned !== undefined) where.assignedUserId = filter.assigned ? { not: null } : null;
    const rows = await scope.tx.oathToken.findMany({
      where,
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: page.limit + 1,
      select: FIELDS,
    });
    return toPage(rows, page.limit, (r) => r.createdAt);
  }

  async setAssignee(scope: TenantScope, id: string, userId: string | null, at: Date): Promise<OathTokenRow> {
    // An unchecked update: `disconnect` would try to null tenant_id too (see tokens.prisma).
    await scope.tx.oathToken.updateMany({
      where: { tenantId: scope.tenantId, id },
      data: { assignedUserId: userId, assignedAt: userId ? at : null },
    });
    return scope.tx.oathToken.findFirstOrThrow({ where: { tenantId: scope.tenantId, id }, select: FIELDS });
  }

  async delete(scope: TenantScope, id: string): Promise<boolean> {
    const { count } = await scope.tx.oathToken.deleteMany({ where: { tenantId: scope.tenantId, id } });
    return count === 1;
  }

  async countAssignedTo(scope: TenantScope, userId: string): Promise<number> {
    return scope.tx.oathToken.count({ where: { tenantId: scope.tenantId, assignedUserId: userId } });
  }
}
