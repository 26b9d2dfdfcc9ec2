import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect, type Database } from '../../src/platform/db/connect.ts';

// SQLite's transactions of one event-loop turn share one durable commit (group-commit.ts); each
// caller hears back only once its writes are on disk, and a failure stays with its own transaction.
describe('SQLite group commit', () => {
  let dir: string;
  let database: Database;
  let other: SQLite.Database;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xaso-group-'));
    database = connect(`sqlite:${path.join(dir, 'g.db')}`);
    await sql`create table t (id integer primary key, v text not null unique)`.execute(database.db);
    // Another connection to the same file sees only what is committed.
    other = new SQLite(path.join(dir, 'g.db'), { readonly: true });
  });
  afterEach(async () => {
    other.close();
    await database.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const committed = () => (other.prepare('select v from t order by id').all() as { v: string }[]).map((r) => r.v);
  const commits = () => (other.pragma('data_version', { simple: true }) as number);

  it('commits concurrent transactions once, and answers each only after the commit', async () => {
    const before = commits();
    const seen: string[][] = [];
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        database.db
          .transaction()
          .execute(async (trx) => {
            await trx.insertInto('t' as never).values({ v: `row ${i}` }).execute();
            await trx.updateTable('t' as never).set({ v: `row ${i}!` } as never).where('v' as never, '=', `row ${i}` as never).execute();
          })
          .then(() => seen.push(committed())),
      ),
    );
    // Every caller saw all ten rows on disk when it was answered: one commit for the ten.
    for (const s of seen) expect(s).toHaveLength(10);
    expect(commits() - before).toBe(1);
    // Inside the process, a transaction's writes are visible to the next statement at once.
    await database.db.transaction().execute(async (trx) => {
      await trx.insertInto('t' as never).values({ v: 'a' }).execute();
    });
    expect((await sql<{ n: number }>`select count(*) as n from t`.execute(database.db)).rows[0]!.n).toBe(11);
  });

  it('rolls back a failed transaction alone; its neighbours in the group are kept', async () => {
    const results = await Promise.allSettled([
      database.db.transaction().execute(async (trx) => {
        await trx.insertInto('t' as never).values({ v: 'kept 1' }).execute();
      }),
      database.db.transaction().execute(async (trx) => {
        await trx.insertInto('t' as never).values({ v: 'lost' }).execute();
        // A unique violation: the whole transaction must go, its first row included.
        await trx.insertInto('t' as never).values({ v: 'kept 1' }).execute();
      }),
      database.db.transaction().execute(async (trx) => {
        await trx.insertInto('t' as never).values({ v: 'kept 2' }).execute();
        throw new Error('changed my mind');
      }),
      database.db.transaction().execute(async (trx) => {
        await trx.insertInto('t' as never).values({ v: 'kept 3' }).execute();
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect(committed()).toEqual(['kept 1', 'kept 3']);
  });

  it('makes a write outside a transaction wait for the open group, and keeps savepoints working', async () => {
    const tx = database.db.transaction().execute(async (trx) => {
      await trx.insertInto('t' as never).values({ v: 'in a transaction' }).execute();
    });
    // Issued in the same turn: it lands in the group still open and resolves after its commit.
    const single = sql`insert into t (v) values ('on its own')`.execute(database.db).then(() => committed());
    await tx;
    expect(await single).toEqual(['in a transaction', 'on its own']);

    const trx = await database.db.startTransaction().execute();
    await trx.insertInto('t' as never).values({ v: 'before savepoint' }).execute();
    const sp = await trx.savepoint('try_it').execute();
    await sp.insertInto('t' as never).values({ v: 'undone' }).execute();
    await sp.rollbackToSavepoint('try_it').execute();
    await trx.commit().execute();
    expect(committed()).toEqual(['in a transaction', 'on its own', 'before savepoint']);
  });

  it('commits a transaction that awaits more than the database after it is done', async () => {
    await database.db.transaction().execute(async (trx) => {
      await trx.insertInto('t' as never).values({ v: 'slow' }).execute();
      await new Promise((r) => setTimeout(r, 30));
      await trx.insertInto('t' as never).values({ v: 'slow 2' }).execute();
    });
    expect(committed()).toEqual(['slow', 'slow 2']);
  });

  it('fails every member of a group whose commit fails, keeps nothing of it, and goes on', async () => {
    // A deferred foreign key is checked only at the commit: the group's commit fails.
    await sql`create table parent (id integer primary key)`.execute(database.db);
    await sql`create table child (id integer primary key, parent_id integer not null references parent (id) deferrable initially deferred)`.execute(database.db);
    const results = await Promise.allSettled([
      database.db.transaction().execute(async (trx) => {
        await trx.insertInto('t' as never).values({ v: 'innocent' }).execute();
      }),
      database.db.transaction().execute(async (trx) => {
        await trx.insertInto('child' as never).values({ parent_id: 42 }).execute();
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/);
    expect(committed()).toEqual([]);
    await database.db.transaction().execute(async (trx) => {
      await trx.insertInto('t' as never).values({ v: 'after' }).execute();
    });
    expect(committed()).toEqual(['after']);
  });
});
