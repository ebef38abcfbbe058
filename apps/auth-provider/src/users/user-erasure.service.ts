import { Inject, Injectable } from '@nestjs/common';
import { RecordRetentionRepository } from '@twofold/authentication/data-access';
import { MessageErasureRepository } from '@twofold/delivery/data-access';
import { UserRepository } from '@twofold/directory/data-access';
import { UserErrors } from '@twofold/directory/domain';
import { Clock, DbService, sqlScopeOf, TenantScope } from '@twofold/platform/db';
import { SlidingWindowLimiter } from '@twofold/platform/queue';
import type { Actor } from '@twofold/tenancy/contracts';
import { AuditLogRepository, AuditRetentionRepository } from '@twofold/tenancy/data-access';
import { ERASED, erasedUniqueId, scrubDetails } from '@twofold/tenancy/domain';
import { AuthenticationCloser } from '../authentications/authentication-closer';

export interface ErasureResult {
  userId: string;
  /** The directory user still existed and was deleted by this erasure. */
  userDeleted: boolean;
  /** Rows whose personal values this call replaced (0 on a repeat: nothing was left). */
  records: number;
  auditEntries: number;
  messages: number;
}

/** Keys of user snapshots in audit entries whose values identify the person. */
const IDENTIFYING_KEYS = ['userName', 'email', 'uniqueId'];
const DESCRIPTIVE_KEYS = ['firstName', 'lastName', 'clientIp'];

/** The per-tenant limiter of POST /v1/users/{id}/erase (ERASURE_LIMIT, on the shared Redis). */
export const ERASURE_LIMITER = Symbol('ERASURE_LIMITER');

/** An erasure reads a tenant's audit entries and rewrites a user's records across months: not 15 s work. */
const ERASURE_TRANSACTION = { timeoutMs: 120_000 };

/**
 * Issue 16 item 2 (docs/decisions/0025): `POST /v1/users/{id}/erase`. In one transaction: deletes the
 * directory user if it still exists (as DELETE does: pending authentications end first), then
 * pseudonymises the person's name, e-mail, phone, device token and client IP in their authentication
 * records, in the audit entries that mention them, and in the delivery outbox. Each table is written
 * by its own domain's repository. Counts, results, user ids and billing rows stay exactly as they
 * were. Works on a user deleted earlier (their records and audit entries still know the id); an id
 * this tenant never had answers 404. A repeat changes nothing and writes no second audit entry.
 */
@Injectable()
export class UserErasureService {
  constructor(
    private readonly db: DbService,
    private readonly users: UserRepository,
    private readonly authentications: AuthenticationCloser,
    private readonly records: RecordRetentionRepository,
    private readonly audit: AuditLogRepository,
    private readonly auditEntries: AuditRetentionRepository,
    private readonly messages: MessageErasureRepository,
    private readonly clock: Clock,
    @Inject(ERASURE_LIMITER) private readonly limiter: SlidingWindowLimiter,
  ) {}

  async erase(tenantId: string, userId: string, actor: Actor, correlationId: string): Promise<ErasureResult> {
    // Before any transaction: a refused erasure costs one Redis call, no connection.
    const attempt = await this.limiter.hit(tenantId, this.clock.now().getTime());
    if (!attempt.allowed) throw UserErrors.erasureRateLimited(attempt.retryAfterSeconds);
    return this.db.inTenant(
      tenantId,
      (scope) => this.eraseIn(scope, userId, actor, correlationId),
      ERASURE_TRANSACTION,
    );
  }

  private async eraseIn(
    scope: TenantScope,
    userId: string,
    actor: Actor,
    correlationId: string,
  ): Promise<ErasureResult> {
    const sql = sqlScopeOf(scope);
    const user = await this.users.find(scope, userId, true);
    const identifying = new Set<string>();
    const descriptive = new Set<string>();
    const phones = new Set<string>();
    if (user) {
      for (const v of [user.userName, user.email, user.phone]) if (v) identifying.add(v);
      for (const v of [user.firstName, user.lastName]) if (v) descriptive.add(v);
      if (user.phone) phones.add(user.phone);
      // R26: pending authentications end (and are recorded) before the user goes, as on DELETE.
      await this.authentications.closeForDeletedUser(sql, userId);
      await this.users.delete(scope, userId);
    }
    const fromRecords = await this.records.personalValues(sql, userId);
    fromRecords.identifying.forEach((v) => identifying.add(v));
    fromRecords.descriptive.forEach((v) => descriptive.add(v));
    fromRecords.phones.forEach((v) => phones.add(v));
    identifying.delete(erasedUniqueId(userId));
    identifying.delete(ERASED);
    descriptive.delete(ERASED);

    // The entries about the user hold earlier names and e-mails (renames); those find more entries.
    let mentions = await this.auditEntries.mentioning(scope, userId, [...identifying]);
    const before = identifying.size;
    for (const m of mentions.filter((m) => m.targetId === userId))
      collectSnapshotValues(m.details, identifying, descriptive);
    identifying.delete(ERASED);
    descriptive.delete(ERASED);
    if (identifying.size > before) mentions = await this.auditEntries.mentioning(scope, userId, [...identifying]);

    if (!user && mentions.length === 0 && fromRecords.identifying.length === 0) throw UserErrors.notFound();

    let auditChanged = 0;
    for (const m of mentions) {
      const about = m.targetId === userId;
      const known = about ? new Set([...identifying, ...descriptive]) : identifying;
      const scrubbed = scrubDetails(m.details, known, about);
      if (scrubbed === m.details) continue;
      await this.auditEntries.rewriteDetails(scope, m.id, scrubbed);
      auditChanged += 1;
    }
    const records = await this.records.eraseUser(sql, userId, { uniqueId: erasedUniqueId(userId), mark: ERASED });
    const messages = await this.messages.eraseRecipient(scope, userId, [...phones], ERASED);
    const result: ErasureResult = { userId, userDeleted: user !== null, records, auditEntries: auditChanged, messages };
    if (result.userDeleted || records + auditChanged + messages > 0) {
      // The erasure's own entry names no erased value: only what kinds of rows changed, and how many.
      const { userId: _id, ...counts } = result;
      await this.audit.record(scope, actor, {
        action: 'user.erase',
        targetType: 'user',
        targetId: userId,
        correlationId,
        details: counts,
      });
    }
    return result;
  }
}

/** Values of user snapshots (before/after of user.* entries) that erasure must also look for. */
function collectSnapshotValues(details: unknown, identifying: Set<string>, descriptive: Set<string>): void {
  if (Array.isArray(details)) {
    details.forEach((d) => collectSnapshotValues(d, identifying, descriptive));
    return;
  }
  if (details === null || typeof details !== 'object') return;
  for (const [key, value] of Object.entries(details)) {
    if (typeof value === 'string' && value.length > 0) {
      if (IDENTIFYING_KEYS.includes(key)) identifying.add(value);
      else if (DESCRIPTIVE_KEYS.includes(key)) descriptive.add(value);
    } else collectSnapshotValues(value, identifying, descriptive);
  }
}
