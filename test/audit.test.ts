import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { DIALECTS } from './support/databases.ts';
import { testApp, type TestApp } from './support/app.ts';
import { systemContext, verifyAudit, writeAudit } from '../src/platform/audit/audit.ts';
import { callAtCommit } from '../src/platform/db/connect.ts';

describe.each(DIALECTS)('audit log on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp(dialect);
  });
  afterAll(() => t.close());

  const append = (action: string, detail: Record<string, unknown> = {}) =>
    t.ctx.database.db.transaction().execute((trx) => writeAudit(t.ctx.database, trx, systemContext('test'), { action, entity: 'test', detail }));

  it('chains every event to the previous one and verifies intact', async () => {
    await append('test.one', { a: 1 });
    await append('test.two', { b: 'hai' });
    const rows = await t.ctx.database.db.selectFrom('audit_event').selectAll().orderBy('seq').execute();
    expect(rows.length).toBeGreaterThan(2);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prev_hash).toBe(rows[i - 1]!.hash);
    expect(await verifyAudit(t.ctx.database)).toEqual({ checked: rows.length, problems: [] });
  });

  it('is written in the same transaction as the change: a rollback leaves no event', async () => {
    const before = await t.ctx.database.db.selectFrom('audit_event').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    await expect(
      t.ctx.database.db.transaction().execute(async (trx) => {
        await writeAudit(t.ctx.database, trx, systemContext('test'), { action: 'test.rolled_back', entity: 'test' });
        throw new Error('change failed');
      }),
    ).rejects.toThrow('change failed');
    const after = await t.ctx.database.db.selectFrom('audit_event').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
    expect((await verifyAudit(t.ctx.database)).problems).toEqual([]);
  });

  it('keeps the chain whole under concurrent appends', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => append('test.concurrent', { i })));
    expect((await verifyAudit(t.ctx.database)).problems).toEqual([]);
  });

  it('records awkward text exactly, several events per transaction; a call at commit that fails undoes the change', async () => {
    const awkward = { note: "O'Brien \\ \"trích\" — Ủy ban; drop table x; --", nul: 'a\tb\nc' };
    await t.ctx.database.db.transaction().execute(async (trx) => {
      await writeAudit(t.ctx.database, trx, { actorId: null, actorLabel: "Nguyễn Văn A'", ip: '127.0.0.1', requestId: 'r-1' }, { action: 'test.awkward', entity: 'test', entityId: "id'1", unitId: null, detail: awkward });
      await writeAudit(t.ctx.database, trx, systemContext('test'), { action: 'test.second', entity: 'test' });
    });
    const [first, second] = await t.ctx.database.db.selectFrom('audit_event').selectAll().where('action', 'in', ['test.awkward', 'test.second']).orderBy('seq').execute();
    expect(JSON.parse(first!.detail)).toEqual(awkward);
    expect(first!.actor_label).toBe("Nguyễn Văn A'");
    expect(first!.entity_id).toBe("id'1");
    expect(second!.prev_hash).toBe(first!.hash);
    expect((await verifyAudit(t.ctx.database)).problems).toEqual([]);
    // A record that cannot be written takes the change down with it.
    await sql`create table audit_probe (id integer primary key)`.execute(t.ctx.database.db);
    await expect(
      t.ctx.database.db.transaction().execute(async (trx) => {
        await sql`insert into audit_probe (id) values (1)`.execute(trx);
        // On PostgreSQL the call travels with the COMMIT: its failure must fail the commit.
        await callAtCommit(trx, 'no_such_function', ["it's", 1, null]);
      }),
    ).rejects.toThrow(/no_such_function/);
    expect(Number((await sql<{ n: number }>`select count(*) as n from audit_probe`.execute(t.ctx.database.db)).rows[0]!.n)).toBe(0);
    await append('test.after_failure');
    expect((await verifyAudit(t.ctx.database)).problems).toEqual([]);
  });

  it('refuses updates and deletes at the database', async () => {
    await expect(sql`update audit_event set action = 'x'`.execute(t.ctx.database.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_event`.execute(t.ctx.database.db)).rejects.toThrow(/append-only/);
  });

  it('reports a row changed and a row removed behind the triggers’ back', async () => {
    const db = t.ctx.database.db;
    if (dialect === 'postgres') {
      await sql`alter table audit_event disable trigger audit_event_no_change`.execute(db);
    } else {
      await sql`drop trigger audit_event_no_update`.execute(db);
      await sql`drop trigger audit_event_no_delete`.execute(db);
    }
    const rows = await db.selectFrom('audit_event').select('seq').orderBy('seq').execute();
    const changed = rows[1]!.seq;
    const removed = rows[3]!.seq;
    await db.updateTable('audit_event').set({ actor_label: 'someone else' }).where('seq', '=', changed).execute();
    await db.deleteFrom('audit_event').where('seq', '=', removed).execute();
    const report = await verifyAudit(t.ctx.database);
    // The changed row no longer matches its own hash; the row after the removed one no longer links.
    expect(report.problems).toEqual([
      { seq: changed, problem: 'changed' },
      { seq: rows[4]!.seq, problem: 'broken_link' },
    ]);
  });
});
