import { Injectable } from '@nestjs/common';
import type { SqlScope } from '@twofold/platform/db';
import type { OathTokenSecret } from './oath-token.repository';

type Raw = Omit<OathTokenSecret, 'counter' | 'lastUsedStep'> & { counter: string; lastUsedStep: string | null };

/**
 * Hardware OATH tokens (R25) as the authentication engine verifies them, on plain SQL in its
 * `inTenantSql` transaction (docs/decisions/0016): expired tokens never verify, a used
 * TOTP step never verifies again, the HOTP counter only moves forward from the value read.
 */
@Injectable()
export class OathTokenSqlRepository {
  async assignedSecrets(scope: SqlScope, userId: string, at: Date): Promise<OathTokenSecret[]> {
    const rows = await scope.query<Raw>(
      `SELECT id, serial, type, algorithm, digits, period, counter, last_used_step AS "lastUsedStep",
              secret_ciphertext AS "secretCiphertext", key_id AS "keyId"
         FROM oath_tokens
        WHERE tenant_id = $1 AND assigned_user_id = $2::uuid AND (expires_at IS NULL OR expires_at > $3)`,
      [scope.tenantId, userId, at],
    );
    return rows.map((r) => ({
      ...r,
      counter: BigInt(r.counter),
      lastUsedStep: r.lastUsedStep === null ? null : BigInt(r.lastUsedStep),
    }));
  }

  async useStep(scope: SqlScope, id: string, step: bigint): Promise<boolean> {
    const rows = await scope.query(
      `UPDATE oath_tokens SET last_used_step = $3, updated_at = now()
        WHERE tenant_id = $1 AND id = $2::uuid AND (last_used_step IS NULL OR last_used_step < $3) RETURNING id`,
      [scope.tenantId, id, step.toString()],
    );
    return rows.length === 1;
  }

  /** HOTP: moves the counter past the matched value (look-ahead resync); false if it moved meanwhile. */
  async advanceCounter(scope: SqlScope, id: string, expected: bigint, next: bigint): Promise<boolean> {
    const rows = await scope.query(
      `UPDATE oath_tokens SET counter = $4, updated_at = now()
        WHERE tenant_id = $1 AND id = $2::uuid AND counter = $3 RETURNING id`,
      [scope.tenantId, id, expected.toString(), next.toString()],
    );
    return rows.length === 1;
  }
}
