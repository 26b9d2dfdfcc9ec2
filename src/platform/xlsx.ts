/**
 * Spreadsheets officials open in Excel: one helper for every module's export (exceljs, loaded on first
 * use). A sheet has an optional title row, a bold frozen header, plain values (numbers stay numbers,
 * dates are written as text in Vietnamese order so Excel shows them as entered).
 */
import { foldVietnamese } from './search.ts';
export interface Sheet {
  name: string;
  title?: string;
  header: readonly string[];
  rows: readonly (readonly (string | number | null)[])[];
  /** Column widths in characters (defaults fit the header). */
  widths?: readonly number[];
}

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export async function writeXlsx(sheets: readonly Sheet[], creator = 'Xã Số'): Promise<Buffer> {
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  wb.creator = creator;
  wb.created = new Date();
  for (const s of sheets) {
    // Excel allows 31 characters and no []:*?/\ in a sheet name.
    const ws = wb.addWorksheet(s.name.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31));
    if (s.title) {
      const title = ws.addRow([s.title]);
      title.font = { bold: true, size: 13 };
      ws.mergeCells(1, 1, 1, Math.max(1, s.header.length));
    }
    const header = ws.addRow([...s.header]);
    header.font = { bold: true };
    header.alignment = { wrapText: true, vertical: 'middle' };
    for (const r of s.rows) ws.addRow(r.map((v) => (v === null ? '' : v)));
    ws.views = [{ state: 'frozen', ySplit: s.title ? 2 : 1 }];
    s.header.forEach((h, i) => {
      ws.getColumn(i + 1).width = s.widths?.[i] ?? Math.min(40, Math.max(10, h.length + 2));
    });
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Reads the first sheet of an XLSX file as rows of cell values (for imports and tests). */
export async function readXlsx(data: Buffer): Promise<{ name: string; rows: (string | number | null)[][] }[]> {
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(data as unknown as ArrayBuffer);
  return wb.worksheets.map((ws) => {
    const rows: (string | number | null)[][] = [];
    ws.eachRow({ includeEmpty: false }, (row) => {
      const values = (row.values as unknown[]).slice(1);
      rows.push(values.map(cellValue));
    });
    return { name: ws.name, rows };
  });
}

/** A cell as plain text or number: dates as YYYY-MM-DD, formulas by their result, rich text joined. */
function cellValue(v: unknown): string | number | null {
  if (typeof v === 'number' || typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (v && typeof v === 'object') {
    const o = v as { text?: unknown; result?: unknown; richText?: { text: string }[] };
    if (o.richText) return o.richText.map((r) => r.text).join('');
    if (o.text !== undefined) return cellValue(o.text);
    if (o.result !== undefined) return cellValue(o.result);
  }
  return null;
}

/** A table of cell values read from an uploaded spreadsheet, XLSX or CSV (told apart by content). */
export async function readTable(data: Buffer): Promise<(string | number | null)[][]> {
  // XLSX is a ZIP archive: it starts with "PK\x03\x04".
  if (data.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) return (await readXlsx(data))[0]?.rows ?? [];
  const { parse } = await import('csv-parse/sync');
  const text = data.toString('utf8').replace(/^\uFEFF/, '');
  // Excel in Vietnamese locales writes `;` between fields; others write `,`.
  const firstLine = text.slice(0, text.indexOf('\n') >>> 0);
  const delimiter = (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
  const rows: string[][] = parse(text, { delimiter, relax_column_count: true, skip_empty_lines: true, trim: true });
  return rows;
}

/** RFC 4180 CSV (CRLF) that Excel opens with Vietnamese intact (UTF-8 with a byte-order mark). */
export async function writeCsv(header: readonly string[], rows: readonly (readonly (string | number | null)[])[]): Promise<Buffer> {
  const { stringify } = await import('csv-stringify/sync');
  return Buffer.from(`\uFEFF${stringify([header, ...rows.map((r) => r.map((v) => (v === null ? '' : v)))], { record_delimiter: 'windows' })}`, 'utf8');
}

export const CSV_TYPE = 'text/csv; charset=utf-8';

/**
 * Finds a table's header (its first non-empty row) and each known column by its header text, in any
 * order, with or without diacritics. `missing` lists the required columns not found.
 */
export function locateColumns<K extends string>(table: readonly (readonly (string | number | null)[])[], columns: readonly { key: K; header: string }[], required: readonly K[]) {
  const text = (v: string | number | null | undefined) => (v === null || v === undefined ? '' : String(v).trim());
  const headerRow = table.findIndex((r) => r.some((c) => text(c)));
  const index = new Map<K, number>();
  if (headerRow < 0) return { headerRow, index, missing: [...required] };
  const header = table[headerRow]!.map((c) => foldVietnamese(text(c)));
  for (const c of columns) {
    const i = header.indexOf(foldVietnamese(c.header));
    if (i >= 0) index.set(c.key, i);
  }
  return { headerRow, index, missing: required.filter((k) => !index.has(k)) };
}
