import { Injectable } from '@nestjs/common';
import {
  AuthenticationPatch,
  AuthenticationRow,
  AuthenticationSqlRepository,
  CodeVerification,
  CodeVerificationInput,
  NewAuthenticationRecord,
  RecordContext,
} from '@twofold/authentication/data-access';
import { buildRecord, DenyReason, MAX_ATTEMPTS } from '@twofold/authentication/domain';
import { mergeRecordFields, RecordFieldSettings } from '@twofold/providers/domain';
import { Clock, SqlScope } from '@twofold/platform/db';
import { authenticationDenialsTotal, authenticationsTotal } from '@twofold/platform/metrics';

export type Closing = { status: 'succeeded' | 'denied' | 'expired'; reason: DenyReason | null; attempts?: number };

/**
 * The one way an authentication ends (R26): its status and its single record, in one statement.
 * Used by the authentication API, the sweeper and the deletion of a user.
 */
@Injectable()
export class AuthenticationCloser {
  constructor(
    private readonly clock: Clock,
    private readonly authentications: AuthenticationSqlRepository,
  ) {}

  /**
   * Usually its transaction's last statement, so COMMIT goes out with it; `last = false` when the
   * caller runs one more statement (GET reads the deliveries after closing an expired one).
   */
  async close(
    scope: SqlScope,
    auth: AuthenticationRow,
    context: RecordContext,
    closing: Closing,
    deviceToken: string | null = null,
    last = true,
  ): Promise<AuthenticationRow> {
    const completedAt = this.clock.now();
    const patch: AuthenticationPatch = {
      status: closing.status,
      denyReason: closing.reason,
      completedAt,
      ...(closing.attempts !== undefined ? { attempts: closing.attempts } : {}),
      ...(auth.deviceActivationId ? { deviceActivationId: auth.deviceActivationId } : {}),
    };
    const closed = { ...auth, ...patch } as AuthenticationRow;
    const record = this.recordOf(closed, context, deviceToken);
    const row = await this.authentications.close(scope, auth.id, patch, record, { last });
    // Counted once the closing statement succeeded (docs/decisions/0024): in memory, no I/O.
    authenticationsTotal.inc({ method: record.method, result: record.result });
    if (record.result === 'deny')
      authenticationDenialsTotal.inc({ method: record.method, reason: record.denyReason ?? 'unknown' });
    return row;
  }

  /**
   * SMS/voice: the verification, the close and its record in one statement, sent with COMMIT
   * (docs/decisions/0028). Writes the same record `recordOf` builds, and counts a close like `close`.
   */
  async closeByCode(
    scope: SqlScope,
    input: Omit<CodeVerificationInput, 'maxAttempts'>,
  ): Promise<{ outcome: CodeVerification; auth: AuthenticationRow } | null> {
    scope.commitWithNext();
    const result = await this.authentications.verifyCode(scope, { ...input, maxAttempts: MAX_ATTEMPTS });
    const auth = result?.auth;
    // Counted once the statement (and its COMMIT) succeeded, only when this statement closed it.
    if (auth && result.outcome !== 'closed' && result.outcome !== 'fallback' && auth.status !== 'pending') {
      const denyReason = auth.status === 'expired' ? 'expired' : auth.denyReason;
      const outcome = auth.status === 'succeeded' ? 'success' : 'deny';
      authenticationsTotal.inc({ method: auth.method, result: outcome });
      if (outcome === 'deny') authenticationDenialsTotal.inc({ method: auth.method, reason: denyReason ?? 'unknown' });
    }
    return result;
  }

  /**
   * R26: a user about to be deleted takes their pending authentications with them (ON DELETE
   * CASCADE); each is denied with `user_deleted` first, so the attempt keeps its record. Runs in
   * the deleting transaction, after the user's row is locked (no new authentication can start).
   */
  async closeForDeletedUser(scope: SqlScope, userId: string): Promise<number> {
    const pending = await this.authentications.lockPendingOfUser(scope, userId);
    for (const { auth, record } of pending) {
      await this.close(scope, auth, record, { status: 'denied', reason: 'user_deleted' });
    }
    return pending.length;
  }

  /** R26: every field the provider keeps, the tenant's data region and the correlation id (`buildRecord`). */
  recordOf(
    auth: AuthenticationRow,
    context: RecordContext,
    deviceToken: string | null = null,
  ): NewAuthenticationRecord {
    const keep = mergeRecordFields(context.recordFields as Partial<RecordFieldSettings> | null, undefined);
    return buildRecord(auth, context, keep, deviceToken, this.clock.now());
  }
}
