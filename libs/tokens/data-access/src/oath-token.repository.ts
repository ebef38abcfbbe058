import { Injectable } from '@nestjs/common';
import type { TenantScope } from '@twofold/platform/db';

export interface OathTokenSecret {
  id: string;
  serial: string;
  type: 'totp' | 'hotp';
  algorithm: 'SHA1' | 'SHA256' | 'SHA512';
  digits: number;
  period: number;
  counter: bigint;
  lastUsedStep: bigint | null;
  secretCiphertext: Buffer;
  keyId: string;
}

/** AAD that binds a sealed token secret to its row (AES-256-GCM, platform SecretBox). */
export const oathSecretAad = (tenantId: string, tokenId: string): string => `oath:${tenantId}:${tokenId}`;

/** Hardware OATH tokens (R25) as the authentication engine needs them. */
@Injectable()
export class OathTokenRepository {
  /** The user's tokens that can still sign in: assigned, and not past the expiry date of their import (R25). */
  async assignedSecrets(scope: TenantScope, userId: string, at: Date): Promise<OathTokenSecret[]> {
    const rows = await scope.tx.oathToken.findMany({
      where: { tenantId: scope.tenantId, assignedUserId: userId, OR: [{ expiresAt: null }, { expiresAt: { gt: at } }] },
      select: {
        id: true,
        serial: true,
        type: true,
        algorithm: true,
        digits: true,
        period: true,
        counter: true,
        lastUsedStep: true,
        secretCiphertext: true,
        keyId: true,
      },
    });
    return rows.map((r) => ({ ...r, secretCiphertext: Buffer.from(r.secretCiphertext) }));
  }

  /** TOTP replay protection: false if this step (or a later one) was already used. */
  async useStep(scope: TenantScope, id: string, step: bigint): Promise<boolean> {
    const count = await scope.tx.$executeRaw`
      UPDATE oath_tokens SET last_used_step = ${step}, updated_at = now()
       WHERE tenant_id = ${scope.tenantId}::uuid AND id = ${id}::uuid AND (last_used_step IS NULL OR last_used_step < ${step})`;
    return count === 1;
  }

  /** HOTP: moves the counter past the matched value (look-ahead resync); false if it moved meanwhile. */
  async advanceCounter(scope: TenantScope, id: string, expected: bigint, next: bigint): Promise<boolean> {
    const count = await scope.tx.$executeRaw`
      UPDATE oath_tokens SET counter = ${next}, updated_at = now()
       WHERE tenant_id = ${scope.tenantId}::uuid AND id = ${id}::uuid AND counter = ${expected}`;
    return count === 1;
  }
}
