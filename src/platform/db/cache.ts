import type { Database } from './connect.ts';

/**
 * Rarely changing rows (the unit tree, the working calendar) read on every workflow step, kept in this
 * process for a short time. The process that changes them calls `invalidate` after its commit and
 * sees the change at once; other processes of the same installation see it within `ttlMs`. Entries
 * belong to one database handle, so tests on fresh databases never share them.
 */
export interface ReadCache<K, T> {
  get(database: Database, key: K): Promise<T>;
  invalidate(database: Database): void;
}

export function readCache<K extends string, T>(ttlMs: number, load: (database: Database, key: K) => Promise<T>, maxEntries = 1000): ReadCache<K, T> {
  const byDatabase = new WeakMap<Database, Map<K, { at: number; value: Promise<T> }>>();
  return {
    get(database, key) {
      let entries = byDatabase.get(database);
      if (!entries) byDatabase.set(database, (entries = new Map<K, { at: number; value: Promise<T> }>()));
      const now = Date.now();
      const hit = entries.get(key);
      if (hit && now - hit.at < ttlMs) return hit.value;
      if (entries.size >= maxEntries) entries.clear();
      const value = load(database, key);
      entries.set(key, { at: now, value });
      // A failed read is not kept.
      value.catch(() => {
        if (entries.get(key)?.value === value) entries.delete(key);
      });
      return value;
    },
    invalidate(database) {
      byDatabase.delete(database);
    },
  };
}
