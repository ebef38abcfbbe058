import { eachOrAlone, KeyedBatcher } from './keyed-batcher';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('KeyedBatcher', () => {
  it('runs the calls of one turn together, per key, and answers each in order', async () => {
    const runs: [string, number[]][] = [];
    const batcher = new KeyedBatcher<number, number>(async (key, items) => {
      runs.push([key, [...items]]);
      return items.map((i) => i * 10);
    });
    const results = await Promise.all([batcher.add('a', 1), batcher.add('b', 2), batcher.add('a', 3)]);
    expect(results).toEqual([10, 20, 30]);
    expect(runs).toEqual([
      ['a', [1, 3]],
      ['b', [2]],
    ]);
  });

  it('holds one run per key at a time: calls made meanwhile gather for the next run', async () => {
    let release: () => void = () => undefined;
    const runs: number[][] = [];
    const batcher = new KeyedBatcher<number, number>(async (_key, items) => {
      runs.push([...items]);
      if (runs.length === 1) await new Promise<void>((r) => (release = r));
      return items;
    });
    const first = batcher.add('t', 1);
    await tick();
    const later = [batcher.add('t', 2), batcher.add('t', 3)];
    await tick();
    await tick();
    expect(runs).toEqual([[1]]);
    release();
    expect(await Promise.all([first, ...later])).toEqual([1, 2, 3]);
    expect(runs).toEqual([[1], [2, 3]]);
  });

  it('caps the batch size and rejects every call of a failed run', async () => {
    const sizes: number[] = [];
    const batcher = new KeyedBatcher<number, number>(async (_key, items) => {
      sizes.push(items.length);
      if (items.includes(13)) throw new Error('boom');
      return items;
    }, 2);
    const calls = [1, 2, 13, 4, 5].map((i) => batcher.add('t', i).catch((e: Error) => e.message));
    expect(await Promise.all(calls)).toEqual([1, 2, 'boom', 'boom', 5]);
    expect(sizes).toEqual([2, 2, 1]);
  });
});

describe('eachOrAlone', () => {
  it('one call when the batch succeeds', async () => {
    const calls: number[][] = [];
    const outcomes = await eachOrAlone([1, 2, 3], async (items) => void calls.push([...items]));
    expect(outcomes).toEqual([null, null, null]);
    expect(calls).toEqual([[1, 2, 3]]);
  });

  it('when the batch fails, each item alone: only the bad item carries an error', async () => {
    const bad = new Error('unique violation on 2');
    const calls: number[][] = [];
    const outcomes = await eachOrAlone([1, 2, 3], async (items) => {
      calls.push([...items]);
      if (items.includes(2)) throw bad;
    });
    expect(outcomes).toEqual([null, bad, null]);
    expect(calls).toEqual([[1, 2, 3], [1], [2], [3]]);
  });

  it('a lone item that fails is not tried twice', async () => {
    let n = 0;
    const error = new Error('down');
    expect(
      await eachOrAlone(['x'], async () => {
        n += 1;
        throw error;
      }),
    ).toEqual([error]);
    expect(n).toBe(1);
  });
});
