import { Inject, Injectable } from '@nestjs/common';
import { HIGH_RISK_COUNTRIES } from '@twofold/delivery/contracts';
import { APP_CONFIG } from '@twofold/platform/config';
import { ValidationError } from '@twofold/platform/errors';
import { randomBytes, randomUUID } from 'node:crypto';
import { Clock, DbService, TenantScope } from '@twofold/platform/db';
import type { Actor } from '@twofold/tenancy/contracts';
import { ApiKeyRepository, AuditLogRepository, TenantRepository, TenantRow } from '@twofold/tenancy/data-access';
import {
  API_KEY_SECRET_BYTES,
  apiKeyDisplayPrefix,
  canResume,
  deletionDueAt,
  formatApiKey,
  hashApiKey,
  PERMISSIONS,
  retentionSettingProblem,
  TenancyErrors,
  tenantState,
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
    private readonly clock: Clock,
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
        // The tenant's first key holds every permission: it invites the first owner (docs/decisions/0031).
        scopes: PERMISSIONS,
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

  /** A tenant key reads only its own tenant; any other id answers 404. The operator reads any (null caller). */
  async get(callerTenantId: string | null, id: string): Promise<TenantRow> {
    if (callerTenantId !== null && id !== callerTenantId) throw TenancyErrors.tenantNotFound();
    const tenant = await this.db.inTenant(id, (scope) => this.tenants.find(scope));
    if (!tenant) throw TenancyErrors.tenantNotFound();
    return tenant;
  }

  /**
   * docs/decisions/0026: the operator suspends a tenant. Every credential of it is refused from the
   * next request on (the lookups read the tenant row, no cache); nothing is deleted. Suspending a
   * suspended tenant changes nothing (and writes no audit entry).
   */
  async suspend(id: string, reason: string, actor: Actor, correlationId: string): Promise<TenantRow> {
    return this.changeLifecycle(id, async (scope, current) => {
      if (current.suspendedAt) return current;
      const updated = await this.tenants.setLifecycle(scope, {
        suspendedAt: this.clock.now(),
        suspensionReason: reason,
      });
      await this.audit.record(scope, actor, {
        action: 'tenant.suspend',
        targetType: 'tenant',
        targetId: id,
        correlationId,
        details: { before: { state: tenantState(current) }, after: { state: tenantState(updated) }, reason },
      });
      return updated;
    });
  }

  /** Lifts a suspension, and cancels a scheduled deletion while its grace lasts. Works at once. */
  async resume(id: string, actor: Actor, correlationId: string): Promise<TenantRow> {
    return this.changeLifecycle(id, async (scope, current) => {
      if (!current.suspendedAt && !current.deletionDueAt) return current;
      const updated = await this.tenants.setLifecycle(scope, {
        suspendedAt: null,
        suspensionReason: null,
        deletionDueAt: null,
      });
      await this.audit.record(scope, actor, {
        action: 'tenant.resume',
        targetType: 'tenant',
        targetId: id,
        correlationId,
        details: {
          before: { state: tenantState(current), deletionDueAt: current.deletionDueAt?.toISOString() ?? null },
          after: { state: tenantState(updated) },
        },
      });
      return updated;
    });
  }

  /**
   * Schedules the deletion TENANT_DELETION_GRACE_DAYS ahead and suspends the tenant at once; the
   * billing worker's job deletes it after the grace (docs/decisions/0026). Asking again keeps the
   * first date.
   */
  async scheduleDeletion(id: string, actor: Actor, correlationId: string): Promise<TenantRow> {
    return this.changeLifecycle(id, async (scope, current) => {
      if (current.deletionDueAt) return current;
      const now = this.clock.now();
      const updated = await this.tenants.setLifecycle(scope, {
        suspendedAt: current.suspendedAt ?? now,
        suspensionReason: current.suspendedAt ? current.suspensionReason : 'deletion scheduled',
        deletionDueAt: deletionDueAt(now, this.config.TENANT_DELETION_GRACE_DAYS),
      });
      await this.audit.record(scope, actor, {
        action: 'tenant.deletion_schedule',
        targetType: 'tenant',
        targetId: id,
        correlationId,
        details: {
          before: { state: tenantState(current) },
          after: { state: tenantState(updated), deletionDueAt: updated.deletionDueAt?.toISOString() ?? null },
          graceDays: this.config.TENANT_DELETION_GRACE_DAYS,
        },
      });
      return updated;
    });
  }

  /** The tenant row locked for the change; a deletion that started cannot be changed any more. */
  private changeLifecycle(
    id: string,
    change: (scope: TenantScope, current: TenantRow) => Promise<TenantRow>,
  ): Promise<TenantRow> {
    return this.db.inTenant(id, async (scope) => {
      const current = await this.tenants.findForUpdate(scope);
      if (!current) throw TenancyErrors.tenantNotFound();
      if (!canResume(current)) throw TenancyErrors.tenantDeletionStarted();
      return change(scope, current);
    });
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
