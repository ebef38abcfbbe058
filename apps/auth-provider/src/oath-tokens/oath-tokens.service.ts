import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { MethodRepository, UserRepository } from '@twofold/directory/data-access';
import { normaliseUserName, UserErrors } from '@twofold/directory/domain';
import { pbkdf2Async, SecretBox } from '@twofold/platform/crypto';
import { Clock, DbService, decodeCursor, Page, TenantScope } from '@twofold/platform/db';
import type { Actor } from '@twofold/tenancy/contracts';
import { AuditLogRepository, TenantRepository } from '@twofold/tenancy/data-access';
import { NewOathToken, OathTokenAdminRepository, OathTokenRow } from '@twofold/tokens/data-access';
import {
  checkKey,
  duplicateKey,
  ImportedKey,
  KeyRejection,
  parseOathCsv,
  parsePskc,
  TokenErrors,
} from '@twofold/tokens/domain';
import type { ImportOathTokensDto, ImportResultDto } from './dto/oath-token.dto';
import { KeyDerivation } from '../common/key-derivation';
import { UserMethodsState } from '../methods/user-methods.state';
import { oathSecretAad } from '@twofold/secrets/contracts';

/** What the audit log keeps of a token: never the secret. */
const snapshot = (t: OathTokenRow | NewOathToken) => ({
  serial: t.serial,
  keyId: t.pskcKeyId || null,
  type: t.type,
  algorithm: t.algorithm,
  digits: t.digits,
  period: t.period,
  assignedUserId: t.assignedUserId,
});

const looksLikeXml = (content: string) => /^\s*(?:\uFEFF)?\s*</.test(content);

/** An import is one transaction (all or nothing): it may need more than a request's 15 s. */
const BULK_TRANSACTION = { timeoutMs: 120_000 };

/**
 * R25: hardware OATH tokens imported from CSV or PSKC, then assigned to users. An import checks
 * every row or key and writes the valid ones together in one transaction (or, in a dry run, nothing).
 * Secrets are sealed with the platform SecretBox under `oathSecretAad(tenantId, tokenId)`, the AAD
 * the authentication engine opens them with.
 */
@Injectable()
export class OathTokensService {
  constructor(
    private readonly db: DbService,
    private readonly tokens: OathTokenAdminRepository,
    private readonly users: UserRepository,
    private readonly methods: MethodRepository,
    private readonly tenants: TenantRepository,
    private readonly audit: AuditLogRepository,
    private readonly box: SecretBox,
    private readonly clock: Clock,
    private readonly userMethods: UserMethodsState,
    private readonly kdf: KeyDerivation,
  ) {}

  async import(
    tenantId: string,
    input: ImportOathTokensDto,
    actor: Actor,
    correlationId: string,
  ): Promise<{ dryRun: boolean; results: ImportResultDto[] }> {
    const format = input.format ?? (looksLikeXml(input.content) ? 'pskc' : 'csv');
    // Parsing, MAC checks and decryption happen before the transaction: they are pure and may be slow.
    // A PBKDF2 key is derived on the thread pool, in the bounded pool (docs/decisions/0020): never on
    // the event loop, where one file froze every tenant's authentications.
    const keys =
      format === 'pskc'
        ? await parsePskc(input.content, { preSharedKey: input.preSharedKey, password: input.password }, (r) =>
            this.kdf.pskc.run(tenantId, () => pbkdf2Async(r.password, r.salt, r.iterations, r.keyLength, r.digest)),
          )
        : parseOathCsv(input.content);
    const dryRun = input.dryRun === true;
    try {
      return await this.db.inTenant(
        tenantId,
        async (scope) => {
          const results = await this.check(scope, keys);
          if (!dryRun) await this.write(scope, keys, results, actor, correlationId, format);
          return { dryRun, results };
        },
        BULK_TRANSACTION,
      );
    } finally {
      for (const k of keys) k.secret?.fill(0);
    }
  }

  /** One result per key, in file order; `imported` for the keys that pass every check. */
  private async check(scope: TenantScope, keys: ImportedKey[]): Promise<ImportResultDto[]> {
    const now = this.clock.now();
    const tenant = await this.tenants.find(scope);
    const policy = { now, weakSecretsAllowed: tenant?.weakOathSecretsAllowed ?? false };
    const existing = new Set(
      (
        await this.tokens.existingKeys(
          scope,
          keys.flatMap((k) => (k.serial ? [k.serial] : [])),
        )
      ).map((e) => duplicateKey(e.serial, e.pskcKeyId)),
    );
    const userIds = new Map<string, string | null>();
    for (const upn of new Set(keys.flatMap((k) => (k.upn ? [normaliseUserName(k.upn)] : [])))) {
      userIds.set(upn, (await this.users.findByUserName(scope, upn))?.id ?? null);
    }
    const seen = new Set<string>();
    return keys.map((k) => {
      const result: ImportResultDto = {
        ...(k.line !== undefined ? { line: k.line } : {}),
        ...(k.keyId !== undefined ? { keyId: k.keyId } : {}),
        serial: k.serial,
        status: 'imported',
      };
      const reject = (reason: KeyRejection): ImportResultDto => ({ ...result, status: 'rejected', reason });
      const problem = checkKey(k, policy);
      if (problem) return reject(problem);
      const dup = duplicateKey(k.serial as string, k.keyId);
      if (seen.has(dup)) return reject('duplicate_in_file');
      seen.add(dup);
      if (existing.has(dup)) return reject('already_imported');
      if (k.upn) {
        const userId = userIds.get(normaliseUserName(k.upn));
        if (!userId) return reject('user_not_found');
        result.assignedUserId = userId;
      }
      return result;
    });
  }

