import { randomBytes } from 'node:crypto';

/** RFC 6238 defaults that every authenticator app supports. */
export const TOTP_SEED_BYTES = 20;
export const TOTP_ISSUER = 'Twofold';
export const DEVICE_TOKEN_PREFIX = 'tfd_';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding (what otpauth URIs carry). */
export function base32Encode(data: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of data) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/**
 * The Key URI Format of Google Authenticator: label `Twofold:<userName>` with a literal colon (the
 * format allows it) and the user name URI-encoded.
 */
export function otpauthUri(userName: string, seed: Buffer): string {
  return `otpauth://totp/${TOTP_ISSUER}:${encodeURIComponent(userName)}?secret=${base32Encode(seed)}&issuer=${TOTP_ISSUER}&algorithm=SHA1&digits=6&period=30`;
}

/** A fresh activation: the TOTP seed (to be sealed) and the device's routing token. */
export function newAuthenticatorSecrets(): { seed: Buffer; deviceToken: string } {
  return {
    seed: randomBytes(TOTP_SEED_BYTES),
    deviceToken: DEVICE_TOKEN_PREFIX + randomBytes(32).toString('base64url'),
  };
}

/** Binds a sealed seed to its row: a ciphertext copied to another device or tenant does not open. */
export function deviceSeedAad(tenantId: string, userId: string, deviceId: string): string {
  return `device:${tenantId}:${userId}:${deviceId}`;
}
