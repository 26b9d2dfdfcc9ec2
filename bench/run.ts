/**
 * Benchmarks with baselines measured in the same run, printed as ratios (never timed unit tests).
 *  1. throughput of a small authenticated JSON endpoint vs a bare node:http server returning the same bytes
 *     (target >= 0.6 of bare);
 *  2. start-up time to the first served page (fresh data directory, and a restart over existing data)
 *     vs a bare node process serving its first response;
 *  3. resident memory at idle after start-up (target < 150 MB), vs a bare node:http process.
 * Servers run in child processes on one core; the load generator (autocannon, a fresh process per
 * round) on the other.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DURATION, ROUNDS, PIN, spawnServer, stop, freePort, firstPage, rssMb, report, rows, signIn, startXaso, versusBare } from './lib.ts';

// 1. Throughput.
{
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xaso-bench-load-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const appChild = startXaso(dataDir, port);
  await firstPage(`${base}/`, performance.now());
  const app = { child: appChild, port };
  const headers = { cookie: await signIn(base, 'huongdao.tuphap') };
  const { app: appResult, bare: bareResult, ratio, ratios } = await versusBare(`${base}/api/v1/me`, headers);
  report('GET /api/v1/me (session, 50 conn) req/s', `${Math.round(appResult.rps)} (p99 ${appResult.p99} ms)`, `${Math.round(bareResult.rps)} bare node:http`, ratio, '>= 0.60 of bare');
  console.log(`per-round ratios: ${ratios.map((r) => r.toFixed(2)).join(' ')}`);
  await stop(app.child);
  fs.rmSync(dataDir, { recursive: true, force: true });
}

// 2 and 3. Start-up to first page, and memory at idle.
{
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xaso-bench-start-'));
  const port = await freePort();
  const spawnXaso = () => startXaso(dataDir, port);

  const barePort = await freePort();
  const bareT0 = performance.now();
  const bareChild = spawnServer(['bench/servers/bare.mjs'], { env: { ...process.env, PORT: String(barePort) }, stdio: 'ignore' });
  const bareStart = await firstPage(`http://127.0.0.1:${barePort}/`, bareT0);

  let t0 = performance.now();
  let child = spawnXaso();
  const fresh = await firstPage(`http://127.0.0.1:${port}/`, t0);
  await stop(child);
  t0 = performance.now();
  child = spawnXaso();
  const restart = await firstPage(`http://127.0.0.1:${port}/`, t0);
  report('start-up to first page, fresh data (ms)', fresh.toFixed(0), `${bareStart.toFixed(0)} bare node`, fresh / bareStart, 'informative');
  report('start-up to first page, restart (ms)', restart.toFixed(0), `${bareStart.toFixed(0)} bare node`, restart / bareStart, 'informative');

  for (const url of ['/', '/xa/25201', '/login', '/api/docs/json']) await (await fetch(`http://127.0.0.1:${port}${url}`)).arrayBuffer();
  await new Promise((r) => setTimeout(r, 3000));
  const appRss = rssMb(child.pid!);
  const bareRss = rssMb(bareChild.pid!);
  report('resident memory at idle (MB)', appRss.toFixed(1), `${bareRss.toFixed(1)} bare node`, appRss / bareRss, '< 150 MB');
  await stop(child);
  await stop(bareChild);
  fs.rmSync(dataDir, { recursive: true, force: true });
}

// 4. Online public services with 1,000,000 dossiers, on SQLite and PostgreSQL; 5. household import.
if (process.env.BENCH_SERVICES !== '0') await (await import('./services.ts')).benchServices();
if (process.env.BENCH_TEAMS !== '0') await (await import('./teams.ts')).benchTeams();
// 7. The commune portal with 5,000 articles.
if (process.env.BENCH_PORTAL !== '0') await (await import('./portal.ts')).benchPortal();
// 8. Registering incoming documents with 5 MB PDFs.
if (process.env.BENCH_DOCUMENTS !== '0') await (await import('./documents.ts')).benchDocuments();
// 9. Searching 500,000 documents with their text.
if (process.env.BENCH_SEARCH !== '0') await (await import('./search.ts')).benchSearch();
// 10. The smart IP radio: emergency fan-out to 10,000 clusters, heartbeat ingest.
if (process.env.BENCH_RADIO !== '0') await (await import('./radio.ts')).benchRadio();
// 6. The steering committee's dashboard over 150 communes × 15 villages × 24 months.
if (process.env.BENCH_DASHBOARD !== '0') await (await import('./dashboard.ts')).benchDashboard();

const header = ['benchmark', 'value', 'baseline (same run)', 'ratio', 'target'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ');
console.log(`\nXã Số benchmarks — ${os.cpus().length} cores, Node ${process.version}, ${ROUNDS} alternating rounds of ${DURATION}s per load${PIN ? ", servers pinned to core 1, load on core 0" : ""}\n`);
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const r of rows) console.log(line(r));
