import { randomBytes, randomInt, scrypt, timingSafeEqual } from 'node:crypto';

/** No 0/O, 1/l/I, 2/Z, 5/S, 8/B: readable when typed from a screen into a mail client. */
export const APP_PASSWORD_ALPHABET = 'ACDEFGHJKMNPQRTUVWXYabcdefghijkmnpqrstuvwxyz34679';
export const APP_PASSWORD_LENGTH = 16;
/**
 * A sign-in tries each of the user's app passwords (the password names none of them): at most this
 * many scrypt runs per verification (docs/decisions/0020).
 */
export const MAX_APP_PASSWORDS_PER_USER = 10;

/** scrypt cost: N=2^15, r=8, p=1 (~32 MiB, tens of ms); stored with each hash so it can change. */
const SCRYPT = { N: 32768, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
const SALT_BYTES = 16;

/** R16, R17: 16 characters drawn uniformly (randomInt, no modulo bias); shown once, never stored. */
export function generateAppPassword(): string {
  let out = '';
  for (let i = 0; i < APP_PASSWORD_LENGTH; i++) out += APP_PASSWORD_ALPHABET[randomInt(APP_PASSWORD_ALPHABET.length)];
  return out;
}

function derive(password: string, salt: Buffer, p: { N: number; r: number; p: number }, len: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, len, { ...p, maxmem: 256 * p.N * p.r }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** `scrypt$N$r$p$salt$hash`, salt and hash in base64url. */
export async function hashAppPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, SCRYPT, KEY_BYTES);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

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
export async function verifyAppPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![N, r, p].every((n) => Number.isInteger(n) && n > 0) || N > 1 << 20 || r > 32 || p > 16) return false;
  const salt = Buffer.from(parts[4] as string, 'base64url');
  const expected = Buffer.from(parts[5] as string, 'base64url');
  if (salt.length === 0 || expected.length < 16) return false;
  const actual = await derive(password, salt, { N, r, p }, expected.length);
  return timingSafeEqual(actual, expected);
}
