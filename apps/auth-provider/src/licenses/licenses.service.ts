import { Injectable } from '@nestjs/common';
import {
  LicenseAssignmentRow,
  LicensePoolRow,
  LicenseRepository,
  UserRepository,
} from '@twofold/directory/data-access';
import { LicenseErrors, termCovers, UserErrors } from '@twofold/directory/domain';
import { TenancyErrors } from '@twofold/tenancy/domain';
import { Clock, DbService, decodeCursor, Page } from '@twofold/platform/db';
import { CommonErrorCode, DomainError } from '@twofold/platform/errors';
import type { Actor } from '@twofold/tenancy/contracts';
import { AuditLogRepository } from '@twofold/tenancy/data-access';
import type { BulkAssignResultDto, CreateLicensePoolDto, UpdateLicensePoolDto } from './dto/license.dto';

/** The database's seat trigger is the backstop; its refusal means the same as ours. */
function seatErrors(seats: () => number) {
  return (e: unknown): never => {
    if (e instanceof DomainError && e.code === 'license_seats_exceeded') throw LicenseErrors.noFreeSeats(seats());
    if (e instanceof DomainError && e.code === 'license_term_invalid') throw LicenseErrors.termInvalid();
    throw e;
  };
}

const poolSnapshot = (p: LicensePoolRow) => ({
  name: p.name,
  seats: p.seats,
  termStart: p.termStart,
  termEnd: p.termEnd,
});

/**
 * R4: seats are bought per term and assigned to users; never more assignments than seats. Each
 * assignment locks its pool row first, so parallel assignments against the last seats serialise
 * and exactly the free number succeed. A user holds at most one license in force.
 */
@Injectable()
export class LicensesService {
  constructor(
    private readonly db: DbService,
    private readonly licenses: LicenseRepository,
    private readonly users: UserRepository,
    private readonly audit: AuditLogRepository,
    private readonly clock: Clock,
  ) {}

  async createPool(
    tenantId: string,
    input: CreateLicensePoolDto,
    actor: Actor,
    correlationId: string,
  ): Promise<LicensePoolRow> {
    const termStart = new Date(input.termStart);
    const termEnd = new Date(input.termEnd);
    if (termEnd <= termStart) throw LicenseErrors.termInvalid();
    return this.db.inTenant(tenantId, async (scope) => {
      if (!(await this.licenses.tenantExists(scope))) throw TenancyErrors.tenantNotFound();
      const pool = await this.licenses.createPool(scope, {
        name: input.name ?? null,
        seats: input.seats,
        termStart,
        termEnd,
      });
      await this.audit.record(scope, actor, {
        action: 'license_pool.create',
        targetType: 'license_pool',
        targetId: pool.id,
        correlationId,
        details: { after: poolSnapshot(pool) },
      });
      return pool;
    });
  }

  async getPool(tenantId: string, id: string): Promise<LicensePoolRow> {
    const pool = await this.db.inTenant(tenantId, (scope) => this.licenses.findPool(scope, id));
    if (!pool) throw LicenseErrors.poolNotFound();
    return pool;
  }

  listPools(tenantId: string, limit: number, cursor?: string): Promise<Page<LicensePoolRow>> {
    const after = decodeCursor(cursor);
    return this.db.inTenant(tenantId, (scope) => this.licenses.listPools(scope, { limit, cursor: after }));
  }

  async updatePool(
    tenantId: string,
    id: string,
    patch: UpdateLicensePoolDto,
    actor: Actor,
    correlationId: string,
  ): Promise<LicensePoolRow> {
    let seats = 0;
    return this.db
      .inTenant(tenantId, async (scope) => {
        const before = await this.licenses.lockPool(scope, id);
        if (!before) throw LicenseErrors.poolNotFound();
        // A bought pool's seats and term follow its Stripe subscription (decision 0018).
        const changesSeats = patch.seats !== undefined || patch.termStart !== undefined || patch.termEnd !== undefined;
        if (before.purchaseId && changesSeats) throw LicenseErrors.poolPurchased();
        seats = before.seats;
        const termStart = patch.termStart ? new Date(patch.termStart) : before.termStart;
        const termEnd = patch.termEnd ? new Date(patch.termEnd) : before.termEnd;
        if (termEnd <= termStart) throw LicenseErrors.termInvalid();
        if (patch.seats !== undefined && patch.seats < before.assignedCount)
          throw LicenseErrors.seatsBelowAssigned(before.assignedCount);
        const after = await this.licenses.updatePool(scope, id, {
          name: patch.name,
          seats: patch.seats,
          termStart,
          termEnd,
        });
        await this.audit.record(scope, actor, {
          action: 'license_pool.update',
          targetType: 'license_pool',
          targetId: id,
          correlationId,
          details: { before: poolSnapshot(before), after: poolSnapshot(after) },
        });
        return after;
      })
      .catch(seatErrors(() => seats));
  }

