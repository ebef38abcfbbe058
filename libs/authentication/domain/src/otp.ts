import { createHmac } from 'node:crypto';

/**
 * HOTP (RFC 4226) and TOTP (RFC 6238) on node:crypto.
 *
 * Verification is the hot path (every sign-in), so it avoids what it can: the counter is written into one
 * reused 8-byte buffer (safe: everything here is synchronous), codes are compared as integers, powers of
 * ten are precomputed, and time steps stay plain numbers until a match is reported as a bigint.
 */

export type OtpAlgorithm = 'SHA1' | 'SHA256' | 'SHA512';
export type OtpDigits = 6 | 7 | 8;
export type TotpPeriod = 30 | 60;

export interface OtpOptions {
  algorithm: OtpAlgorithm;
  digits: OtpDigits;
}

export type TotpVerification = { ok: true; step: bigint } | { ok: false; reason: 'invalid_code' | 'replayed' };
export type HotpVerification = { ok: true; nextCounter: bigint } | { ok: false; reason: 'invalid_code' };

const NODE_ALGORITHM: Readonly<Record<OtpAlgorithm, string>> = { SHA1: 'sha1', SHA256: 'sha256', SHA512: 'sha512' };
/** Index = digits. */
const POW10 = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000] as const;
const TWO_POW_32 = 0x1_0000_0000;
const MAX_COUNTER = 0xffff_ffff_ffff_ffffn;
const MAX_SAFE_STEP = BigInt(Number.MAX_SAFE_INTEGER);
const MAX_TOTP_WINDOW = 10;
const MAX_HOTP_LOOK_AHEAD = 1_000;

const counterBuffer = Buffer.alloc(8);

function nodeAlgorithm(algorithm: OtpAlgorithm): string {
  const name = NODE_ALGORITHM[algorithm];
  if (name === undefined) throw new RangeError(`Unsupported OTP algorithm: ${String(algorithm)}`);
  return name;
}

function modulus(digits: number): number {
  if (digits !== 6 && digits !== 7 && digits !== 8) throw new RangeError(`OTP digits must be 6, 7 or 8, not ${digits}`);
  return POW10[digits];
}

function assertSecret(secret: Buffer): void {
  if (!Buffer.isBuffer(secret) || secret.length === 0) throw new TypeError('An OTP secret must be a non-empty Buffer');
}

/** RFC 4226 §5.3 dynamic truncation of HMAC(secret, counterBuffer), reduced mod 10^digits. */
function truncatedValue(secret: Buffer, hash: string, mod: number): number {
  const mac = createHmac(hash, secret).update(counterBuffer).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
  return binary % mod;
}

/** Steps are non-negative integers below 2^53 here; split so no BigInt is created per candidate. */
function writeNumberCounter(counter: number): void {
  counterBuffer.writeUInt32BE(Math.floor(counter / TWO_POW_32), 0);
  counterBuffer.writeUInt32BE(counter >>> 0, 4);
}

function writeCounter(counter: bigint | number): void {
  if (typeof counter === 'number') {
    if (!Number.isSafeInteger(counter) || counter < 0)
      throw new RangeError('An OTP counter must be a non-negative safe integer');
    writeNumberCounter(counter);
  } else {
    if (counter < 0n || counter > MAX_COUNTER) throw new RangeError('An OTP counter must fit in 64 unsigned bits');
    counterBuffer.writeBigUInt64BE(counter, 0);
  }
}

/**
 * The submitted code as an integer, or -1 when it is not exactly `digits` ASCII decimal digits. User input:
 * never throws.
 */
