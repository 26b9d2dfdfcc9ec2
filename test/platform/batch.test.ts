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
      2,
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
});
