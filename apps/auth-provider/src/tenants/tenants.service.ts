import { Inject, Injectable } from '@nestjs/common';
import { HIGH_RISK_COUNTRIES } from '@twofold/delivery/contracts';
import { APP_CONFIG } from '@twofold/platform/config';
import { ValidationError } from '@twofold/platform/errors';
import { randomBytes, randomUUID } from 'node:crypto';
import { DbService } from '@twofold/platform/db';
import type { Actor } from '@twofold/tenancy/contracts';
import { ApiKeyRepository, AuditLogRepository, TenantRepository, TenantRow } from '@twofold/tenancy/data-access';
import {
  API_KEY_SECRET_BYTES,
  apiKeyDisplayPrefix,
  formatApiKey,
  hashApiKey,
  retentionSettingProblem,
  TenancyErrors,
} from '@twofold/tenancy/domain';
import type { AuthProviderConfig } from '../config';
import type { CreateTenantDto, UpdateTenantDto } from './dto/tenant.dto';

@Injectable()
export class TenantsService {
  constructor(
    private readonly db: DbService,
    private readonly tenants: TenantRepository,
    private readonly apiKeys: ApiKeyRepository,
    private readonly audit: AuditLogRepository,
    @Inject(APP_CONFIG) private readonly config: AuthProviderConfig,
  ) {}

  /** Creates the tenant and its first admin key in one transaction; the key is returned once. */
  async create(input: CreateTenantDto, actor: Actor, correlationId: string): Promise<TenantRow & { apiKey: string }> {
    const tenantId = randomUUID();
    const apiKey = formatApiKey(randomBytes(API_KEY_SECRET_BYTES));
    return this.db.inTenant(tenantId, async (scope) => {
      const tenant = await this.tenants.create(scope, {
        name: input.name,
        dataRegion: input.dataRegion,
        tier: input.tier ?? 'standard',
      });
      const key = await this.apiKeys.create(scope, {
        name: 'Initial admin key',
        prefix: apiKeyDisplayPrefix(apiKey),
        keyHash: hashApiKey(apiKey),
      });
      await this.audit.record(scope, actor, {
        action: 'tenant.create',
        targetType: 'tenant',
        targetId: tenantId,
        correlationId,
        details: { name: input.name, dataRegion: input.dataRegion, tier: tenant.tier, apiKeyId: key.id },
      });
      return { ...tenant, apiKey };
    });
  }

  /** A tenant key reads only its own tenant; any other id answers 404. */
  async get(callerTenantId: string, id: string): Promise<TenantRow> {
    if (id !== callerTenantId) throw TenancyErrors.tenantNotFound();
    const tenant = await this.db.inTenant(callerTenantId, (scope) => this.tenants.find(scope));
    if (!tenant) throw TenancyErrors.tenantNotFound();
    return tenant;
  }

  async update(
    callerTenantId: string,
    id: string,
    patch: UpdateTenantDto,
    actor: Actor,
    correlationId: string,
  ): Promise<TenantRow> {
    if (id !== callerTenantId) throw TenancyErrors.tenantNotFound();
    return this.db.inTenant(callerTenantId, async (scope) => {
      const current = await this.tenants.find(scope);
      if (!current) throw TenancyErrors.tenantNotFound();
      if (patch.dataRegion !== undefined && patch.dataRegion !== current.dataRegion) {
        throw TenancyErrors.dataRegionImmutable();
      }
      const { dataRegion: _unchanged, ...change } = patch;
      // docs/decisions/0019: the operator's ceiling bounds the tenant's velocity cap.
      if (change.smsVelocityPerHour && change.smsVelocityPerHour > this.config.SMS_VELOCITY_MAX_PER_HOUR) {
        throw new ValidationError([
          {
            field: 'smsVelocityPerHour',
            problems: [
              `smsVelocityPerHour must be at most ${this.config.SMS_VELOCITY_MAX_PER_HOUR} (operator ceiling)`,
            ],
          },
        ]);
      }
      // docs/decisions/0025: a retention within the operator's bounds (null = the platform default).
      for (const [field, kind] of [
        ['recordRetentionDays', 'RECORD'],
        ['auditRetentionDays', 'AUDIT'],
      ] as const) {
        const value = change[field];
        if (value === undefined) continue;
        const problem = retentionSettingProblem(value, {
          defaultDays: this.config[`${kind}_RETENTION_DAYS_DEFAULT`],
          minDays: this.config[`${kind}_RETENTION_DAYS_MIN`],
          maxDays: this.config[`${kind}_RETENTION_DAYS_MAX`],
        });
        if (problem) throw TenancyErrors.retentionOutOfBounds(field, problem);
      }
      const updated = await this.tenants.update(scope, change);
      await this.audit.record(scope, actor, {
        action: 'tenant.update',
        targetType: 'tenant',
        targetId: id,
        correlationId,
        details: { changed: change },
      });
      // High-risk countries are allowed only by naming them; each addition gets an entry of its own.
      const highRisk = (change.deliveryCountries ?? []).filter(
        (c) => HIGH_RISK_COUNTRIES.includes(c) && !current.deliveryCountries.includes(c),
      );
      if (highRisk.length > 0) {
        await this.audit.record(scope, actor, {
          action: 'tenant.delivery_countries.high_risk',
          targetType: 'tenant',
          targetId: id,
          correlationId,
          details: { added: highRisk },
        });
      }
      return updated;
    });
  }
}