function parseCode(code: unknown, digits: number): number {
  if (typeof code !== 'string' || code.length !== digits) return -1;
  let value = 0;
  for (let i = 0; i < digits; i++) {
    const d = code.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/** RFC 4226 HOTP value, zero-padded to `digits`. */
export function hotp(secret: Buffer, counter: bigint | number, { algorithm, digits }: OtpOptions): string {
  const hash = nodeAlgorithm(algorithm);
  const mod = modulus(digits);
  assertSecret(secret);
  writeCounter(counter);
  return truncatedValue(secret, hash, mod).toString().padStart(digits, '0');
}

function stepNumber(timeMs: number, periodSeconds: number, t0: number): number {
  if (!Number.isFinite(timeMs)) throw new RangeError('TOTP time must be a finite number of milliseconds');
  if (!Number.isInteger(periodSeconds) || periodSeconds <= 0)
    throw new RangeError('TOTP period must be a positive integer');
  const step = Math.floor((timeMs - t0 * 1000) / (periodSeconds * 1000));
  if (step < 0 || !Number.isSafeInteger(step)) throw new RangeError('TOTP time is before T0 or out of range');
  return step;
}

/** RFC 6238 time step T = floor((unixTime - T0) / X); `t0` in seconds like the RFC. */
export function totpStep(timeMs: number, periodSeconds: number, t0 = 0): bigint {
  return BigInt(stepNumber(timeMs, periodSeconds, t0));
}

/** TOTP code for the step containing `timeMs`. */
export function totp(
  secret: Buffer,
  timeMs: number,
  { algorithm, digits, period = 30, t0 = 0 }: OtpOptions & { period?: TotpPeriod; t0?: number },
): string {
  return hotp(secret, stepNumber(timeMs, period, t0), { algorithm, digits });
}

export interface VerifyTotpInput extends OtpOptions {
  secret: Buffer;
  /** As submitted by the user; anything but exactly `digits` decimal digits is `invalid_code`. */
  code: string;
  timeMs: number;
  period: TotpPeriod;
  /** Steps accepted either side of the current one (clock drift, a code typed at the boundary). */
  window?: number;
  /** The last step accepted for this authenticator: it and every earlier step are refused (RFC 6238 §5.2). */
  lastUsedStep?: bigint | null;
}

/**
 * Accepts steps current-window .. current+window. Every candidate is computed and compared as an integer
 * (no early exit on the first match or on a differing digit). Of the matching steps the earliest one after
 * `lastUsedStep` wins, so a coincidental match on a later step does not burn that step's genuine code.
 */
export function verifyTotp({
  secret,
  code,
  timeMs,
  period,
  digits,
  algorithm,
  window = 1,
  lastUsedStep = null,
}: VerifyTotpInput): TotpVerification {
  const hash = nodeAlgorithm(algorithm);
  const mod = modulus(digits);
  if (period !== 30 && period !== 60) throw new RangeError(`TOTP period must be 30 or 60 seconds, not ${period}`);
  if (!Number.isInteger(window) || window < 0 || window > MAX_TOTP_WINDOW) {
    throw new RangeError(`TOTP window must be an integer in 0..${MAX_TOTP_WINDOW}`);
  }
  assertSecret(secret);
  const current = stepNumber(timeMs, period, 0);
  const submitted = parseCode(code, digits);
  if (submitted < 0) return { ok: false, reason: 'invalid_code' };

  // Steps are < 2^53, so a lastUsedStep beyond that refuses everything, as it should.
  const last = lastUsedStep === null ? -1 : lastUsedStep > MAX_SAFE_STEP ? Infinity : Number(lastUsedStep);
  let accepted = -1;
  let replayed = false;
  for (let step = Math.max(0, current - window); step <= current + window; step++) {
    writeNumberCounter(step);
    const matches = truncatedValue(secret, hash, mod) === submitted;
    if (matches && step <= last) replayed = true;
    else if (matches && accepted < 0) accepted = step;
  }
  if (accepted >= 0) return { ok: true, step: BigInt(accepted) };
  return { ok: false, reason: replayed ? 'replayed' : 'invalid_code' };
}

export interface VerifyHotpInput extends OtpOptions {
  secret: Buffer;
  code: string;
  /** The next counter value expected (stored after the previous success). */
  counter: bigint;
  /** How many counters past `counter` to try, for presses that never reached us. */
  lookAhead?: number;
}

/** Tries counter .. counter+lookAhead; on a match the stored counter resyncs to matched + 1. */
export function verifyHotp({
  secret,
  code,
  counter,
  digits,
  algorithm,
  lookAhead = 10,
}: VerifyHotpInput): HotpVerification {
  const hash = nodeAlgorithm(algorithm);
  const mod = modulus(digits);
  assertLookAhead(lookAhead);
  assertSecret(secret);
  writeCounter(counter);
  const submitted = parseCode(code, digits);
  if (submitted < 0) return { ok: false, reason: 'invalid_code' };

  let matched = -1n;
  for (let c = counter, end = minCounter(counter + BigInt(lookAhead)); c <= end; c++) {
    counterBuffer.writeBigUInt64BE(c, 0);
    if (truncatedValue(secret, hash, mod) === submitted && matched < 0n) matched = c;
  }
  return matched >= 0n ? { ok: true, nextCounter: matched + 1n } : { ok: false, reason: 'invalid_code' };
}

export interface ResyncHotpInput extends OtpOptions {
  secret: Buffer;
  code1: string;
  code2: string;
  counter: bigint;
  lookAhead?: number;
}

/**
 * Resynchronisation after a token drifted beyond the normal look-ahead: two consecutive codes must match
 * two consecutive counters in counter .. counter+lookAhead (+1). A single code over a window this wide would
 * be too easy to guess; a pair is not.
 */
export function resyncHotp({
  secret,
  code1,
  code2,
  counter,
  digits,
  algorithm,
  lookAhead = 100,
}: ResyncHotpInput): HotpVerification {
  const hash = nodeAlgorithm(algorithm);
  const mod = modulus(digits);
  assertLookAhead(lookAhead);
  assertSecret(secret);
  writeCounter(counter);
  const first = parseCode(code1, digits);
  const second = parseCode(code2, digits);
  if (first < 0 || second < 0) return { ok: false, reason: 'invalid_code' };

  let matched = -1n;
  let previousMatchesFirst = false;
  for (let c = counter, end = minCounter(counter + BigInt(lookAhead) + 1n); c <= end; c++) {
    counterBuffer.writeBigUInt64BE(c, 0);
    const value = truncatedValue(secret, hash, mod);
    if (previousMatchesFirst && value === second && matched < 0n) matched = c;
    previousMatchesFirst = value === first;
  }
  return matched >= 0n ? { ok: true, nextCounter: matched + 1n } : { ok: false, reason: 'invalid_code' };
}

function assertLookAhead(lookAhead: number): void {
  if (!Number.isInteger(lookAhead) || lookAhead < 0 || lookAhead > MAX_HOTP_LOOK_AHEAD) {
    throw new RangeError(`HOTP look-ahead must be an integer in 0..${MAX_HOTP_LOOK_AHEAD}`);
  }
}

function minCounter(c: bigint): bigint {
  return c > MAX_COUNTER ? MAX_COUNTER : c;
}
