import { Injectable } from '@nestjs/common';
import type { TenantScope } from '@twofold/platform/db';
import { AuthMethod } from '@twofold/directory/contracts';

export interface MethodRow {
  method: AuthMethod;
  phone: string | null;
  createdAt: Date;
}

/** A user's registered methods (user_methods: one row per method kind). */
@Injectable()
export class MethodRepository {
  async list(scope: TenantScope, userId: string): Promise<MethodRow[]> {
    return scope.tx.userMethod.findMany({
      where: { tenantId: scope.tenantId, userId },
      orderBy: [{ createdAt: 'asc' }, { method: 'asc' }],
      select: { method: true, phone: true, createdAt: true },
    });
  }

  async add(scope: TenantScope, userId: string, method: AuthMethod, phone: string | null): Promise<MethodRow> {
    return scope.tx.userMethod.create({
      data: { tenantId: scope.tenantId, userId, method, phone },
      select: { method: true, phone: true, createdAt: true },
    });
  }

  /** Registers methods the user may already have (device activation): existing rows are kept. */
  async ensure(scope: TenantScope, userId: string, methods: readonly AuthMethod[]): Promise<void> {
    await scope.tx.userMethod.createMany({
      data: methods.map((method) => ({ tenantId: scope.tenantId, userId, method })),
      skipDuplicates: true,
    });
  }

  /** Removes the given methods, or every method of the user when `methods` is omitted. */
  async remove(scope: TenantScope, userId: string, methods?: readonly AuthMethod[]): Promise<number> {
    const { count } = await scope.tx.userMethod.deleteMany({
      where: { tenantId: scope.tenantId, userId, ...(methods ? { method: { in: [...methods] } } : {}) },
    });
    return count;
  }

  /** oath_token needs a hardware token assigned to the user (R25). */
  async hasAssignedOathToken(scope: TenantScope, userId: string): Promise<boolean> {
    const n = await scope.tx.oathToken.count({ where: { tenantId: scope.tenantId, assignedUserId: userId } });
    return n > 0;
  }
}
