import { formatToken, hashToken, isWellFormedToken, TOKEN_SECRET_BYTES } from '@twofold/platform/crypto';

/** Tenant API keys: `tfk_` + 32 random bytes in base64url (see platform/crypto bearer-token). */
export const API_KEY_PREFIX = 'tfk_';
export const API_KEY_SECRET_BYTES = TOKEN_SECRET_BYTES;

export const formatApiKey = (secret: Uint8Array): string => formatToken(API_KEY_PREFIX, secret);
export const hashApiKey = hashToken;

/** What an admin sees to tell keys apart: enough to recognise, far too little to guess. */
export function apiKeyDisplayPrefix(key: string): string {
  return key.slice(0, API_KEY_PREFIX.length + 6);
}

export const isWellFormedApiKey = (candidate: string): boolean => isWellFormedToken(API_KEY_PREFIX, candidate);
