import type { AppContext } from '../../platform/context.ts';
import type { Access } from '../../platform/auth/access.ts';
import { writeAudit, type AuditContext } from '../../platform/audit/audit.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { localToday, translator } from '../../platform/i18n/index.ts';
import { readStoredFile } from '../../platform/files/files.ts';
import { foldVietnamese } from '../../platform/search.ts';
import { locateColumns, readTable } from '../../platform/xlsx.ts';
import { INDICATORS, managedUnitFor } from './indicators.ts';
import type { Problem } from './households-io.ts';

/**
 * The values a commune enters from other sources (police, telecom, its own lists), to and from the
 * spreadsheets officials keep: one row per indicator and date. The indicator is named by its code or
 * by its Vietnamese (or English) name. Computed indicators are refused: they come from the records.
 */
export const VALUE_COLUMNS = [
  { key: 'code', header: 'Mã chỉ số' },
  { key: 'name', header: 'Chỉ số' },
  { key: 'numerator', header: 'Tử số' },
  { key: 'denominator', header: 'Mẫu số' },
  { key: 'source', header: 'Nguồn số liệu' },
  { key: 'source_date', header: 'Số liệu tính đến ngày' },
] as const;
type Key = (typeof VALUE_COLUMNS)[number]['key'];
const MAX_VALUE_ROWS = 2_000;

export interface ImportedValue {
  indicator: string;
  month: string;
  numerator: number;
  denominator: number;
  source: string;
  source_date: string;
}

const text = (v: string | number | null | undefined) => (v === null || v === undefined ? '' : String(v).trim());

/** `YYYY-MM-DD`, `DD/MM/YYYY` or `D/M/YYYY` to an ISO date, else null. */
export function parseDay(v: string): string | null {
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  const vn = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(v);
  const [y, m, d] = iso ? [iso[1]!, iso[2]!, iso[3]!] : vn ? [vn[3]!, vn[2]!.padStart(2, '0'), vn[1]!.padStart(2, '0')] : [];
  if (!y) return null;
  const date = new Date(`${y}-${m}-${d}T00:00:00Z`);
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== `${y}-${m}-${d}` ? null : `${y}-${m}-${d}`;
}

const byName = (() => {
  const names = new Map<string, string>();
  for (const lang of ['vi', 'en'] as const) {
    const t = translator(lang);
    for (const spec of INDICATORS) names.set(foldVietnamese(t(spec.label)), spec.code);
  }
  return names;
})();

