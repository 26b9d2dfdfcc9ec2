import type SQLite from 'better-sqlite3';
import { CompiledQuery, SqliteDialect, type DatabaseConnection, type Driver, type QueryResult, type TransactionSettings } from 'kysely';

/**
 * SQLite with group commit: the transactions of one turn of the event loop share one durable commit.
 *
 * With `synchronous = FULL` every commit waits for the disk (fsync), and better-sqlite3 waits on the
 * event loop's thread: under a dossier workflow's load 45 % of the server's time went to commits of a
 * few kilobytes each. Here each transaction is a savepoint inside one open write transaction; it is
 * released at once (so it is visible to the next statement, as a commit is), and the whole group is
 * committed — one fsync — once no one holds the connection, at the end of the turn. A caller's
 * `transaction().execute()` (and a write outside a transaction made while a group is open) resolves
 * only after that commit: nothing is acknowledged before it is on disk. A failed transaction rolls
 * back to its own savepoint and leaves the others of its group alone; if the group's commit fails,
 * every caller in it gets the error.
 */
export class GroupCommitDialect extends SqliteDialect {
  constructor(private readonly sqlite: SQLite.Database) {
    super({ database: sqlite });
  }
  override createDriver(): Driver {
    return new GroupCommitDriver(this.sqlite);
  }
}

interface Group {
  done: Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

const SAVEPOINT = 'xaso_group_tx';

class GroupCommitDriver implements Driver {
  /** The single connection's holder queue (Kysely's SQLite driver keeps one too). */
  private locked: Promise<void> | undefined;
  private unlock: (() => void) | undefined;
  private group: Group | undefined;
  private flushScheduled = false;

  constructor(private readonly sqlite: SQLite.Database) {}

  async init() {}

  /** Each holder gets its own handle on the one connection, so that a handle can let go early. */
  async acquireConnection(): Promise<DatabaseConnection> {
    while (this.locked) await this.locked;
    this.locked = new Promise((resolve) => (this.unlock = resolve));
    return new GroupConnection(this.sqlite, this);
  }

  /** Frees the connection for the next holder, once per handle. */
  letGo(c: GroupConnection) {
    if (c.released) return;
    c.released = true;
    const unlock = this.unlock;
    this.locked = undefined;
    this.unlock = undefined;
    unlock?.();
  }

  async releaseConnection(c: DatabaseConnection): Promise<void> {
    const conn = c as GroupConnection;
    this.letGo(conn);
    // A write outside a transaction that joined the open group waits for its commit.
    if (conn.wait) await conn.wait;
  }

  async beginTransaction(c: DatabaseConnection, _settings: TransactionSettings) {
    if (!this.group) {
      this.sqlite.exec('begin');
      let resolve!: () => void;
      let reject!: (err: unknown) => void;
      const done = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
      // A group nobody waits for (every member rolled back) must not raise an unhandled rejection.
      done.catch(() => undefined);
      this.group = { done, resolve, reject };
    }
    this.sqlite.exec(`savepoint ${SAVEPOINT}`);
    (c as GroupConnection).inTransaction = true;
  }

  /**
   * The transaction's writes are released into the group; the connection is let go at once (the next
   * transaction joins the group) and the caller waits for the group's commit.
   */
  async commitTransaction(c: DatabaseConnection) {
    const conn = c as GroupConnection;
    this.sqlite.exec(`release ${SAVEPOINT}`);
    conn.inTransaction = false;
    const done = this.group!.done;
    this.scheduleFlush();
    this.letGo(conn);
    await done;
  }

  async rollbackTransaction(c: DatabaseConnection) {
    const conn = c as GroupConnection;
    // After a failed group commit: the group was already rolled back, and the connection let go.
    if (conn.released) return;
    conn.inTransaction = false;
    if (!this.sqlite.inTransaction) {
      // SQLite itself ended the whole transaction (a full disk, an I/O error): the group is lost.
      this.fail(new Error('SQLite rolled back the open transaction'));
      return;
    }
    this.sqlite.exec(`rollback to ${SAVEPOINT}; release ${SAVEPOINT}`);
    this.scheduleFlush();
  }

  async savepoint(c: DatabaseConnection, name: string) {
    await c.executeQuery(CompiledQuery.raw(`savepoint "${name}"`));
  }
  async rollbackToSavepoint(c: DatabaseConnection, name: string) {
    await c.executeQuery(CompiledQuery.raw(`rollback to "${name}"`));
  }
  async releaseSavepoint(c: DatabaseConnection, name: string) {
    await c.executeQuery(CompiledQuery.raw(`release "${name}"`));
  }

  async destroy() {
    this.flush();
    this.sqlite.close();
  }

  /** A write outside a transaction while a group is open lands in it: its commit is awaited. */
  joinOpenGroup(): Promise<void> | undefined {
    if (!this.group) return undefined;
    this.scheduleFlush();
    return this.group.done;
  }

  private scheduleFlush() {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      // Someone holds the connection (a transaction awaiting more than the database): after them.
      if (this.locked) this.scheduleFlush();
      else this.flush();
    });
  }

  private flush() {
    const group = this.group;
    if (!group) return;
    this.group = undefined;
    try {
      this.sqlite.exec('commit');
      group.resolve();
    } catch (err) {
      if (this.sqlite.inTransaction) this.sqlite.exec('rollback');
      group.reject(err);
    }
  }

  private fail(err: Error) {
    const group = this.group;
    this.group = undefined;
    if (this.sqlite.inTransaction) this.sqlite.exec('rollback');
    group?.reject(err);
  }
}

class GroupConnection implements DatabaseConnection {
  inTransaction = false;
  released = false;
  /** The group commit a write outside a transaction joined. */
  wait: Promise<void> | undefined;

  constructor(
    private readonly sqlite: SQLite.Database,
    private readonly driver: GroupCommitDriver,
  ) {}

  executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const stmt = this.sqlite.prepare(compiled.sql);
    const parameters = compiled.parameters as unknown[];
    if (stmt.reader) return Promise.resolve({ rows: stmt.all(parameters) as R[] });
    // A write outside a transaction while a group is open joins it (else it commits on its own).
    if (!this.inTransaction) this.wait ??= this.driver.joinOpenGroup();
    const { changes, lastInsertRowid } = stmt.run(parameters);
    return Promise.resolve({
      numAffectedRows: changes !== undefined && changes !== null ? BigInt(changes) : undefined,
      insertId: lastInsertRowid !== undefined && lastInsertRowid !== null ? BigInt(lastInsertRowid) : undefined,
      rows: [],
    });
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not used with SQLite here');
  }
}
