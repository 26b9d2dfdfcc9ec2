/**
 * Benchmarks with baselines measured in the same run, printed as ratios (never timed unit tests).
 *  1. throughput of a small authenticated JSON endpoint vs a bare node:http server returning the same bytes
 *     (target >= 0.6 of bare);
 *  2. start-up time to the first served page (fresh data directory, and a restart over existing data)
 *     vs a bare node process serving its first response;
 *  3. resident memory at idle after start-up (target < 150 MB), vs a bare node:http process.
 * Servers run in child processes; the load generator (autocannon) runs here, on the other core.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';

const DURATION = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = 5;
const CONNECTIONS = 50;

/**
 * Servers run on core 1 and the load generator (this process) on core 0, when the machine has two
 * cores and taskset: otherwise the scheduler's placement changes the ratio from run to run.
 */
const PIN = os.cpus().length >= 2 && spawnSync('taskset', ['-cp', '0', String(process.pid)], { stdio: 'ignore' }).status === 0;

function spawnServer(args: string[], options: SpawnOptions): ChildProcess {
  // taskset execs node in place, so the child's pid is node's own (memory is read from /proc/pid).
  return PIN ? spawn('taskset', ['-c', '1', process.execPath, ...args], options) : spawn(process.execPath, args, options);
}

interface Started {
  child: ChildProcess;
  port: number;
}

function startProcess(args: string[], env: Record<string, string> = {}, ready = /LISTENING (\d+)/): Promise<Started> {
  const child = spawnServer(args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}: ${out}`)));
  });
}

async function stop(child: ChildProcess) {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

/** A port nobody listens on now (the OS picks it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

const median = <T extends { rps: number }>(xs: T[]): T => [...xs].sort((a, b) => a.rps - b.rps)[Math.floor(xs.length / 2)]!;

async function load(url: string, headers: Record<string, string> = {}, duration = DURATION): Promise<{ rps: number; p99: number; errors: number }> {
  const r = await autocannon({ url, connections: CONNECTIONS, duration, headers });
  return { rps: r.requests.average, p99: r.latency.p99, errors: r.errors + r.non2xx };
}

async function firstPage(url: string, t0: number): Promise<number> {
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.ok) {
        await res.arrayBuffer();
        return performance.now() - t0;
      }
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

const rows: string[][] = [];
const report = (name: string, value: string, baseline: string, ratio: number, target: string) =>
  rows.push([name, value, baseline, ratio.toFixed(2), target]);

/** Signs in through the real login form, as a browser would; returns the session cookie. */
async function signIn(base: string, username: string): Promise<string> {
  const page = await fetch(`${base}/login`);
  const csrfCookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrfCookie },
    body: new URLSearchParams({ _csrf: token, username, password: 'xaso-demo-2026' }).toString(),
  });
  const sid = res.headers.getSetCookie().find((c) => c.startsWith('xs_sid='));
  if (res.status !== 303 || !sid) throw new Error(`sign-in failed: ${res.status}`);
  return sid.split(';')[0]!;
}

/** The built platform, as `npm start` runs it, on a fresh data directory. */
function startXaso(dataDir: string, port: number) {
  const env = { DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn', DEV_IDP_PORT: '0' };
  return spawnServer(['bin/xaso.js', 'serve', '--demo'], { env: { ...process.env, ...env }, stdio: 'ignore' });
}

// 1. Throughput.
{
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xaso-bench-load-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const appChild = startXaso(dataDir, port);
  await firstPage(`${base}/`, performance.now());
  const app = { child: appChild, port };
  const headers = { cookie: await signIn(base, 'huongdao.tuphap') };
  const sample = await fetch(`http://127.0.0.1:${app.port}/api/v1/me`, { headers });
  if (sample.status !== 200) throw new Error(`authenticated endpoint answered ${sample.status}`);
  // The baseline sends the very same bytes: status, headers (but the per-connection and per-response
  // ones Node writes itself) and body.
  const copied: Record<string, string> = {};
  for (const [k, v] of sample.headers) if (!['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding'].includes(k)) copied[k] = v;
  const response = JSON.stringify({ headers: copied, body: await sample.text() });
  const bare = await startProcess(['bench/servers/bare.mjs'], { BENCH_RESPONSE: response });
  // Alternating rounds: each app round is compared with the bare round just before it (a busy
  // neighbour or a CPU frequency change hits both alike); the median of those ratios is reported.
  const bareUrl = `http://127.0.0.1:${bare.port}/`;
  const appUrl = `http://127.0.0.1:${app.port}/api/v1/me`;
  await load(bareUrl, {}, 2);
  await load(appUrl, headers, 2);
  const bares: Awaited<ReturnType<typeof load>>[] = [];
  const apps: Awaited<ReturnType<typeof load>>[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    bares.push(await load(bareUrl));
    apps.push(await load(appUrl, headers));
  }
  const bareResult = median(bares);
  const appResult = median(apps);
  if (apps.some((a) => a.errors)) throw new Error('failed requests against the app');
  const ratios = apps.map((a, i) => a.rps / bares[i]!.rps).sort((a, b) => a - b);
  report(
    'GET /api/v1/me (session, 50 conn) req/s',
    `${Math.round(appResult.rps)} (p99 ${appResult.p99} ms)`,
    `${Math.round(bareResult.rps)} bare node:http`,
    ratios[Math.floor(ratios.length / 2)]!,
    '>= 0.60 of bare',
  );
  console.log(`per-round ratios: ${ratios.map((r) => r.toFixed(2)).join(' ')}`);
  await stop(app.child);
  await stop(bare.child);
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

const header = ['benchmark', 'value', 'baseline (same run)', 'ratio', 'target'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ');
console.log(`\nXã Số benchmarks — ${os.cpus().length} cores, Node ${process.version}, ${ROUNDS} alternating rounds of ${DURATION}s per load${PIN ? ", servers pinned to core 1, load on core 0" : ""}\n`);
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const r of rows) console.log(line(r));
