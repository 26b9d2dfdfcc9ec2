/**
 * Online public services with 1,000,000 dossiers loaded, on SQLite and on PostgreSQL:
 *  - public tracking by code (JSON API) vs a bare node:http server sending the same bytes (target >= 0.5);
 *  - full lifecycles over HTTP (citizen submits; desk receives, assigns; specialist submits for approval;
 *    leader approves; desk returns the result) per second with durable commits (target >= 100/s),
 *    beside the raw durable-commit rate of the same database divided by the lifecycle's 6 writes;
 *  - the officials' filtered dossier list, p95 latency (target < 50 ms).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { sql } from 'kysely';
import Sqlite from 'better-sqlite3';
import { connect, type Database } from '../src/platform/db/connect.ts';
import { freePort, firstPage, report, signIn, startXaso, stop, versusBare, withPostgresBesideLoad, withScratchPostgres } from './lib.ts';

const DOSSIERS = Number(process.env.BENCH_DOSSIERS ?? 1_000_000);
const LIFECYCLE_SECONDS = Number(process.env.BENCH_SECONDS ?? 5) * 2;
const WORKERS = Number(process.env.BENCH_WORKERS ?? 16);
/** To iterate on one figure: BENCH_PARTS=tracking,lifecycles,list and BENCH_DIALECTS=sqlite,postgres. */
const PARTS = new Set((process.env.BENCH_PARTS ?? 'tracking,lifecycles,list').split(','));
const DIALECTS = new Set((process.env.BENCH_DIALECTS ?? 'sqlite,postgres').split(','));
/**
 * Extra arguments for the measured server's node, space-separated (e.g. BENCH_SERVER_NODE_ARGS="--cpu-prof
 * --cpu-prof-dir=/tmp/prof"; node refuses --cpu-prof in NODE_OPTIONS, so they go on its command line).
 */
const SERVER_NODE_ARGS = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
const PILOTS = ['u-25201', 'u-25202', 'u-25203', 'u-25204'];
const STATES: [string, number, number][] = [
  // state, national status, share of dossiers (per mille)
  ['returned', 10, 800],
  ['processing', 4, 50],
  ['received', 2, 50],
  ['awaiting_approval', 4, 30],
  ['new', 1, 20],
  ['supplement_requested', 5, 20],
  ['refused', 3, 30],
];

