import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { freshDatabase } from '../support/databases.ts';

// Queries with parameters are prepared once per connection on a PostgreSQL server (connect.ts).
describe.runIf(process.env.TEST_DATABASE_URL)('prepared statements on a PostgreSQL server', () => {
  it('reuses a statement by its text, and survives a schema change that alters its result', async () => {
    const { database, drop } = await freshDatabase('postgres');
    try {
      const db = database.db;
      await sql`create table t_prep (id integer primary key, name text)`.execute(db);
      await sql`insert into t_prep values (${1}, ${'một'}), (${2}, ${'hai'})`.execute(db);
      const read = (id: number) => sql<Record<string, unknown>>`select * from t_prep where id = ${id}`.execute(db);
      // Enough runs to reach every pooled connection.
      for (let i = 0; i < 8; i++) expect((await read(1)).rows).toEqual([{ id: 1, name: 'một' }]);
      const names = await sql<{ n: number }>`select count(*)::int as n from pg_prepared_statements`.execute(db);
      expect(names.rows[0]!.n).toBeGreaterThan(0);
      // A prepared `select *` fails with "cached plan must not change result type" unless dropped.
      await sql`alter table t_prep add column village text`.execute(db);
      for (let i = 0; i < 8; i++) expect((await read(2)).rows).toEqual([{ id: 2, name: 'hai', village: null }]);
    } finally {
      await drop();
    }
  });

  it('runs the hot reads by key on connections with one generic plan, and the rest with PostgreSQL’s choice', async () => {
    const { database, drop } = await freshDatabase('postgres');
    try {
      await sql`create table t_hot (code text primary key, state text)`.execute(database.db);
      await sql`insert into t_hot values (${'A-1'}, ${'new'}), (${'A-2'}, ${'done'})`.execute(database.db);
      const setting = database.preparedRead<{ mode: string; path: string }>('t_hot_setting', `select current_setting('plan_cache_mode') as mode, current_setting('search_path') as path`);
      const [read] = await setting();
      expect(read!.mode).toBe('force_generic_plan');
      const other = await sql<{ mode: string; path: string }>`select current_setting('plan_cache_mode') as mode, current_setting('search_path') as path`.execute(database.db);
      expect(other.rows[0]!.mode).toBe('auto');
      // The same schema on both: the reads see the tables of the rest.
      expect(read!.path).toBe(other.rows[0]!.path);
      const byCodes = database.preparedRead<{ code: string; state: string }>('t_hot_by_codes', 'select code, state from t_hot where code = any(?) order by code');
      // Past the five custom plans PostgreSQL would try first: the answers stay right under the generic one.
      for (let i = 0; i < 8; i++) expect(await byCodes(['A-2', 'A-1', 'nope'])).toEqual([{ code: 'A-1', state: 'new' }, { code: 'A-2', state: 'done' }]);
    } finally {
      await drop();
    }
  });
});
