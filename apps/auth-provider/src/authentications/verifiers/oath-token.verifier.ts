import { Injectable } from '@nestjs/common';
import { AuthenticationRow } from '@twofold/authentication/data-access';
import { verifyHotp, verifyTotp } from '@twofold/authentication/domain';
import { SecretBox } from '@twofold/platform/crypto';
import { SqlScope } from '@twofold/platform/db';
import { oathSecretAad } from '@twofold/secrets/contracts';
import { OathTokenSqlRepository } from '@twofold/tokens/data-access';
import { VerifyInput } from '../authentication-view';
import { Check, MethodVerifier, WRONG } from './method-verifier';

/** oath_token: a code of a hardware token assigned to the user, TOTP (step used once) or HOTP (counter advances). */
@Injectable()
export class OathTokenVerifier implements MethodVerifier {
  constructor(
    private readonly box: SecretBox,
    private readonly tokens: OathTokenSqlRepository,
  ) {}

  async check(scope: SqlScope, auth: AuthenticationRow, input: VerifyInput, now: Date): Promise<Check> {
    for (const t of await this.tokens.assignedSecrets(scope, auth.userId as string, now)) {
      const secret = this.box.open(t.keyId, t.secretCiphertext, oathSecretAad(scope.tenantId, t.id));
      const options = { algorithm: t.algorithm, digits: t.digits as 6 | 7 | 8 };
      if (t.type === 'totp') {
        const r = verifyTotp({
          ...options,
          secret,
          code: input.code ?? '',
          timeMs: now.getTime(),
          period: t.period as 30 | 60,
          window: 1,
          lastUsedStep: t.lastUsedStep,
        });
        if (r.ok && (await this.tokens.useStep(scope, t.id, r.step))) return { ok: true };
      } else {
        const r = verifyHotp({ ...options, secret, code: input.code ?? '', counter: t.counter });
        if (r.ok && (await this.tokens.advanceCounter(scope, t.id, t.counter, r.nextCounter))) return { ok: true };
      }
    }
    return WRONG;
  }
}
