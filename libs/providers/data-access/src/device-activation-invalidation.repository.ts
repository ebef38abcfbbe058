import { Injectable } from '@nestjs/common';
import type { TenantScope } from '@twofold/platform/db';

/**
 * R8: a provider link change stops mobile app notifications for every user of the tenants it
 * touches, until each user re-activates the app.
 *
 * device_activations belongs to the directory domain; this one statement lives here until the
 * directory data-access lib offers it (the providers lib may not depend on it: module boundaries),
 * at which point the service calls that instead. See decision 0007.
 */
@Injectable()
export class DeviceActivationInvalidationRepository {
  /**
   * Deactivates every active device activation of `tenantId`, in the caller's transaction. For a
   * tenant other than the scope's, the transaction-local `app.tenant_id` is switched to it for the
   * one statement (RLS then admits exactly that tenant's rows) and switched back afterwards; the
   * caller must already have established that it may act on that tenant (R8 consent).
   */
  async deactivateAll(scope: TenantScope, tenantId: string, at: Date): Promise<number> {
    const other = tenantId !== scope.tenantId;
    if (other) await scope.tx.$executeRaw`SELECT set_config('app.tenant_id', ${tenantId}, true)`;
    const count = await scope.tx.$executeRaw`
      UPDATE device_activations SET active = false, deactivated_at = ${at}
       WHERE tenant_id = ${tenantId}::uuid AND active`;
    // On failure the whole transaction rolls back, so there is nothing to restore then.
    if (other) await scope.tx.$executeRaw`SELECT set_config('app.tenant_id', ${scope.tenantId}, true)`;
    return count;
  }
}
