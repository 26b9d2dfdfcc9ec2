/**
 * Community teams: import of a 10,000-row household spreadsheet (target: under 10 s, memory bounded),
 * on SQLite and PostgreSQL, through the same command the import page calls (read, check every row,
 * save in one transaction). Baseline in the same run: reading the same XLSX with exceljs alone.
 * Runs in this process: a child process would add nothing but start-up to the measure.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { report, withScratchPostgres } from './lib.ts';
import { loadConfig } from '../src/config.ts';
import { createContext } from '../src/app.ts';
import { connect, type Database } from '../src/platform/db/connect.ts';
import { seedAll } from '../src/platform/seed.ts';
import { Access } from '../src/platform/auth/access.ts';
import { systemContext } from '../src/platform/audit/audit.ts';
import { readXlsx, writeXlsx } from '../src/platform/xlsx.ts';
import { storeFile } from '../src/platform/files/files.ts';
import { COLUMNS, checkHouseholdFile, importHouseholds } from '../src/modules/teams/households-io.ts';

const ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 10_000);
const VILLAGE = 'u-25201-01';

async function spreadsheet(): Promise<Buffer> {
  const rows: (string | number)[][] = [];
  for (let h = 0; rows.length < ROWS; h++) {
    const size = 1 + (h % 5);
    for (let r = 0; r < size && rows.length < ROWS; r++) {
      rows.push(['', `Nguyễn Văn Hộ ${h}`, `Xóm ${1 + (h % 9)}, nhà ${h}`, h % 3 ? 'Có' : 'Không', h % 4 ? 'Có' : 'Không', h % 2 ? 'Có' : 'Không', r ? `Nguyễn Thị Người ${h}-${r}` : `Nguyễn Văn Hộ ${h}`, 1940 + ((h + r * 17) % 80), 'Có', r % 2 ? 'Có' : 'Không', 'Không', 'Có', r % 3 ? 'Có' : 'Không']);
    }
  }
  return writeXlsx([{ name: 'Hộ gia đình', header: COLUMNS.map((c) => c.header), rows }]);
}

async function importOnce(database: Database, data: Buffer) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xaso-bench-teams-'));
  const config = loadConfig({ NODE_ENV: 'development', LOG_LEVEL: 'silent', DATA_DIR: dataDir }, { demo: true });
  const ctx = await createContext(config, { database, secret: 'bench-secret-bench-secret-bench-secret', oidc: null });
  try {
    await seedAll(ctx, { demo: true });
    const head = await database.db.selectFrom('auth_account').select(['id', 'display_name', 'unit_id']).where('username', '=', 'huongdao.dongbua').executeTakeFirstOrThrow();
    const access = new Access(database, ctx.permissions, { id: head.id, kind: 'official', displayName: head.display_name, unitId: head.unit_id, grants: [{ role: 'village_head', unitId: VILLAGE, field: null }] });
    const upload = { kind: 'upload' as const, filename: 'ho.xlsx', declaredType: 'application/octet-stream', data, tooLarge: false };
    const fileId = await database.db.transaction().execute((trx) => storeFile(ctx, trx, upload, { mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', unitId: VILLAGE, ownerId: head.id }));
    global.gc?.();
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const t0 = performance.now();
    const checked = await checkHouseholdFile(ctx, VILLAGE, data);
    if (checked.problems.length) throw new Error(`bench spreadsheet has problems: ${JSON.stringify(checked.problems.slice(0, 3))}`);
    const result = await importHouseholds(ctx, access, systemContext('bench'), VILLAGE, fileId);
    const seconds = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    return { seconds, residents: result.residents, households: result.households, peakMb: (peak - rss0) / 2 ** 20 };
  } finally {
    await ctx.notifier.stop();
    await database.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function benchTeams() {
  const data = await spreadsheet();
  const t0 = performance.now();
  await readXlsx(data);
  const parseSeconds = (performance.now() - t0) / 1000;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xaso-bench-teams-db-'));
  const sqlite = await importOnce(connect(`sqlite:${path.join(dir, 'xaso.db')}`), data);
  fs.rmSync(dir, { recursive: true, force: true });
  const line = (dialect: string, r: Awaited<ReturnType<typeof importOnce>>) =>
    report(`${dialect}: import ${ROWS.toLocaleString('en')}-row household XLSX (s)`, `${r.seconds.toFixed(2)} (${r.households} households, peak +${r.peakMb.toFixed(0)} MB)`, `${parseSeconds.toFixed(2)} s exceljs read alone`, r.seconds / 10, '< 10 s (ratio < 1)');
  line('sqlite', sqlite);
  await withScratchPostgres('xaso_bench_teams', 'household import', async (url) => {
    line('postgres', await importOnce(connect(url), data));
  });
}
