import { Injectable } from '@nestjs/common';
import type { SqlScope } from '@twofold/platform/db';
import type { DeviceSecret } from './device-activation.repository';

/**
 * What the authentication engine reads and writes of a user's authenticator devices and app
 * passwords, on plain SQL in its `inTenantSql` transaction (docs/decisions/0015). Same rules as
 * DeviceActivationRepository and AppPasswordRepository.
 */
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

  /** The user's device with this push token, active or not (R18 needs to tell the two apart). */
  async deviceByToken(
    scope: SqlScope,
    userId: string,
    deviceToken: string,
  ): Promise<{ id: string; active: boolean } | null> {
    const rows = await scope.query<{ id: string; active: boolean }>(
      `SELECT id, active FROM device_activations WHERE tenant_id = $1 AND user_id = $2::uuid AND device_token = $3
        ORDER BY activated_at DESC LIMIT 1`,
      [scope.tenantId, userId, deviceToken],
    );
    return rows[0] ?? null;
  }

  /** The stored scrypt hashes of the user's app passwords, for a legacy-client sign-in (R17). */
  async appPasswordHashes(scope: SqlScope, userId: string): Promise<{ id: string; passwordHash: string }[]> {
    return scope.query(
      `SELECT id, password_hash AS "passwordHash" FROM app_passwords WHERE tenant_id = $1 AND user_id = $2::uuid`,
      [scope.tenantId, userId],
    );
  }

  async touchAppPassword(scope: SqlScope, id: string, at: Date): Promise<void> {
    await scope.query(`UPDATE app_passwords SET last_used_at = $3 WHERE tenant_id = $1 AND id = $2::uuid`, [
      scope.tenantId,
      id,
      at,
    ]);
  }
}
