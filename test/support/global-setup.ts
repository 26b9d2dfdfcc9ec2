import pg from 'pg';

/**
 * PostgreSQL is never skipped: where TEST_DATABASE_URL is unset the suite runs it in-process (PGlite)
 * and says so loudly; under CI (CI=true) it refuses to run without a real server.
 */
export default async function setup() {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    const banner = '!'.repeat(78);
    const text = `${banner}\n!! TEST_DATABASE_URL is not set: PostgreSQL is tested IN-PROCESS (PGlite), not against a server.\n!! Set TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test to test a real PostgreSQL server.\n${banner}`;
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
