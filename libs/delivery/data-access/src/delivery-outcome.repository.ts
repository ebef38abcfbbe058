import { Injectable } from '@nestjs/common';
import type { TenantScope } from '@twofold/platform/db';
import type { MessageStatus } from '@twofold/delivery/domain';

export interface TenantDeliverySettings {
  smsFallbackToVoice: boolean;
  smsTemplate: string | null;
  /** Where the tenant's codes may go (docs/decisions/0019); the worker checks it once more. */
  deliveryCountries: string[];
  /** docs/decisions/0026: a suspended tenant's queued codes are not sent (nor charged by the carrier). */
  tenantSuspended: boolean;
}

/**
 * The two places outside its own tables that delivery touches (docs/decisions/0012-delivery.md):
 * it reads the tenant's delivery settings, and it writes the final delivery outcome onto the
 * authentication's record (R26 "the authentication record shows the final delivery outcome").
 * The record is written by the authentication engine when the authentication ends, taking the
 * latest message status at that moment; callbacks that come later update it here.
 */
@Injectable()
export class DeliveryOutcomeRepository {
  async settings(scope: TenantScope): Promise<TenantDeliverySettings> {
    const row = await scope.tx.tenant.findFirst({
      where: { id: scope.tenantId },
      select: { smsFallbackToVoice: true, smsTemplate: true, deliveryCountries: true, suspendedAt: true },
    });
    if (!row) return { smsFallbackToVoice: false, smsTemplate: null, deliveryCountries: [], tenantSuspended: false };
    const { suspendedAt, ...settings } = row;
    return { ...settings, tenantSuspended: suspendedAt !== null };
  }

  /** Sets the record's delivery status (a no-op while the authentication has no record yet). */
  async recordOutcome(scope: TenantScope, authenticationId: string, status: MessageStatus): Promise<void> {
    await scope.tx.authenticationRecord.updateMany({
      where: { tenantId: scope.tenantId, authenticationId },
      data: { deliveryStatus: status },
    });
  }
}
