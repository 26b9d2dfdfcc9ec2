import { Migrator, sql, type Kysely, type Migration as KyselyMigration, type ColumnDefinitionBuilder } from 'kysely';
import type { Database, DialectName } from './connect.ts';

/** Column helpers for what differs between SQLite and PostgreSQL, so one migration set serves both. */
export interface SchemaHelpers {
  dialect: DialectName;
  /** Column type for a UTC timestamp (timestamptz / ISO text). */
  timestamp: 'timestamptz' | 'text';
  /** Column type for a 64-bit integer. */
  bigint: 'bigint' | 'integer';
  /** Builder for an auto-incrementing integer primary key. */
  identity: (col: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;
}

/** A forward-only migration. Names sort in the order they must run: `YYYYMMDD-NN-module-what`. */
export interface Migration {
  name: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the schema as it was
  up: (db: Kysely<any>, h: SchemaHelpers) => Promise<void>;
}

export function schemaHelpers(dialect: DialectName): SchemaHelpers {
  return dialect === 'postgres'
    ? {
        dialect,
        timestamp: 'timestamptz',
        bigint: 'bigint',
        identity: (col) => col.generatedAlwaysAsIdentity().primaryKey(),
      }
    : {
        dialect,
        timestamp: 'text',
        bigint: 'integer',
        identity: (col) => col.primaryKey().autoIncrement(),
      };
}

/** Applies every pending migration; returns the names applied. Throws on the first failure. */
export async function migrate(database: Database, migrations: Migration[]): Promise<string[]> {
  const names = new Set<string>();
  for (const m of migrations) {
    if (names.has(m.name)) throw new Error(`Duplicate migration name: ${m.name}`);
    names.add(m.name);
  }
  const h = schemaHelpers(database.dialect);
  const byName: Record<string, KyselyMigration> = {};
  for (const m of migrations) byName[m.name] = { up: (db) => m.up(db, h) };
  // Kysely looks for its bookkeeping tables in every schema unless told which: name the current one, so
  // another installation (or a test) in a sibling schema of the same database cannot mislead it.
  const schema =
    database.dialect === 'postgres' ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(database.db)).rows[0]?.schema : undefined;
  const migrator = new Migrator({
    db: database.db,
    ...(schema ? { migrationTableSchema: schema } : {}),
    provider: { getMigrations: async () => byName },
    migrationTableName: 'platform_migration',
    migrationLockTableName: 'platform_migration_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(JSON.stringify(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

export { sql };
