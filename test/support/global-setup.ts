import pg from 'pg';

/**
 * PostgreSQL is never skipped silently: where TEST_DATABASE_URL is unset the suite says so loudly,
 * and under CI (CI=true) it refuses to run at all.
 */
export default async function setup() {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    const banner = '!'.repeat(78);
    const text = `${banner}\n!! TEST_DATABASE_URL is not set: PostgreSQL is NOT TESTED in this run (SQLite only).\n!! Set TEST_DATABASE_URL=postgres://127.0.0.1:5432/test to test both dialects.\n${banner}`;
    if (process.env.CI) throw new Error(`${text}\nCI must test PostgreSQL.`);
    console.warn(text);
    return;
  }
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (err) {
    throw new Error(`TEST_DATABASE_URL is set but PostgreSQL cannot be reached (${url}): ${String(err)}`);
  } finally {
    await client.end().catch(() => {});
  }
}
