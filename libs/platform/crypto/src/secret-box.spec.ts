import { randomBytes } from 'node:crypto';
import { parseKeyList, SecretBox, SecretBoxError } from './secret-box';

const k1 = randomBytes(32);
const k2 = randomBytes(32);
const aad = 'device:tenant-a:user-1:device-1';

describe('SecretBox (AES-256-GCM)', () => {
  const box = new SecretBox(new Map([['k1', k1]]), 'k1');

  it('round-trips and never returns the plaintext as ciphertext', () => {
    const seed = randomBytes(20);
    const sealed = box.seal(seed, aad);
    expect(sealed.keyId).toBe('k1');
    expect(sealed.ciphertext.length).toBe(12 + seed.length + 16);
    expect(sealed.ciphertext.includes(seed)).toBe(false);
    expect(box.open(sealed.keyId, sealed.ciphertext, aad).equals(seed)).toBe(true);
  });

  it('uses a fresh IV each time', () => {
    const seed = randomBytes(20);
    expect(box.seal(seed, aad).ciphertext.equals(box.seal(seed, aad).ciphertext)).toBe(false);
  });

  it('refuses another AAD (a ciphertext moved to another row)', () => {
    const sealed = box.seal(randomBytes(20), aad);
    expect(() => box.open('k1', sealed.ciphertext, 'device:tenant-b:user-1:device-1')).toThrow(SecretBoxError);
  });

  it.each([0, 5, 12, 40, 47])('refuses a ciphertext altered at byte %i (IV, body or tag)', (at) => {
    const sealed = box.seal(randomBytes(20), aad);
    const tampered = Buffer.from(sealed.ciphertext);
    tampered[at] = (tampered[at] as number) ^ 0x01;
    expect(() => box.open('k1', tampered, aad)).toThrow(SecretBoxError);
  });

  it('refuses a truncated ciphertext and an unknown key id', () => {
    const sealed = box.seal(randomBytes(20), aad);
    expect(() => box.open('k1', sealed.ciphertext.subarray(0, 20), aad)).toThrow(SecretBoxError);
    expect(() => box.open('nope', sealed.ciphertext, aad)).toThrow(/unknown key id/);
  });

  it('rotation: a new active key seals, the old key id still opens', () => {
    const old = box.seal(Buffer.from('old secret'), aad);
    const rotated = new SecretBox(
      new Map([
        ['k1', k1],
        ['k2', k2],
      ]),
      'k2',
    );
    const fresh = rotated.seal(Buffer.from('new secret'), aad);
    expect(fresh.keyId).toBe('k2');
    expect(rotated.open(old.keyId, old.ciphertext, aad).toString()).toBe('old secret');
    expect(rotated.open(fresh.keyId, fresh.ciphertext, aad).toString()).toBe('new secret');
    expect(() => box.open('k1', fresh.ciphertext, aad)).toThrow(SecretBoxError);
  });

  it('refuses a wrong-size key or an active key that is not listed', () => {
    expect(() => new SecretBox(new Map([['k', randomBytes(16)]]), 'k')).toThrow(/32 bytes/);
    expect(() => new SecretBox(new Map([['k1', k1]]), 'k9')).toThrow(/not among/);
    expect(() => new SecretBox(new Map(), 'k1')).toThrow(/at least one/);
  });
});

describe('parseKeyList (SECRETS_KEYS)', () => {
  it('reads keyId:base64 pairs', () => {
    const { keys, problems } = parseKeyList(`k1:${k1.toString('base64')}, k2:${k2.toString('base64')}`);
    expect(problems).toEqual([]);
    expect(keys.get('k1')?.equals(k1)).toBe(true);
    expect(keys.get('k2')?.equals(k2)).toBe(true);
  });

  it('lists each bad entry without echoing key material', () => {
    const short = randomBytes(16).toString('base64');
    const { problems } = parseKeyList(`k1:${short},:abc,k2:${k2.toString('base64')},k2:${k2.toString('base64')}`);
    expect(problems).toHaveLength(3);
    expect(problems.join(' ')).not.toContain(short);
    expect(parseKeyList(' , ').problems).toEqual(['must list at least one key as keyId:base64']);
  });
});
