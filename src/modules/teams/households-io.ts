import crypto from 'node:crypto';
import type { AppContext } from '../../platform/context.ts';
import type { Access } from '../../platform/auth/access.ts';
import { writeAudit, type AuditContext } from '../../platform/audit/audit.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { MessageKey } from '../../platform/i18n/index.ts';
import { foldVietnamese } from '../../platform/search.ts';
import { locateColumns, readTable } from '../../platform/xlsx.ts';
import { readStoredFile } from '../../platform/files/files.ts';
import { villageFor } from './commands.ts';

/**
 * The households spreadsheet village heads keep: one row per resident, the household's columns on each
 * of its rows (or only on the first). Rows with the same "Mã hộ" (the platform's id, as exported) are one
 * household and update it; new households leave it empty and are grouped by head and address.
 * Columns are found by their header (any order, with or without diacritics).
 */
export const COLUMNS = [
  { key: 'code', header: 'Mã hộ' },
  { key: 'head_name', header: 'Chủ hộ' },
  { key: 'address', header: 'Địa chỉ' },
  { key: 'fibre', header: 'Cáp quang' },
  { key: 'digital_address', header: 'Địa chỉ số' },
  { key: 'pays_utilities_online', header: 'Thanh toán điện nước trực tuyến' },
  { key: 'full_name', header: 'Họ và tên' },
  { key: 'birth_year', header: 'Năm sinh' },
  { key: 'smartphone', header: 'Điện thoại thông minh' },
  { key: 'vneid_level2', header: 'VNeID mức 2' },
  { key: 'online_services_account', header: 'Tài khoản dịch vụ công' },
  { key: 'payment_account', header: 'Tài khoản thanh toán' },
  { key: 'zalo_group', header: 'Nhóm Zalo' },
] as const;
type ColumnKey = (typeof COLUMNS)[number]['key'];
const REQUIRED: ColumnKey[] = ['head_name', 'address', 'full_name', 'birth_year'];
const HOUSEHOLD_FLAGS = ['fibre', 'digital_address', 'pays_utilities_online'] as const;
const RESIDENT_FLAGS = ['smartphone', 'vneid_level2', 'online_services_account', 'payment_account', 'zalo_group'] as const;

export const MAX_ROWS = 20_000;

export interface Problem {
  /** The row as Excel numbers it (the header is row 1). */
  row: number;
  column: string;
  key: MessageKey;
  params?: Record<string, string | number>;
}

export interface ImportedHousehold {
  id: string | null;
  head_name: string;
  address: string;
  fibre: number;
  digital_address: number;
  pays_utilities_online: number;
  residents: { full_name: string; birth_year: number; smartphone: number; vneid_level2: number; online_services_account: number; payment_account: number; zalo_group: number }[];
}

const text = (v: string | number | null | undefined) => (v === null || v === undefined ? '' : String(v).trim());
const YES = new Set(['co', 'c', 'x', '1', 'yes', 'y', 'true', 'đa co', 'da co']);
const NO = new Set(['', 'khong', 'k', '0', 'no', 'n', 'false', 'chua']);

