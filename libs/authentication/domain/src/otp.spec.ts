import { readFileSync } from 'node:fs';
import path from 'node:path';
import { hotp, resyncHotp, totp, totpStep, verifyHotp, verifyTotp, type OtpAlgorithm, type OtpDigits } from './otp';

// libs/authentication/domain/src → /work/main → /work/shared
const TESTDATA = path.join(__dirname, '../../../../../shared/testdata/otp');

interface HotpVectors {
  secret_hex: string;
  vectors: { counter: number; otp: string; otp_8_digits: string }[];
}
interface TotpVectors {
  period_seconds: number;
  seeds: Record<OtpAlgorithm, { hex: string }>;
  vectors: { unix_time: number; T_hex: string; hash: OtpAlgorithm; otp: string }[];
}
const load = <T>(file: string): T => JSON.parse(readFileSync(path.join(TESTDATA, file), 'utf8')) as T;
const rfc4226 = load<HotpVectors>('rfc4226-hotp-vectors.json');
const rfc6238 = load<TotpVectors>('rfc6238-totp-vectors.json');

const SECRET = Buffer.from('12345678901234567890', 'ascii');
const SHA1_6 = { algorithm: 'SHA1', digits: 6 } as const;
const T = 1_700_000_000_000; // 20 s into a 30 s step
const step = (timeMs: number) => Math.floor(timeMs / 30_000);
const codeAt = (s: number, digits: OtpDigits = 6) => hotp(SECRET, s, { algorithm: 'SHA1', digits });

describe('RFC 4226 HOTP vectors', () => {
  it('has the ten vectors', () => expect(rfc4226.vectors).toHaveLength(10));

  it.each(rfc4226.vectors)('counter $counter → $otp (6 digits) and $otp_8_digits (8 digits)', (v) => {
    const secret = Buffer.from(rfc4226.secret_hex, 'hex');
    expect(hotp(secret, v.counter, SHA1_6)).toBe(v.otp);
    expect(hotp(secret, BigInt(v.counter), SHA1_6)).toBe(v.otp);
    expect(hotp(secret, v.counter, { algorithm: 'SHA1', digits: 8 })).toBe(v.otp_8_digits);
  });
});

describe('RFC 6238 TOTP vectors (seed length per hash)', () => {
  it('has all 18 vectors', () => expect(rfc6238.vectors).toHaveLength(18));

  it.each(rfc6238.vectors)('$unix_time s, $hash → $otp', (v) => {
    const secret = Buffer.from(rfc6238.seeds[v.hash].hex, 'hex');
    const timeMs = v.unix_time * 1000;
    expect(totpStep(timeMs, rfc6238.period_seconds)).toBe(BigInt(`0x${v.T_hex}`));
    expect(totp(secret, timeMs, { algorithm: v.hash, digits: 8, period: 30 })).toBe(v.otp);
    expect(verifyTotp({ secret, code: v.otp, timeMs, period: 30, digits: 8, algorithm: v.hash, window: 0 })).toEqual({
      ok: true,
      step: BigInt(`0x${v.T_hex}`),
    });
  });
});

describe('totpStep', () => {
  it('floors (time - T0) / period', () => {
    expect(totpStep(29_999, 30)).toBe(0n);
    expect(totpStep(30_000, 30)).toBe(1n);
    expect(totpStep(119_999, 60)).toBe(1n);
    expect(totpStep(90_000, 30, 30)).toBe(2n);
    expect(totpStep(20_000_000_000_000, 30)).toBe(666_666_666n);
  });

  it('refuses a time before T0', () => expect(() => totpStep(0, 30, 10)).toThrow(RangeError));
});

