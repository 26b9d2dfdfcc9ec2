import { describe, expect, it } from 'vitest';
import { batchedLookup } from '../../src/platform/db/batch.ts';

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
    const reads: string[][] = [];
    const lookup = batchedLookup(
      async (keys: string[]) => {
        reads.push(keys);
        return keys.map((code) => ({ code }));
      },
      (r) => r.code,
      { maxBatch: 2 },
    );
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

  it('with one read in flight, gathers the keys asked for meanwhile into the next read', async () => {
    const reads: string[][] = [];
    const answer: (() => void)[] = [];
    const lookup = batchedLookup(
      (keys: string[]) => {
        reads.push(keys);
        return new Promise<{ code: string }[]>((resolve) => answer.push(() => resolve(keys.map((code) => ({ code })))));
      },
      (r) => r.code,
      { maxInFlight: 1 },
    );
    const turn = () => new Promise((r) => setImmediate(r));
    const first = lookup('a');
    await turn();
    expect(reads).toEqual([['a']]);
    // Asked over several turns while the first read is out: they wait, then go together.
    const later = [lookup('b')];
    await turn();
    later.push(lookup('c'), lookup('b'));
    await turn();
    expect(reads).toHaveLength(1);
    answer[0]!();
    expect(await first).toEqual({ code: 'a' });
    await turn();
    expect(reads).toEqual([['a'], ['b', 'c']]);
    answer[1]!();
    expect(await Promise.all(later)).toEqual([{ code: 'b' }, { code: 'c' }, { code: 'b' }]);
    // Nothing out: the next key goes at the end of its turn again.
    const next = lookup('d');
    await turn();
    expect(reads).toHaveLength(3);
    answer[2]!();
    expect(await next).toEqual({ code: 'd' });
  });

  it('sends a full batch at once even while the reads in flight are at the limit', async () => {
    const reads: string[][] = [];
    const lookup = batchedLookup(
      async (keys: string[]) => {
        reads.push(keys);
        await new Promise((r) => setTimeout(r, 5));
        return keys.map((code) => ({ code }));
      },
      (r) => r.code,
      { maxBatch: 2, maxInFlight: 1 },
    );
    const all = Promise.all(['a', 'b', 'c', 'd', 'e'].map((k) => lookup(k)));
    // Two full batches went as they filled; the fifth key waits for a free slot.
    expect(reads).toEqual([['a', 'b'], ['c', 'd']]);
    expect((await all).map((r) => r?.code)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(reads).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });
});
