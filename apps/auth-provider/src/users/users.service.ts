import { Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { PhoneRefusalReason } from '@twofold/delivery/contracts';
import { MethodPolicyRepository, UserRepository, UserRow } from '@twofold/directory/data-access';
import { normalisePhone, normaliseUserName, UserErrorCode, UserErrors } from '@twofold/directory/domain';
import { Clock, DbService, decodeCursor, Page, sqlScopeOf, TenantScope } from '@twofold/platform/db';
import { CommonErrorCode, DomainError } from '@twofold/platform/errors';
import type { Actor } from '@twofold/tenancy/contracts';
import { AuditLogRepository } from '@twofold/tenancy/data-access';
import { AuthenticationCloser } from '../authentications/authentication-closer';
import { AuthenticationGuards } from '../authentications/authentication-guards';
import { BulkUserResultDto, CreateUserDto, ListUsersQueryDto, UpdateUserDto } from './dto/user.dto';

export type UserWithLicense = UserRow & { licensed: boolean };

type Normalised = {
  userName: string;
  phone?: string | null;
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  mfaEnabled?: boolean;
};

type RowError = { field: string; problems: string[]; code?: string; reason?: PhoneRefusalReason };

/**
 * Field-level normalisation shared by single and bulk creation: returns the row or its errors. A
 * number of a toll-fraud class is refused with `phone_number_not_allowed` and its class
 * (docs/decisions/0019); a user's own number may serve voice, so toll-free numbers pass here.
 */
function normalise(
  input: CreateUserDto | UpdateUserDto,
  defaultRegion: string | null,
): {
  value: Partial<Normalised>;
  errors: RowError[];
} {
  const errors: RowError[] = [];
  const value: Partial<Normalised> = {};
  if (input.userName !== undefined) value.userName = normaliseUserName(input.userName);
  if (input.userName !== undefined && value.userName === '')
    errors.push({ field: 'userName', problems: ['userName should not be empty'] });
  if (input.phoneNumber !== undefined) {
    if (input.phoneNumber === null) value.phone = null;
    else {
      const phone = normalisePhone(input.phoneNumber, { defaultRegion, channel: null });
      if (phone.ok) value.phone = phone.e164;
      else if (phone.refusal)
        errors.push({
          field: 'phoneNumber',
          problems: [phone.reason],
          code: UserErrorCode.PhoneNumberNotAllowed,
          reason: phone.refusal,
        });
      else errors.push({ field: 'phoneNumber', problems: [phone.reason] });
    }
  }
  if (input.email !== undefined) value.email = input.email === null ? null : input.email.trim().toLowerCase();
  if (input.firstName !== undefined) value.firstName = input.firstName;
  if (input.lastName !== undefined) value.lastName = input.lastName;
  if (input.mfaEnabled !== undefined) value.mfaEnabled = input.mfaEnabled;
  return { value, errors };
}

/** One refused number answers `phone_number_not_allowed` with its class; other problems `validation_failed`. */
function invalid(errors: RowError[], message: string): DomainError {
  const refused = errors.find((e) => e.reason);
  if (refused?.reason) return UserErrors.phoneNotAllowed(refused.field, refused.reason, refused.problems.join('; '));
  return new DomainError(CommonErrorCode.ValidationFailed, 'invalid', message, { errors });
}

const snapshot = (u: UserRow) => ({
  userName: u.userName,
  firstName: u.firstName,
  lastName: u.lastName,
  email: u.email,
  // Audit keeps only the last digits: the log is read by more people than the directory.
  phoneNumber: u.phone ? `…${u.phone.slice(-4)}` : null,
  mfaEnabled: u.mfaEnabled,
});

/** A 10,000-row import is one transaction (all or nothing): it may need more than a request's 15 s. */
const BULK_TRANSACTION = { timeoutMs: 120_000 };

@Injectable()
export class UsersService {
  constructor(
    private readonly db: DbService,
    private readonly users: UserRepository,
    private readonly audit: AuditLogRepository,
    private readonly clock: Clock,
    private readonly authentications: AuthenticationCloser,
    private readonly policies: MethodPolicyRepository,
    private readonly guards: AuthenticationGuards,
  ) {}

  /**
   * Issue 18: a help-desk admin unlocks a user the verify lockout (docs/decisions/0009) locked: its
   * failures are forgotten and a running lock ends at once, for every replica (Redis). Audited.
   */
  async unlock(tenantId: string, id: string, actor: Actor, correlationId: string): Promise<void> {
    await this.db.inTenant(tenantId, async (scope) => {
      const user = await this.users.find(scope, id);
      if (!user) throw UserErrors.notFound();
      await this.audit.record(scope, actor, {
        action: 'user.unlock',
        targetType: 'user',
        targetId: id,
        correlationId,
        details: { userName: user.userName },
      });
    });
    await this.guards.lockout.recordSuccess(AuthenticationGuards.userKey(tenantId, id), this.clock.now().getTime());
  }

  /** The tenant's region for numbers typed without + (docs/decisions/0019). */
  private defaultRegion(tenantId: string): Promise<string | null> {
    return this.db.inTenant(tenantId, (scope) => this.policies.phoneDefaultRegion(scope));
  }

  async create(tenantId: string, input: CreateUserDto, actor: Actor, correlationId: string): Promise<UserWithLicense> {
    const { value, errors } = normalise(input, await this.defaultRegion(tenantId));
    if (errors.length) throw invalid(errors, 'The user is not valid.');
    const row = value as Normalised;
    return this.db
      .inTenant(tenantId, async (scope) => {
        if (await this.users.findByUserName(scope, row.userName)) throw UserErrors.userNameTaken(row.userName);
        const user = await this.users.create(scope, row);
        await this.audit.record(scope, actor, {
          action: 'user.create',
          targetType: 'user',
          targetId: user.id,
          correlationId,
          details: { after: snapshot(user) },
        });
        return { ...user, licensed: false };
      })
      .catch((e: unknown) => {
        throw e instanceof DomainError && e.code === CommonErrorCode.Conflict
          ? UserErrors.userNameTaken(row.userName)
          : e;
      });
  }

  /**
   * Up to 10,000 rows. Each row is validated on its own and reported with its 1-based line; the
   * valid rows are created together in one transaction (all of them or, on a failure, none).
   */
  async createMany(
    tenantId: string,
    rows: unknown[],
    actor: Actor,
    correlationId: string,
  ): Promise<BulkUserResultDto[]> {
    const results: BulkUserResultDto[] = [];
    const valid: { line: number; row: Normalised }[] = [];
    const seen = new Map<string, number>();
    const defaultRegion = await this.defaultRegion(tenantId);
    for (const [i, raw] of rows.entries()) {
      const line = i + 1;
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        results.push({
          line,
          status: 'rejected',
          errors: [{ code: 'validation_failed', message: 'the row must be an object' }],
        });
        continue;
      }
      const dto = plainToInstance(CreateUserDto, raw);
      const problems = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
      const { value, errors } = problems.length ? { value: {}, errors: [] } : normalise(dto, defaultRegion);
      const fieldErrors: RowError[] = [
        ...problems.map((p) => ({ field: p.property, problems: Object.values(p.constraints ?? {}) })),
        ...errors,
      ];
      const userName =
        typeof (raw as { userName?: unknown }).userName === 'string'
          ? (raw as { userName: string }).userName
          : undefined;
      if (fieldErrors.length) {
        results.push({
          line,
          userName,
          status: 'rejected',
          errors: fieldErrors.map((f) => ({
            code: f.code ?? 'validation_failed',
            field: f.field,
            message: f.problems.join('; '),
            ...(f.reason ? { reason: f.reason } : {}),
          })),
        });
        continue;
      }
      const row = value as Normalised;
      const earlier = seen.get(row.userName);
      if (earlier !== undefined) {
        results.push({
          line,
          userName: row.userName,
          status: 'rejected',
          errors: [{ code: 'duplicate_in_request', field: 'userName', message: `userName repeats line ${earlier}` }],
        });
        continue;
      }
      seen.set(row.userName, line);
      valid.push({ line, row });
      results.push({ line, userName: row.userName, status: 'created' });
    }

    if (valid.length) {
      const ids = await this.db.inTenant(
        tenantId,
        async (scope) => {
          const taken = await this.users.existingUserNames(
            scope,
            valid.map((v) => v.row.userName),
          );
          const fresh = valid.filter((v) => !taken.has(v.row.userName));
          const created = await this.users.createMany(
            scope,
            fresh.map((v) => v.row),
          );
          await this.audit.recordMany(
            scope,
            actor,
            fresh
              .filter((v) => created.has(v.row.userName))
              .map((v) => ({
                action: 'user.create',
                targetType: 'user',
                targetId: created.get(v.row.userName),
                correlationId,
                details: { bulk: true, after: { userName: v.row.userName, mfaEnabled: v.row.mfaEnabled ?? false } },
              })),
          );
          return created;
        },
        BULK_TRANSACTION,
      );
      for (const v of valid) {
        const result = results[v.line - 1] as BulkUserResultDto;
        const id = ids.get(v.row.userName);
        if (id) result.id = id;
        else {
          result.status = 'rejected';
          result.errors = [
            {
              code: 'user_name_taken',
              field: 'userName',
              message: `A user named "${v.row.userName}" exists in this tenant.`,
            },
          ];
        }
      }
    }
    return results;
  }

  async get(tenantId: string, id: string): Promise<UserWithLicense> {
    return this.db.inTenant(tenantId, async (scope) => {
      const user = await this.users.find(scope, id);
      if (!user) throw UserErrors.notFound();
      return this.withLicense(scope, [user]).then((u) => u[0] as UserWithLicense);
    });
  }

  list(tenantId: string, query: ListUsersQueryDto): Promise<Page<UserWithLicense>> {
    const after = decodeCursor(query.cursor);
    return this.db.inTenant(tenantId, async (scope) => {
      const page = await this.users.list(
        scope,
        {
          enabled: query.enabled,
          licensed: query.licensed,
          registrationRequired: query.registrationRequired,
          at: this.clock.now(),
        },
        { limit: query.limit ?? 50, cursor: after },
      );
      return { items: await this.withLicense(scope, page.items), nextCursor: page.nextCursor };
    });
  }

  async update(
    tenantId: string,
    id: string,
    patch: UpdateUserDto,
    actor: Actor,
    correlationId: string,
  ): Promise<UserWithLicense> {
    const { value, errors } = normalise(patch, await this.defaultRegion(tenantId));
    if (errors.length) throw invalid(errors, 'The change is not valid.');
    return this.db.inTenant(tenantId, async (scope) => {
      const before = await this.users.find(scope, id, true);
      if (!before) throw UserErrors.notFound();
      if (
        value.userName &&
        value.userName !== before.userName &&
        (await this.users.findByUserName(scope, value.userName))
      ) {
        throw UserErrors.userNameTaken(value.userName);
      }
      const after = await this.users.update(scope, id, value);
      await this.audit.record(scope, actor, {
        action:
          before.mfaEnabled !== after.mfaEnabled
            ? after.mfaEnabled
              ? 'user.mfa_enable'
              : 'user.mfa_disable'
            : 'user.update',
        targetType: 'user',
        targetId: id,
        correlationId,
        details: { before: snapshot(before), after: snapshot(after) },
      });
      return (await this.withLicense(scope, [after]))[0] as UserWithLicense;
    });
  }

  async delete(tenantId: string, id: string, actor: Actor, correlationId: string): Promise<void> {
    await this.db.inTenant(tenantId, async (scope) => {
      const before = await this.users.find(scope, id, true);
      if (!before) throw UserErrors.notFound();
      // R26: the cascade would take pending authentications away unrecorded; they end first. The
      // user's row is locked above, so no authentication can start for them meanwhile.
      const closedAuthentications = await this.authentications.closeForDeletedUser(sqlScopeOf(scope), id);
      await this.users.delete(scope, id);
      await this.audit.record(scope, actor, {
        action: 'user.delete',
        targetType: 'user',
        targetId: id,
        correlationId,
        details: { before: snapshot(before), closedAuthentications },
      });
    });
  }

  private async withLicense(scope: TenantScope, users: UserRow[]): Promise<UserWithLicense[]> {
    if (users.length === 0) return [];
    const licensed = await this.users.licensedUserIds(
      scope,
      users.map((u) => u.id),
      this.clock.now(),
    );
    return users.map((u) => ({ ...u, licensed: licensed.has(u.id) }));
  }
}