describe('verifyTotp', () => {
  const base = { secret: SECRET, timeMs: T, period: 30, digits: 6, algorithm: 'SHA1' } as const;
  const now = step(T);

  it('accepts the current step and one step either side by default', () => {
    for (const offset of [-1, 0, 1]) {
      expect(verifyTotp({ ...base, code: codeAt(now + offset) })).toEqual({ ok: true, step: BigInt(now + offset) });
    }
  });

  it('refuses two steps away with window 1, accepts them with window 2', () => {
    for (const offset of [-2, 2]) {
      expect(verifyTotp({ ...base, code: codeAt(now + offset) })).toEqual({ ok: false, reason: 'invalid_code' });
      expect(verifyTotp({ ...base, code: codeAt(now + offset), window: 2 })).toEqual({
        ok: true,
        step: BigInt(now + offset),
      });
    }
  });

  it('with window 0 accepts only the current step', () => {
    expect(verifyTotp({ ...base, code: codeAt(now), window: 0 }).ok).toBe(true);
    expect(verifyTotp({ ...base, code: codeAt(now - 1), window: 0 })).toEqual({ ok: false, reason: 'invalid_code' });
  });

  it('refuses the same step again as replayed', () => {
    const first = verifyTotp({ ...base, code: codeAt(now) });
    expect(first).toEqual({ ok: true, step: BigInt(now) });
    const lastUsedStep = first.ok ? first.step : null;
    expect(verifyTotp({ ...base, code: codeAt(now), lastUsedStep })).toEqual({ ok: false, reason: 'replayed' });
    // Still refused 29 s later while the step is inside the window.
    expect(verifyTotp({ ...base, timeMs: T + 29_000, code: codeAt(now), lastUsedStep })).toEqual({
      ok: false,
      reason: 'replayed',
    });
  });

  it('refuses an earlier step once a later one was used', () => {
    const lastUsedStep = BigInt(now + 1);
    expect(verifyTotp({ ...base, code: codeAt(now), lastUsedStep })).toEqual({ ok: false, reason: 'replayed' });
    expect(verifyTotp({ ...base, code: codeAt(now - 1), lastUsedStep })).toEqual({ ok: false, reason: 'replayed' });
  });

  it('accepts a later step after an earlier one was used', () => {
    expect(verifyTotp({ ...base, code: codeAt(now + 1), lastUsedStep: BigInt(now - 1) })).toEqual({
      ok: true,
      step: BigInt(now + 1),
    });
    expect(verifyTotp({ ...base, code: codeAt(now), lastUsedStep: null })).toEqual({ ok: true, step: BigInt(now) });
  });

  it('treats an unrelated code as invalid, not replayed', () => {
    const wrong = ((Number(codeAt(now)) + 1) % 1_000_000).toString().padStart(6, '0');
    const codes = [-1, 0, 1].map((o) => codeAt(now + o));
    if (codes.includes(wrong)) return; // 1e-6 chance; nothing to test
    expect(verifyTotp({ ...base, code: wrong, lastUsedStep: BigInt(now) })).toEqual({
      ok: false,
      reason: 'invalid_code',
    });
  });

  it.each([
    ['letters', 'abcdef'],
    ['digits and a letter', '12345a'],
    ['too short', '12345'],
    ['too long', '1234567'],
    ['empty', ''],
    ['spaces', '123 45'],
    ['sign', '-12345'],
    ['non-ASCII digits', '١٢٣٤٥٦'],
    ['a full-width digit', '１23456'],
  ])('%s → invalid_code, never a throw', (_name, code) => {
    expect(verifyTotp({ ...base, code })).toEqual({ ok: false, reason: 'invalid_code' });
  });

  it('treats a non-string code (unvalidated JSON) as invalid_code', () => {
    expect(verifyTotp({ ...base, code: 123456 as unknown as string })).toEqual({ ok: false, reason: 'invalid_code' });
    expect(verifyTotp({ ...base, code: null as unknown as string })).toEqual({ ok: false, reason: 'invalid_code' });
  });

  it('needs exactly `digits` digits', () => {
    const eight = hotp(SECRET, now, { algorithm: 'SHA1', digits: 8 });
    expect(verifyTotp({ ...base, digits: 8, code: eight }).ok).toBe(true);
    expect(verifyTotp({ ...base, digits: 6, code: eight })).toEqual({ ok: false, reason: 'invalid_code' });
    expect(verifyTotp({ ...base, digits: 8, code: eight.slice(2) })).toEqual({ ok: false, reason: 'invalid_code' });
  });

  it('supports 60 s periods and SHA-256/512 with leading zeros kept', () => {
    const secret = Buffer.alloc(32, 7);
    const s60 = Math.floor(T / 60_000);
    for (const algorithm of ['SHA256', 'SHA512'] as const) {
      const code = hotp(secret, s60, { algorithm, digits: 7 });
      expect(code).toMatch(/^\d{7}$/);
      expect(verifyTotp({ secret, code, timeMs: T, period: 60, digits: 7, algorithm })).toEqual({
        ok: true,
        step: BigInt(s60),
      });
    }
  });

  it('does not look before step 0', () => {
    expect(verifyTotp({ ...base, timeMs: 1_000, code: codeAt(0) })).toEqual({ ok: true, step: 0n });
  });

  it('throws on programmer errors (configuration, not user input)', () => {
    expect(() => verifyTotp({ ...base, code: '123456', algorithm: 'MD5' as OtpAlgorithm })).toThrow(RangeError);
    expect(() => verifyTotp({ ...base, code: '123456', digits: 9 as OtpDigits })).toThrow(RangeError);
    expect(() => verifyTotp({ ...base, code: '123456', period: 45 as 30 })).toThrow(RangeError);
    expect(() => verifyTotp({ ...base, code: '123456', window: -1 })).toThrow(RangeError);
    expect(() => verifyTotp({ ...base, code: '123456', secret: Buffer.alloc(0) })).toThrow(TypeError);
  });
});

