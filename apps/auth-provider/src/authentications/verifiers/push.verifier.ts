import { Injectable } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import { AuthenticationRow } from '@twofold/authentication/data-access';
import { AuthenticatorSqlRepository, DeviceAddress } from '@twofold/directory/data-access';
import { SecretBox } from '@twofold/platform/crypto';
import { SqlScope } from '@twofold/platform/db';
import { deviceSecretAad } from '@twofold/secrets/contracts';
import { VerifyInput } from '../authentication-view';
import { Check, MethodVerifier, WRONG } from './method-verifier';

/**
 * app_notification: the device's answer. The push token only says which device answers; its secret
 * proves the answer (issue 15 item 10). Approving and denying both need it: a token seen in a report
 * can do neither.
 */
@Injectable()
export class PushVerifier implements MethodVerifier {
  constructor(
    private readonly box: SecretBox,
    private readonly authenticators: AuthenticatorSqlRepository,
  ) {}

  async check(scope: SqlScope, auth: AuthenticationRow, input: VerifyInput): Promise<Check> {
    const userId = auth.userId as string;
    const device = input.deviceToken ? await this.authenticators.deviceByToken(scope, userId, input.deviceToken) : null;
    if (!device || typeof input.approve !== 'boolean' || !this.secretMatches(scope.tenantId, userId, device, input))
      return WRONG;
    if (!device.active) return { ok: false, reason: 'account_not_activated', final: true };
    return input.approve
      ? { ok: true, device: { id: device.id, token: input.deviceToken as string } }
      : { ok: false, reason: 'denied_by_user', final: true };
  }

  /** Constant time. An activation made before device secrets has none: it cannot answer (re-activate). */
  private secretMatches(tenantId: string, userId: string, device: DeviceAddress, input: VerifyInput): boolean {
    if (!device.secretCiphertext || !input.deviceSecret) return false;
    const stored = this.box.open(device.keyId, device.secretCiphertext, deviceSecretAad(tenantId, userId, device.id));
    const given = Buffer.from(input.deviceSecret, 'utf8');
    return given.length === stored.length && timingSafeEqual(given, stored);
  }
}
