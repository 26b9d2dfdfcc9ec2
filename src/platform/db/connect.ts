import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { prepareValue } from 'pg/lib/utils.js';
import { CompiledQuery, Kysely, PostgresAdapter, PostgresDialect, PostgresDriver, sql, type Compilable, type DatabaseConnection, type RawBuilder, type Driver, type PostgresDialectConfig } from 'kysely';
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
    close: () => db.destroy(),
  };
}

const INT8_OID = 20;
const TIMESTAMPTZ_OID = 1184;

function connectPostgres(url: string, options: ConnectOptions): Database {
  const search = options.schema ? `-c search_path=${options.schema}` : '';
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    options: search || undefined,
    types: PG_TYPES,
  });
  pool.on('connect', (client) => preparedByText(client));
  // The hot reads by key (`preparedRead`) have connections of their own, where PostgreSQL uses one
  // generic plan for every run: left to choose, it planned `code = any($1)` again for each array (a
  // 7-code tracking query cost its backend 157–223 µs, 100–113 µs with the generic plan; 15 codes
  // 243–300 against 137–213). Kysely's statements keep PostgreSQL's choice: their best plan may depend
  // on the values. Two connections: tracking keeps at most two reads in flight (`batchedLookup`).
  const readPool = new pg.Pool({ connectionString: url, max: 2, options: `${search} -c plan_cache_mode=force_generic_plan`.trim(), types: PG_TYPES });
  return postgresDatabase(pool, readPool);
}

const PG_TYPES = {
  // Counters and identities fit in a JS number; timestamps travel as ISO strings in both dialects.
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8_OID) return (v: string) => Number(v);
    if (oid === TIMESTAMPTZ_OID) return (v: string) => new Date(v).toISOString();
    return pg.types.getTypeParser(oid, format ?? 'text') as (v: string) => unknown;
  }) as typeof pg.types.getTypeParser,
};

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

/**
 * A Database over a PostgreSQL pool (a server through pg, or any pool with the same interface);
 * `readPool`, when given, carries the `preparedRead` statements (and is closed with the rest).
 */
export function postgresDatabase(pool: PgPoolLike, readPool: PgPoolLike = pool): Database {
  const db = new Kysely<DB>({ dialect: new CommitCarryingDialect({ pool: withLazyBegin(pool) as unknown as pg.Pool }) });
  return {
    db,
    dialect: 'postgres',
    preparedRead: <T>(name: string, text: string) => {
      let n = 0;
      const pgText = text.replace(/\?/g, () => `$${++n}`);
      return async (...params: unknown[]) => (await readPool.query({ name, text: pgText, values: params })).rows as T[];
    },
    lockInTransaction: async (trx, key) => {
      await sql`select pg_advisory_xact_lock(${key})`.execute(trx);
    },
    close: async () => {
      await db.destroy();
      if (readPool !== pool) await readPool.end();
    },
  };
}

/**
 * Runs a write whose answer the caller does not need (an event, a notification, the audit record) as
 * part of the transaction's COMMIT. On PostgreSQL the queued writes travel with the COMMIT in one
 * round trip (one simple query, values written as literals escaped by pg, see `withLiterals`), so a
 * workflow step costs fewer round trips and a lock taken there is held only while the server commits.
 * An error fails the commit, and the transaction is rolled back. On SQLite (whose statements cost no
 * round trip), and outside a transaction, it runs at once.
 */
export async function atCommit(trx: Kysely<DB>, query: Compilable<unknown> | RawBuilder<unknown>): Promise<void> {
  const q = 'isRawBuilder' in query ? query.compile(trx) : query.compile();
  if (!carriesCommit(trx)) {
    await trx.executeQuery(q);
    return;
  }
  await queueAtCommit(trx, withLiterals(q.sql, q.parameters));
}

async function queueAtCommit(trx: Kysely<DB>, statement: string): Promise<void> {
  const connection = await trx.getExecutor().provideConnection(async (c) => c);
  atCommitWrites.set(connection, [...(atCommitWrites.get(connection) ?? []), statement]);
}