/** Loads `DOSSIERS` dossiers spread over the pilot communes, procedures, states and the last 250 days. */
export async function loadDossiers(database: Database) {
  const { db } = database;
  const procedures = await db.selectFrom('svc_procedure').select(['id', 'code', 'name']).where('province_id', '=', 'u-25').execute();
  const agencies = new Map((await db.selectFrom('svc_agency').select(['unit_id', 'agency_code']).execute()).map((a) => [a.unit_id, a.agency_code]));
  // Local (UTC+7) midnight of today, as an instant.
  const today = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);
  const midnight = Date.parse(`${today}T00:00:00+07:00`);
  const stateOf = (i: number) => {
    let r = (i * 7919) % 1000;
    for (const s of STATES) {
      if (r < s[2]) return s;
      r -= s[2];
    }
    return STATES[0]!;
  };
  const BATCH = 400;
  for (let start = 0; start < DOSSIERS; start += BATCH * 50) {
    await db.transaction().execute(async (trx) => {
      for (let b = start; b < Math.min(DOSSIERS, start + BATCH * 50); b += BATCH) {
        const rows = [];
        for (let i = b; i < Math.min(DOSSIERS, b + BATCH); i++) {
          // i = 1000 q + r: commune r % 4, day r / 4, number 5001 + q — unique codes of the real shape,
          // numbered above the demo data's few per day.
          const q = Math.floor(i / 1000);
          const r = i % 1000;
          const unit = PILOTS[r % 4]!;
          const dayOffset = Math.floor(r / 4);
          // Office hours (07:00–17:00 local) of a day 1–250 days ago.
          const submitted = new Date(midnight - (dayOffset + 1) * 86400_000 + (7 * 3600 + (i % 36000)) * 1000);
          const day = new Date(submitted.getTime() + 7 * 3600_000).toISOString().slice(2, 10).replaceAll('-', '');
          const [state, national] = stateOf(i);
          const p = procedures[i % procedures.length]!;
          const due = new Date(submitted.getTime() + 3 * 86400_000).toISOString().slice(0, 10);
          const finished = state === 'returned' || state === 'refused' ? new Date(submitted.getTime() + 2 * 86400_000).toISOString() : null;
          rows.push({
            id: `bench-${i}`,
            code: `${agencies.get(unit)}-${day}-${String(5001 + q)}`,
            procedure_id: p.id,
            procedure_code: p.code,
            procedure_name: p.name,
            unit_id: unit,
            origin_unit_id: unit,
            receiving_unit_id: unit,
            channel: i % 3 === 0 ? 'online' : 'in_person',
            state,
            national_status: national,
            applicant_name: `Công dân ${i}`,
            applicant_id_number: `0250${String(i).padStart(8, '0')}`,
            applicant_phone: null,
            applicant_email: null,
            citizen_id: null,
            form_data: '{}',
            days: 3,
            cutoff_1500: 0,
            fee_amount: 0,
            submitted_at: submitted.toISOString(),
            received_at: state === 'new' ? null : submitted.toISOString(),
            due_date: state === 'new' ? null : due,
            paused_at: null,
            paused_from: null,
            supplement_requests: 0,
            assignee_id: null,
            finished_at: finished,
            returned_at: state === 'returned' ? finished : null,
            idempotency_key: null,
            created_by: null,
            created_at: submitted.toISOString(),
            updated_at: submitted.toISOString(),
          });
        }
        await trx.insertInto('svc_dossier').values(rows).execute();
      }
    });
  }
  // Setup, not measured: fresh statistics, and on SQLite the write-ahead log folded into the database
  // (else the server's first commit checkpoints a log of a million rows while requests wait).
  if (database.dialect === 'postgres') await db.executeQuery({ sql: 'analyze svc_dossier', parameters: [] } as never);
  else database.sqlite!.exec('analyze; pragma wal_checkpoint(truncate);');
}

/** Raw durable commits per second of the same database (one writer, one row per commit). */
async function rawCommitsPerSecond(url: string): Promise<number> {
  const seconds = 3;
  if (url.startsWith('sqlite:')) {
    const file = path.join(os.tmpdir(), `xaso-bench-raw-${process.pid}.db`);
    const s = new Sqlite(file);
    s.pragma('journal_mode = WAL');
    s.pragma('synchronous = FULL');
    s.exec('create table t (id integer primary key, v text)');
    const insert = s.prepare('insert into t (v) values (?)');
    let n = 0;
    const end = performance.now() + seconds * 1000;
    while (performance.now() < end) {
      insert.run('x');
      n++;
    }
    s.close();
    for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
    return n / seconds;
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('create temporary table t (id serial primary key, v text)');
  let n = 0;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    await client.query('insert into t (v) values ($1)', ['x']);
    n++;
  }
  await client.end();
  return n / seconds;
}

/** A tiny cookie jar: enough for the OpenID Connect round trip and the platform's session. */
class Jar {
  private readonly cookies = new Map<string, string>();
  set(name: string, value: string) {
    this.cookies.set(name, value);
  }
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  async fetch(url: string, init: RequestInit = {}) {
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: this.header() } });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [name, ...rest] = pair!.split('=');
      this.cookies.set(name!.trim(), rest.join('='));
    }
    return res;
  }
}

/** A test citizen signs in through the development e-ID provider, as in a browser. */
async function citizenSession(base: string): Promise<Jar> {
  const platform = new Jar();
  const idp = new Jar();
  let res = await platform.fetch(`${base}/login/citizen`);
  let url = res.headers.get('location')!;
  res = await idp.fetch(url);
  while (res.status >= 300 && res.status < 400) {
    url = new URL(res.headers.get('location')!, url).href;
    res = await idp.fetch(url);
  }
  const action = /action="([^"]+)"/.exec(await res.text())![1]!;
  res = await idp.fetch(new URL(action, url).href, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'citizen=dev-citizen-1' });
  for (;;) {
    url = new URL(res.headers.get('location')!, url).href;
    if (url.includes('/auth/oidc/callback')) break;
    res = await idp.fetch(url);
  }
  const callback = new URL(url);
  res = await platform.fetch(`${base}${callback.pathname}${callback.search}`);
  if (res.status !== 303) throw new Error(`citizen sign-in failed: ${res.status}`);
  return platform;
}

