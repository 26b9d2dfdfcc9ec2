import { PGlite } from '@electric-sql/pglite';
import { postgresDatabase, type Database, type PgPoolLike } from '../../src/platform/db/connect.ts';

const INT8_OID = 20;
const TIMESTAMPTZ_OID = 1184;

/**
 * PostgreSQL in-process (PGlite, a WASM build of the real server) behind a pg-Pool-shaped adapter, for
 * machines without a PostgreSQL server. One connection: a mutex hands it to one Kysely "client" at a
 * time, as transactions need. Type parsing matches the platform's pool (int8 as number, ISO timestamps).
 */
export async function pgliteDatabase(): Promise<Database> {
  const pg = await PGlite.create({
    parsers: {
      [INT8_OID]: (v: string) => Number(v),
      [TIMESTAMPTZ_OID]: (v: string) => new Date(v).toISOString(),
    },
  });
  let queue: Promise<void> = Promise.resolve();
  const acquire = async (): Promise<() => void> => {
    let release!: () => void;
    const next = new Promise<void>((r) => (release = r));
    const previous = queue;
    queue = previous.then(() => next);
    await previous;
    return release;
  };
  const run = async (text: string, values: unknown[] = []) => {
    // Several statements without parameters (a call sent with its COMMIT) take the simple protocol.
    if (values.length === 0 && text.includes(';')) {
      const results = await pg.exec(text);
      return { rows: results.at(-1)?.rows ?? [], rowCount: 0, command: '' };
    }
    const r = await pg.query(text, values);
    const command = /^\s*(\w+)/.exec(text)?.[1]?.toUpperCase() ?? '';
    return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length, command };
  };
  const pool: PgPoolLike = {
    async connect() {
      const release = await acquire();
      return { query: (text: string, values?: unknown[]) => run(text, values), release };
    },
    async query(config) {
      const release = await acquire();
      try {
        return await run(config.text, config.values);
      } finally {
        release();
      }
    },
    end: () => pg.close(),
  };
  return postgresDatabase(pool);
}
