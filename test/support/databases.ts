import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import pg from 'pg';
import { connect, type Database, type DialectName } from '../../src/platform/db/connect.ts';
import { pgliteDatabase } from './pglite.ts';

/**
 * The dialects every integration test runs on: both, always. PostgreSQL is the server at
 * TEST_DATABASE_URL, or, where that is unset, PostgreSQL in-process (PGlite).
 */
export const DIALECTS: DialectName[] = ['sqlite', 'postgres'];

/**
 * A fresh, empty database of the dialect: a temporary SQLite file, or a new PostgreSQL schema, so
 * test files run in parallel without truncating each other's data. `drop` removes it.
 */
export async function freshDatabase(dialect: DialectName): Promise<{ database: Database; url: string; drop: () => Promise<void> }> {
  if (dialect === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xaso-test-'));
    const url = `sqlite:${path.join(dir, 'test.db')}`;
    const database = connect(url);
    return {
      database,
      url,
      drop: async () => {
        await database.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const base = process.env.TEST_DATABASE_URL;
  if (!base) {
    const database = await pgliteDatabase();
    return { database, url: 'pglite:memory', drop: () => database.close() };
  }
  const schema = `t_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const database = connect(base, { schema, poolSize: 4 });
  const u = new URL(base);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return {
    database,
    url: u.href,
    drop: async () => {
      await database.close();
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`drop schema ${schema} cascade`);
      await c.end();
    },
  };
}
