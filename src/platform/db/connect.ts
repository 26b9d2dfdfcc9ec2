import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { CompiledQuery, Kysely, PostgresDialect, PostgresDriver, sql, type DatabaseConnection, type Driver, type PostgresDialectConfig } from 'kysely';
import { GroupCommitDialect } from './group-commit.ts';
import type { DB } from './schema.ts';

export type DialectName = 'sqlite' | 'postgres';

/** A database handle: the typed Kysely instance plus what differs between the two dialects. */
export interface Database {
  db: Kysely<DB>;
  dialect: DialectName;
  /** The raw SQLite handle (online backup), when the dialect is SQLite. */
  sqlite?: SQLite.Database;
  /**
   * A read-only statement prepared once, for the few hot paths (the session lookup on every request)
   * where building and preparing the query each time costs more than the query. Placeholders are `?`.
   * Everything else goes through Kysely. On SQLite it bypasses Kysely's connection mutex, so it must
   * only read.
   */
  preparedRead<T>(name: string, text: string): (...params: unknown[]) => Promise<T[]>;
  /** Takes an exclusive, transaction-scoped lock (PostgreSQL advisory lock; SQLite writes are serial). */
  lockInTransaction(trx: Kysely<DB>, key: number): Promise<void>;
  /**
   * Calls `fn(...args)` (a database function) as the transaction's last statement. On PostgreSQL the
   * call travels with the COMMIT in one round trip, so a lock it takes is held only while the server
   * commits — not while the call's answer crosses to us and the COMMIT comes back (see `writeAudit`).
   * An error fails the commit, and the transaction is rolled back. On SQLite it runs at once.
   */
  callAtCommit(trx: Kysely<DB>, fn: string, args: readonly (string | number | null)[]): Promise<void>;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** PostgreSQL schema to use (tests isolate each file in its own schema). */
  schema?: string;
  poolSize?: number;
}

/** Opens `sqlite:PATH` or `postgres://…`. SQLite runs in WAL mode with foreign keys and durable commits. */
export function connect(url: string, options: ConnectOptions = {}): Database {
  if (url.startsWith('sqlite:')) return connectSqlite(url.slice('sqlite:'.length));
  return connectPostgres(url, options);
}

function connectSqlite(file: string): Database {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // A 64 MB page cache (the default is 2 MB): with a million dossiers the officials' list p95 went
  // from 47 to 25 ms. Pages are cached as they are read, so an idle server does not hold it.
  sqlite.pragma('cache_size = -65536');
  // Transactions of one event-loop turn share one durable commit (see group-commit.ts).
  const db = new Kysely<DB>({ dialect: new GroupCommitDialect(withStatementCache(sqlite)) });
  return {
    db,
    dialect: 'sqlite',
    sqlite,
    preparedRead: <T>(_name: string, text: string) => {
      const stmt = sqlite.prepare(text);
      return (...params: unknown[]) => Promise.resolve(stmt.all(...params) as T[]);
    },
    // A single connection behind the driver's mutex: transactions already run one at a time.
    lockInTransaction: async () => {},
    callAtCommit: callNow,
    close: () => db.destroy(),
  };
}

const INT8_OID = 20;
const TIMESTAMPTZ_OID = 1184;

function connectPostgres(url: string, options: ConnectOptions): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    options: options.schema ? `-c search_path=${options.schema}` : undefined,
    types: {
      // Counters and identities fit in a JS number; timestamps travel as ISO strings in both dialects.
      getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
        if (oid === INT8_OID) return (v: string) => Number(v);
        if (oid === TIMESTAMPTZ_OID) return (v: string) => new Date(v).toISOString();
        return pg.types.getTypeParser(oid, format ?? 'text') as (v: string) => unknown;
      }) as typeof pg.types.getTypeParser,
    },
  });
  pool.on('connect', (client) => preparedByText(client));
  return postgresDatabase(pool);
}

/** A query text starting with this is never prepared: planned each time for its values (see `preparedByText`). */
export const AD_HOC_MARK = '/* ad hoc */';

/** Named statements a connection keeps at most; further query texts run unnamed. */
const MAX_PREPARED = 300;
/** Bumped by any schema change, so that every connection drops its now stale statements. */
let schemaGeneration = 0;

/**
 * Kysely sends every query unnamed, so PostgreSQL parses and plans it on every run (a large part of a
 * workflow step's database time). Queries with parameters are given a name per SQL text on each
 * connection, so each shape is prepared once per connection. After a schema change (migrations) every
 * connection prepares its statements again under new names: a prepared `select *` would fail once a
 * column is added (the old ones stay allocated until the connection closes; schema changes are rare).
 */
