import { Injectable, Optional } from '@nestjs/common';
import { CredentialCache } from '@twofold/platform/auth';
import type { DbService, TenantScope } from '@twofold/platform/db';
import type { DataRegionCode, TenantTierCode } from '@twofold/tenancy/contracts';

export interface TenantRow {
  id: string;
  name: string;
  dataRegion: DataRegionCode;
  tier: TenantTierCode;
  appPasswordsAllowed: boolean;
  weakOathSecretsAllowed: boolean;
  /** docs/decisions/0019: where SMS/voice may go, the hourly cap per country, the default region. */
  deliveryCountries: string[];
  smsVelocityPerHour: number | null;
  phoneDefaultRegion: string | null;
  /** docs/decisions/0025: days records / audit entries are kept; null = the platform default. */
  recordRetentionDays: number | null;
  auditRetentionDays: number | null;
  createdAt: Date;
  updatedAt: Date;
  /** docs/decisions/0026. */
  suspendedAt: Date | null;
  suspensionReason: string | null;
  deletionDueAt: Date | null;
  deletionStartedAt: Date | null;
  deletedAt: Date | null;
}

export interface NewTenant {
  name: string;
  dataRegion: DataRegionCode;
  tier: TenantTierCode;
}

export interface TenantPatch {
  name?: string;
  appPasswordsAllowed?: boolean;
  weakOathSecretsAllowed?: boolean;
  deliveryCountries?: string[];
  smsVelocityPerHour?: number | null;
  phoneDefaultRegion?: string | null;
  recordRetentionDays?: number | null;
  auditRetentionDays?: number | null;
}

/** One tenant's retention settings, as the purge reads them across tenants. */
export interface TenantRetentionRow {
  tenantId: string;
  recordRetentionDays: number | null;
  auditRetentionDays: number | null;
}

/** Operator changes of a tenant's lifecycle (docs/decisions/0026). */
export interface TenantLifecyclePatch {
  suspendedAt?: Date | null;
  suspensionReason?: string | null;
  deletionDueAt?: Date | null;
}

/** The tenant row is its own tenant: `scope.tenantId` is the tenant's id. */
@Injectable()
export class TenantRepository {
  /** The process's cache of verified credentials: a suspended or deleted tenant's are forgotten at once. */
  constructor(@Optional() private readonly credentials?: CredentialCache) {}

  async create(scope: TenantScope, input: NewTenant): Promise<TenantRow> {
    return scope.tx.tenant.create({ data: { id: scope.tenantId, ...input } });
  }

  async find(scope: TenantScope): Promise<TenantRow | null> {
    return scope.tx.tenant.findUnique({ where: { id: scope.tenantId } });
  }

  async update(scope: TenantScope, patch: TenantPatch): Promise<TenantRow> {
    return scope.tx.tenant.update({ where: { id: scope.tenantId }, data: patch });
  }

  /** Reads the row for an update of its lifecycle: concurrent operator calls on one tenant queue here. */
  async findForUpdate(scope: TenantScope): Promise<TenantRow | null> {
    await scope.tx.$executeRaw`SELECT 1 FROM tenants WHERE id = ${scope.tenantId}::uuid FOR UPDATE`;
    return this.find(scope);
  }

  async setLifecycle(scope: TenantScope, patch: TenantLifecyclePatch): Promise<TenantRow> {
    const row = await scope.tx.tenant.update({ where: { id: scope.tenantId }, data: patch });
    this.credentials?.forgetTenant(scope.tenantId);
    return row;
  }

  /** Every tenant's retention settings (the purge; SECURITY DEFINER lookup, no tenant set). */
  async retentionSettings(platform: Pick<DbService, 'query'>): Promise<TenantRetentionRow[]> {
    return platform.query<TenantRetentionRow>(
      `SELECT tenant_id::text AS "tenantId", record_retention_days AS "recordRetentionDays",
              audit_retention_days AS "auditRetentionDays" FROM twofold_tenant_retention()`,
    );
  }
}
