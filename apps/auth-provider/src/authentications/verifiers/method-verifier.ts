import { AuthenticationRow } from '@twofold/authentication/data-access';
import { DenyReason } from '@twofold/authentication/domain';
import { SqlScope } from '@twofold/platform/db';
import { VerifyInput } from '../authentication-view';

/** The app password an earlier pass matched (null: none matched). */
export type AppPasswordMatch = { id: string | null };

/** What a method's check says about the answer a verification brought. */
export type Check =
  | { ok: true; device?: { id: string; token: string } }
  | { ok: false; reason: DenyReason; final: boolean }
  /** R17: the candidate hashes of an app password, to compute outside the transaction. */
  | { derive: { id: string; passwordHash: string }[] };

export const WRONG: Check = { ok: false, reason: 'invalid_code', final: false };

/**
 * One authentication method's check of an answer, inside the verification's transaction, with the
 * authentication row locked. A check may write its own method's state (a TOTP step used, a HOTP
 * counter advanced, an app password's last use), never the authentication itself.
 */
export interface MethodVerifier {
  check(
    scope: SqlScope,
    auth: AuthenticationRow,
    input: VerifyInput,
    now: Date,
    matched: AppPasswordMatch | undefined,
  ): Promise<Check>;
}
