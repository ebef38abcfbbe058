import { createHash } from 'node:crypto';

/**
 * Our bearer credentials (tenant API keys `tfk_`, MFA server credentials `tfs_`, activation
 * credentials `tfa_`, link consents `tfc_`): a prefix + 32 random bytes in base64url. 256 bits of
 * entropy make a plain SHA-256 the right stored form (a slow password hash buys nothing against a
 * random secret and would cost on every request). Shown once, stored only as the hash.
 */
export const TOKEN_SECRET_BYTES = 32;

export function formatToken(prefix: string, secret: Uint8Array): string {
  if (secret.length !== TOKEN_SECRET_BYTES) throw new Error(`a token needs ${TOKEN_SECRET_BYTES} random bytes`);
  return prefix + Buffer.from(secret).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Cheap shape check so garbage never costs a database round trip. */
export function isWellFormedToken(prefix: string, candidate: string): boolean {
  return (
    candidate.length === prefix.length + 43 &&
    candidate.startsWith(prefix) &&
    /^[A-Za-z0-9_-]+$/.test(candidate.slice(prefix.length))
  );
}
