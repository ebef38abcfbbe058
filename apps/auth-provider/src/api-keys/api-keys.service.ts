import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { permissionDenied } from '@twofold/platform/auth';
import { Clock, DbService, decodeCursor, Page } from '@twofold/platform/db';
import type { Actor } from '@twofold/tenancy/contracts';
import { ApiKeyRepository, ApiKeyRow, AuditLogRepository } from '@twofold/tenancy/data-access';
import {
  API_KEY_SECRET_BYTES,
  apiKeyDisplayPrefix,
  formatApiKey,
  hashApiKey,
  missingPermissions,
  PERMISSIONS,
  TenancyErrors,
} from '@twofold/tenancy/domain';

@Injectable()
export class ApiKeysService {
  constructor(
    private readonly db: DbService,
    private readonly apiKeys: ApiKeyRepository,
    private readonly audit: AuditLogRepository,
    private readonly clock: Clock,
  ) {}

  /**
   * `scopes` narrow the key (docs/admin-roles.md); without them it gets every permission its creator
   * holds. No escalation: asking for a permission the creator lacks is 403 `forbidden` naming it.
   */
  async create(
    tenantId: string,
    input: { name: string; scopes?: readonly string[] },
    held: readonly string[],
    actor: Actor,
    correlationId: string,
  ): Promise<ApiKeyRow & { apiKey: string }> {
    const { name } = input;
    const wanted = input.scopes ?? held;
    const beyond = missingPermissions(held, wanted);
    if (beyond.length > 0) throw permissionDenied(beyond[0] as string);
    const scopes = PERMISSIONS.filter((p) => wanted.includes(p));
    const apiKey = formatApiKey(randomBytes(API_KEY_SECRET_BYTES));
    return this.db.inTenant(tenantId, async (scope) => {
      const row = await this.apiKeys.create(scope, {
        name,
        prefix: apiKeyDisplayPrefix(apiKey),
        keyHash: hashApiKey(apiKey),
        scopes,
      });
      await this.audit.record(scope, actor, {
        action: 'api_key.create',
        targetType: 'api_key',
        targetId: row.id,
        correlationId,
        details: { name, prefix: row.prefix, scopes },
      });
      return { ...row, apiKey };
    });
  }

  list(tenantId: string, limit: number, cursor?: string): Promise<Page<ApiKeyRow>> {
    const after = decodeCursor(cursor);
    return this.db.inTenant(tenantId, (scope) => this.apiKeys.list(scope, { limit, cursor: after }));
  }

  async get(tenantId: string, id: string): Promise<ApiKeyRow> {
    const row = await this.db.inTenant(tenantId, (scope) => this.apiKeys.find(scope, id));
    if (!row) throw TenancyErrors.apiKeyNotFound();
    return row;
  }

  /**
   * Revocation takes effect on the next request: keys are checked against the database on every
   * call, with no cache. Revoking twice is a no-op. The last active key cannot be revoked.
   */
  async revoke(tenantId: string, id: string, actor: Actor, correlationId: string): Promise<void> {
    await this.db.inTenant(tenantId, async (scope) => {
      await this.apiKeys.lockTenantKeys(scope);
      const row = await this.apiKeys.find(scope, id);
      if (!row) throw TenancyErrors.apiKeyNotFound();
      if (row.revokedAt) return;
      if ((await this.apiKeys.countActive(scope)) <= 1) throw TenancyErrors.lastApiKey();
      await this.apiKeys.revoke(scope, id, this.clock.now());
      await this.audit.record(scope, actor, {
        action: 'api_key.revoke',
        targetType: 'api_key',
        targetId: id,
        correlationId,
        details: { name: row.name, prefix: row.prefix },
      });
    });
  }
}