/** Reads and checks the whole table; nothing is saved here. */
export function parseHouseholds(table: (string | number | null)[][], knownIds: ReadonlySet<string>, year = new Date().getUTCFullYear()): { households: ImportedHousehold[]; problems: Problem[]; rows: number } {
  const problems: Problem[] = [];
  const { headerRow, index, missing } = locateColumns(table, COLUMNS, REQUIRED);
  if (headerRow < 0) return { households: [], problems: [{ row: 1, column: '', key: 'teams.import.empty' }], rows: 0 };
  for (const k of missing) problems.push({ row: headerRow + 1, column: COLUMNS.find((c) => c.key === k)!.header, key: 'teams.import.missing_column' });
  if (problems.length) return { households: [], problems, rows: 0 };
  const body = table.slice(headerRow + 1);
  if (body.length > MAX_ROWS) return { households: [], problems: [{ row: headerRow + 2 + MAX_ROWS, column: '', key: 'teams.import.too_many', params: { max: MAX_ROWS } }], rows: body.length };
  const cell = (r: (string | number | null)[], k: ColumnKey) => (index.has(k) ? text(r[index.get(k)!]) : '');
  const groups = new Map<string, { household: ImportedHousehold; firstRow: number }>();
  let rows = 0;
  body.forEach((r, i) => {
    const rowNo = headerRow + 2 + i;
    if (!r.some((c) => text(c))) return;
    rows++;
    const problem = (k: ColumnKey, key: MessageKey, params?: Record<string, string | number>) =>
      problems.push({ row: rowNo, column: COLUMNS.find((c) => c.key === k)!.header, key, ...(params ? { params } : {}) });
    const flag = (k: ColumnKey) => {
      const v = foldVietnamese(cell(r, k));
      if (YES.has(v)) return 1;
      if (NO.has(v)) return 0;
      problem(k, 'teams.import.bad_flag', { value: cell(r, k) });
      return 0;
    };
    const code = cell(r, 'code');
    if (code && !knownIds.has(code)) problem('code', 'teams.import.unknown_code', { value: code });
    const head = cell(r, 'head_name');
    const address = cell(r, 'address');
    const key = code || foldVietnamese(`${head}|${address}`);
    let group = groups.get(key);
    if (!group) {
      if (head.length < 2 || head.length > 100) problem('head_name', 'teams.import.bad_name');
      if (address.length < 2 || address.length > 200) problem('address', 'teams.import.bad_address');
      group = {
        household: { id: code || null, head_name: head, address, fibre: flag('fibre'), digital_address: flag('digital_address'), pays_utilities_online: flag('pays_utilities_online'), residents: [] },
        firstRow: rowNo,
      };
      groups.set(key, group);
    } else {
      // Later rows of a household may repeat its columns, but not contradict the first.
      for (const f of HOUSEHOLD_FLAGS) if (cell(r, f) && flag(f) !== group.household[f]) problem(f, 'teams.import.household_differs', { row: group.firstRow });
    }
    const name = cell(r, 'full_name');
    // A household recorded without residents has one row with the resident's columns empty.
    if (!name && !cell(r, 'birth_year')) return;
    if (name.length < 2 || name.length > 100) problem('full_name', 'teams.import.bad_name');
    const born = Number(cell(r, 'birth_year'));
    if (!Number.isInteger(born) || born < 1900 || born > year) problem('birth_year', 'teams.import.bad_year', { value: cell(r, 'birth_year'), year });
    group.household.residents.push({
      full_name: name,
      birth_year: born,
      smartphone: flag('smartphone'),
      vneid_level2: flag('vneid_level2'),
      online_services_account: flag('online_services_account'),
      payment_account: flag('payment_account'),
      zalo_group: flag('zalo_group'),
    });
  });
  if (rows === 0) problems.push({ row: headerRow + 2, column: '', key: 'teams.import.empty' });
  return { households: [...groups.values()].map((g) => g.household), problems, rows };
}

/** Reads an uploaded file of a village and checks it against the village's households. */
export async function checkHouseholdFile(ctx: AppContext, villageId: string, data: Buffer) {
  let table: (string | number | null)[][];
  try {
    table = await readTable(data);
  } catch {
    return { households: [], problems: [{ row: 1, column: '', key: 'teams.import.unreadable' as MessageKey }], rows: 0 };
  }
  const known = new Set((await ctx.database.db.selectFrom('cdt_household').select('id').where('unit_id', '=', villageId).execute()).map((h) => h.id));
  return parseHouseholds(table, known);
}

const CHUNK = 400;

