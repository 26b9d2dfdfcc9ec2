import { afterEach, describe, expect, it, vi } from 'vitest';
import { readCache } from '../../src/platform/db/cache.ts';
import type { Database } from '../../src/platform/db/connect.ts';

// The cache never touches the handle; it only keys entries by it.
const dbA = {} as Database;
const dbB = {} as Database;

describe('read cache', () => {
  afterEach(() => vi.useRealTimers());

  it('serves a value until it expires or is invalidated, per database', async () => {
    vi.useFakeTimers();
    let reads = 0;
    const cache = readCache(1000, async (_db, key: string) => `${key}#${++reads}`);
    expect(await cache.get(dbA, 'x')).toBe('x#1');
    expect(await cache.get(dbA, 'x')).toBe('x#1');
    expect(await cache.get(dbB, 'x')).toBe('x#2');
    vi.advanceTimersByTime(1001);
    expect(await cache.get(dbA, 'x')).toBe('x#3');
    expect(await cache.get(dbB, 'x')).toBe('x#4');
    cache.invalidate(dbA);
    expect(await cache.get(dbB, 'x')).toBe('x#4');
    expect(await cache.get(dbA, 'x')).toBe('x#5');
  });

  it('does not keep a failed read', async () => {
    let fail = true;
    const cache = readCache(60_000, async () => {
      if (fail) throw new Error('database down');
      return 'ok';
    });
    await expect(cache.get(dbA, 'k')).rejects.toThrow('database down');
    fail = false;
    expect(await cache.get(dbA, 'k')).toBe('ok');
  });

  it('stays bounded', async () => {
    let reads = 0;
    const cache = readCache(60_000, async (_db, key: string) => `${key}#${++reads}`, 2);
    await cache.get(dbA, 'a');
    await cache.get(dbA, 'b');
    await cache.get(dbA, 'c'); // clears a and b
    expect(await cache.get(dbA, 'a')).toBe('a#4');
  });
});
