import { Injectable } from '@nestjs/common';
import type { TenantScope } from '@twofold/platform/db';
import type { TenantTierCode } from '@twofold/tenancy/contracts';
import { AuthMethod } from '@twofold/directory/contracts';

export interface TenantMethodSettings {
  tier: TenantTierCode;
  appPasswordsAllowed: boolean;
  /** Region for numbers typed without + (docs/decisions/0019); null: they are refused. */
  phoneDefaultRegion: string | null;
}

/** The tenant's method policy (R20, no row = enabled) and the tenant settings methods depend on. */
@Injectable()
export class MethodPolicyRepository {
  async settings(scope: TenantScope): Promise<TenantMethodSettings> {
    return scope.tx.tenant.findUniqueOrThrow({
      where: { id: scope.tenantId },
      select: { tier: true, appPasswordsAllowed: true, phoneDefaultRegion: true },
    });
  }

  /** The tenant's region for numbers typed without + (docs/decisions/0019). */
  async phoneDefaultRegion(scope: TenantScope): Promise<string | null> {
    const row = await scope.tx.tenant.findUniqueOrThrow({
      where: { id: scope.tenantId },
      select: { phoneDefaultRegion: true },
    });
    return row.phoneDefaultRegion;
  }

  async list(scope: TenantScope): Promise<{ method: AuthMethod; enabled: boolean }[]> {
    return scope.tx.tenantMethodPolicy.findMany({
      where: { tenantId: scope.tenantId },
      select: { method: true, enabled: true },
    });
  }

  /** Serialises policy changes of one tenant (transaction advisory lock), so R20 flags are exact. */
  async lock(scope: TenantScope): Promise<void> {
    await scope.tx
      .$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended('method_policy:' || ${scope.tenantId}, 0))`;
  }

  async set(scope: TenantScope, method: AuthMethod, enabled: boolean): Promise<void> {
    await scope.tx.tenantMethodPolicy.upsert({
      where: { tenantId_method: { tenantId: scope.tenantId, method } },
      create: { tenantId: scope.tenantId, method, enabled },
      update: { enabled },
    });
  }
}
