import { Injectable } from '@nestjs/common';
import { DbService, SqlResealTarget } from '@twofold/platform/db';
import { deviceSecretAad, deviceSeedAad } from '@twofold/secrets/contracts';

interface SealedDeviceRow {
  id: string;
  userId: string;
  keyId: string;
  seed: Buffer;
  secret: Buffer | null;
}

/** Authenticator-app activations for the reseal command: the TOTP seed and the device secret share one key id. */
@Injectable()
export class DeviceResealTarget extends SqlResealTarget<SealedDeviceRow> {
  constructor(db: DbService) {
    super(db, {
      kind: 'device',
      toResealFunction: 'twofold_devices_to_reseal',
      selectSql: `SELECT id::text AS id, user_id::text AS "userId", key_id AS "keyId", seed_ciphertext AS seed, secret_ciphertext AS secret
                    FROM device_activations
                   WHERE tenant_id = $1::uuid AND id = ANY($2::uuid[]) AND key_id <> $3
                   ORDER BY id FOR UPDATE`,
      toSealedRow: (tenantId, r) => ({
        id: r.id,
        keyId: r.keyId,
        values: [
          { ciphertext: r.seed, aad: deviceSeedAad(tenantId, r.userId, r.id) },
          r.secret === null ? null : { ciphertext: r.secret, aad: deviceSecretAad(tenantId, r.userId, r.id) },
        ],
      }),
      updateSql: `UPDATE device_activations SET key_id = $3, seed_ciphertext = $4, secret_ciphertext = $5
                   WHERE tenant_id = $1::uuid AND id = $2::uuid`,
    });
  }
}