describe('hotp', () => {
  it('accepts 64-bit counters as bigint and refuses out-of-range ones', () => {
    expect(hotp(SECRET, 2n ** 64n - 1n, SHA1_6)).toMatch(/^\d{6}$/);
    expect(() => hotp(SECRET, 2n ** 64n, SHA1_6)).toThrow(RangeError);
    expect(() => hotp(SECRET, -1, SHA1_6)).toThrow(RangeError);
    expect(() => hotp(SECRET, 1.5, SHA1_6)).toThrow(RangeError);
    expect(hotp(SECRET, 2 ** 40, SHA1_6)).toBe(hotp(SECRET, 2n ** 40n, SHA1_6));
  });
});

describe('verifyHotp', () => {
  const base = { secret: SECRET, digits: 6, algorithm: 'SHA1' } as const;
  const codes = rfc4226.vectors.map((v) => v.otp);

  it('accepts the expected counter and moves past it', () => {
    expect(verifyHotp({ ...base, code: codes[3], counter: 3n })).toEqual({ ok: true, nextCounter: 4n });
  });

  it('looks ahead and resyncs the stored counter to matched + 1', () => {
    expect(verifyHotp({ ...base, code: codes[9], counter: 2n })).toEqual({ ok: true, nextCounter: 10n });
    expect(verifyHotp({ ...base, code: codes[9], counter: 2n, lookAhead: 7 })).toEqual({ ok: true, nextCounter: 10n });
    expect(verifyHotp({ ...base, code: codes[9], counter: 2n, lookAhead: 6 })).toEqual({
      ok: false,
      reason: 'invalid_code',
    });
  });

  it('refuses a code from before the counter (already used)', () => {
    expect(verifyHotp({ ...base, code: codes[2], counter: 3n })).toEqual({ ok: false, reason: 'invalid_code' });
  });

  it('refuses malformed codes without throwing', () => {
    for (const code of ['', 'abcdef', '75522', '7552244']) {
      expect(verifyHotp({ ...base, code, counter: 0n })).toEqual({ ok: false, reason: 'invalid_code' });
    }
  });

  it('stops at the end of the 64-bit counter space', () => {
    const max = 2n ** 64n - 1n;
    const code = hotp(SECRET, max - 1n, SHA1_6);
    expect(verifyHotp({ ...base, code, counter: max - 2n })).toEqual({ ok: true, nextCounter: max });
  });
});

describe('resyncHotp', () => {
  const base = { secret: SECRET, digits: 6, algorithm: 'SHA1' } as const;
  const at = (c: number) => hotp(SECRET, c, SHA1_6);

  it('finds two consecutive codes far beyond the normal look-ahead', () => {
    expect(resyncHotp({ ...base, code1: at(57), code2: at(58), counter: 5n })).toEqual({ ok: true, nextCounter: 59n });
  });

  it('accepts the pair at the very end of the window', () => {
    expect(resyncHotp({ ...base, code1: at(105), code2: at(106), counter: 5n })).toEqual({
      ok: true,
      nextCounter: 107n,
    });
    expect(resyncHotp({ ...base, code1: at(106), code2: at(107), counter: 5n }).ok).toBe(false);
  });

  it('refuses codes that are not consecutive, or reversed', () => {
    expect(resyncHotp({ ...base, code1: at(57), code2: at(59), counter: 5n }).ok).toBe(false);
    expect(resyncHotp({ ...base, code1: at(58), code2: at(57), counter: 5n }).ok).toBe(false);
  });

  it('refuses malformed codes', () => {
    expect(resyncHotp({ ...base, code1: 'x', code2: at(6), counter: 5n })).toEqual({
      ok: false,
      reason: 'invalid_code',
    });
  });
});
