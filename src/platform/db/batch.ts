/**
 * Reads by key, gathering the keys asked for within one turn of the event loop into one query (the
 * DataLoader pattern). On PostgreSQL each query is a network round trip that costs both processes more
 * than the lookup itself, so a public endpoint under load answers many requests with one query.
 * Each caller gets its own row (or undefined); a failed query fails every caller of its batch.
 */
export function batchedLookup<T>(readMany: (keys: string[]) => Promise<T[]>, keyOf: (row: T) => string, maxBatch = 100): (key: string) => Promise<T | undefined> {
  type Waiter = { resolve: (row: T | undefined) => void; reject: (err: unknown) => void };
  let pending: Map<string, Waiter[]> | null = null;

  const run = async (batch: Map<string, Waiter[]>) => {
    try {
      const rows = new Map((await readMany([...batch.keys()])).map((r) => [keyOf(r), r]));
      for (const [key, waiters] of batch) for (const w of waiters) w.resolve(rows.get(key));
    } catch (err) {
      for (const waiters of batch.values()) for (const w of waiters) w.reject(err);
    }
  };
  const flush = () => {
    const batch = pending!;
    pending = null;
    void run(batch);
  };

  return (key) =>
    new Promise<T | undefined>((resolve, reject) => {
      if (!pending) {
        pending = new Map();
        setImmediate(() => pending && flush());
      }
      const waiters = pending.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else pending.set(key, [{ resolve, reject }]);
      if (pending.size >= maxBatch) flush();
    });
}
