import { sql } from 'kysely';
import type { Database } from '../db/connect.ts';

/**
 * A fixed-window counter kept in the database, so every copy of the server shares it.
 * Returns how many hits the key has had in the current window and when the window ends.
 */
export async function hitRateLimit(
  database: Database,
  key: string,
  windowMs: number,
  now = Date.now(),
): Promise<{ count: number; resetAt: number }> {
  const resetAt = now + windowMs;
  const row = await database.db
    .insertInto('http_rate_limit')
    .values({ key, reset_at: resetAt, count: 1 })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        count: sql`case when http_rate_limit.reset_at < ${now} then 1 else http_rate_limit.count + 1 end`,
        reset_at: sql`case when http_rate_limit.reset_at < ${now} then ${resetAt} else http_rate_limit.reset_at end`,
      }),
    )
    .returning(['count', 'reset_at'])
    .executeTakeFirstOrThrow();
  return { count: Number(row.count), resetAt: Number(row.reset_at) };
}
