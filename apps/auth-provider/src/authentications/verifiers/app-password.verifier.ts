import { Injectable } from '@nestjs/common';
import { AuthenticationRow } from '@twofold/authentication/data-access';
import { AuthenticatorSqlRepository } from '@twofold/directory/data-access';
import { MAX_APP_PASSWORDS_PER_USER } from '@twofold/directory/domain';
import { SqlScope } from '@twofold/platform/db';
import { VerifyInput } from '../authentication-view';
import { AppPasswordMatch, Check, MethodVerifier, WRONG } from './method-verifier';

/**
 * app_password (R17), in two passes: the first reads the candidate hashes (the use case derives
 * them outside any transaction), the second uses the match, if any.
 */
@Injectable()
export class AppPasswordVerifier implements MethodVerifier {
  constructor(private readonly authenticators: AuthenticatorSqlRepository) {}

  async check(
    scope: SqlScope,
    auth: AuthenticationRow,
    input: VerifyInput,
    now: Date,
    matched: AppPasswordMatch | undefined,
  ): Promise<Check> {
    if (!matched) {
      // R17: a tenant that stopped allowing app passwords refuses them at once, at no scrypt cost.
      const { allowed, passwords } = await this.authenticators.appPasswordCandidates(
        scope,
        auth.userId as string,
        MAX_APP_PASSWORDS_PER_USER,
      );
      if (!allowed) return { ok: false, reason: 'app_passwords_not_allowed', final: true };
      if (!input.code || passwords.length === 0) return WRONG;
      return { derive: passwords };
    }
    // The setting, or the matched password, may have changed while the hashes were computed.
    const use = await this.authenticators.useAppPassword(scope, matched.id, now);
    if (!use.allowed) return { ok: false, reason: 'app_passwords_not_allowed', final: true };
    return use.used ? { ok: true } : WRONG;
  }
}