function preparedByText(client: pg.PoolClient) {
  const names = new Map<string, string>();
  let generation = schemaGeneration;
  const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
  (client as { query: unknown }).query = (text: unknown, values?: unknown, ...rest: unknown[]) =>
    // Calls with a callback or a config object (the pool's own, `preparedRead`) pass through untouched.
    typeof text !== 'string' || rest.length > 0 || typeof values === 'function' ? query(text, values, ...rest) : named(text, values);
  const named = (text: string, values: unknown) => {
    if (generation !== schemaGeneration) {
      generation = schemaGeneration;
      names.clear();
    }
    if (!Array.isArray(values) || values.length === 0) {
      if (!/^\s*(select|insert|update|delete|with|begin|commit|rollback|savepoint|release)\b/i.test(text)) schemaGeneration++;
      return query(text, values);
    }
    // A query whose best plan depends on its values (full-text search: a rare word or a common one) stays
    // unnamed, so PostgreSQL plans it for the values it is given — a prepared statement would switch to
    // one generic plan after five runs.
    if (text.startsWith(AD_HOC_MARK)) return query(text, values);
    let name = names.get(text);
    if (!name && names.size < MAX_PREPARED) names.set(text, (name = `x${generation}_${names.size}`));
    return name ? query({ name, text, values }) : query(text, values);
  };
}

/** The subset of pg.Pool that Kysely and we use; an in-process PostgreSQL can stand behind it in tests. */
export interface PgPoolLike {
  connect(): Promise<unknown>;
  query(config: { name?: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
  end(): Promise<void>;
}

/** A Database over a PostgreSQL pool (a server through pg, or any pool with the same interface). */
export function postgresDatabase(pool: PgPoolLike): Database {
  const db = new Kysely<DB>({ dialect: new CommitCarryingDialect({ pool: pool as unknown as pg.Pool }) });
  return {
    db,
    dialect: 'postgres',
    preparedRead: <T>(name: string, text: string) => {
      let n = 0;
      const pgText = text.replace(/\?/g, () => `$${++n}`);
      return async (...params: unknown[]) => (await pool.query({ name, text: pgText, values: params })).rows as T[];
    },
    lockInTransaction: async (trx, key) => {
      await sql`select pg_advisory_xact_lock(${key})`.execute(trx);
    },
    callAtCommit: async (trx, fn, args) => {
      // Outside a transaction there is no COMMIT to travel with: the call runs on its own.
      if (!trx.isTransaction) return callNow(trx, fn, args);
      const connection = await trx.getExecutor().provideConnection(async (c) => c);
      const call = `select ${functionName(fn)}(${args.map((a) => (a === null ? 'null' : typeof a === 'number' ? String(Number(a)) : pg.escapeLiteral(a))).join(', ')})`;
      atCommit.set(connection, [...(atCommit.get(connection) ?? []), call]);
    },
    close: () => db.destroy(),
  };
}

/** `select fn(args…)` at once, with the arguments as parameters. */
async function callNow(trx: Kysely<DB>, fn: string, args: readonly (string | number | null)[]): Promise<void> {
  await sql`select ${sql.raw(functionName(fn))}(${sql.join(args.map((a) => sql`${a}`))})`.execute(trx);
}

/** A database function's name, checked: it is written into the SQL text. */
function functionName(fn: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(fn)) throw new Error(`not a function name: ${fn}`);
  return fn;
}

type PgConnection = Parameters<PostgresDriver['commitTransaction']>[0];

/** Calls waiting to travel with their transaction's COMMIT, by connection (see `callAtCommit`). */
const atCommit = new WeakMap<DatabaseConnection, string[]>();

/**
 * Kysely's PostgreSQL dialect, whose COMMIT carries the transaction's `callAtCommit` calls: one simple
 * query `select f(…); commit` (literals escaped by pg; no parameters, so it is never prepared).
 */
class CommitCarryingDialect extends PostgresDialect {
  constructor(private readonly settings: PostgresDialectConfig) {
    super(settings);
  }
  override createDriver(): Driver {
    return new (class extends PostgresDriver {
      override async commitTransaction(connection: PgConnection) {
        const calls = atCommit.get(connection);
        if (!calls) return super.commitTransaction(connection);
        atCommit.delete(connection);
        await connection.executeQuery(CompiledQuery.raw(`${calls.join(';\n')};\ncommit`));
      }
      override async rollbackTransaction(connection: Parameters<PostgresDriver['rollbackTransaction']>[0]) {
        atCommit.delete(connection);
        return super.rollbackTransaction(connection);
      }
    })(this.settings);
  }
}

/**
 * The SQLite connection as Kysely sees it, with prepared statements kept by their SQL text: Kysely's
 * driver prepares every query anew (7 % of a workflow step's CPU in a profile). Statements are
 * reused only after a run completed (the driver is synchronous), and the cache is bounded.
 */
function withStatementCache(sqlite: SQLite.Database, max = 500): SQLite.Database {
  const cache = new Map<string, SQLite.Statement>();
  return new Proxy(sqlite, {
    get(target, prop, receiver) {
      if (prop !== 'prepare') {
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      }
      return (text: string) => {
        let stmt = cache.get(text);
        if (!stmt) {
          stmt = target.prepare(text);
          if (cache.size >= max) cache.delete(cache.keys().next().value!);
          cache.set(text, stmt);
        }
        return stmt;
      };
    },
  });
}