/** A session cookie plus the CSRF cookie and token its forms carry. */
async function withCsrf(base: string, jar: Jar, page: string) {
  const res = await jar.fetch(`${base}${page}`);
  const token = /name="_csrf" value="([^"]+)"/.exec(await res.text())?.[1];
  if (!token) throw new Error(`no CSRF token on ${page}`);
  return { jar, token };
}

async function officialSession(base: string, username: string, page: string) {
  const jar = new Jar();
  const [name, value] = (await signIn(base, username)).split('=') as [string, string];
  jar.set(name, value);
  return withCsrf(base, jar, page);
}

export async function lifecycles(base: string, procedureId: string, assigneeId: string) {
  const citizen = await withCsrf(base, await citizenSession(base), `/dich-vu-cong/${procedureId}/nop`);
  const desk = await officialSession(base, 'huongdao.tuphap', '/mot-cua/tiep-nhan');
  const leader = await officialSession(base, 'huongdao.chutich', '/mot-cua/tiep-nhan');
  // node:http with keep-alive rather than fetch: fetch cost the load generator ~3 ms of CPU per
  // request, so on two cores the client, not the server, set the pace.
  const agent = new http.Agent({ keepAlive: true, maxSockets: WORKERS * 3 });
  const post = (s: { jar: Jar; token: string }, url: string, body: object) =>
    new Promise<{ id?: string }>((resolve, reject) => {
      const payload = JSON.stringify(body);
      const req = http.request(`${base}${url}`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), 'x-csrf-token': s.token, cookie: s.jar.header() } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          if (res.statusCode! >= 300) reject(new Error(`${url}: ${res.statusCode} ${text}`));
          else resolve(JSON.parse(text) as { id?: string });
        });
      });
      req.on('error', reject);
      req.end(payload);
    });
  const values = {
    applicant_name: 'Trần Văn Đức',
    applicant_id: '026090001218',
    applicant_address: 'Thôn Đông, xã Hướng Đạo',
    applicant_phone: '0912345678',
    relationship: 'Cha',
    child_name: 'Trần Minh Khôi',
    child_birth_date: '2026-11-20',
    child_sex: 'Nam',
    birth_place: 'Trạm y tế xã',
    mother_name: 'Lê Thị Hoa',
  };
  // Keys of this call only: a repeated key would answer with an earlier call's dossier.
  const run = crypto.randomUUID();
  let done = 0;
  const end = performance.now() + LIFECYCLE_SECONDS * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: WORKERS }, async (_, w) => {
      for (let n = 0; performance.now() < end; n++) {
        const { id } = await post(citizen, '/api/v1/dossiers', { procedureId, unitId: 'u-25201', values, idempotencyKey: `bench-${run}-${w}-${n}` });
        await post(desk, `/api/v1/dossiers/${id}/actions/receive`, {});
        await post(desk, `/api/v1/dossiers/${id}/actions/assign`, { assigneeId });
        await post(desk, `/api/v1/dossiers/${id}/actions/submit_for_approval`, {});
        await post(leader, `/api/v1/dossiers/${id}/actions/approve`, {});
        await post(desk, `/api/v1/dossiers/${id}/actions/return_result`, {});
        done++;
      }
    }),
  );
  const perSecond = done / ((performance.now() - t0) / 1000);
  agent.destroy();
  return perSecond;
}

/** p95 of sequential requests to the officials' filtered lists (API and page). */
async function listP95(base: string) {
  const sid = await signIn(base, 'huongdao.tuphap');
  const urls = [
    '/api/v1/dossiers?status=processing&procedure=1.001193',
    '/api/v1/dossiers?overdue=1',
    '/api/v1/dossiers?status=received',
    '/api/v1/dossiers',
    '/mot-cua?trang_thai=processing&thu_tuc=1.001193&qua_han=1',
    '/mot-cua?trang=3',
  ];
  const times: number[] = [];
  for (let i = 0; i < 300; i++) {
    const url = urls[i % urls.length]!;
    const t = performance.now();
    const res = await fetch(`${base}${url}`, { headers: { cookie: sid } });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
    if (i >= urls.length) times.push(performance.now() - t); // the first of each is a warm-up
  }
  times.sort((a, b) => a - b);
  return { p95: times[Math.floor(times.length * 0.95)]!, p50: times[Math.floor(times.length / 2)]! };
}

