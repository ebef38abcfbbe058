import type { KeyRejection } from './tokens.errors';

export type OathTokenKind = 'totp' | 'hotp';
export type OathHash = 'SHA1' | 'SHA256' | 'SHA512';

/** One token read from an import file, before the checks that need the tenant or the database. */
export interface ImportedKey {
  /** CSV: 1-based line in the file (a header is line 1). */
  line?: number;
  /** PSKC: the key's `Id`. */
  keyId?: string;
  serial: string | null;
  /** The shared secret; never logged, sealed before it is stored. */
  secret?: Buffer;
  type: OathTokenKind;
  algorithm: OathHash;
  digits: number | null;
  period: number;
  counter: bigint;
  expiresAt: Date | null;
  manufacturer: string | null;
  model: string | null;
  /** CSV directory format: the user to assign the token to. */
  upn: string | null;
  /** Set when the parser already knows the key cannot be imported. */
  rejected?: KeyRejection;
}

/** RFC 4226 R6: a shared secret is at least 128 bits. */
export const MIN_SECRET_BYTES = 16;
/** Legacy tokens (tenant opt-in): never below 80 bits, the RFC 4226 absolute floor in practice. */
export const MIN_LEGACY_SECRET_BYTES = 10;
export const MAX_SECRET_BYTES = 128;

export interface KeyPolicy {
  now: Date;
  weakSecretsAllowed: boolean;
}

/**
 * The checks every imported key passes, in the order a reader expects the reason: what the key is,
 * whether it has a usable secret, then its parameters and validity.
 */
export function checkKey(key: ImportedKey, policy: KeyPolicy): KeyRejection | null {
  if (key.rejected) return key.rejected;
  if (!key.secret || key.secret.length === 0) return 'no_secret';
  const min = policy.weakSecretsAllowed ? MIN_LEGACY_SECRET_BYTES : MIN_SECRET_BYTES;
  if (key.secret.length < min) return 'weak_secret';
  if (key.secret.length > MAX_SECRET_BYTES) return 'invalid_secret';
  if (!key.serial) return 'missing_serial';
  if (key.digits === null || key.digits < 6 || key.digits > 8) return 'invalid_digits';
  if (key.type === 'totp' && key.period !== 30 && key.period !== 60) return 'invalid_interval';
  if (key.counter < 0n) return 'invalid_counter';
  if (key.expiresAt && key.expiresAt.getTime() <= policy.now.getTime()) return 'expired';
  return null;
}

/** Duplicates are keyed on serial + PSKC key id (CSV rows have none): a device may carry several keys. */
export const duplicateKey = (serial: string, keyId: string | undefined): string =>
  JSON.stringify([serial, keyId ?? '']);
