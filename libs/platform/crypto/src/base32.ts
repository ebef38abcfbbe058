import { DomainError } from '@twofold/platform/errors';

/** A secret typed or imported as base32 cannot be decoded. The message never quotes the input (it is a seed). */
export class InvalidBase32Error extends DomainError {
  constructor(reason: string) {
    super('invalid_base32', 'invalid', `The secret is not valid base32: ${reason}.`);
  }
}

type OtpAlgorithm = 'SHA1' | 'SHA256' | 'SHA512';
type OtpDigits = 6 | 7 | 8;
type TotpPeriod = 30 | 60;

/** RFC 4648 §6 alphabet. */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const DECODE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) {
  DECODE[ALPHABET.charCodeAt(i)] = i;
  DECODE[ALPHABET.toLowerCase().charCodeAt(i)] = i;
}
/** Data characters left in the final 8-character block → whether that length can be produced by an encoder. */
const VALID_TAIL = [true, false, true, false, true, true, false, true] as const;

export function encodeBase32(buf: Uint8Array, { padding = true }: { padding?: boolean } = {}): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of buf) {
    value = ((value << 8) | byte) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(value >>> bits) & 31];
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  if (padding) while (out.length % 8 !== 0) out += '=';
  return out;
}

/**
 * Decodes what people type or paste: any case, with or without `=` padding, with spaces and hyphens
 * between groups. Throws InvalidBase32Error for other characters, misplaced padding or a length no encoder
 * produces. Unused low bits of the last character are ignored, as authenticator apps do.
 */
export function decodeBase32(s: string): Buffer {
  const compact = s.replace(/[\s-]+/g, '');
  const firstPad = compact.indexOf('=');
  const data = firstPad < 0 ? compact : compact.slice(0, firstPad);
  if (firstPad >= 0) {
    if (!/^=+$/.test(compact.slice(firstPad))) throw new InvalidBase32Error('padding may only end the text');
    if (compact.length % 8 !== 0) throw new InvalidBase32Error('padded text must be a multiple of 8 characters');
    if (compact.length - firstPad >= 8) throw new InvalidBase32Error('too much padding');
  }
  if (!VALID_TAIL[data.length % 8]) throw new InvalidBase32Error(`a length of ${data.length} characters is impossible`);

  const out = Buffer.allocUnsafe(Math.floor((data.length * 5) / 8));
  let bits = 0;
  let value = 0;
  let index = 0;
  for (let i = 0; i < data.length; i++) {
    const code = data.charCodeAt(i);
    const digit = code < 128 ? DECODE[code] : -1;
    if (digit === undefined || digit < 0) throw new InvalidBase32Error(`invalid character at position ${i + 1}`);
    value = ((value << 5) | digit) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[index++] = (value >>> bits) & 0xff;
    }
  }
  return out;
}

export interface OtpauthUriInput {
  issuer: string;
  accountName: string;
  secret: Buffer;
  algorithm: OtpAlgorithm;
  digits: OtpDigits;
  period: TotpPeriod;
}

/**
 * Key URI for authenticator apps (the de facto Google Authenticator format):
 * `otpauth://totp/<issuer>:<account>?secret=…&issuer=…&algorithm=…&digits=…&period=…`. Label parts are
 * percent-encoded (space as %20, a colon inside a part as %3A) and the issuer is repeated as a parameter,
 * which apps prefer over the label prefix. The secret goes unpadded: several apps reject `=`.
 */
export function otpauthUri({ issuer, accountName, secret, algorithm, digits, period }: OtpauthUriInput): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(accountName)}`;
  const query = [
    `secret=${encodeBase32(secret, { padding: false })}`,
    `issuer=${encodeURIComponent(issuer)}`,
    `algorithm=${algorithm}`,
    `digits=${digits}`,
    `period=${period}`,
  ].join('&');
  return `otpauth://totp/${label}?${query}`;
}