  async deletePool(tenantId: string, id: string, actor: Actor, correlationId: string): Promise<void> {
    await this.db.inTenant(tenantId, async (scope) => {
      const pool = await this.licenses.lockPool(scope, id);
      if (!pool) throw LicenseErrors.poolNotFound();
      if (pool.purchaseId) throw LicenseErrors.poolPurchased();
      if (pool.assignedCount > 0) throw LicenseErrors.poolInUse(pool.assignedCount);
      await this.licenses.deletePool(scope, id);
      await this.audit.record(scope, actor, {
        action: 'license_pool.delete',
        targetType: 'license_pool',
        targetId: id,
        correlationId,
        details: { before: poolSnapshot(pool) },
      });
    });
  }

  async assign(
    tenantId: string,
    poolId: string,
    userId: string,
    actor: Actor,
    correlationId: string,
  ): Promise<LicenseAssignmentRow> {
    let seats = 0;
    return this.db
      .inTenant(tenantId, async (scope) => {
        const now = this.clock.now();
        const pool = await this.licenses.lockPool(scope, poolId);
        if (!pool) throw LicenseErrors.poolNotFound();
        seats = pool.seats;
        if (!termCovers(pool, now)) throw LicenseErrors.poolExpired();
        if (pool.assignedCount >= pool.seats) throw LicenseErrors.noFreeSeats(pool.seats);
        await this.users.lock(scope, [userId]);
        if (!(await this.users.find(scope, userId))) throw UserErrors.notFound();
        if (await this.licenses.assignmentInForce(scope, userId, now)) throw LicenseErrors.alreadyLicensed();
        const assignment = await this.licenses.assign(scope, poolId, userId);
        await this.audit.record(scope, actor, {
          action: 'license.assign',
          targetType: 'user',
          targetId: userId,
          correlationId,
          details: { poolId },
        });
        return assignment;
      })
      .catch((e: unknown) => {
        if (e instanceof DomainError && e.code === CommonErrorCode.Conflict) throw LicenseErrors.alreadyLicensed();
        return seatErrors(() => seats)(e);
      });
  }

  /**
   * Bulk assignment: each user gets a result with its line. Rows are taken in order until the
   * seats run out; the rest get `no_free_seats`. All the assignments are written in one transaction.
   */
  async assignMany(
    tenantId: string,
    poolId: string,
    userIds: string[],
    actor: Actor,
    correlationId: string,
  ): Promise<BulkAssignResultDto[]> {
    return this.db.inTenant(tenantId, async (scope) => {
      const now = this.clock.now();
      const pool = await this.licenses.lockPool(scope, poolId);
      if (!pool) throw LicenseErrors.poolNotFound();
      if (!termCovers(pool, now)) throw LicenseErrors.poolExpired();
      const ids = userIds.map((id) => id.toLowerCase());
      await this.users.lock(scope, [...new Set(ids)]);
      const existing = await this.users.existingIds(scope, ids);
      const licensed = await this.licenses.licensedAmong(scope, ids, now);
      let free = pool.seats - pool.assignedCount;
      const seen = new Set<string>();
      const results: BulkAssignResultDto[] = ids.map((userId, i) => {
        const line = i + 1;
        const reject = (code: string): BulkAssignResultDto => ({ line, userId, status: 'rejected', code });
        if (seen.has(userId)) return reject('duplicate_in_request');
        seen.add(userId);
        if (!existing.has(userId)) return reject('user_not_found');
        if (licensed.has(userId)) return reject('user_already_licensed');
        if (free <= 0) return reject('no_free_seats');
        free -= 1;
        return { line, userId, status: 'assigned' };
      });
      const toAssign = results.filter((r) => r.status === 'assigned').map((r) => r.userId);
      await this.licenses.assignMany(scope, poolId, toAssign);
      await this.audit.recordMany(
        scope,
        actor,
        toAssign.map((userId) => ({
          action: 'license.assign',
          targetType: 'user',
          targetId: userId,
          correlationId,
          details: { poolId, bulk: true },
        })),
      );
      return results;
    });
  }

  async unassign(tenantId: string, poolId: string, userId: string, actor: Actor, correlationId: string): Promise<void> {
    await this.db.inTenant(tenantId, async (scope) => {
      if (!(await this.licenses.lockPool(scope, poolId))) throw LicenseErrors.poolNotFound();
      if (!(await this.licenses.unassign(scope, poolId, userId))) throw LicenseErrors.assignmentNotFound();
      await this.audit.record(scope, actor, {
        action: 'license.unassign',
        targetType: 'user',
        targetId: userId,
        correlationId,
        details: { poolId },
      });
    });
  }

  listAssignments(
    tenantId: string,
    poolId: string,
    limit: number,
    cursor?: string,
  ): Promise<Page<LicenseAssignmentRow>> {
    const after = decodeCursor(cursor);
    return this.db.inTenant(tenantId, async (scope) => {
      if (!(await this.licenses.findPool(scope, poolId))) throw LicenseErrors.poolNotFound();
      return this.licenses.listAssignments(scope, poolId, { limit, cursor: after });
    });
  }

  summary(tenantId: string): Promise<{ seatsInForce: number; assignedInForce: number; enabledUnlicensed: number }> {
    return this.db.inTenant(tenantId, async (scope) => {
      const now = this.clock.now();
      const totals = await this.licenses.totalsInForce(scope, now);
      const enabledUnlicensed = await this.users.countEnabledUnlicensed(scope, now);
      return { seatsInForce: totals.seats, assignedInForce: totals.assigned, enabledUnlicensed };
    });
  }
}
