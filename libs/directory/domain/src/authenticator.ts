import { randomBytes } from 'node:crypto';
import { otpauthUri } from '@twofold/platform/crypto';

/** RFC 6238 defaults that every authenticator app supports. */
export const TOTP_SEED_BYTES = 20;
export const TOTP_ISSUER = 'Twofold';
export const DEVICE_TOKEN_PREFIX = 'tfd_';
export const DEVICE_SECRET_PREFIX = 'tfs_';

/** The Key URI Format of Google Authenticator for a Twofold activation (SHA1, 6 digits, 30 s). */
export function authenticatorUri(userName: string, seed: Buffer): string {
  return otpauthUri({
    issuer: TOTP_ISSUER,
    accountName: userName,
    secret: seed,
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
  });
}

/**
 * A fresh activation: the TOTP seed and the device secret (both to be sealed), and the device's
 * routing token. The token is an address (it routes notifications and appears in records, R26);
 * only the secret proves that an app-notification answer comes from the device (issue 15 item 10,
 * until device-signed approvals).
 */
export function newAuthenticatorSecrets(): { seed: Buffer; deviceToken: string; deviceSecret: string } {
  return {
    seed: randomBytes(TOTP_SEED_BYTES),
    deviceToken: DEVICE_TOKEN_PREFIX + randomBytes(32).toString('base64url'),
    deviceSecret: DEVICE_SECRET_PREFIX + randomBytes(32).toString('base64url'),
  };
}
