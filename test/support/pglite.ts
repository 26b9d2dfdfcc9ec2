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
  return postgresDatabase(await pglitePool());
}

/** The pg-Pool-shaped adapter over a fresh in-process PGlite. */
export async function pglitePool(): Promise<PgPoolLike> {
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
    const commandOf = (statement: string) => /^\s*(\w+)/.exec(statement)?.[1]?.toUpperCase() ?? '';
    // Several statements without parameters (a BEGIN sent with the first statement, writes sent with
    // their COMMIT) take the simple protocol; answered, as by node-pg, with one result per statement.
    // PGlite gives no command tags: the last statement's is read from the text after the last ';\n'.
    if (values.length === 0 && text.includes(';')) {
      const results = await pg.exec(text);
      const lastCommand = commandOf(text.slice(text.lastIndexOf(';\n') + 2));
      return results.map((r, i) => ({ rows: r.rows, rowCount: r.affectedRows ?? r.rows.length, command: i === results.length - 1 ? lastCommand : '' }));
    }
    const r = await pg.query(text, values);
    return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length, command: commandOf(text) };
  };
  const pool: PgPoolLike = {
    async connect() {
      const release = await acquire();
      return { query: (text: string, values?: unknown[]) => run(text, values), release };
    },
    async query(config) {
      const release = await acquire();
      try {
        const r = await run(config.text, config.values);
        return Array.isArray(r) ? r.at(-1)! : r;
      } finally {
        release();
      }
    },
    end: () => pg.close(),
  };
  return pool;
}
