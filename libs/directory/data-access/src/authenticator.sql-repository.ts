import { Injectable } from '@nestjs/common';
import type { SqlScope } from '@twofold/platform/db';
import type { DeviceSecret } from './device-activation.repository';

/**
 * What the authentication engine reads and writes of a user's authenticator devices and app
 * passwords, on plain SQL in its `inTenantSql` transaction (docs/decisions/0015). Same rules as
 * DeviceActivationRepository and AppPasswordRepository.
 */
/** A device found by its push token: whether it is active, and its sealed secret (null: activated before secrets). */
export interface DeviceAddress {
  id: string;
  active: boolean;
  keyId: string;
  secretCiphertext: Buffer | null;
}

@Injectable()
export class AuthenticatorSqlRepository {
  async activeDeviceSecrets(scope: SqlScope, userId: string): Promise<DeviceSecret[]> {
    const rows = await scope.query<Omit<DeviceSecret, 'lastUsedStep'> & { lastUsedStep: string | null }>(
      `SELECT id, device_token AS "deviceToken", seed_ciphertext AS "seedCiphertext", key_id AS "keyId",
              last_used_step AS "lastUsedStep"
         FROM device_activations WHERE tenant_id = $1 AND user_id = $2::uuid AND active`,
      [scope.tenantId, userId],
    );
    return rows.map((r) => ({ ...r, lastUsedStep: r.lastUsedStep === null ? null : BigInt(r.lastUsedStep) }));
  }

  /** Records a used TOTP step; false if that step (or a later one) was already used (replay). */
  async useDeviceStep(scope: SqlScope, id: string, step: bigint): Promise<boolean> {
    const rows = await scope.query(
      `UPDATE device_activations SET last_used_step = $3
        WHERE tenant_id = $1 AND id = $2::uuid AND (last_used_step IS NULL OR last_used_step < $3)
        RETURNING id`,
      [scope.tenantId, id, step.toString()],
    );
    return rows.length === 1;
  }

  /**
   * The user's device with this push token, active or not (R18 needs to tell the two apart), with its
   * sealed secret: the token only addresses the device, the secret proves the answer.
   */
  async deviceByToken(scope: SqlScope, userId: string, deviceToken: string): Promise<DeviceAddress | null> {
    const rows = await scope.query<DeviceAddress>(
      `SELECT id, active, key_id AS "keyId", secret_ciphertext AS "secretCiphertext"
         FROM device_activations WHERE tenant_id = $1 AND user_id = $2::uuid AND device_token = $3
        ORDER BY activated_at DESC LIMIT 1`,
      [scope.tenantId, userId, deviceToken],
    );
    return rows[0] ?? null;
  }

  /**
   * R17: whether the tenant allows app passwords now, and the stored scrypt hashes of the user's
   * (at most `limit`, the most recently used first). Read before any hash is computed, so a tenant
   * that stopped allowing them costs no derivation.
   */
  async appPasswordCandidates(
    scope: SqlScope,
    userId: string,
    limit: number,
  ): Promise<{ allowed: boolean; passwords: { id: string; passwordHash: string }[] }> {
    const rows = await scope.query<{ allowed: boolean; passwords: { id: string; passwordHash: string }[] }>(
      `SELECT t.app_passwords_allowed AS allowed,
         COALESCE((SELECT json_agg(json_build_object('id', p.id, 'passwordHash', p.password_hash)
                                   ORDER BY p.last_used_at DESC NULLS LAST, p.created_at DESC)
                     FROM (SELECT id, password_hash, last_used_at, created_at FROM app_passwords
                            WHERE user_id = $2::uuid AND tenant_id = $1
                            ORDER BY last_used_at DESC NULLS LAST, created_at DESC LIMIT $3) p), '[]') AS passwords
       FROM tenants t WHERE t.id = $1`,
      [scope.tenantId, userId, limit],
    );
    return rows[0] ?? { allowed: false, passwords: [] };
  }

  /**
   * R17: marks the matched app password used, only if it still exists and the tenant still allows
   * app passwords (either may have changed while its hash was computed, outside the transaction).
   * `id` null (no match) only reads the setting.
   */
  async useAppPassword(scope: SqlScope, id: string | null, at: Date): Promise<{ allowed: boolean; used: boolean }> {
    const rows = await scope.query<{ allowed: boolean; used: boolean }>(
      `WITH allowed AS (SELECT t.app_passwords_allowed AS allowed FROM tenants t WHERE t.id = $1),
       used AS (
         UPDATE app_passwords SET last_used_at = $3
          WHERE tenant_id = $1 AND id = $2::uuid AND (SELECT allowed FROM allowed)
         RETURNING id)
       SELECT COALESCE((SELECT allowed FROM allowed), false) AS allowed, EXISTS (SELECT 1 FROM used) AS used`,
      [scope.tenantId, id, at],
    );
    return rows[0] ?? { allowed: false, used: false };
  }
}
