import { randomInt } from 'node:crypto';
import { hashPassword, verifyPassword } from '@twofold/platform/crypto';

/** No 0/O, 1/l/I, 2/Z, 5/S, 8/B: readable when typed from a screen into a mail client. */
export const APP_PASSWORD_ALPHABET = 'ACDEFGHJKMNPQRTUVWXYabcdefghijkmnpqrstuvwxyz34679';
export const APP_PASSWORD_LENGTH = 16;
/**
 * A sign-in tries each of the user's app passwords (the password names none of them): at most this
 * many scrypt runs per verification (docs/decisions/0020).
 */
export const MAX_APP_PASSWORDS_PER_USER = 10;

/** R16, R17: 16 characters drawn uniformly (randomInt, no modulo bias); shown once, never stored. */
export function generateAppPassword(): string {
  let out = '';
  for (let i = 0; i < APP_PASSWORD_LENGTH; i++) out += APP_PASSWORD_ALPHABET[randomInt(APP_PASSWORD_ALPHABET.length)];
  return out;
}

/** `scrypt$N$r$p$salt$hash` (platform/crypto password-hash). */
export const hashAppPassword = hashPassword;

/**
 * The id of the first stored hash `password` matches, or null. Sequential on purpose: the caller
 * runs it in a key-derivation pool slot, so one sign-in holds one thread, never all of them.
 */
export async function matchAppPassword(
  password: string,
  candidates: readonly { id: string; passwordHash: string }[],
): Promise<string | null> {
  for (const c of candidates) if (await verifyAppPassword(password, c.passwordHash)) return c.id;
  return null;
}

/** Constant-time comparison; a malformed stored hash never verifies. */
export const verifyAppPassword = verifyPassword;
