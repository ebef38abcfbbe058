import { Injectable } from '@nestjs/common';
import { DeviceActivationRepository, UserRepository } from '@twofold/directory/data-access';
import { LicenseErrors } from '@twofold/directory/domain';
import { Clock, DbService, decodeCursor, Page, TenantScope } from '@twofold/platform/db';
import {
  ActivationCredentialRepository,
  MfaServerRepository,
  LinkConsentRepository,
  ProviderRepository,
  ProviderRow,
} from '@twofold/providers/data-access';
import {
  assertBillingModelUnchanged,
  hashCredential,
  mergeRecordFields,
  ProviderErrors,
  RecordFieldSettings,
  resolveRelinkTarget,
  resolveTenantLink,
  tenantsAffectedByLink,
} from '@twofold/providers/domain';
import type { Actor } from '@twofold/tenancy/contracts';
import { AuditLogRepository } from '@twofold/tenancy/data-access';
import type { CreateProviderDto, UpdateProviderDto } from './dto/provider.dto';

@Injectable()
export class ProvidersService {
  constructor(
    private readonly db: DbService,
    private readonly providers: ProviderRepository,
    private readonly servers: MfaServerRepository,
    private readonly activationCredentials: ActivationCredentialRepository,
    private readonly deviceActivations: DeviceActivationRepository,
    private readonly audit: AuditLogRepository,
    private readonly users: UserRepository,
    private readonly consents: LinkConsentRepository,
    private readonly clock: Clock,
  ) {}

  /**
   * R8 "linking a new provider to a tenant": a provider created linked to a tenant invalidates that
   * tenant's mobile app activations, as any link change does (decision 0007).
   */
  async create(tenantId: string, input: CreateProviderDto, actor: Actor, correlationId: string): Promise<ProviderRow> {
    const linkedTenantId = resolveTenantLink(tenantId, input.tenantId);
    return this.db.inTenant(tenantId, async (scope) => {
      const provider = await this.providers.create(scope, {
        name: input.name,
        billingModel: input.billingModel,
        linkedTenantId,
        voiceCallerId: input.voiceCallerId ?? null,
        recordFields: mergeRecordFields(null, input.recordFields),
      });
      const deviceActivationsInvalidated = await this.invalidateDeviceActivations(
        scope,
        tenantsAffectedByLink({ from: null, to: linkedTenantId }),
        { providerId: provider.id, correlationId },
      );
      await this.audit.record(scope, actor, {
        action: 'provider.create',
        targetType: 'provider',
        targetId: provider.id,
        correlationId,
        details: {
          name: provider.name,
          billingModel: provider.billingModel,
          tenantId: linkedTenantId,
          deviceActivationsInvalidated,
        },
      });
      return provider;
    });
  }

  async get(tenantId: string, id: string): Promise<ProviderRow> {
    const row = await this.db.inTenant(tenantId, (scope) => this.providers.find(scope, id));
    if (!row) throw ProviderErrors.notFound();
    return row;
  }

  list(tenantId: string, limit: number, cursor?: string): Promise<Page<ProviderRow>> {
    const after = decodeCursor(cursor);
    return this.db.inTenant(tenantId, (scope) => this.providers.list(scope, { limit, cursor: after }));
  }

  async update(
    tenantId: string,
    id: string,
    patch: UpdateProviderDto,
    actor: Actor,
    correlationId: string,
  ): Promise<ProviderRow> {
    return this.db.inTenant(tenantId, async (scope) => {
      const current = await this.providers.find(scope, id, true);
      if (!current) throw ProviderErrors.notFound();
      assertBillingModelUnchanged(current.billingModel, patch.billingModel);
      const updated = await this.providers.update(scope, id, {
        name: patch.name,
        voiceCallerId: patch.voiceCallerId,
        recordFields:
          patch.recordFields &&
          mergeRecordFields(current.recordFields as Partial<RecordFieldSettings> | null, patch.recordFields),
      });
      await this.audit.record(scope, actor, {
        action: 'provider.update',
        targetType: 'provider',
        targetId: id,
        correlationId,
        details: { changed: Object.keys(patch).filter((k) => k !== 'billingModel') },
      });
      return updated;
    });
  }