  private async write(
    scope: TenantScope,
    keys: ImportedKey[],
    results: ImportResultDto[],
    actor: Actor,
    correlationId: string,
    format: 'csv' | 'pskc',
  ): Promise<void> {
    const rows: NewOathToken[] = [];
    keys.forEach((k, i) => {
      const result = results[i] as ImportResultDto;
      if (result.status !== 'imported') return;
      // The id is chosen first: the AAD binds the sealed secret to this row.
      const id = randomUUID();
      const sealed = this.box.seal(k.secret as Buffer, oathSecretAad(scope.tenantId, id));
      rows.push({
        id,
        serial: k.serial as string,
        pskcKeyId: k.keyId ?? '',
        manufacturer: k.manufacturer,
        model: k.model,
        secretCiphertext: sealed.ciphertext,
        keyId: sealed.keyId,
        type: k.type,
        algorithm: k.algorithm,
        digits: k.digits as number,
        period: k.period,
        counter: k.counter,
        expiresAt: k.expiresAt,
        assignedUserId: result.assignedUserId ?? null,
      });
      result.id = id;
    });
    await this.tokens.createMany(scope, rows, this.clock.now());
    const assignees = [...new Set(rows.flatMap((r) => (r.assignedUserId ? [r.assignedUserId] : [])))];
    await this.users.lock(scope, assignees);
    for (const userId of assignees) await this.methods.ensure(scope, userId, ['oath_token']);
    await this.audit.recordMany(
      scope,
      actor,
      rows.map((r) => ({
        action: 'oath_token.import',
        targetType: 'oath_token',
        targetId: r.id,
        correlationId,
        details: { format, after: snapshot(r) },
      })),
    );
  }

  async get(tenantId: string, id: string): Promise<OathTokenRow> {
    const token = await this.db.inTenant(tenantId, (scope) => this.tokens.find(scope, id));
    if (!token) throw TokenErrors.notFound();
    return token;
  }

  list(tenantId: string, filter: { assigned?: boolean }, limit: number, cursor?: string): Promise<Page<OathTokenRow>> {
    const after = decodeCursor(cursor);
    return this.db.inTenant(tenantId, (scope) => this.tokens.list(scope, filter, { limit, cursor: after }));
  }

  /** Assigning makes `oath_token` one of the user's methods (it verifies through the authentication API). */
  async assign(
    tenantId: string,
    id: string,
    who: { userId?: string; userName?: string },
    actor: Actor,
    correlationId: string,
  ): Promise<OathTokenRow> {
    return this.db.inTenant(tenantId, async (scope) => {
      const before = await this.tokens.find(scope, id, true);
      if (!before) throw TokenErrors.notFound();
      const user = who.userId
        ? await this.users.find(scope, who.userId.toLowerCase(), true)
        : await this.users.findByUserName(scope, normaliseUserName(who.userName ?? ''));
      if (!user) throw UserErrors.notFound();
      if (before.assignedUserId === user.id) return before;
      if (before.assignedUserId) throw TokenErrors.alreadyAssigned();
      await this.users.lock(scope, [user.id]);
      const after = await this.tokens.setAssignee(scope, id, user.id, this.clock.now());
      await this.methods.ensure(scope, user.id, ['oath_token']);
      await this.audit.record(scope, actor, {
        action: 'oath_token.assign',
        targetType: 'oath_token',
        targetId: id,
        correlationId,
        details: { before: snapshot(before), after: snapshot(after) },
      });
      return after;
    });
  }

  async unassign(tenantId: string, id: string, actor: Actor, correlationId: string): Promise<OathTokenRow> {
    return this.db.inTenant(tenantId, async (scope) => {
      const before = await this.tokens.find(scope, id, true);
      if (!before) throw TokenErrors.notFound();
      if (!before.assignedUserId) throw TokenErrors.notAssigned();
      const after = await this.tokens.setAssignee(scope, id, null, this.clock.now());
      await this.releaseMethod(scope, before.assignedUserId);
      await this.audit.record(scope, actor, {
        action: 'oath_token.unassign',
        targetType: 'oath_token',
        targetId: id,
        correlationId,
        details: { before: snapshot(before), after: snapshot(after) },
      });
      return after;
    });
  }

  async delete(tenantId: string, id: string, actor: Actor, correlationId: string): Promise<void> {
    await this.db.inTenant(tenantId, async (scope) => {
      const before = await this.tokens.find(scope, id, true);
      if (!before) throw TokenErrors.notFound();
      await this.tokens.delete(scope, id);
      if (before.assignedUserId) await this.releaseMethod(scope, before.assignedUserId);
      await this.audit.record(scope, actor, {
        action: 'oath_token.delete',
        targetType: 'oath_token',
        targetId: id,
        correlationId,
        details: { before: snapshot(before) },
      });
    });
  }

  /**
   * The user's last token gone: `oath_token` is no longer one of their methods, and a default of
   * `oath_token` moves to the next usable method (or none, which R19 then reports).
   */
  private async releaseMethod(scope: TenantScope, userId: string): Promise<void> {
    await this.users.lock(scope, [userId]);
    if ((await this.tokens.countAssignedTo(scope, userId)) === 0) {
      await this.methods.remove(scope, userId, ['oath_token']);
      const user = await this.userMethods.user(scope, userId);
      await this.userMethods.settle(scope, user, (await this.userMethods.policy(scope)).policy);
    }
  }
}
