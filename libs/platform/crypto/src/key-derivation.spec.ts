import { pbkdf2Sync } from 'node:crypto';
import { DomainError } from '@twofold/platform/errors';
import { KDF_BUSY, KeyDerivationPool, pbkdf2Async } from './key-derivation';

/** A task that finishes when the test says so. */
function gate(): { task: () => Promise<string>; open: (value: string) => void } {
  let open!: (value: string) => void;
  const done = new Promise<string>((resolve) => (open = resolve));
  return { task: () => done, open };
}

async function busy(p: Promise<unknown>): Promise<DomainError> {
  const error = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  expect((error as DomainError).code).toBe(KDF_BUSY);
  expect((error as DomainError).kind).toBe('rate_limited');
  expect((error as DomainError).details).toEqual({ retryAfterSeconds: 1 });
  return error as DomainError;
}

describe('KeyDerivationPool (issue 15 item 1)', () => {
  it('runs at most `concurrency` at once, queues up to `queue`, refuses the rest at once', async () => {
    const pool = new KeyDerivationPool('test', { concurrency: 2, queue: 1, perKey: 10 });
    const gates = [gate(), gate(), gate()];
    const runs = gates.map((g, i) => pool.run(`t${i}`, g.task));
    await Promise.resolve();
    expect(pool.load).toEqual({ running: 2, waiting: 1 });
    await busy(pool.run('t9', () => Promise.resolve('never')));

    gates[0]?.open('a');
    await expect(runs[0]).resolves.toBe('a');
    expect(pool.load).toEqual({ running: 2, waiting: 0 });
    gates[1]?.open('b');
    gates[2]?.open('c');
    await expect(Promise.all(runs)).resolves.toEqual(['a', 'b', 'c']);
    expect(pool.load).toEqual({ running: 0, waiting: 0 });
  });

  it('one key holds at most `perKey` slots (running or waiting); other keys still get in', async () => {
    const pool = new KeyDerivationPool('test', { concurrency: 1, queue: 8, perKey: 2 });
    const gates = [gate(), gate()];
    const mine = gates.map((g) => pool.run('tenant-a', g.task));
    await busy(pool.run('tenant-a', () => Promise.resolve('never')));
    const other = pool.run('tenant-b', () => Promise.resolve('b'));
    gates.forEach((g, i) => g.open(String(i)));
    await expect(Promise.all([...mine, other])).resolves.toEqual(['0', '1', 'b']);
    // Freed: the key may run again.
    await expect(pool.run('tenant-a', () => Promise.resolve('again'))).resolves.toBe('again');
  });

  it('a failing task frees its slot', async () => {
    const pool = new KeyDerivationPool('test', { concurrency: 1, queue: 0, perKey: 1 });
    await expect(pool.run('k', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(pool.run('k', () => Promise.resolve(1))).resolves.toBe(1);
    expect(pool.load).toEqual({ running: 0, waiting: 0 });
  });

  it('pbkdf2Async derives what pbkdf2Sync derives', async () => {
    const salt = Buffer.from('salt');
    await expect(pbkdf2Async('pw', salt, 1000, 32, 'sha256')).resolves.toEqual(
      pbkdf2Sync('pw', salt, 1000, 32, 'sha256'),
    );
  });
});
