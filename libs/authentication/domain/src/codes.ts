import { createHmac, timingSafeEqual } from 'node:crypto';

const UINT32_RANGE = 0x1_0000_0000;

/**
 * A uniformly random decimal code (SMS, voice, e-mail). Randomness is injected (pass crypto.randomBytes)
 * so the domain stays free of I/O and tests can steer it. Rejection sampling: 32-bit draws at or above
 * the largest multiple of 10^digits are thrown away, so no code is more likely than another.
 */
export function generateNumericCode(randomBytes: (n: number) => Buffer, digits = 6): string {
  if (!Number.isInteger(digits) || digits < 1 || digits > 9) throw new RangeError('Code digits must be 1..9');
  const mod = 10 ** digits;
  const limit = UINT32_RANGE - (UINT32_RANGE % mod);
  for (;;) {
    const bytes = randomBytes(4);
    if (bytes.length < 4) throw new RangeError('randomBytes returned fewer bytes than asked');
    const value = bytes.readUInt32BE(0);
    if (value < limit) return (value % mod).toString().padStart(digits, '0');
  }
}

/**
 * Codes have a few dozen bits of entropy at most, so a plain hash would be brute-forced from a leaked
 * table in seconds. Store HMAC-SHA256 under a server-side pepper instead, bound to `context` (the
 * authentication id) so a hash cannot be replayed against another authentication.
 */
export function hashCode(code: string, pepper: Buffer, context: string): string {
  if (pepper.length === 0) throw new RangeError('The code pepper must not be empty');
  return createHmac('sha256', pepper).update(`${context}:${code}`).digest('hex');
}

/** Constant-time for equal lengths; the length of a code or a hash is not a secret. */
export function codesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) {
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}
