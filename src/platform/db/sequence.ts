import { sql, type Kysely } from 'kysely';
import type { DB } from './schema.ts';

/**
 * The next number of a series for a period (1, 2, 3… restarting with each new period), given inside
 * the caller's transaction: an upsert that increments and returns in one statement, so two writers at
 * the same moment never get the same number, and a rolled-back transaction gives its number back.
 */
export async function nextNumber(trx: Kysely<DB>, scope: string, period: string): Promise<number> {
  const row = await trx
    .insertInto('platform_sequence')
    .values({ scope, period, last: 1 })
    .onConflict((oc) => oc.columns(['scope', 'period']).doUpdateSet({ last: sql<number>`platform_sequence.last + 1` }))
    .returning('last')
    .executeTakeFirstOrThrow();
  return Number(row.last);
}