  /**
   * Soft delete: the provider disappears from the API, its records and usage stay for billing and
   * reports. The R5 license check joins here with the licenses issue.
   */
  async delete(tenantId: string, id: string, actor: Actor, correlationId: string): Promise<void> {
    await this.db.inTenant(tenantId, async (scope) => {
      const current = await this.providers.find(scope, id, true);
      if (!current) throw ProviderErrors.notFound();
      const at = this.clock.now();
      // R5: a per_user provider goes only when every MFA-enabled user of its tenant holds a license.
      if (current.billingModel === 'per_user' && current.linkedTenantId !== null) {
        const unlicensed = await this.db.withinTenant(scope, current.linkedTenantId, (linked) =>
          this.users.countEnabledUnlicensed(linked, at),
        );
        if (unlicensed > 0) throw LicenseErrors.unlicensedUsersRemain(unlicensed);
      }
      await this.providers.softDelete(scope, id, at);
      // A deleted provider's servers and pending activation credentials stop working with it.
      const revokedServers = await this.servers.revokeAllOfProvider(scope, id, at, 'provider_deleted');
      await this.activationCredentials.revokeAllUnusedOfProvider(scope, id, at);
      await this.audit.record(scope, actor, {
        action: 'provider.delete',
        targetType: 'provider',
        targetId: id,
        correlationId,
        details: { name: current.name, billingModel: current.billingModel, revokedServers },
      });
    });
  }

  /**
   * R8: changes the tenant a provider serves (own tenant or none; another tenant needs its consent,
   * not built yet). No user setting or configuration moves. Every MFA server of the provider must
   * be re-activated with a new activation credential (its credential stops working now, and unused
   * activation credentials are revoked), and the mobile app activations of the users of the tenant
   * left and the tenant joined are invalidated. Linking to the current link is a no-op.
   */
  async link(
    tenantId: string,
    id: string,
    requested: string | null,
    consentToken: string | undefined,
    actor: Actor,
    correlationId: string,
  ): Promise<ProviderRow> {
    const consent = consentToken ? await this.consents.findByTokenHash(hashCredential(consentToken)) : null;
    return this.db.inTenant(tenantId, async (scope) => {
      const current = await this.providers.find(scope, id, true);
      if (!current) throw ProviderErrors.notFound();
      const at = this.clock.now();
      const to = resolveRelinkTarget(tenantId, id, requested, consent, at);
      const from = current.linkedTenantId;
      if (from === to) return current;
      if (to !== null && to !== tenantId && consent) {
        // The consent is spent in the consenting tenant's scope, in this same transaction.
        const claimed = await this.db.withinTenant(scope, to, (other) =>
          this.consents.consume(other, consent.id, tenantId, at),
        );
        if (!claimed) throw ProviderErrors.linkConsentInvalid();
      }
      const updated = await this.providers.setLink(scope, id, to);
      const serverIds = await this.servers.revokeAllOfProvider(scope, id, at, 'relinked');
      await this.audit.recordMany(
        scope,
        actor,
        serverIds.map((serverId) => ({
          action: 'mfa_server.reactivation_required',
          targetType: 'mfa_server',
          targetId: serverId,
          correlationId,
          details: { before: { status: 'active' }, after: { status: 'reactivation_required' }, providerId: id },
        })),
      );
      const activationCredentialsRevoked = await this.activationCredentials.revokeAllUnusedOfProvider(scope, id, at);
      const deviceActivationsInvalidated = await this.invalidateDeviceActivations(
        scope,
        tenantsAffectedByLink({ from, to }),
        { providerId: id, correlationId },
      );
      await this.audit.record(scope, actor, {
        action: 'provider.link',
        targetType: 'provider',
        targetId: id,
        correlationId,
        details: {
          before: { tenantId: from },
          after: { tenantId: to },
          mfaServersRequiringReactivation: serverIds,
          activationCredentialsRevoked,
          deviceActivationsInvalidated,
        },
      });
      return updated;
    });
  }

  /** Per affected tenant, how many device activations were deactivated. */
  /**
   * R8: stops the mobile app activations of each tenant the link touches. A tenant other than the
   * caller's (it consented, or it was linked before) learns of it in its own audit log.
   */
  private async invalidateDeviceActivations(
    scope: TenantScope,
    tenantIds: string[],
    cause: { providerId: string; correlationId: string },
  ): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const t of tenantIds) {
      counts[t] = await this.db.withinTenant(scope, t, async (other) => {
        const count = await this.deviceActivations.deactivateAllOfTenant(other, this.clock.now());
        if (other.tenantId !== scope.tenantId) {
          await this.audit.record(
            other,
            { type: 'system', name: 'provider_link' },
            {
              action: 'device_activation.invalidate_all',
              targetType: 'tenant',
              targetId: other.tenantId,
              correlationId: cause.correlationId,
              details: {
                reason: 'provider_link_changed',
                providerId: cause.providerId,
                ownerTenantId: scope.tenantId,
                count,
              },
            },
          );
        }
        return count;
      });
    }
    return counts;
  }
}
