import { createHash } from 'node:crypto';

/**
 * Tenant API keys: `tfk_` + 32 random bytes in base64url. They carry 256 bits of entropy, so a plain
 * SHA-256 is the right stored form (a slow password hash buys nothing against a random key and
 * costs on every request). Only the hash and a short display prefix are stored.
 */
export const API_KEY_PREFIX = 'tfk_';
export const API_KEY_SECRET_BYTES = 32;
const KEY_SHAPE = /^tfk_[A-Za-z0-9_-]{43}$/;

export function formatApiKey(secret: Uint8Array): string {
  if (secret.length !== API_KEY_SECRET_BYTES) throw new Error(`an API key needs ${API_KEY_SECRET_BYTES} random bytes`);
  return API_KEY_PREFIX + Buffer.from(secret).toString('base64url');
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** What an admin sees to tell keys apart: enough to recognise, far too little to guess. */
export function apiKeyDisplayPrefix(key: string): string {
  return key.slice(0, API_KEY_PREFIX.length + 6);
}

/** Cheap shape check so garbage never costs a database round trip. */
export function isWellFormedApiKey(candidate: string): boolean {
  return KEY_SHAPE.test(candidate);
}
