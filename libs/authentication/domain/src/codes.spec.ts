import { randomBytes } from 'node:crypto';
import { codesEqual, generateNumericCode, hashCode } from './codes';

describe('generateNumericCode', () => {
  it('produces `digits` decimal digits, zero-padded', () => {
    for (let i = 0; i < 200; i++) expect(generateNumericCode(randomBytes)).toMatch(/^\d{6}$/);
    expect(generateNumericCode(() => Buffer.from([0, 0, 0, 7]), 8)).toBe('00000007');
  });

  it('is uniform: 60,000 one-digit codes give each digit 6,000 ± 10%', () => {
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 60_000; i++) counts[Number(generateNumericCode(randomBytes, 1))]++;
    for (const count of counts) {
      expect(count).toBeGreaterThanOrEqual(5_400);
      expect(count).toBeLessThanOrEqual(6_600);
    }
  });

  it('rejects draws from the biased top of the range instead of reducing them modulo 10^digits', () => {
    // 0xFFFFFFFF % 10^6 = 967295, a value the top partial block would make more likely: it must be redrawn.
    const draws = [Buffer.alloc(4, 0xff), Buffer.from([0, 0, 0x30, 0x39])];
    const asked: number[] = [];
    const fake = (n: number) => {
      asked.push(n);
      const next = draws.shift();
      if (!next) throw new Error('asked for more randomness than expected');
      return next;
    };
    expect(generateNumericCode(fake, 6)).toBe('012345');
    expect(asked).toEqual([4, 4]);
  });

  it('accepts the largest draw below the rejection limit', () => {
    // 2^32 - (2^32 mod 10) = 4294967290: 4294967289 is the last accepted value, → 9.
    expect(generateNumericCode(() => Buffer.from([0xff, 0xff, 0xff, 0xf9]), 1)).toBe('9');
  });

  it('refuses an unsupported length', () => {
    expect(() => generateNumericCode(randomBytes, 0)).toThrow(RangeError);
    expect(() => generateNumericCode(randomBytes, 10)).toThrow(RangeError);
  });
});

describe('hashCode', () => {
  const pepper = Buffer.alloc(32, 9);

  it('is HMAC-SHA256 of `${context}:${code}` in hex', () => {
    // python3 -c "import hmac,hashlib;print(hmac.new(b'\x09'*32,b'auth-1:123456',hashlib.sha256).hexdigest())"
    expect(hashCode('123456', pepper, 'auth-1')).toBe(
      '589093198e8fcde4ced37829d2a6aa12ab56057f9cd83f9f7a9a3495e9cdf5f3',
    );
  });

  it('binds the hash to the context and the pepper', () => {
    const h = hashCode('123456', pepper, 'auth-1');
    expect(hashCode('123456', pepper, 'auth-2')).not.toBe(h);
    expect(hashCode('123456', Buffer.alloc(32, 8), 'auth-1')).not.toBe(h);
    expect(hashCode('123457', pepper, 'auth-1')).not.toBe(h);
  });
});

describe('codesEqual', () => {
  it('compares exactly', () => {
    expect(codesEqual('123456', '123456')).toBe(true);
    expect(codesEqual('123456', '123457')).toBe(false);
    expect(codesEqual('123456', '12345')).toBe(false);
    expect(codesEqual('', '')).toBe(true);
    expect(codesEqual('é', 'e')).toBe(false);
  });
});
