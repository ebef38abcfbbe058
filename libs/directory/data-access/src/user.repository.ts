import { Injectable } from '@nestjs/common';
import { afterCursor, Page, PageCursor, Prisma, TenantScope, toPage } from '@twofold/platform/db';

export interface UserRow {
  id: string;
  tenantId: string;
  userName: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  mfaEnabled: boolean;
  defaultMethod: string | null;
  registrationReasons: string[];
  createdAt: Date;
  updatedAt: Date;
}

export interface NewUser {
  userName: string;
  firstName?: string | null;
  lastName?: string | null;
  email?: string | null;
  phone?: string | null;
  mfaEnabled?: boolean;
}

export type UserPatch = Partial<NewUser>;

export interface UserFilter {
  enabled?: boolean;
  licensed?: boolean;
  registrationRequired?: boolean;
  /** Licensed means: assigned a seat of a pool whose term covers this moment. */
  at: Date;
}

const FIELDS = {
  id: true,
  tenantId: true,
  userName: true,
  firstName: true,
  lastName: true,
  email: true,
  phone: true,
  mfaEnabled: true,
  defaultMethod: true,
  registrationReasons: true,
  createdAt: true,
  updatedAt: true,
} as const;

/** Writes to users fire the trigger that appends user_mfa_state_changes (R3), in the same transaction. */
@Injectable()
export class UserRepository {
  async create(scope: TenantScope, input: NewUser): Promise<UserRow> {
    return scope.tx.user.create({ data: { tenantId: scope.tenantId, ...input }, select: FIELDS });
  }

  /** Inserts in chunks (PostgreSQL caps a statement at 65,535 parameters); returns the new rows by user name. */
  async createMany(scope: TenantScope, inputs: NewUser[]): Promise<Map<string, string>> {
    const created = new Map<string, string>();
    for (let i = 0; i < inputs.length; i += 1000) {
      const chunk = inputs.slice(i, i + 1000);
      const rows = await scope.tx.user.createManyAndReturn({
        data: chunk.map((u) => ({ tenantId: scope.tenantId, ...u })),
        skipDuplicates: true,
        select: { id: true, userName: true },
      });
      for (const r of rows) created.set(r.userName, r.id);
    }
    return created;
  }

  async existingUserNames(scope: TenantScope, userNames: string[]): Promise<Set<string>> {
    const rows = await scope.tx.user.findMany({
      where: { tenantId: scope.tenantId, userName: { in: userNames } },
      select: { userName: true },
    });
    return new Set(rows.map((r) => r.userName));
  }

  async find(scope: TenantScope, id: string, forUpdate = false): Promise<UserRow | null> {
    if (forUpdate) {
      await scope.tx
        .$executeRaw`SELECT 1 FROM users WHERE tenant_id = ${scope.tenantId}::uuid AND id = ${id}::uuid FOR UPDATE`;
    }
    return scope.tx.user.findFirst({ where: { tenantId: scope.tenantId, id }, select: FIELDS });
  }

  async findByUserName(scope: TenantScope, userName: string): Promise<UserRow | null> {
    return scope.tx.user.findFirst({ where: { tenantId: scope.tenantId, userName }, select: FIELDS });
  }

  async list(
    scope: TenantScope,
    filter: UserFilter,
    page: { limit: number; cursor?: PageCursor },
  ): Promise<Page<UserRow>> {
    const where: Prisma.UserWhereInput = { tenantId: scope.tenantId };
    const and: Prisma.UserWhereInput[] = [...afterCursor(page.cursor).AND];
    if (filter.enabled !== undefined) and.push({ mfaEnabled: filter.enabled });
    if (filter.licensed !== undefined) {
      const inForce = { some: { pool: { termStart: { lte: filter.at }, termEnd: { gt: filter.at } } } };
      and.push(filter.licensed ? { licenseAssignments: inForce } : { NOT: { licenseAssignments: inForce } });
    }
    if (filter.registrationRequired !== undefined) {
      // Same rule as the registration view (R19): stored reasons, or enabled with nothing registered.
      const required: Prisma.UserWhereInput = {
        OR: [{ NOT: { registrationReasons: { isEmpty: true } } }, { mfaEnabled: true, methods: { none: {} } }],
      };
      and.push(filter.registrationRequired ? required : { NOT: required });
    }
    if (and.length) where.AND = and;
    const rows = await scope.tx.user.findMany({
      where,
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: page.limit + 1,
      select: FIELDS,
    });
    return toPage(rows, page.limit, (r) => r.createdAt);
  }

  async update(scope: TenantScope, id: string, patch: UserPatch): Promise<UserRow> {
    await scope.tx.user.updateMany({ where: { tenantId: scope.tenantId, id }, data: patch });
    return scope.tx.user.findFirstOrThrow({ where: { tenantId: scope.tenantId, id }, select: FIELDS });
  }

  /** Unassigns the user's hardware tokens first (they go back to the tenant's stock), then deletes. */
  async delete(scope: TenantScope, id: string): Promise<boolean> {
    await scope.tx.oathToken.updateMany({
      where: { tenantId: scope.tenantId, assignedUserId: id },
      data: { assignedUserId: null },
    });
    const { count } = await scope.tx.user.deleteMany({ where: { tenantId: scope.tenantId, id } });
    return count === 1;
  }

  /** R5: MFA-enabled users with no license in force at `at`. */
  async countEnabledUnlicensed(scope: TenantScope, at: Date): Promise<number> {
    return scope.tx.user.count({
      where: {
        tenantId: scope.tenantId,
        mfaEnabled: true,
        NOT: { licenseAssignments: { some: { pool: { termStart: { lte: at }, termEnd: { gt: at } } } } },
      },
    });
  }

  async existingIds(scope: TenantScope, ids: string[]): Promise<Set<string>> {
    const rows = await scope.tx.user.findMany({
      where: { tenantId: scope.tenantId, id: { in: ids } },
      select: { id: true },
    });
    return new Set(rows.map((r) => r.id));
  }

  /** Locks these users' rows (in id order, so concurrent lockers cannot deadlock). */
  async lock(scope: TenantScope, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await scope.tx
      .$executeRaw`SELECT 1 FROM users WHERE tenant_id = ${scope.tenantId}::uuid AND id = ANY(${[...ids].sort()}::uuid[]) ORDER BY id FOR UPDATE`;
  }

  async licensedUserIds(scope: TenantScope, userIds: string[], at: Date): Promise<Set<string>> {
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
}
