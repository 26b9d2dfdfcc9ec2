/**
 * Reads by key, gathering the keys asked for while earlier reads are under way into one query (the
 * DataLoader pattern). On PostgreSQL each query is a network round trip that costs both processes more
 * than the lookup itself, so a public endpoint under load answers many requests with one query.
 *
 * At most `maxInFlight` reads run at once: the keys that come in meanwhile wait for the next one,
 * which then carries them all (up to `maxBatch` each). Without that bound every turn of the event
 * loop sent its own small query.
 * Each caller gets its own row (or undefined); a failed query fails every caller of its batch.
 */
export function batchedLookup<T>(
  readMany: (keys: string[]) => Promise<T[]>,
  keyOf: (row: T) => string,
  { maxBatch = 100, maxInFlight = 2 }: { maxBatch?: number; maxInFlight?: number } = {},
): (key: string) => Promise<T | undefined> {
  type Waiter = { resolve: (row: T | undefined) => void; reject: (err: unknown) => void };
  let pending = new Map<string, Waiter[]>();
  let scheduled = false;
  let inFlight = 0;

  const run = async (batch: Map<string, Waiter[]>) => {
    try {
      const rows = new Map((await readMany([...batch.keys()])).map((r) => [keyOf(r), r]));
      for (const [key, waiters] of batch) for (const w of waiters) w.resolve(rows.get(key));
    } catch (err) {
      for (const waiters of batch.values()) for (const w of waiters) w.reject(err);
    } finally {
      inFlight--;
      flush();
    }
  };
  const flush = () => {
    while (pending.size && inFlight < maxInFlight) {
      let batch = pending;
      if (batch.size > maxBatch) {
        // The first maxBatch keys go now, the rest stay (in order) for the next read.
        const keys = [...batch.keys()];
        batch = new Map(keys.slice(0, maxBatch).map((k) => [k, pending.get(k)!]));
        pending = new Map(keys.slice(maxBatch).map((k) => [k, pending.get(k)!]));
      } else pending = new Map();
      inFlight++;
      void run(batch);
    }
  };

  return (key) =>
    new Promise<T | undefined>((resolve, reject) => {
      const waiters = pending.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else pending.set(key, [{ resolve, reject }]);
      if (!scheduled) {
        scheduled = true;
        setImmediate(() => {
          scheduled = false;
          flush();
        });
      }
    });
}