function carriesCommit(trx: Kysely<DB>): boolean {
  return trx.isTransaction && trx.getExecutor().adapter instanceof CommitCarryingAdapter;
}

/** The error of a write queued by {@link atCommitExpectingOne} that did not change exactly one row. */
export class RowExpectationFailed extends Error {
  constructor() {
    super('a write expected to change exactly one row changed none or several');
    this.name = 'RowExpectationFailed';
  }
}

/** The SQLSTATE `xaso_expect_one_row` raises (migration `platform-expect-rows`). */
const EXPECTATION_SQLSTATE = 'XS001';

/**
 * An update or delete (without `returning`) that must change exactly one row — an optimistic check such
 * as "the dossier is still in the state that was read" — and whose answer is not otherwise needed. On
 * PostgreSQL it travels with the COMMIT like {@link atCommit}, as
 * `with w as (<write> returning 1) select xaso_expect_one_row((select count(*) from w))`: the function
 * raises when the count is not one, and the whole transaction is rolled back. On SQLite, and outside a
 * transaction, it runs at once and is checked at once. Either way the transaction fails with
 * {@link RowExpectationFailed}, so a workflow step needs no round trip of its own for its update.
 */
export async function atCommitExpectingOne(trx: Kysely<DB>, query: Compilable<unknown>): Promise<void> {
  const q = query.compile();
  if (!carriesCommit(trx)) {
    const result = await trx.executeQuery(q);
    if (Number(result.numAffectedRows ?? 0n) !== 1) throw new RowExpectationFailed();
    return;
  }
  await queueAtCommit(trx, withLiterals(`with w as (${q.sql} returning 1) select xaso_expect_one_row((select count(*) from w))`, q.parameters));
}

/** `select fn(...args)` (a database function, its name checked) through {@link atCommit} (see `writeAudit`). */
export function callAtCommit(trx: Kysely<DB>, fn: string, args: readonly (string | number | null)[]): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(fn)) throw new Error(`not a function name: ${fn}`);
  return atCommit(trx, sql`select ${sql.raw(fn)}(${sql.join(args.map((a) => sql`${a}`))})`);
}

const [QUOTE, DOUBLE_QUOTE, DOLLAR, DIGIT_0, DIGIT_9] = [..."'\"$09"].map((ch) => ch.charCodeAt(0)) as [number, number, number, number, number];

/**
 * A statement's text with its `$n` parameters written in as literals, for the simple query protocol.
 * Each value is converted as node-pg converts a parameter (the same text it would send) and quoted
 * with pg's escaping; quoted, a literal is of unknown type and takes its type from where it stands,
 * as an untyped parameter does. `$n` inside quoted strings and identifiers is left alone.
 */
export function withLiterals(text: string, parameters: readonly unknown[]): string {
  if (parameters.length === 0) return text;
  const literal = (n: number) => {
    const i = n - 1;
    if (i < 0 || i >= parameters.length) throw new Error(`no value for $${n}`);
    const v = parameters[i];
    if (v === null || v === undefined) return 'null';
    if (Buffer.isBuffer(v)) return pg.escapeLiteral(`\\x${v.toString('hex')}`);
    // Anything but a Buffer (handled above) comes back as text or null.
    const text = prepareValue(v) as string | null;
    return text === null ? 'null' : pg.escapeLiteral(text);
  };
  // A scan rather than a regular expression: every statement of a workflow step passes here, with
  // every identifier quoted by Kysely; the regular expression took ~4 % of the server's CPU in the
  // lifecycle benchmark, and the scan takes a third to a fifth of its time.
  let out = '';
  let copied = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE || c === DOUBLE_QUOTE) {
      // To the closing quote; a doubled quote is one quote character inside.
      let end = text.indexOf(text[i]!, i + 1);
      while (end !== -1 && text.charCodeAt(end + 1) === c) end = text.indexOf(text[i]!, end + 2);
      if (end === -1) break; // unterminated: nothing after it is a parameter
      i = end;
    } else if (c === DOLLAR) {
      let j = i + 1;
      let n = 0;
      for (let d = text.charCodeAt(j); d >= DIGIT_0 && d <= DIGIT_9; d = text.charCodeAt(++j)) n = n * 10 + d - DIGIT_0;
      if (j === i + 1) continue;
      out += text.slice(copied, i) + literal(n);
      copied = j;
      i = j - 1;
    }
  }
  return out + text.slice(copied);
}

