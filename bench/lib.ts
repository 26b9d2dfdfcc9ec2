/** Shared helpers of the benchmarks: child servers pinned to a core, load, reporting. */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import pg from 'pg';
import { totpCode } from '../src/platform/auth/totp.ts';

/** Seconds of one measured round (`BENCH_SECONDS`), and app rounds per throughput figure. */
export const DURATION = Number(process.env.BENCH_SECONDS ?? 2);
export const ROUNDS = 12;
export const CONNECTIONS = 50;

/**
 * Servers run on core 1 and the load generator (a fresh process per round, see `load`) and this
 * process on core 0, when the machine has two cores and taskset: otherwise the scheduler's placement
 * changes the ratio from run to run. Every thread is pinned (`-a`): garbage collector helper threads
 * otherwise ran on the server's core.
 */
/** The load generator's core; the measured servers run on core 1. */
const LOAD_CORE = '0';
export const PIN = os.cpus().length >= 2 && spawnSync('taskset', ['-a', '-cp', LOAD_CORE, String(process.pid)], { stdio: 'ignore' }).status === 0;

/** Node running `args` with every thread on `core` (when pinning works here). */
function spawnOn(core: string, args: string[], options: SpawnOptions): ChildProcess {
  // taskset execs node in place, so the child's pid is node's own (memory is read from /proc/pid).
  return PIN ? spawn('taskset', ['-a', '-c', core, process.execPath, ...args], options) : spawn(process.execPath, args, options);
}

export const spawnServer = (args: string[], options: SpawnOptions) => spawnOn('1', args, options);

export interface Started {
  child: ChildProcess;
  port: number;
}

