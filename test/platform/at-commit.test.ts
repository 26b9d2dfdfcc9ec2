import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atCommit, atCommitExpectingOne, postgresDatabase, RowExpectationFailed, withLiterals, type Database, type PgPoolLike } from '../../src/platform/db/connect.ts';
import { platformMigrations } from '../../src/platform/db/migrations.ts';
import { schemaHelpers } from '../../src/platform/db/migrate.ts';
import { DIALECTS, freshDatabase } from '../support/databases.ts';
import { pglitePool } from '../support/pglite.ts';

// Writes whose answer nobody needs travel with the COMMIT on PostgreSQL (and a transaction's BEGIN
// with its first statement); on SQLite they run at once. Either way they commit or fail with the rest.
describe.each(DIALECTS)('writes at commit on %s', (dialect) => {
  let database: Database;
  let drop: () => Promise<void>;
  const t = () => database.db as unknown as import('kysely').Kysely<{ item: { id: number; v: string }; log: { item_id: number; note: string } }>;

  beforeAll(async () => {
    ({ database, drop } = await freshDatabase(dialect));
    await sql`create table item (id integer primary key, v text not null)`.execute(database.db);
    await sql`create table log (item_id integer not null, note text not null unique)`.execute(database.db);
    await t().insertInto('item').values({ id: 1, v: 'a' }).execute();
    // The function `atCommitExpectingOne` relies on on PostgreSQL.
    await platformMigrations.find((m) => m.name.endsWith('platform-expect-rows'))!.up(database.db as never, schemaHelpers(dialect));
  });
  afterAll(() => drop());

  it('commits the queued writes with the transaction, in order, values intact', async () => {
    const note = `it's a "quote", a back\\slash, $1 and a new\nline; Tiếng Việt`;
    const changed = await t()
      .transaction()
      .execute(async (trx) => {
        const r = await trx.updateTable('item').set({ v: 'b' }).where('id', '=', 1).where('v', '=', 'a').executeTakeFirst();
        await atCommit(trx as never, trx.insertInto('log').values({ item_id: 1, note }));
        await atCommit(trx as never, trx.insertInto('log').values({ item_id: 1, note: 'second' }));
        return Number(r.numUpdatedRows);
      });
    expect(changed).toBe(1);
    expect((await t().selectFrom('item').select('v').where('id', '=', 1).executeTakeFirstOrThrow()).v).toBe('b');
    expect((await t().selectFrom('log').select('note').orderBy('note').execute()).map((r) => r.note)).toEqual([note, 'second'].sort());
  });

  it('rolls the whole transaction back when a queued write fails at the commit', async () => {
    await expect(
      t()
        .transaction()
        .execute(async (trx) => {
          await trx.updateTable('item').set({ v: 'c' }).where('id', '=', 1).execute();
          await atCommit(trx as never, trx.insertInto('log').values({ item_id: 1, note: 'second' })); // already there: unique
        }),
    ).rejects.toThrow();
    expect((await t().selectFrom('item').select('v').where('id', '=', 1).executeTakeFirstOrThrow()).v).toBe('b');
    expect(await t().selectFrom('log').select('note').execute()).toHaveLength(2);
  });

  it('ends an empty transaction and one whose first statement failed, and goes on working', async () => {
    expect(await t().transaction().execute(async () => 'nothing')).toBe('nothing');
    for (let i = 0; i < 6; i++) {
      await expect(
        t()
          .transaction()
          .execute(async (trx) => {
            await trx.insertInto('item').values({ id: 1, v: 'duplicate' }).execute();
          }),
      ).rejects.toThrow();
    }
    await t()
      .transaction()
      .execute(async (trx) => {
        await trx.insertInto('item').values({ id: 2, v: 'x' }).execute();
      });
    expect(await t().selectFrom('item').select('id').orderBy('id').execute()).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('commits a write expected to change one row when it does, and fails the whole transaction when it does not', async () => {
    const step = (from: string, to: string, note: string) =>
      t()
        .transaction()
        .execute(async (trx) => {
          await atCommitExpectingOne(trx as never, trx.updateTable('item').set({ v: to }).where('id', '=', 1).where('v', '=', from));
          await atCommit(trx as never, trx.insertInto('log').values({ item_id: 1, note }));
        });
    await step('b', 'd', 'b to d');
    // Stale: the row is no longer 'b'. Nothing of the transaction stays, and the error says why.
    await expect(step('b', 'e', 'b to e')).rejects.toBeInstanceOf(RowExpectationFailed);
    // Several rows changed is a failure too.
    await expect(
      t()
        .transaction()
        .execute(async (trx) => {
          await trx.insertInto('item').values({ id: 3, v: 'd' }).execute();
          await atCommitExpectingOne(trx as never, trx.updateTable('item').set({ v: 'f' }).where('v', '=', 'd'));
        }),
    ).rejects.toBeInstanceOf(RowExpectationFailed);
    expect(await t().selectFrom('item').select(['id', 'v']).where('id', 'in', [1, 3]).orderBy('id').execute()).toEqual([{ id: 1, v: 'd' }]);
    expect((await t().selectFrom('log').select('note').where('note', 'like', 'b to %').execute()).map((r) => r.note)).toEqual(['b to d']);
    // And the connection goes on working afterwards.
    await step('d', 'b', 'd to b');
    expect((await t().selectFrom('item').select('v').where('id', '=', 1).executeTakeFirstOrThrow()).v).toBe('b');
  });

  it('runs a write at once outside a transaction', async () => {
    await atCommit(database.db, t().insertInto('log').values({ item_id: 2, note: 'alone' }));
    expect(await t().selectFrom('log').select('note').where('item_id', '=', 2).execute()).toEqual([{ note: 'alone' }]);
  });
});

describe('PostgreSQL round trips of a transaction', () => {
  it('sends BEGIN with the first statement and the queued writes with the COMMIT', async () => {
    const url = process.env.TEST_DATABASE_URL;
    const inner: PgPoolLike = url ? (new pg.Pool({ connectionString: url, max: 1 })) : await pglitePool();
    const sent: string[] = [];
    // Every query the driver sends through a client, as sent.
    const spy: PgPoolLike = {
      query: (c) => inner.query(c),
      end: () => inner.end(),
      connect: async () => {
        const client = (await inner.connect()) as { query: (...a: unknown[]) => Promise<unknown> };
        const query = client.query.bind(client);
        return Object.assign(Object.create(client) as object, {
          query: (text: unknown, ...rest: unknown[]) => {
            if (typeof text === 'string') sent.push(text);
            return query(text, ...rest);
          },
          release: (...a: unknown[]) => (client as unknown as { release: (...a: unknown[]) => void }).release(...a),
        });
      },
    };
    const database = postgresDatabase(spy);
    try {
      await sql`create temporary table rt (id integer primary key, v text)`.execute(database.db);
      sent.length = 0;
      await database.db.transaction().execute(async (trx) => {
        await sql`insert into rt (id, v) values (${1}, ${"o'clock"})`.execute(trx);
        await atCommit(trx, sql`insert into rt (id, v) values (${2}, ${null})`);
      });
      expect(sent).toEqual(["begin;\ninsert into rt (id, v) values ('1', 'o''clock')", "insert into rt (id, v) values ('2', null);\ncommit"]);
      expect((await sql<{ id: number; v: string | null }>`select id, v from rt order by id`.execute(database.db)).rows).toEqual([
        { id: 1, v: "o'clock" },
        { id: 2, v: null },
      ]);
      // A step whose every write is queued — its checked update included — is one round trip.
      await platformMigrations.find((m) => m.name.endsWith('platform-expect-rows'))!.up(database.db as never, schemaHelpers('postgres'));
      sent.length = 0;
      await database.db.transaction().execute(async (trx) => {
        await atCommitExpectingOne(trx, trx.updateTable('rt' as never).set({ v: 'x' } as never).where('id' as never, '=', 1 as never));
        await atCommit(trx, sql`insert into rt (id, v) values (${3}, ${'y'})`);
      });
      expect(sent).toEqual([`begin;\nwith w as (update "rt" set "v" = 'x' where "id" = '1' returning 1) select xaso_expect_one_row((select count(*) from w));\ninsert into rt (id, v) values ('3', 'y');\ncommit`]);
      expect((await sql<{ id: number; v: string | null }>`select id, v from rt order by id`.execute(database.db)).rows.map((r) => r.v)).toEqual(['x', null, 'y']);
    } finally {
      await database.close();
    }
  });
});

describe('withLiterals', () => {
  it('writes each value as node-pg would send it, quoted, and leaves quoted text alone', () => {
    expect(withLiterals(`select $1, $2, '$1', "$2", $10, $3, $4, $5, $6, $7, $8, $9`, ["a'b", 5, 'c', true, null, 'x', Buffer.from('hi'), { k: "v'" }, 'back\\slash', 'ten'])).toBe(
      `select 'a''b', '5', '$1', "$2", 'ten', 'c', 'true', null, 'x',  E'\\\\x6869', '{"k":"v''"}',  E'back\\\\slash'`,
    );
    // A date as node-pg writes it (in the process's time zone, with its offset): the same instant.
    const at = new Date('2026-11-29T01:02:03.004Z');
    expect(new Date(withLiterals('$1', [at]).slice(1, -1)).toISOString()).toBe(at.toISOString());
    expect(() => withLiterals('select $2', ['x'])).toThrow(/\$2/);
    // Doubled quotes stay inside their string or identifier; a `$` without digits is text.
    expect(withLiterals(`select 'it''s $1', "a""$1", $1, '', "", $ 1, $1$`, ['v'])).toBe(`select 'it''s $1', "a""$1", 'v', '', "", $ 1, 'v'$`);
    expect(withLiterals(`insert into "t" ("a", "b") values ($1, $2)`, ['x', 2])).toBe(`insert into "t" ("a", "b") values ('x', '2')`);
    // Nothing after an unterminated quote is a parameter.
    expect(withLiterals(`select $1, 'open $1`, ['v'])).toBe(`select 'v', 'open $1`);
  });
});
