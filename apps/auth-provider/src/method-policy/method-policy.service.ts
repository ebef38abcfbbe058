import { Injectable } from '@nestjs/common';
import { MethodPolicyRepository, RegistrationRepository } from '@twofold/directory/data-access';
import { effectivePolicy, planPolicyChange } from '@twofold/directory/domain';
import { DbService, TenantScope } from '@twofold/platform/db';
import type { Actor, TenantTierCode } from '@twofold/tenancy/contracts';
import { AuditLogRepository } from '@twofold/tenancy/data-access';
import { AUTH_METHODS, AuthMethod } from '@twofold/directory/contracts';

export interface MethodPolicyView {
  tier: TenantTierCode;
  items: { method: AuthMethod; enabled: boolean }[];
}

@Injectable()
export class MethodPolicyService {
  constructor(
    private readonly db: DbService,
    private readonly policies: MethodPolicyRepository,
    private readonly registration: RegistrationRepository,
    private readonly audit: AuditLogRepository,
  ) {}

  get(tenantId: string): Promise<MethodPolicyView> {
    return this.db.inTenant(tenantId, (scope) => this.view(scope));
  }

  /**
   * R20: disabling a method flags every user whose default it was (`method_disabled`, default
   * cleared) in the same transaction, with one UPDATE. R9: on the free tier only the authenticator
   * app can be enabled.
   */
  async update(
    tenantId: string,
    change: Partial<Record<AuthMethod, boolean>>,
    actor: Actor,
    correlationId: string,
  ): Promise<MethodPolicyView> {
    return this.db.inTenant(tenantId, async (scope) => {
      await this.policies.lock(scope);
      const before = await this.view(scope);
      const current = effectivePolicy(before.tier, await this.policies.list(scope));
      const { newlyDisabled } = planPolicyChange(before.tier, current, change);
      const requested = AUTH_METHODS.filter((m) => change[m] !== undefined);
      for (const m of requested) await this.policies.set(scope, m, change[m] as boolean);
      const flaggedUsers: Record<string, number> = {};
      for (const m of newlyDisabled) flaggedUsers[m] = await this.registration.flagDefaultMethodDisabled(scope, m);
      const after = await this.view(scope);
      if (requested.length > 0) {
        await this.audit.record(scope, actor, {
          action: 'method_policy.update',
          targetType: 'tenant',
          targetId: tenantId,
          correlationId,
          details: { before: before.items, after: after.items, flaggedUsers },
        });
      }
      return after;
    });
  }

  private async view(scope: TenantScope): Promise<MethodPolicyView> {
    const { tier } = await this.policies.settings(scope);
    const policy = effectivePolicy(tier, await this.policies.list(scope));
    return { tier, items: AUTH_METHODS.map((method) => ({ method, enabled: policy[method] })) };
  }
}
