import { Injectable } from '@nestjs/common';
import type { TenantScope } from '@twofold/platform/db';

export interface AppPasswordRow {
  id: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** Metadata only: the hash is never selected for the API. */
const FIELDS = { id: true, name: true, createdAt: true, lastUsedAt: true } as const;

/** App passwords (R16, R17): only the scrypt hash is stored. */
@Injectable()
export class AppPasswordRepository {
  async create(scope: TenantScope, userId: string, name: string, passwordHash: string): Promise<AppPasswordRow> {
    return scope.tx.appPassword.create({
      data: { tenantId: scope.tenantId, userId, name, passwordHash },
      select: FIELDS,
    });
  }

  async list(scope: TenantScope, userId: string): Promise<AppPasswordRow[]> {
    return scope.tx.appPassword.findMany({
      where: { tenantId: scope.tenantId, userId },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      select: FIELDS,
    });
  }

  async find(scope: TenantScope, userId: string, id: string): Promise<AppPasswordRow | null> {
    return scope.tx.appPassword.findFirst({ where: { tenantId: scope.tenantId, userId, id }, select: FIELDS });
  }

  async count(scope: TenantScope, userId: string): Promise<number> {
    return scope.tx.appPassword.count({ where: { tenantId: scope.tenantId, userId } });
  }

  /** Deletes one app password, or all of the user's when `id` is omitted (R16). Returns the count. */
  async delete(scope: TenantScope, userId: string, id?: string): Promise<number> {
    const { count } = await scope.tx.appPassword.deleteMany({
      where: { tenantId: scope.tenantId, userId, ...(id ? { id } : {}) },
    });
    return count;
  }
}
