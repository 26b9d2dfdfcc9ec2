/**
 * The steering committee's dashboard at province scale: 150 communes × 15 villages with 24 months of
 * snapshots (about 400,000 rows) and the households behind them (~40 a village, ~3 residents each),
 * on SQLite and PostgreSQL. This month's snapshots are taken by the module's real daily job over every
 * village's records (its time is printed too). Measured: p95 of sequential page loads,
 * signed in as the province admin, of the province's dashboard (12 and 24 months), of communes' and of
 * villages' dashboards (target: p95 < 100 ms each). Baseline in the same run: the p95 of the sign-in page,
 * the lightest server-rendered page, to show how much of it is the server itself.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect, type Database } from '../src/platform/db/connect.ts';
import { INDICATORS, takeSnapshots } from '../src/modules/teams/indicators.ts';
import { loadConfig } from '../src/config.ts';
import { createContext } from '../src/app.ts';
import { monthsEnding } from '../src/modules/teams/dashboard.ts';
import { freePort, firstPage, report, signIn, startXaso, stop, withScratchPostgres } from './lib.ts';

const COMMUNES = Number(process.env.BENCH_DASHBOARD_COMMUNES ?? 150);
const VILLAGES = 15;
const MONTHS = 24;
const DIALECTS = new Set((process.env.BENCH_DIALECTS ?? 'sqlite,postgres').split(','));

/** Adds communes to the province (up to COMMUNES in all), 15 villages each, and 24 months of snapshots for every unit. */
export async function load(database: Database) {
  const { db } = database;
  const existing = await db.selectFrom('unit').select('id').where('parent_id', '=', 'u-25').where('level', '=', 'commune').where('valid_to', 'is', null).execute();
  const at = new Date().toISOString();
  const units: { id: string; code: string; name: string; kind: string; level: string; parent_id: string; valid_from: string; valid_to: null; legal_basis: null; note: null; created_at: string }[] = [];
  for (let c = existing.length; c < COMMUNES; c++) {
    const id = `bench-c${c}`;
    units.push({ id, code: String(90000 + c), name: `Xã Thử Nghiệm ${c}`, kind: 'commune', level: 'commune', parent_id: 'u-25', valid_from: '2025-07-01', valid_to: null, legal_basis: null, note: null, created_at: at });
    for (let v = 1; v <= VILLAGES; v++) units.push({ id: `${id}-${v}`, code: `${90000 + c}-${String(v).padStart(2, '0')}`, name: `Thôn ${v}`, kind: 'village', level: 'village', parent_id: id, valid_from: '2000-01-01', valid_to: null, legal_basis: null, note: null, created_at: at });
  }
  for (let i = 0; i < units.length; i += 500) await db.insertInto('unit').values(units.slice(i, i + 500)).execute();
  const communes = (await db.selectFrom('unit').select('id').where('parent_id', '=', 'u-25').where('level', '=', 'commune').where('valid_to', 'is', null).execute()).map((c) => c.id);
  const villages = await db.selectFrom('unit').select(['id', 'parent_id']).where('parent_id', 'in', communes).where('level', '=', 'village').execute();
  const months = monthsEnding(new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 7), MONTHS);
  const records = INDICATORS.filter((i) => i.fromRecords).map((i) => i.code);
  const entered = INDICATORS.filter((i) => !i.fromRecords).map((i) => i.code);
  // The households behind the figures, for every bench village (the pilot villages have the demo's).
  const benchVillages = villages.filter((v) => v.id.startsWith('bench-'));
  let households: { id: string; unit_id: string; origin_unit_id: string; head_name: string; address: string; fibre: number; digital_address: number; pays_utilities_online: number; search_text: string; created_at: string; updated_at: string }[] = [];
  const residents: { id: string; household_id: string; full_name: string; birth_year: number; smartphone: number; vneid_level2: number; online_services_account: number; payment_account: number; zalo_group: number; updated_at: string }[] = [];
  let people = 0;
  const flushPeople = async (force = false) => {
    // Households first: the residents refer to them.
    if (households.length >= 500 || ((force || residents.length >= 500) && households.length)) {
      await db.insertInto('cdt_household').values(households).execute();
      households = [];
    }
    while (residents.length >= 500 || (force && residents.length)) {
      await db.insertInto('cdt_resident').values(residents.splice(0, 500)).execute();
    }
  };
  for (const [vi, v] of benchVillages.entries()) {
    const count = 30 + (vi % 20);
    for (let h = 0; h < count; h++) {
      const id = `${v.id}-h${h}`;
      const k = vi * 31 + h * 7;
      households.push({ id, unit_id: v.id, origin_unit_id: v.id, head_name: `Hộ ${h}`, address: `Xóm ${1 + (h % 5)}`, fibre: k % 3 ? 1 : 0, digital_address: k % 4 ? 0 : 1, pays_utilities_online: k % 2, search_text: `ho ${h} xom ${1 + (h % 5)}`, created_at: at, updated_at: at });
      for (let r = 0; r < 1 + (k % 5); r++) {
        residents.push({ id: `${id}-r${r}`, household_id: id, full_name: `Người ${r}`, birth_year: 1940 + ((k + r * 17) % 80), smartphone: (k + r) % 4 ? 1 : 0, vneid_level2: (k + r) % 3 ? 1 : 0, online_services_account: (k + r) % 2, payment_account: (k + r) % 3 ? 0 : 1, zalo_group: (k + r) % 5 ? 1 : 0, updated_at: at });
        people++;
      }
      await flushPeople();
    }
  }
  await flushPeople(true);
  await db.deleteFrom('cdt_snapshot').execute();
  let batch: { unit_id: string; indicator: string; month: string; numerator: number; denominator: number; source: string; source_date: string; recorded_at: string }[] = [];
  let total = 0;
  const flush = async () => {
    if (!batch.length) return;
    await db.insertInto('cdt_snapshot').values(batch).execute();
    total += batch.length;
    batch = [];
  };
  const sums = new Map<string, [number, number]>();
  // Earlier months: illustrative figures (this month's come from the records, by the job).
  for (const [vi, v] of villages.entries()) {
    for (const [mi, month] of months.slice(0, -1).entries()) {
      for (const [ii, code] of records.entries()) {
        const d = 80 + ((vi * 7 + ii * 13) % 60);
        const n = Math.min(d, Math.round(d * (0.25 + 0.02 * mi + ((vi + ii) % 10) / 40)));
        batch.push({ unit_id: v.id, indicator: code, month, numerator: n, denominator: d, source: 'records', source_date: `${month}-01`, recorded_at: at });
        const key = `${v.parent_id}|${code}|${month}`;
        const [sn, sd] = sums.get(key) ?? [0, 0];
        sums.set(key, [sn + n, sd + d]);
        if (batch.length >= 500) await flush();
      }
    }
  }
  // The communes' sums, and the province's as the sum of its communes (as the daily job writes them).
  const province = new Map<string, [number, number]>();
  for (const [key, [n, d]] of sums) {
    const [unit_id, indicator, month] = key.split('|') as [string, string, string];
    batch.push({ unit_id, indicator, month, numerator: n, denominator: d, source: 'records', source_date: `${month}-01`, recorded_at: at });
    const [pn, pd] = province.get(`${indicator}|${month}`) ?? [0, 0];
    province.set(`${indicator}|${month}`, [pn + n, pd + d]);
    if (batch.length >= 500) await flush();
  }
  for (const [key, [n, d]] of province) {
    const [indicator, month] = key.split('|') as [string, string];
    batch.push({ unit_id: 'u-25', indicator, month, numerator: n, denominator: d, source: 'records', source_date: `${month}-01`, recorded_at: at });
    if (batch.length >= 500) await flush();
  }
  // Entered values: each commune reports once a quarter.
  for (const [ci, c] of communes.entries()) {
    for (const [mi, month] of months.entries()) {
      if ((mi + ci) % 3) continue;
      for (const code of entered) batch.push({ unit_id: c, indicator: code, month, numerator: 10 + (mi % 10), denominator: 25, source: 'Văn phòng UBND xã', source_date: `${month}-15`, recorded_at: at });
      if (batch.length >= 500) await flush();
    }
  }
  await flush();
  return { communes, villages: villages.map((v) => v.id), rows: total, households: benchVillages.length, people };
}

