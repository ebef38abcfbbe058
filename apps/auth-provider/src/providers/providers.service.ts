import { Injectable } from '@nestjs/common';
import { Clock, DbService, decodeCursor, Page } from '@twofold/platform/db';
import { ProviderRepository, ProviderRow } from '@twofold/providers/data-access';
import {
  assertBillingModelUnchanged,
  mergeRecordFields,
  ProviderErrors,
  RecordFieldSettings,
  resolveTenantLink,
} from '@twofold/providers/domain';
import type { Actor } from '@twofold/tenancy/contracts';
import { AuditLogRepository } from '@twofold/tenancy/data-access';
import type { CreateProviderDto, UpdateProviderDto } from './dto/provider.dto';

@Injectable()
export class ProvidersService {
  constructor(
    private readonly db: DbService,
    private readonly providers: ProviderRepository,
    private readonly audit: AuditLogRepository,
    private readonly clock: Clock,
  ) {}

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
      await this.audit.record(scope, actor, {
        action: 'provider.create',
        targetType: 'provider',
        targetId: provider.id,
        correlationId,
        details: { name: provider.name, billingModel: provider.billingModel, tenantId: linkedTenantId },
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
      await this.providers.softDelete(scope, id, this.clock.now());
      await this.audit.record(scope, actor, {
        action: 'provider.delete',
        targetType: 'provider',
        targetId: id,
        correlationId,
        details: { name: current.name, billingModel: current.billingModel },
      });
    });
  }
}
