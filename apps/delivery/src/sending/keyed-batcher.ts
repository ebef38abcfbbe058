interface Waiter<O> {
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

interface Batch<I, O> {
  items: I[];
  waiters: Waiter<O>[];
}

/**
 * Groups concurrent calls with the same key into one `run` — one tenant transaction for all the
 * messages of that tenant that are at the same step together. At most one run per key at a time:
 * calls made while it runs gather for the next one, so batches grow with load and a lone call on
 * an idle worker runs on the next turn of the event loop (no timer, no added wait).
 * `run` returns one result per item, in order; if it throws, every call of that batch rejects.
 */
export class KeyedBatcher<I, O> {
  private readonly pending = new Map<string, Batch<I, O>>();
  private readonly running = new Set<string>();

  constructor(
    private readonly run: (key: string, items: I[]) => Promise<O[]>,
    private readonly maxBatch = 200,
  ) {}

  add(key: string, item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      let batch = this.pending.get(key);
      if (!batch) {
        batch = { items: [], waiters: [] };
        this.pending.set(key, batch);
        if (!this.running.has(key)) setImmediate(() => this.flush(key));
      }
      batch.items.push(item);
      batch.waiters.push({ resolve, reject });
    });
  }

  private flush(key: string): void {
    const batch = this.pending.get(key);
    if (!batch || this.running.has(key)) return;
    const items = batch.items.splice(0, this.maxBatch);
    const waiters = batch.waiters.splice(0, this.maxBatch);
    if (batch.items.length === 0) this.pending.delete(key);
    this.running.add(key);
    this.run(key, items)
      .then(
        (results) => waiters.forEach((w, i) => w.resolve(results[i])),
        (error: unknown) => waiters.forEach((w) => w.reject(error)),
      )
      .finally(() => {
        this.running.delete(key);
        if (this.pending.has(key)) this.flush(key);
      })
      .catch(() => undefined);
  }
}

/**
 * A batch write that, when the whole batch fails, retries each item alone: one bad row (say a
 * unique violation) then fails only its own job, instead of failing, and re-sending on retry, every
 * message that shared its batch. Resolves one outcome per item: null, or that item's error.
 */
export async function eachOrAlone<I>(
  items: readonly I[],
  all: (items: readonly I[]) => Promise<void>,
): Promise<(unknown | null)[]> {
  try {
    await all(items);
    return items.map(() => null);
  } catch (error) {
    if (items.length === 1) return [error];
    const outcomes: (unknown | null)[] = [];
    for (const item of items)
      outcomes.push(
        await all([item]).then(
          () => null,
          (e: unknown) => e,
        ),
      );
    return outcomes;
  }
}