/** Saves a checked file: all or nothing, one transaction; households named by id are replaced with the file's rows. */
export async function importHouseholds(ctx: AppContext, access: Access, audit: AuditContext, villageId: string, fileId: string) {
  const village = await villageFor(ctx, access, villageId, 'household.manage');
  const stored = await readStoredFile(ctx, fileId);
  if (!stored || stored.row.unit_id !== village.id) throw notFound();
  if (await ctx.database.db.selectFrom('cdt_import').select('file_id').where('file_id', '=', fileId).executeTakeFirst()) throw new AppError('already_imported', 409, 'teams.import.already');
  const checked = await checkHouseholdFile(ctx, village.id, stored.data);
  if (checked.problems.length) throw new AppError('import_invalid', 409, 'teams.import.changed');
  const at = new Date().toISOString();
  const created = checked.households.filter((h) => !h.id).length;
  await ctx.database.db.transaction().execute(async (trx) => {
    const householdRows = checked.households.map((h) => ({
      id: h.id ?? crypto.randomUUID(),
      existing: Boolean(h.id),
      residents: h.residents,
      columns: {
        head_name: h.head_name,
        address: h.address,
        fibre: h.fibre,
        digital_address: h.digital_address,
        pays_utilities_online: h.pays_utilities_online,
        search_text: foldVietnamese(`${h.head_name} ${h.address}`),
        updated_at: at,
      },
    }));
    for (const h of householdRows.filter((x) => x.existing)) {
      await trx.updateTable('cdt_household').set(h.columns).where('id', '=', h.id).where('unit_id', '=', village.id).execute();
      await trx.deleteFrom('cdt_resident').where('household_id', '=', h.id).execute();
    }
    const fresh = householdRows.filter((x) => !x.existing).map((h) => ({ id: h.id, ...h.columns, unit_id: village.id, origin_unit_id: village.id, created_at: at }));
    for (let i = 0; i < fresh.length; i += CHUNK) await trx.insertInto('cdt_household').values(fresh.slice(i, i + CHUNK)).execute();
    const residents = householdRows.flatMap((h) => h.residents.map((r) => ({ id: crypto.randomUUID(), household_id: h.id, ...r, updated_at: at })));
    for (let i = 0; i < residents.length; i += CHUNK) await trx.insertInto('cdt_resident').values(residents.slice(i, i + CHUNK)).execute();
    // The primary key refuses a second import of the same file sent at the same moment.
    await trx.insertInto('cdt_import').values({ file_id: fileId, unit_id: village.id, households: householdRows.length, residents: residents.length, imported_at: at }).execute();
    await writeAudit(ctx.database, trx, audit, {
      action: 'teams.household.import',
      entity: 'cdt_household',
      unitId: village.id,
      detail: { file: fileId, households: householdRows.length, created, updated: householdRows.length - created, residents: residents.length },
    });
  });
  return { households: checked.households.length, created, residents: checked.households.reduce((n, h) => n + h.residents.length, 0) };
}

/** The village's households in the import's shape (one row per resident; a household without residents has one row). */
export async function householdTable(ctx: AppContext, villageId: string): Promise<(string | number | null)[][]> {
  const households = await ctx.database.db.selectFrom('cdt_household').selectAll().where('unit_id', '=', villageId).orderBy('head_name').orderBy('id').execute();
  const residents = await ctx.database.db
    .selectFrom('cdt_resident')
    .innerJoin('cdt_household', 'cdt_household.id', 'cdt_resident.household_id')
    .selectAll('cdt_resident')
    .where('cdt_household.unit_id', '=', villageId)
    .orderBy('cdt_resident.birth_year')
    .execute();
  const byHousehold = new Map<string, typeof residents>();
  for (const r of residents) {
    const list = byHousehold.get(r.household_id);
    if (list) list.push(r);
    else byHousehold.set(r.household_id, [r]);
  }
  const yn = (v: number) => (v ? 'Có' : 'Không');
  const rows: (string | number | null)[][] = [];
  for (const h of households) {
    const base = [h.id, h.head_name, h.address, yn(h.fibre), yn(h.digital_address), yn(h.pays_utilities_online)];
    const list = byHousehold.get(h.id) ?? [];
    if (!list.length) rows.push([...base, '', '', '', '', '', '', '']);
    for (const r of list) rows.push([...base, r.full_name, r.birth_year, ...RESIDENT_FLAGS.map((f) => yn(r[f]))]);
  }
  return rows;
}
