import { Injectable } from '@nestjs/common';
import { afterCursor, Page, PageCursor, Prisma, TenantScope, toPage } from '@twofold/platform/db';
import type { BillingModel, RecordFieldSettings } from '@twofold/providers/domain';

export interface ProviderRow {
  id: string;
  tenantId: string;
  linkedTenantId: string | null;
  name: string;
  billingModel: BillingModel;
  voiceCallerId: string | null;
  recordFields: unknown;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewProvider {
  name: string;
  billingModel: BillingModel;
  linkedTenantId: string | null;
  voiceCallerId: string | null;
  recordFields: RecordFieldSettings;
}

export interface ProviderPatch {
  name?: string;
  voiceCallerId?: string | null;
  recordFields?: RecordFieldSettings;
}

const FIELDS = {
  id: true,
  tenantId: true,
  linkedTenantId: true,
  name: true,
  billingModel: true,
  voiceCallerId: true,
  recordFields: true,
  createdAt: true,
  updatedAt: true,
} as const;

/** Deleted providers are kept (billing and reports need them) but are invisible to the API. */
@Injectable()
export class ProviderRepository {
  async create(scope: TenantScope, input: NewProvider): Promise<ProviderRow> {
    return scope.tx.provider.create({
      data: { tenantId: scope.tenantId, ...input, recordFields: input.recordFields as Prisma.InputJsonObject },
      select: FIELDS,
    });
  }

  /** Locks the row (FOR UPDATE) when `forUpdate`, so read-check-write updates cannot interleave. */
  async find(scope: TenantScope, id: string, forUpdate = false): Promise<ProviderRow | null> {
    if (forUpdate) {
      await scope.tx
        .$executeRaw`SELECT 1 FROM providers WHERE tenant_id = ${scope.tenantId}::uuid AND id = ${id}::uuid FOR UPDATE`;
    }
    return scope.tx.provider.findFirst({ where: { tenantId: scope.tenantId, id, deletedAt: null }, select: FIELDS });
  }

  async list(scope: TenantScope, page: { limit: number; cursor?: PageCursor }): Promise<Page<ProviderRow>> {
    const rows = await scope.tx.provider.findMany({
      where: { tenantId: scope.tenantId, deletedAt: null, ...afterCursor(page.cursor) },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: page.limit + 1,
      select: FIELDS,
    });
    return toPage(rows, page.limit, (r) => r.createdAt);
  }

  async update(scope: TenantScope, id: string, patch: ProviderPatch): Promise<ProviderRow> {
    const data: Prisma.ProviderUpdateManyMutationInput = {
      ...patch,
      recordFields: patch.recordFields as Prisma.InputJsonObject | undefined,
    };
    await scope.tx.provider.updateMany({ where: { tenantId: scope.tenantId, id, deletedAt: null }, data });
    return scope.tx.provider.findFirstOrThrow({ where: { tenantId: scope.tenantId, id }, select: FIELDS });
  }

  /** R8: the link is changed only through this, never through a plain update. */
  async setLink(scope: TenantScope, id: string, linkedTenantId: string | null): Promise<ProviderRow> {
    await scope.tx.provider.updateMany({
      where: { tenantId: scope.tenantId, id, deletedAt: null },
      data: { linkedTenantId },
    });
    return scope.tx.provider.findFirstOrThrow({ where: { tenantId: scope.tenantId, id }, select: FIELDS });
  }

  async softDelete(scope: TenantScope, id: string, at: Date): Promise<boolean> {
    const { count } = await scope.tx.provider.updateMany({
      where: { tenantId: scope.tenantId, id, deletedAt: null },
      data: { deletedAt: at },
    });
    return count === 1;
  }

  /** A provider even after deletion: records and billing still name it. */
  async findIncludingDeleted(scope: TenantScope, id: string): Promise<ProviderRow | null> {
    return scope.tx.provider.findFirst({ where: { tenantId: scope.tenantId, id }, select: FIELDS });
  }

  /** The live providers serving the scope's tenant's cloud users (linked to it, not deleted). */
  async linkedToTenant(scope: TenantScope): Promise<ProviderRow[]> {
    return scope.tx.provider.findMany({
      where: { tenantId: scope.tenantId, linkedTenantId: scope.tenantId, deletedAt: null },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: 2,
      select: FIELDS,
    });
  }
}
