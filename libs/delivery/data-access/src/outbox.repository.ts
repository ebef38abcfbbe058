import { Injectable } from '@nestjs/common';
import type { DbService, SqlScope } from '@twofold/platform/db';
import type { SealedCode } from '@twofold/delivery/contracts';

/** A queued message, as the sweeper enqueues it again: what its job carries. */
export interface OutboxMessage {
  id: string;
  authenticationId: string;
  channel: 'sms' | 'voice';
  code: SealedCode;
  callerId: string | null;
}

/**
 * The delivery outbox (docs/decisions/0019): message rows keep their sealed code while their
 * authentication is pending, so a job that could not be enqueued after commit (Redis down, the
 * process gone) is enqueued again from the row. Platform-wide lookups go through SECURITY DEFINER
 * functions (they run before any tenant is known); each tenant's rows are read in its own scope.
 */
@Injectable()
export class OutboxRepository {
  /** Queued messages older than `seconds` whose authentication is pending, across tenants. */
  async due(db: Pick<DbService, 'query'>, seconds: number, limit: number): Promise<{ tenantId: string; id: string }[]> {
    return db.query<{ tenantId: string; id: string }>(
      'SELECT tenant_id::text AS "tenantId", id::text AS id FROM twofold_outbox_messages($1::int, $2::int)',
      [seconds, limit],
    );
  }

  /** The jobs of those messages that are still queued with a code (in the tenant's scope). */
  async jobsOf(scope: SqlScope, ids: readonly string[]): Promise<OutboxMessage[]> {
    const rows = await scope.query<{
      id: string;
      authenticationId: string;
      channel: 'sms' | 'voice';
      keyId: string;
      ciphertext: string;
      callerId: string | null;
    }>(
      `SELECT id, authentication_id AS "authenticationId", channel::text AS channel, code_key_id AS "keyId",
              encode(code_ciphertext, 'base64') AS ciphertext, caller_id AS "callerId"
         FROM messages
        WHERE tenant_id = $1::uuid AND id = ANY($2::uuid[]) AND status = 'queued'
          AND code_ciphertext IS NOT NULL AND authentication_id IS NOT NULL`,
      [scope.tenantId, ids],
    );
    return rows.map((r) => ({
      id: r.id,
      authenticationId: r.authenticationId,
      channel: r.channel,
      code: { keyId: r.keyId, ciphertext: r.ciphertext },
      callerId: r.callerId,
    }));
  }

  /**
   * A message's sealed code while its authentication is still pending and unexpired (null once it
   * ended: a late carrier report must not call anyone for a sign-in that is over).
   */
  async pendingCodeOf(scope: SqlScope, messageId: string): Promise<SealedCode | null> {
    const [row] = await scope.query<{ keyId: string; ciphertext: string }>(
      `SELECT m.code_key_id AS "keyId", encode(m.code_ciphertext, 'base64') AS ciphertext
         FROM messages m
         JOIN authentications a ON a.tenant_id = m.tenant_id AND a.id = m.authentication_id
        WHERE m.tenant_id = $1::uuid AND m.id = $2::uuid AND m.code_ciphertext IS NOT NULL
          AND a.status = 'pending' AND a.expires_at > now()`,
      [scope.tenantId, messageId],
    );
    return row ? { keyId: row.keyId, ciphertext: row.ciphertext } : null;
  }

  /**
   * R23: the caller ID a voice call of this authentication shows: its MFA server's, else its
   * provider's, else null (the platform default). The same rule the engine applies at start.
   */
  async voiceCallerIdOf(scope: SqlScope, authenticationId: string): Promise<string | null> {
    const [row] = await scope.query<{ callerId: string | null }>(
      `SELECT COALESCE((SELECT s.voice_caller_id FROM mfa_servers s WHERE s.tenant_id = a.tenant_id AND s.id = a.server_id),
                       (SELECT p.voice_caller_id FROM providers p WHERE p.tenant_id = a.tenant_id AND p.id = a.provider_id))
                AS "callerId"
         FROM authentications a
        WHERE a.tenant_id = $1::uuid AND a.id = $2::uuid`,
      [scope.tenantId, authenticationId],
    );
    return row?.callerId ?? null;
  }

  /** Clears the sealed codes of messages whose authentication ended; returns how many. */
  async clearEnded(db: Pick<DbService, 'query'>, limit: number): Promise<number> {
    const [row] = await db.query<{ cleared: number }>('SELECT twofold_clear_ended_codes($1::int) AS cleared', [limit]);
    return row?.cleared ?? 0;
  }
}
