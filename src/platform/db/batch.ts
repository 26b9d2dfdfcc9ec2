/** How a {@link batchedLookup} groups its keys. */
export interface BatchOptions {
  /** Most keys in one read; a fuller batch is read at once. */
  maxBatch?: number;
  /**
   * Most reads in flight at a time. While that many are out, newly asked keys wait and go together in
   * the next read as soon as one comes back (a full batch still goes at once). On PostgreSQL a busy
   * public endpoint then sends fewer, larger queries and wakes fewer backends; each read is a round trip
   * whose fixed cost (the pool's checkout, the protocol, the backend's wake-up) outweighs a row's.
   */
  maxInFlight?: number;
}

/**
 * Reads by key, gathering the keys asked for within one turn of the event loop into one query (the
 * DataLoader pattern). On PostgreSQL each query is a network round trip that costs both processes more
 * than the lookup itself, so a public endpoint under load answers many requests with one query.
 * Each caller gets its own row (or undefined); a failed query fails every caller of its batch.
 */
export function batchedLookup<T>(
  readMany: (keys: string[]) => Promise<T[]>,
  keyOf: (row: T) => string,
  { maxBatch = 100, maxInFlight = Infinity }: BatchOptions = {},
): (key: string) => Promise<T | undefined> {
  type Waiter = { resolve: (row: T | undefined) => void; reject: (err: unknown) => void };
  let pending: Map<string, Waiter[]> | null = null;
  let turnScheduled = false;
  let inFlight = 0;

  const run = async (batch: Map<string, Waiter[]>) => {
    inFlight++;
    try {
      const rows = new Map((await readMany([...batch.keys()])).map((r) => [keyOf(r), r]));
      for (const [key, waiters] of batch) for (const w of waiters) w.resolve(rows.get(key));
    } catch (err) {
      for (const waiters of batch.values()) for (const w of waiters) w.reject(err);
    } finally {
      inFlight--;
      // Keys that waited for a free slot go now; keys of the current turn wait for its end.
      if (pending && !turnScheduled && inFlight < maxInFlight) flush();
    }
  };
  const flush = () => {
    const batch = pending!;
    pending = null;
    void run(batch);
  };
  const endOfTurn = () => {
    turnScheduled = false;
    if (pending && inFlight < maxInFlight) flush();
  };

  return (key) =>
    new Promise<T | undefined>((resolve, reject) => {
      pending ??= new Map();
      if (!turnScheduled) {
        turnScheduled = true;
        setImmediate(endOfTurn);
      }
      const waiters = pending.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else pending.set(key, [{ resolve, reject }]);
      if (pending.size >= maxBatch) flush();
    });
}
