import { Injectable } from '@nestjs/common';
import { DbService, SqlResealTarget } from '@twofold/platform/db';
import { codeAad } from '@twofold/secrets/contracts';

interface SealedCodeRow {
  id: string;
  keyId: string;
  code: Buffer;
}

/** Queued one-time codes in the message outbox (decision 0019) for the reseal command. */
@Injectable()
export class MessageResealTarget extends SqlResealTarget<SealedCodeRow> {
  constructor(db: DbService) {
    super(db, {
      kind: 'message_code',
      toResealFunction: 'twofold_messages_to_reseal',
      selectSql: `SELECT id::text AS id, code_key_id AS "keyId", code_ciphertext AS code
                    FROM messages
                   WHERE tenant_id = $1::uuid AND id = ANY($2::uuid[])
                     AND code_ciphertext IS NOT NULL AND code_key_id <> $3
                   ORDER BY id FOR UPDATE`,
      toSealedRow: (tenantId, r) => ({
        id: r.id,
        keyId: r.keyId,
        values: [{ ciphertext: r.code, aad: codeAad(tenantId, r.id) }],
      }),
      // A code cleared meanwhile (its authentication ended) stays cleared.
      updateSql: `UPDATE messages SET code_key_id = $3, code_ciphertext = $4
                   WHERE tenant_id = $1::uuid AND id = $2::uuid AND code_ciphertext IS NOT NULL`,
    });
  }
}