async function benchDialect(dialect: 'sqlite' | 'postgres', url: string | null) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xaso-bench-services-'));
  const port = await freePort();
  const idpPort = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = { PUBLIC_URL: base, DEV_IDP_PORT: String(idpPort), ...(url ? { DATABASE_URL: url } : {}) };
  const databaseUrl = url ?? `sqlite:${path.join(dataDir, 'xaso.db')}`;
  // Migrate and seed once, load the dossiers, then serve.
  let child = startXaso(dataDir, port, env);
  await firstPage(`${base}/`, performance.now());
  await stop(child);
  const t0 = performance.now();
  const database = connect(databaseUrl);
  await loadDossiers(database);
  const procedureId = (await database.db.selectFrom('svc_procedure').select('id').where('code', '=', '1.001193').executeTakeFirstOrThrow()).id;
  const assigneeId = (await database.db.selectFrom('auth_account').select('id').where('username', '=', 'huongdao.tuphap').executeTakeFirstOrThrow()).id;
  const code = (await database.db.selectFrom('svc_dossier').select('code').where('id', '=', `bench-${Math.floor(DOSSIERS / 2)}`).executeTakeFirstOrThrow()).code!;
  // Tracking asks for 2,000 different dossiers in turn, as citizens would: no answer is served twice in a row.
  const trackingPaths = (await database.db.selectFrom('svc_dossier').select('code').where('id', 'like', 'bench-%').orderBy(sql`random()`).limit(2_000).execute()).map(
    (r) => `/api/v1/tracking/${encodeURIComponent(r.code!)}`,
  );
  await database.close();
  console.log(`${dialect}: loaded ${DOSSIERS.toLocaleString('en')} dossiers in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  child = startXaso(dataDir, port, env, SERVER_NODE_ARGS);
  await firstPage(`${base}/`, performance.now());
  const measure = async () => {
    if (PARTS.has('tracking')) {
      const tracking = await versusBare(`${base}/api/v1/tracking/${encodeURIComponent(code)}`, {}, undefined, trackingPaths);
      report(`${dialect}: GET /api/v1/tracking/:code req/s`, `${Math.round(tracking.app.rps)} (p99 ${tracking.app.p99} ms)`, `${Math.round(tracking.bare.rps)} bare node:http`, tracking.ratio, '>= 0.50 of bare');
      console.log(`${dialect}: tracking per-round ratios ${tracking.ratios.map((r) => r.toFixed(2)).join(' ')}`);
    }
    if (PARTS.has('lifecycles')) {
      const raw = await rawCommitsPerSecond(databaseUrl.startsWith('sqlite:') ? 'sqlite:' : databaseUrl);
      const perSecond = await lifecycles(base, procedureId, assigneeId);
      report(`${dialect}: full lifecycles over HTTP per s`, perSecond.toFixed(0), `${(raw / 6).toFixed(0)} (raw durable commits/s ÷ 6)`, perSecond / (raw / 6), '>= 100 per s');
    }
    if (PARTS.has('list')) {
      const list = await listP95(base);
      report(`${dialect}: officials' filtered list p95 (ms)`, `${list.p95.toFixed(1)} (p50 ${list.p50.toFixed(1)})`, '50 ms target', list.p95 / 50, '< 50 ms (ratio < 1)');
    }
  };
  try {
    await (url ? withPostgresBesideLoad(url, measure) : measure());
  } finally {
    await stop(child);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function benchServices() {
  if (DIALECTS.has('sqlite')) await benchDialect('sqlite', null);
  if (!DIALECTS.has('postgres')) return;
  await withScratchPostgres('xaso_bench', 'services benchmarks', (url) => benchDialect('postgres', url));
}