export function startProcess(args: string[], env: Record<string, string> = {}, ready = /LISTENING (\d+)/): Promise<Started> {
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

export async function stop(child: ChildProcess) {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

/** A port nobody listens on now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export const median = <T extends { rps: number }>(xs: T[]): T => [...xs].sort((a, b) => a.rps - b.rps)[Math.floor(xs.length / 2)]!;

/**
 * Load on `url` from a fresh load-generator process on the load generator's core (bench/servers/load.mjs
 * says why and how `paths` are walked).
 */
export async function load(url: string, headers: Record<string, string> = {}, duration = DURATION, paths?: readonly string[]): Promise<{ rps: number; p99: number; errors: number }> {
  const child = spawnOn(LOAD_CORE, ['bench/servers/load.mjs'], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.stdin!.end(JSON.stringify({ url, connections: CONNECTIONS, duration, headers, ...(paths?.length ? { paths } : {}) }));
  const code = await exited;
  if (code !== 0) throw new Error(`the load generator exited with ${code} against ${url}`);
  return JSON.parse(out) as { rps: number; p99: number; errors: number };
}

export async function firstPage(url: string, t0: number): Promise<number> {
  // A server that failed to start must not hang the whole run.
  while (performance.now() - t0 < 180_000) {
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
  throw new Error(`${url} did not answer within 3 minutes (BENCH_SERVER_STDERR=1 shows the server's errors)`);
}

export function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

export const rows: string[][] = [];
export const report = (name: string, value: string, baseline: string, ratio: number, target: string) =>
  rows.push([name, value, baseline, ratio.toFixed(2), target]);

/**
 * Signs in through the real login form, as a browser would; returns the session cookie. An
 * administrator goes through the TOTP set-up of a first sign-in, reading the secret off the page.
 */
export async function signIn(base: string, username: string): Promise<string> {
  const jar = new Map<string, string>();
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
    return res;
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const post = (url: string, fields: Record<string, string>) =>
    fetch(`${base}${url}`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookie() }, body: new URLSearchParams(fields).toString() }).then(keep);
  const field = (html: string, re: RegExp) => re.exec(html)?.[1] ?? '';
  const page = keep(await fetch(`${base}/login`));
  let res = await post('/login', { _csrf: field(await page.text(), /name="_csrf" value="([^"]+)"/), username, password: 'xaso-demo-2026' });
  const location = res.headers.get('location') ?? '';
  if (res.status === 303 && location.startsWith('/login/totp')) {
    const html = await (await fetch(`${base}${location}`, { headers: { cookie: cookie() } }).then(keep)).text();
    const secret = field(html, /data-testid="totp-secret">([A-Z2-7]+)</);
    res = await post(location, { _csrf: field(html, /name="_csrf" value="([^"]+)"/), code: await totpCode(secret), setupSecret: field(html, /name="setupSecret" value="([^"]+)"/) });
  }
  const sid = jar.get('xs_sid');
  if (res.status !== 303 || !sid) throw new Error(`sign-in failed: ${res.status}`);
  return `xs_sid=${sid}`;
}

/** The built platform, as `npm start` runs it, on a fresh data directory. */
export function startXaso(dataDir: string, port: number, extra: Record<string, string> = {}, nodeArgs: readonly string[] = []) {
  const env = { DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn', DEV_IDP_PORT: '0', MQTT_PORT: '0', ...extra };
  return spawnServer([...nodeArgs, 'bin/xaso.js', 'serve', '--demo'], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', process.env.BENCH_SERVER_STDERR ? 'inherit' : 'ignore'] });
}


/**
 * Throughput of `appUrl` against a bare node:http server sending the very same bytes (status, headers
 * but the per-connection ones Node writes itself, body), in many short alternating rounds that begin
 * and end with a bare one: each app round is divided by the mean of the bare rounds on either side of
 * it, and the median ratio is returned. This machine's speed drifts within seconds (the same server's
 * CPU per request moved 2× between rounds a few seconds apart): five 5-second rounds each divided by
 * the one bare round before it gave ratios from 0.50 to 0.92 in one run; twelve 2-second rounds with a
 * bare neighbour on each side pair every app round with the machine of the same moment.
 */
export async function versusBare(appUrl: string, headers: Record<string, string>, rounds = ROUNDS, paths?: readonly string[]) {
  const sample = await fetch(appUrl, { headers });
  if (sample.status !== 200) throw new Error(`${appUrl} answered ${sample.status}`);
  const copied: Record<string, string> = {};
  for (const [k, v] of sample.headers) if (!['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding'].includes(k)) copied[k] = v;
  const bare = await startProcess(['bench/servers/bare.mjs'], { BENCH_RESPONSE: JSON.stringify({ headers: copied, body: await sample.text() }) });
  const bareUrl = `http://127.0.0.1:${bare.port}/`;
  await load(bareUrl, {}, 2, paths);
  await load(appUrl, headers, 2, paths);
  const bares: Awaited<ReturnType<typeof load>>[] = [await load(bareUrl, {}, DURATION, paths)];
  const apps: Awaited<ReturnType<typeof load>>[] = [];
  for (let round = 0; round < rounds; round++) {
    apps.push(await load(appUrl, headers, DURATION, paths));
    bares.push(await load(bareUrl, {}, DURATION, paths));
  }
  await stop(bare.child);
  if (apps.some((a) => a.errors)) throw new Error(`failed requests against ${appUrl}`);
  const ratios = apps.map((a, i) => a.rps / ((bares[i]!.rps + bares[i + 1]!.rps) / 2)).sort((a, b) => a - b);
  return { app: median(apps), bare: median(bares), ratio: ratios[Math.floor(ratios.length / 2)]!, ratios };
}

/**
 * Runs `fn` with the local PostgreSQL server (its postmaster and every backend, present and future: they
 * fork from the postmaster and inherit its affinity) on the load generator's core, so the measured
 * server keeps core 1 to itself, as the bench's other servers do, and as a deployment that gives the
 * database its own machine would. Unpinned, the backends went wherever the scheduler put them, the
 * measured server's core included. Skipped, with a line saying so, when the cores are not pinned, the
 * server is not on this machine, `BENCH_PIN_POSTGRES=0` is set, or `taskset` refuses; the affinity is
 * put back afterwards.
 */
export async function withPostgresBesideLoad<T>(url: string, fn: () => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let postmaster = 0;
  try {
    const backend = (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
    const status = fs.readFileSync(`/proc/${backend}/status`, 'utf8');
    // The same number in this machine's /proc is PostgreSQL's only if it names a postgres process (a
    // server in a container or elsewhere counts its pids apart).
    if (/^Name:\s+postgres$/m.test(status)) postmaster = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? 0);
  } catch {
    /* the server is elsewhere: its backends are not in this machine's /proc */
  } finally {
    await client.end();
  }
  const family = () => [postmaster, ...fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d) && childOf(Number(d), postmaster)).map(Number)];
  const mask = postmaster ? /mask: ([0-9a-f]+)/.exec(spawnSync('taskset', ['-p', String(postmaster)], { encoding: 'utf8' }).stdout)?.[1] : undefined;
  // `-p MASK` puts back the mask read above; `-cp LIST` pins to the load generator's core.
  // A backend that exited between the listing and its taskset is no failure.
  const setAll = (option: '-p' | '-cp', value: string) =>
    family().every((pid) => spawnSync('taskset', ['-a', option, value, String(pid)], { stdio: 'ignore' }).status === 0 || !fs.existsSync(`/proc/${pid}`));
  if (!PIN || !mask || process.env.BENCH_PIN_POSTGRES === '0' || !setAll('-cp', LOAD_CORE)) {
    if (mask) setAll('-p', mask);
    console.log('postgres: not pinned (its backends may share the measured server\'s core)');
    return fn();
  }
  try {
    return await fn();
  } finally {
    setAll('-p', mask);
  }
}

function childOf(pid: number, parent: number): boolean {
  try {
    return Number(/^PPid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) === parent;
  } catch {
    return false;
  }
}

/**
 * Runs `fn` against a fresh PostgreSQL database named `name` (dropped before and after), or reports
 * `what` as not run when no server answers.
 */
export async function withScratchPostgres(name: string, what: string, fn: (url: string) => Promise<void>) {
  const admin = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const run = async (statement: string) => {
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  try {
    await run(`drop database if exists ${name}`);
  } catch {
    report(`postgres: ${what}`, 'NOT RUN', `PostgreSQL unreachable at ${admin}`, 0, 'run with a server');
    return;
  }
  await run(`create database ${name}`);
  const u = new URL(admin);
  u.pathname = `/${name}`;
  try {
    await fn(u.href);
  } finally {
    await run(`drop database if exists ${name}`);
  }
}
