import { randomBytes } from 'node:crypto';
import { resealerOf } from './reseal';
import { SecretBox } from './secret-box';

describe('resealerOf (issue 16 item 6)', () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const before = new SecretBox(new Map([['old', oldKey]]), 'old');
  const after = new SecretBox(
    new Map([
      ['old', oldKey],
      ['new', newKey],
    ]),
    'new',
  );
  const onlyNew = new SecretBox(new Map([['new', newKey]]), 'new');

  it('seals every value again under the active key with the same AAD; null stays null', () => {
    const a = before.seal(Buffer.from('seed'), 'aad:a');
    const b = before.seal(Buffer.from('secret'), 'aad:b');
    const failures: string[] = [];
    const out = resealerOf(after, (id) => failures.push(id))({
      id: 'row-1',
      keyId: 'old',
      values: [{ ciphertext: a.ciphertext, aad: 'aad:a' }, null, { ciphertext: b.ciphertext, aad: 'aad:b' }],
    });
    expect(failures).toEqual([]);
    expect(out?.keyId).toBe('new');
    expect(out?.ciphertexts[1]).toBeNull();
    expect(onlyNew.open('new', out?.ciphertexts[0] as Buffer, 'aad:a').toString()).toBe('seed');
    expect(onlyNew.open('new', out?.ciphertexts[2] as Buffer, 'aad:b').toString()).toBe('secret');
    // The AAD still binds: a value does not open as another row's.
    expect(() => onlyNew.open('new', out?.ciphertexts[0] as Buffer, 'aad:b')).toThrow();
  });

  it('a row that does not open is reported (id and reason, nothing secret) and left unchanged', () => {
    const a = before.seal(Buffer.from('seed'), 'aad:a');
    const failures: [string, string][] = [];
    const resealer = resealerOf(after, (id, reason) => failures.push([id, reason]));
    expect(
      resealer({ id: 'wrong-aad', keyId: 'old', values: [{ ciphertext: a.ciphertext, aad: 'aad:x' }] }),
    ).toBeNull();
    expect(
      resealer({ id: 'unknown-key', keyId: 'gone', values: [{ ciphertext: a.ciphertext, aad: 'aad:a' }] }),
    ).toBeNull();
    expect(failures.map(([id]) => id)).toEqual(['wrong-aad', 'unknown-key']);
    expect(failures.map(([, reason]) => reason).join(' ')).not.toContain('seed');
  });
});