async function p95(base: string, cookie: string, urls: readonly string[], count = 120) {
  const times: number[] = [];
  for (let i = 0; i < count + urls.length; i++) {
    const url = urls[i % urls.length]!;
    const t = performance.now();
    const res = await fetch(`${base}${url}`, { headers: { cookie }, redirect: 'manual' });
    const body = await res.text();
    if (res.status !== 200 || (cookie && !body.includes('<svg class="chart"'))) throw new Error(`${url}: ${res.status} ${body.slice(0, 200)}`);
    if (i >= urls.length) times.push(performance.now() - t); // the first round warms up
  }
  times.sort((a, b) => a - b);
  return { p95: times[Math.floor(times.length * 0.95)]!, p50: times[Math.floor(times.length / 2)]! };
}

async function benchDialect(dialect: 'sqlite' | 'postgres', url: string | null) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xaso-bench-dashboard-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = { PUBLIC_URL: base, ...(url ? { DATABASE_URL: url } : {}) };
  let child = startXaso(dataDir, port, env);
  await firstPage(`${base}/`, performance.now());
  await stop(child);
  const t0 = performance.now();
  const database = connect(url ?? `sqlite:${path.join(dataDir, 'xaso.db')}`);
  const loaded = await load(database);
  const ctx = await createContext(loadConfig({ NODE_ENV: 'development', LOG_LEVEL: 'silent', DATA_DIR: dataDir }, { demo: true }), { database, secret: 'bench-secret-bench-secret-bench-secret', oidc: null });
  const t1 = performance.now();
  const taken = await takeSnapshots(ctx);
  const jobSeconds = (performance.now() - t1) / 1000;
  await ctx.notifier.stop();
  await database.close();
  console.log(`${dialect}: ${loaded.communes.length} communes, ${loaded.villages.length} villages, ${loaded.people.toLocaleString('en')} residents, ${(loaded.rows + taken).toLocaleString('en')} snapshots loaded in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  report(`${dialect}: monthly snapshot job over ${loaded.villages.length} villages' records (s)`, `${jobSeconds.toFixed(2)} (${taken.toLocaleString('en')} rows)`, '—', jobSeconds / 60, 'informative (daily job)');
  child = startXaso(dataDir, port, env);
  await firstPage(`${base}/`, performance.now());
  try {
    const cookie = await signIn(base, 'tinh.quantri');
    const spread = <T,>(xs: readonly T[], n: number) => Array.from({ length: n }, (_, i) => xs[Math.floor((i * xs.length) / n)]!);
    const baseline = await p95(base, '', ['/login']);
    const line = (what: string, r: { p95: number; p50: number }) =>
      report(`${dialect}: ${what} p95 (ms)`, `${r.p95.toFixed(1)} (p50 ${r.p50.toFixed(1)})`, `${baseline.p95.toFixed(1)} ms sign-in page`, r.p95 / 100, '< 100 ms (ratio < 1)');
    line(`province dashboard, ${loaded.communes.length} communes, 12 months`, await p95(base, cookie, ['/chi-so/u-25']));
    line('province dashboard, 24 months', await p95(base, cookie, ['/chi-so/u-25?thang=24']));
    line('commune dashboards (15 villages ranked)', await p95(base, cookie, spread(loaded.communes, 20).map((c) => `/chi-so/${c}`)));
    line('village dashboards', await p95(base, cookie, spread(loaded.villages, 20).map((v) => `/chi-so/${v}`)));
  } finally {
    await stop(child);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function benchDashboard() {
  if (DIALECTS.has('sqlite')) await benchDialect('sqlite', null);
  if (DIALECTS.has('postgres')) await withScratchPostgres('xaso_bench_dashboard', 'dashboard benchmarks', (url) => benchDialect('postgres', url));
}
