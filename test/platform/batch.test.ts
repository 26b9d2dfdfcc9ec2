import { describe, expect, it } from 'vitest';
import { batchedLookup } from '../../src/platform/db/batch.ts';

/** A look-up whose reads are recorded and answer every key. */
function recording(options: Parameters<typeof batchedLookup>[2]) {
  const reads: string[][] = [];
  const lookup = batchedLookup(
    async (keys: string[]) => {
      reads.push(keys);
      return keys.map((code) => ({ code }));
    },
    (r) => r.code,
    options,
  );
  return { reads, lookup };
}

describe('batched lookup', () => {
  it('answers the keys asked for in one turn with one read, each caller its own row', async () => {
    const reads: string[][] = [];
    const lookup = batchedLookup(
      async (keys: string[]) => {
        reads.push(keys);
        return keys.filter((k) => k !== 'missing').map((k) => ({ code: k, state: `state of ${k}` }));
      },
      (r) => r.code,
    );
    const answers = await Promise.all(['a', 'b', 'a', 'missing'].map((k) => lookup(k)));
    expect(reads).toEqual([['a', 'b', 'missing']]);
    expect(answers).toEqual([{ code: 'a', state: 'state of a' }, { code: 'b', state: 'state of b' }, { code: 'a', state: 'state of a' }, undefined]);
    // A later turn reads again.
    expect(await lookup('c')).toEqual({ code: 'c', state: 'state of c' });
    expect(reads).toHaveLength(2);
  });

  it('splits a batch at the maximum size', async () => {
    const { reads, lookup } = recording({ maxBatch: 2 });
    await Promise.all(['a', 'b', 'c'].map((k) => lookup(k)));
    expect(reads).toEqual([['a', 'b'], ['c']]);
  });

  it('fails every caller of a failed read, and recovers', async () => {
    let fail = true;
    const lookup = batchedLookup(
      async (keys: string[]) => {
        if (fail) throw new Error('database down');
        return keys.map((code) => ({ code }));
      },
      (r) => r.code,
    );
    const results = await Promise.allSettled([lookup('a'), lookup('b')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await lookup('a')).toEqual({ code: 'a' });
  });

  it('holds the keys that come while reads are under way for one next read, at most maxInFlight at once', async () => {
    const reads: string[][] = [];
    const gates: (() => void)[] = [];
    let running = 0;
    let most = 0;
    const lookup = batchedLookup(
      async (keys: string[]) => {
        reads.push(keys);
        most = Math.max(most, ++running);
        await new Promise<void>((resolve) => gates.push(resolve));
        running--;
        return keys.map((code) => ({ code }));
      },
      (r) => r.code,
      { maxInFlight: 1 },
    );
    const first = lookup('a');
    await new Promise((r) => setImmediate(r));
    expect(reads).toEqual([['a']]);
    // Three more turns of the event loop while 'a' is read: no new read starts.
    const later: Promise<unknown>[] = [];
    for (const key of ['b', 'c', 'd']) {
      later.push(lookup(key));
      await new Promise((r) => setImmediate(r));
    }
    expect(reads).toHaveLength(1);
    gates.shift()!();
    expect(await first).toEqual({ code: 'a' });
    await new Promise((r) => setImmediate(r));
    expect(reads).toEqual([['a'], ['b', 'c', 'd']]);
    gates.shift()!();
    expect(await Promise.all(later)).toEqual([{ code: 'b' }, { code: 'c' }, { code: 'd' }]);
    expect(most).toBe(1);
  });

  it('keeps the keys past maxBatch, in order, for the next read', async () => {
    const { reads, lookup } = recording({ maxBatch: 2, maxInFlight: 1 });
    expect(await Promise.all(['a', 'b', 'c', 'd', 'e'].map((k) => lookup(k)))).toEqual(['a', 'b', 'c', 'd', 'e'].map((code) => ({ code })));
    expect(reads).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });
});
