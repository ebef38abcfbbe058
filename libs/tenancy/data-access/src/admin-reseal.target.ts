import { Injectable } from '@nestjs/common';
import { DbService, SqlResealTarget } from '@twofold/platform/db';
import { adminTotpAad } from '@twofold/secrets/contracts';

interface SealedAdminRow {
  id: string;
  keyId: string;
  seed: Buffer;
}

/** Tenant admins for the reseal command: one sealed TOTP seed per admin (docs/decisions/0031). */
@Injectable()
export class AdminResealTarget extends SqlResealTarget<SealedAdminRow> {
  constructor(db: DbService) {
    super(db, {
      kind: 'admin_totp',
      toResealFunction: 'twofold_admins_to_reseal',
      selectSql: `SELECT id::text AS id, key_id AS "keyId", totp_seed_ciphertext AS seed
                    FROM admins
                   WHERE tenant_id = $1::uuid AND id = ANY($2::uuid[]) AND key_id <> $3
                   ORDER BY id FOR UPDATE`,
      toSealedRow: (tenantId, r) => ({
        id: r.id,
        keyId: r.keyId,
        values: [{ ciphertext: r.seed, aad: adminTotpAad(tenantId, r.id) }],
      }),
      // updated_at stays: re-sealing changes how the seed is kept, not the admin.
      updateSql: `UPDATE admins SET key_id = $3, totp_seed_ciphertext = $4 WHERE tenant_id = $1::uuid AND id = $2::uuid`,
    });
  }
}
