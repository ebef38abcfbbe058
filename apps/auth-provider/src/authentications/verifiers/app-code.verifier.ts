import { Injectable } from '@nestjs/common';
import { AuthenticationRow } from '@twofold/authentication/data-access';
import { verifyTotp } from '@twofold/authentication/domain';
import { AuthenticatorSqlRepository } from '@twofold/directory/data-access';
import { SecretBox } from '@twofold/platform/crypto';
import { SqlScope } from '@twofold/platform/db';
import { deviceSeedAad } from '@twofold/secrets/contracts';
import { VerifyInput } from '../authentication-view';
import { Check, MethodVerifier, WRONG } from './method-verifier';

/** app_code: a TOTP code of one of the user's active devices; a step is used once (R18, RFC 6238). */
@Injectable()
export class AppCodeVerifier implements MethodVerifier {
  constructor(
    private readonly box: SecretBox,
    private readonly authenticators: AuthenticatorSqlRepository,
  ) {}

  async check(scope: SqlScope, auth: AuthenticationRow, input: VerifyInput, now: Date): Promise<Check> {
    const userId = auth.userId as string;
    const devices = await this.authenticators.activeDeviceSecrets(scope, userId);
    if (devices.length === 0) return { ok: false, reason: 'account_not_activated', final: true };
    for (const d of devices) {
      const seed = this.box.open(d.keyId, d.seedCiphertext, deviceSeedAad(scope.tenantId, userId, d.id));
      const r = verifyTotp({
        secret: seed,
        code: input.code ?? '',
        timeMs: now.getTime(),
        period: 30,
        digits: 6,
        algorithm: 'SHA1',
        window: 1,
        lastUsedStep: d.lastUsedStep,
      });
      if (r.ok && (await this.authenticators.useDeviceStep(scope, d.id, r.step)))
        return { ok: true, device: { id: d.id, token: d.deviceToken } };
    }
    return WRONG;
  }
}
