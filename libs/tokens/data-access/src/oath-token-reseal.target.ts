import { Injectable } from '@nestjs/common';
import { DbService, SqlResealTarget } from '@twofold/platform/db';
import { oathSecretAad } from '@twofold/secrets/contracts';

interface SealedTokenRow {
  id: string;
  keyId: string;
  secret: Buffer;
}

/** Imported OATH tokens for the reseal command: one sealed shared secret per token. */
@Injectable()
export class OathTokenResealTarget extends SqlResealTarget<SealedTokenRow> {
  constructor(db: DbService) {
    super(db, {
      kind: 'oath_token',
      toResealFunction: 'twofold_oath_tokens_to_reseal',
      selectSql: `SELECT id::text AS id, key_id AS "keyId", secret_ciphertext AS secret
                    FROM oath_tokens
                   WHERE tenant_id = $1::uuid AND id = ANY($2::uuid[]) AND key_id <> $3
                   ORDER BY id FOR UPDATE`,
      toSealedRow: (tenantId, r) => ({
        id: r.id,
        keyId: r.keyId,
        values: [{ ciphertext: r.secret, aad: oathSecretAad(tenantId, r.id) }],
      }),
      // updated_at stays: re-sealing changes how the secret is kept, not the token.
      updateSql: `UPDATE oath_tokens SET key_id = $3, secret_ciphertext = $4 WHERE tenant_id = $1::uuid AND id = $2::uuid`,
    });
  }
}