/** Reads and checks every row; nothing is saved here. */
export function parseValues(table: (string | number | null)[][], today = localToday()): { values: ImportedValue[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const { headerRow, index, missing } = locateColumns(table, VALUE_COLUMNS, ['numerator', 'denominator', 'source', 'source_date']);
  if (headerRow < 0) return { values: [], problems: [{ row: 1, column: '', key: 'teams.import.empty' }] };
  const header = (k: Key) => VALUE_COLUMNS.find((c) => c.key === k)!.header;
  for (const k of missing) problems.push({ row: headerRow + 1, column: header(k), key: 'teams.import.missing_column' });
  if (!index.has('code') && !index.has('name')) problems.push({ row: headerRow + 1, column: header('code'), key: 'teams.import.missing_column' });
  if (problems.length) return { values: [], problems };
  const body = table.slice(headerRow + 1);
  if (body.length > MAX_VALUE_ROWS) return { values: [], problems: [{ row: headerRow + 2 + MAX_VALUE_ROWS, column: '', key: 'teams.import.too_many', params: { max: MAX_VALUE_ROWS } }] };
  const cell = (r: (string | number | null)[], k: Key) => (index.has(k) ? text(r[index.get(k)!]) : '');
  const values: ImportedValue[] = [];
  const seen = new Map<string, number>();
  body.forEach((r, i) => {
    const row = headerRow + 2 + i;
    if (!r.some((c) => text(c))) return;
    const problem = (k: Key, key: Problem['key'], params?: Record<string, string | number>) => problems.push({ row, column: header(k), key, ...(params ? { params } : {}) });
    const code = cell(r, 'code') || byName.get(foldVietnamese(cell(r, 'name'))) || '';
    const spec = INDICATORS.find((x) => x.code === code);
    if (!spec) return problem(index.has('code') ? 'code' : 'name', 'teams.ind.import.unknown', { value: cell(r, 'code') || cell(r, 'name') });
    if (spec.fromRecords) return problem(index.has('code') ? 'code' : 'name', 'teams.ind.import.computed', { value: code });
    const number = (k: 'numerator' | 'denominator') => {
      const v = cell(r, k).replace(/[.\s](?=\d{3}\b)/g, '');
      const n = Number(v);
      if (v === '' || !Number.isInteger(n) || n < 0 || n > 10_000_000) {
        problem(k, 'teams.ind.import.bad_number', { value: cell(r, k) });
        return null;
      }
      return n;
    };
    const n = number('numerator');
    const d = number('denominator');
    if (d === 0) problem('denominator', 'teams.ind.import.zero_denominator');
    if (n !== null && d !== null && d > 0 && n > d) problem('numerator', 'teams.ind.import.over_100');
    const source = cell(r, 'source');
    if (source.length < 2 || source.length > 120) problem('source', 'teams.ind.import.bad_source');
    const day = parseDay(cell(r, 'source_date'));
    if (!day) problem('source_date', 'teams.ind.import.bad_date', { value: cell(r, 'source_date') });
    else if (day > today) problem('source_date', 'teams.error.future_date');
    if (!day || n === null || !d || n > d || source.length < 2 || source.length > 120) return;
    const key = `${code}|${day.slice(0, 7)}`;
    if (seen.has(key)) return problem('source_date', 'teams.ind.import.duplicate', { row: seen.get(key)! });
    seen.set(key, row);
    values.push({ indicator: code, month: day.slice(0, 7), numerator: n, denominator: d, source, source_date: day });
  });
  if (!values.length && !problems.length) problems.push({ row: headerRow + 2, column: '', key: 'teams.import.empty' });
  return { values, problems };
}

export async function checkValueFile(data: Buffer) {
  try {
    return parseValues(await readTable(data));
  } catch {
    return { values: [], problems: [{ row: 1, column: '', key: 'teams.import.unreadable' } as Problem] };
  }
}

/**
 * Saves a checked file's values in one transaction, each replacing the commune's value of that
 * indicator and month (so confirming the same file twice leaves the same figures).
 */
export async function importValues(ctx: AppContext, access: Access, audit: AuditContext, communeId: string, fileId: string) {
  const commune = await managedUnitFor(ctx, access, communeId);
  if (commune.level !== 'commune') throw notFound();
  const stored = await readStoredFile(ctx, fileId);
  if (!stored || stored.row.unit_id !== commune.id) throw notFound();
  const checked = await checkValueFile(stored.data);
  if (checked.problems.length) throw new AppError('import_invalid', 409, 'teams.import.changed');
  const at = new Date().toISOString();
  await ctx.database.db.transaction().execute(async (trx) => {
    for (const v of checked.values) {
      const values = { numerator: v.numerator, denominator: v.denominator, source: v.source, source_date: v.source_date, recorded_at: at };
      await trx
        .insertInto('cdt_snapshot')
        .values({ unit_id: commune.id, indicator: v.indicator, month: v.month, ...values })
        .onConflict((oc) => oc.columns(['unit_id', 'indicator', 'month']).doUpdateSet(values))
        .execute();
    }
    await writeAudit(ctx.database, trx, audit, { action: 'teams.indicator.import', entity: 'cdt_snapshot', unitId: commune.id, detail: { file: fileId, rows: checked.values.length } });
  });
  return checked.values.length;
}

/** Every value the commune has entered, in the import's shape, oldest first. */
export async function valueTable(ctx: AppContext, communeId: string): Promise<(string | number)[][]> {
  const entered = INDICATORS.filter((i) => !i.fromRecords);
  const t = translator('vi');
  const rows = await ctx.database.db
    .selectFrom('cdt_snapshot')
    .select(['indicator', 'numerator', 'denominator', 'source', 'source_date'])
    .where('unit_id', '=', communeId)
    .where('indicator', 'in', entered.map((i) => i.code))
    .orderBy('month')
    .orderBy('indicator')
    .execute();
  return rows.map((r) => [r.indicator, t(entered.find((i) => i.code === r.indicator)!.label), r.numerator, r.denominator, r.source, r.source_date]);
}
