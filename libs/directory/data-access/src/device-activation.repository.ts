import { Injectable } from '@nestjs/common';
import type { TenantScope } from '@twofold/platform/db';

export interface DeviceActivationRow {
  id: string;
  deviceName: string | null;
  active: boolean;
  activatedAt: Date;
  deactivatedAt: Date | null;
}

export interface NewDeviceActivation {
  id: string;
  userId: string;
  deviceToken: string;
  deviceName: string | null;
  seedCiphertext: Buffer;
  /** The device secret, sealed with the same key as the seed (keyId). */
  secretCiphertext: Buffer;
  keyId: string;
}

/** Metadata only: the sealed seed is never selected here. */
const FIELDS = { id: true, deviceName: true, active: true, activatedAt: true, deactivatedAt: true } as const;

/** Authenticator-app activations (R11, R18). Deactivated rows are kept, never reused. */
@Injectable()
export class DeviceActivationRepository {
  async create(scope: TenantScope, input: NewDeviceActivation): Promise<DeviceActivationRow> {
    return scope.tx.deviceActivation.create({
      data: {
        tenantId: scope.tenantId,
        ...input,
        seedCiphertext: new Uint8Array(input.seedCiphertext),
        secretCiphertext: new Uint8Array(input.secretCiphertext),
      },
      select: FIELDS,
    });
  }

  async list(scope: TenantScope, userId: string): Promise<DeviceActivationRow[]> {
    return scope.tx.deviceActivation.findMany({
      where: { tenantId: scope.tenantId, userId },
      orderBy: [{ activatedAt: 'asc' }, { id: 'asc' }],
      select: FIELDS,
    });
  }

  async find(scope: TenantScope, userId: string, id: string): Promise<DeviceActivationRow | null> {
    return scope.tx.deviceActivation.findFirst({ where: { tenantId: scope.tenantId, userId, id }, select: FIELDS });
  }

  async countActive(scope: TenantScope, userId: string): Promise<number> {
    return scope.tx.deviceActivation.count({ where: { tenantId: scope.tenantId, userId, active: true } });
  }

  /** Deactivates one device, or every active device of the user when `id` is omitted. */
  async deactivate(scope: TenantScope, userId: string, at: Date, id?: string): Promise<number> {
    const { count } = await scope.tx.deviceActivation.updateMany({
      where: { tenantId: scope.tenantId, userId, active: true, ...(id ? { id } : {}) },
      data: { active: false, deactivatedAt: at },
    });
    return count;
  }

  /** R8: deactivates every active device activation of the scope's tenant; returns how many. */
  async deactivateAllOfTenant(scope: TenantScope, at: Date): Promise<number> {
    const { count } = await scope.tx.deviceActivation.updateMany({
      where: { tenantId: scope.tenantId, active: true },
      data: { active: false, deactivatedAt: at },
    });
    return count;
  }

  async hasAny(scope: TenantScope, userId: string): Promise<boolean> {
    return (await scope.tx.deviceActivation.count({ where: { tenantId: scope.tenantId, userId } })) > 0;
  }
}

export interface DeviceSecret {
  id: string;
  deviceToken: string;
  seedCiphertext: Buffer;
  keyId: string;
  lastUsedStep: bigint | null;
}
