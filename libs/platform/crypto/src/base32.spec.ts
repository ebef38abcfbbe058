import { randomBytes } from 'node:crypto';
import { decodeBase32, encodeBase32, InvalidBase32Error, otpauthUri } from './base32';

describe('base32 (RFC 4648)', () => {
  // RFC 4648 §10 test vectors.
  it.each([
    ['', ''],
    ['f', 'MY======'],
    ['fo', 'MZXQ===='],
    ['foo', 'MZXW6==='],
    ['foob', 'MZXW6YQ='],
    ['fooba', 'MZXW6YTB'],
    ['foobar', 'MZXW6YTBOI======'],
  ])('%j ↔ %s', (plain, encoded) => {
    expect(encodeBase32(Buffer.from(plain))).toBe(encoded);
    expect(encodeBase32(Buffer.from(plain), { padding: false })).toBe(encoded.replace(/=+$/, ''));
    expect(decodeBase32(encoded).toString()).toBe(plain);
  });

  it('encodes the RFC 4226 secret as published', () => {
    expect(encodeBase32(Buffer.from('12345678901234567890'))).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
  });

  it('round-trips random buffers of every length mod 5, padded or not', () => {
    for (let length = 0; length <= 70; length++) {
      const buf = randomBytes(length);
      expect(decodeBase32(encodeBase32(buf))).toEqual(buf);
      expect(decodeBase32(encodeBase32(buf, { padding: false }))).toEqual(buf);
      expect(decodeBase32(encodeBase32(buf).toLowerCase())).toEqual(buf);
    }
  });

  it('accepts what people type: lowercase, no padding, spaces and hyphens', () => {
    const secret = Buffer.from('12345678901234567890');
    for (const typed of [
      'gezdgnbvgy3tqojqgezdgnbvgy3tqojq',
      'GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ',
      'gezd-gnbv-gy3t-qojq-gezd-gnbv-gy3t-qojq',
      '  GezdGnbv\tgy3tqojq\ngezdgnbvgy3tqojq ',
    ]) {
      expect(decodeBase32(typed)).toEqual(secret);
    }
    expect(decodeBase32('mzxw6yq')).toEqual(Buffer.from('foob'));
    expect(decodeBase32('MZXW 6YQ=')).toEqual(Buffer.from('foob'));
  });

  it.each([
    ['a character outside the alphabet', 'MZXW6YT1'],
    ['an 8 (not in base32)', 'MZXW6YT8'],
    ['punctuation', 'MZXW6.TB'],
    ['non-ASCII', 'MZXW6YTÉ'],
    ['an impossible length (1 mod 8)', 'MZXW6YTBO'],
    ['an impossible length (3 mod 8)', 'MZX'],
    ['an impossible length (6 mod 8)', 'MZXW6Y'],
    ['padding in the middle', 'MZ==XW6Y'],
    ['padding to a length not a multiple of 8', 'MZXW6YQ=='],
    ['padding after a full block', 'MZXW6YTB========'],
    ['only padding', '========'],
  ])('refuses %s with a typed error', (_name, input) => {
    expect(() => decodeBase32(input)).toThrow(InvalidBase32Error);
    try {
      decodeBase32(input);
    } catch (error) {
      expect(error).toMatchObject({ code: 'invalid_base32', kind: 'invalid' });
      // A seed never ends up in an error message (and so never in a log).
      expect((error as Error).message).not.toContain(input);
    }
  });
});

describe('otpauthUri', () => {
  const secret = Buffer.from('12345678901234567890');

  it('builds the key URI with an unpadded secret', () => {
    expect(
      otpauthUri({
        issuer: 'Twofold',
        accountName: 'alice@example.com',
        secret,
        algorithm: 'SHA1',
        digits: 6,
        period: 30,
      }),
    ).toBe(
      'otpauth://totp/Twofold:alice%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Twofold&algorithm=SHA1&digits=6&period=30',
    );
  });

  it('percent-encodes label parts and the issuer parameter', () => {
    const uri = otpauthUri({
      issuer: 'ACME Co: Büro & Co?',
      accountName: 'jo/doe #1',
      secret: Buffer.alloc(32, 1),
      algorithm: 'SHA256',
      digits: 8,
      period: 60,
    });
    const url = new URL(uri);
    expect(url.protocol).toBe('otpauth:');
    expect(url.host).toBe('totp');
    expect(url.pathname).toBe('/ACME%20Co%3A%20B%C3%BCro%20%26%20Co%3F:jo%2Fdoe%20%231');
    const [issuer, account] = url.pathname.slice(1).split(':').map(decodeURIComponent);
    expect([issuer, account]).toEqual(['ACME Co: Büro & Co?', 'jo/doe #1']);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      secret: encodeBase32(Buffer.alloc(32, 1), { padding: false }),
      issuer: 'ACME Co: Büro & Co?',
      algorithm: 'SHA256',
      digits: '8',
      period: '60',
    });
  });
});
