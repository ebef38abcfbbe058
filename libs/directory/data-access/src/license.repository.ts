import { Injectable } from '@nestjs/common';
import { afterCursor, Page, PageCursor, TenantScope, toPage } from '@twofold/platform/db';

export interface LicensePoolRow {
  id: string;
  tenantId: string;
  name: string | null;
  seats: number;
  assignedCount: number;
  termStart: Date;
  termEnd: Date;
  /** Set when the seats were bought through Stripe (billing's license purchase). */
  purchaseId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface LicenseAssignmentRow {
  id: string;
  poolId: string;
  userId: string;
  assignedAt: Date;
}

const POOL_FIELDS = {
  id: true,
  tenantId: true,
  name: true,
  seats: true,
  assignedCount: true,
  termStart: true,
  termEnd: true,
  purchaseId: true,
  createdAt: true,
  updatedAt: true,
} as const;

const ASSIGNMENT_FIELDS = { id: true, poolId: true, userId: true, assignedAt: true } as const;

/**
 * Seat accounting lives in the database: a trigger keeps license_pools.assigned_count and refuses
 * a count above seats (`license_seats_exceeded`), and the pool row update it makes serialises
 * concurrent assignments. A trigger also appends license_assignment_changes (billing history).
 */
@Injectable()
export class LicenseRepository {
  async createPool(
    scope: TenantScope,
    input: { name?: string | null; seats: number; termStart: Date; termEnd: Date },
  ): Promise<LicensePoolRow> {
    return scope.tx.licensePool.create({ data: { tenantId: scope.tenantId, ...input }, select: POOL_FIELDS });
  }

  /** Whether the scope's tenant exists (the operator names it in the request). */
  async tenantExists(scope: TenantScope): Promise<boolean> {
    return (await scope.tx.tenant.count({ where: { id: scope.tenantId } })) === 1;
  }

  /** Reads the pool and locks it to the end of the transaction: seat checks and assignments serialise here. */
  async lockPool(scope: TenantScope, id: string): Promise<LicensePoolRow | null> {
    await scope.tx
      .$executeRaw`SELECT 1 FROM license_pools WHERE tenant_id = ${scope.tenantId}::uuid AND id = ${id}::uuid FOR UPDATE`;
    return this.findPool(scope, id);
  }

  async findPool(scope: TenantScope, id: string): Promise<LicensePoolRow | null> {
    return scope.tx.licensePool.findFirst({ where: { tenantId: scope.tenantId, id }, select: POOL_FIELDS });
  }

  async listPools(scope: TenantScope, page: { limit: number; cursor?: PageCursor }): Promise<Page<LicensePoolRow>> {
    const rows = await scope.tx.licensePool.findMany({
      where: { tenantId: scope.tenantId, ...afterCursor(page.cursor) },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: page.limit + 1,
      select: POOL_FIELDS,
    });
    return toPage(rows, page.limit, (r) => r.createdAt);
  }

  async updatePool(
    scope: TenantScope,
    id: string,
    patch: { name?: string | null; seats?: number; termStart?: Date; termEnd?: Date },
  ): Promise<LicensePoolRow> {
    await scope.tx.licensePool.updateMany({ where: { tenantId: scope.tenantId, id }, data: patch });
    return scope.tx.licensePool.findFirstOrThrow({ where: { tenantId: scope.tenantId, id }, select: POOL_FIELDS });
  }

  async deletePool(scope: TenantScope, id: string): Promise<void> {
    await scope.tx.licensePool.deleteMany({ where: { tenantId: scope.tenantId, id } });
  }

  async assign(scope: TenantScope, poolId: string, userId: string): Promise<LicenseAssignmentRow> {
    return scope.tx.licenseAssignment.create({
      data: { tenantId: scope.tenantId, poolId, userId },
      select: ASSIGNMENT_FIELDS,
    });
  }

  async assignMany(scope: TenantScope, poolId: string, userIds: string[]): Promise<number> {
    let count = 0;
    for (let i = 0; i < userIds.length; i += 2000) {
      const r = await scope.tx.licenseAssignment.createMany({
        data: userIds.slice(i, i + 2000).map((userId) => ({ tenantId: scope.tenantId, poolId, userId })),
      });
      count += r.count;
    }
    return count;
  }

  /** Which of these users hold an assignment in a pool in force at `at`. */
  async licensedAmong(scope: TenantScope, userIds: string[], at: Date): Promise<Set<string>> {
    const rows = await scope.tx.licenseAssignment.findMany({
      where: {
        tenantId: scope.tenantId,
        userId: { in: userIds },
        pool: { termStart: { lte: at }, termEnd: { gt: at } },
      },
      select: { userId: true },
    });
    return new Set(rows.map((r) => r.userId));
  }

  /** Seats and assignments of the pools in force at `at`. */
  async totalsInForce(scope: TenantScope, at: Date): Promise<{ seats: number; assigned: number }> {
    const r = await scope.tx.licensePool.aggregate({
      where: { tenantId: scope.tenantId, termStart: { lte: at }, termEnd: { gt: at } },
      _sum: { seats: true, assignedCount: true },
    });
    return { seats: r._sum.seats ?? 0, assigned: r._sum.assignedCount ?? 0 };
  }

  async unassign(scope: TenantScope, poolId: string, userId: string): Promise<boolean> {
    const { count } = await scope.tx.licenseAssignment.deleteMany({
      where: { tenantId: scope.tenantId, poolId, userId },
    });
    return count === 1;
  }

  /** The user's assignment in a pool whose term covers `at`, if any. */
  async assignmentInForce(scope: TenantScope, userId: string, at: Date): Promise<LicenseAssignmentRow | null> {
    return scope.tx.licenseAssignment.findFirst({
      where: { tenantId: scope.tenantId, userId, pool: { termStart: { lte: at }, termEnd: { gt: at } } },
      select: ASSIGNMENT_FIELDS,
    });
  }

  async listAssignments(
    scope: TenantScope,
    poolId: string,
    page: { limit: number; cursor?: PageCursor },
  ): Promise<Page<LicenseAssignmentRow>> {
    const rows = await scope.tx.licenseAssignment.findMany({
      where: { tenantId: scope.tenantId, poolId, ...afterCursor(page.cursor, 'assignedAt') },
      orderBy: [{ assignedAt: 'asc' }, { id: 'asc' }],
      take: page.limit + 1,
      select: ASSIGNMENT_FIELDS,
    });
    return toPage(rows, page.limit, (r) => r.assignedAt);
  }
}