type PgResult = { command?: string; rowCount?: number | null; rows: unknown[] };
type PgClient = { query(text: unknown, values?: unknown, ...rest: unknown[]): Promise<PgResult | PgResult[]> };

/**
 * A pool whose clients send a transaction's BEGIN with its first statement, in one round trip: the
 * `begin` is held back, and the next query goes as the simple query `begin; <statement>` with its
 * values written in as literals (see `withLiterals`). A transaction that ends before any statement
 * sends nothing. A several-statement answer is reduced to its last statement's, as Kysely expects.
 */
function withLazyBegin(pool: PgPoolLike): PgPoolLike {
  const patched = new WeakSet<object>();
  const connect = pool.connect.bind(pool);
  return {
    query: (config) => pool.query(config),
    end: () => pool.end(),
    connect: async () => {
      const client = (await connect()) as PgClient;
      if (patched.has(client)) return client;
      patched.add(client);
      const query = client.query.bind(client);
      let pending = false;
      const last = (r: PgResult | PgResult[]) => (Array.isArray(r) ? r.at(-1)! : r);
      client.query = async (text: unknown, values?: unknown, ...rest: unknown[]) => {
        if (typeof text !== 'string' || rest.length > 0 || typeof values === 'function') {
          // A query in another form (a config object, a cursor) cannot carry the BEGIN: it goes first.
          if (pending) {
            pending = false;
            await query('begin');
          }
          return query(text, values, ...rest);
        }
        const params = Array.isArray(values) ? (values as unknown[]) : [];
        if (params.length === 0 && /^\s*begin\s*$/i.test(text)) {
          pending = true;
          return { command: 'BEGIN', rowCount: null, rows: [] };
        }
        if (pending) {
          pending = false;
          // A transaction with no statement: nothing was begun, nothing to end.
          if (params.length === 0 && /^\s*(commit|rollback)\s*$/i.test(text)) return { command: text.trim().toUpperCase(), rowCount: null, rows: [] };
          return last(await query(`begin;\n${withLiterals(text, params)}`));
        }
        return last(await query(text, values));
      };
      return client;
    },
  };
}

/** Marks the executors whose COMMIT carries the `atCommit` writes. */
class CommitCarryingAdapter extends PostgresAdapter {}

type PgConnection = Parameters<PostgresDriver['commitTransaction']>[0];

/** Writes waiting to travel with their transaction's COMMIT, by connection (see `atCommit`). */
const atCommitWrites = new WeakMap<DatabaseConnection, string[]>();

/**
 * Kysely's PostgreSQL dialect, whose COMMIT carries the transaction's `atCommit` writes: one simple
 * query `insert …; select f(…); commit` (literals escaped by pg; no parameters, so it is never prepared).
 */
class CommitCarryingDialect extends PostgresDialect {
  constructor(private readonly settings: PostgresDialectConfig) {
    super(settings);
  }
  override createAdapter() {
    return new CommitCarryingAdapter();
  }
  override createDriver(): Driver {
    return new (class extends PostgresDriver {
      override async commitTransaction(connection: PgConnection) {
        const writes = atCommitWrites.get(connection);
        if (!writes) return super.commitTransaction(connection);
        atCommitWrites.delete(connection);
        const { rows } = await connection.executeQuery<{ command?: string }>(CompiledQuery.raw(`${writes.join(';\n')};\ncommit`)).catch((err: unknown) => {
          throw (err as { code?: string }).code === EXPECTATION_SQLSTATE ? new RowExpectationFailed() : err;
        });
        // As Kysely's own: a COMMIT answered ROLLBACK means an earlier statement had failed.
        if (rows[0]?.command === 'ROLLBACK') throw new Error('the transaction was rolled back: an earlier statement failed');
      }
      override async rollbackTransaction(connection: Parameters<PostgresDriver['rollbackTransaction']>[0]) {
        atCommitWrites.delete(connection);
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
