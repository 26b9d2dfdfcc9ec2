import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.ts';
import { Browser, testApp, type TestApp } from '../support/app.ts';
import { signIn } from '../support/auth.ts';
import { readXlsx, writeXlsx } from '../../src/platform/xlsx.ts';
import { parseDay, parseValues } from '../../src/modules/teams/indicator-io.ts';

const csv = (rows: string[][]) => Buffer.from(`\uFEFF${rows.map((r) => r.map((c) => (/[",;\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\r\n')}\r\n`);
const HEADER = ['Mã chỉ số', 'Chỉ số', 'Tử số', 'Mẫu số', 'Nguồn số liệu', 'Số liệu tính đến ngày'];

describe('reading indicator values from a spreadsheet', () => {
  it('finds the columns in any order, without diacritics, and the indicator by code or by name', () => {
    const r = parseValues(
      [
        ['Nguon so lieu', 'Mau so', 'Tu so', 'Chi so', 'So lieu tinh den ngay'],
        ['Văn phòng UBND xã', '25', '20', 'Cán bộ, công chức được tập huấn kỹ năng số', '20/11/2026'],
        ['Hợp tác xã', '16', '9', 'sản phẩm địa phương, ocop trên sàn thương mại điện tử', '2026-10-31'],
      ],
      '2026-11-28',
    );
    expect(r.problems).toEqual([]);
    expect(r.values).toEqual([
      { indicator: 'officials_trained', month: '2026-11', numerator: 20, denominator: 25, source: 'Văn phòng UBND xã', source_date: '2026-11-20' },
      { indicator: 'ecommerce_products', month: '2026-10', numerator: 9, denominator: 16, source: 'Hợp tác xã', source_date: '2026-10-31' },
    ]);
  });

  it('lists every bad row with its column, and keeps nothing', () => {
    const r = parseValues(
      [
        HEADER,
        ['officials_trained', '', '30', '25', 'Văn phòng', '20/11/2026'],
        ['smartphone', '', '1', '2', 'Văn phòng', '20/11/2026'],
        ['khong_co', '', '1', '2', 'Văn phòng', '20/11/2026'],
        ['officials_equipped', '', 'mười', '0', 'V', '31/02/2026'],
        ['officials_equipped', '', '1', '2', 'Văn phòng', '01/01/2999'],
        ['ecommerce_products', '', '3', '9', 'Hợp tác xã', '2026-11-01'],
        ['ecommerce_products', '', '4', '9', 'Hợp tác xã', '2026-11-15'],
      ],
      '2026-11-28',
    );
    const seen = r.problems.map((p) => [p.row, p.column, p.key]);
    expect(seen).toEqual([
      [2, 'Tử số', 'teams.ind.import.over_100'],
      [3, 'Mã chỉ số', 'teams.ind.import.computed'],
      [4, 'Mã chỉ số', 'teams.ind.import.unknown'],
      [5, 'Tử số', 'teams.ind.import.bad_number'],
      [5, 'Mẫu số', 'teams.ind.import.zero_denominator'],
      [5, 'Nguồn số liệu', 'teams.ind.import.bad_source'],
      [5, 'Số liệu tính đến ngày', 'teams.ind.import.bad_date'],
      [6, 'Số liệu tính đến ngày', 'teams.error.future_date'],
      [8, 'Số liệu tính đến ngày', 'teams.ind.import.duplicate'],
    ]);
    expect(r.problems.at(-1)!.params).toEqual({ row: 7 });
    expect(parseValues([['Tử số', 'Mẫu số']]).problems.map((p) => p.column)).toEqual(['Nguồn số liệu', 'Số liệu tính đến ngày', 'Mã chỉ số']);
  });

  it('reads dates as Vietnamese write them', () => {
    expect(parseDay('5/3/2026')).toBe('2026-03-05');
    expect(parseDay('05.03.2026')).toBe('2026-03-05');
    expect(parseDay('2026-03-05')).toBe('2026-03-05');
    expect(parseDay('29/02/2026')).toBeNull();
    expect(parseDay('hôm qua')).toBeNull();
  });
});

describe.each(DIALECTS)('importing indicator values on %s', (dialect) => {
  let t: TestApp;
  let official: Browser;
  const base = '/chi-so/u-25201';
  const value = (indicator: string, month: string) =>
    t.ctx.database.db.selectFrom('cdt_snapshot').selectAll().where('unit_id', '=', 'u-25201').where('indicator', '=', indicator).where('month', '=', month).executeTakeFirst();

  beforeAll(async () => {
    t = await testApp(dialect);
    official = new Browser(t.app);
    await signIn(official, 'huongdao.tuphap');
  });
  afterAll(() => t.close());

  it('previews a file row by row, saves nothing with a problem, then imports all on confirmation', async () => {
    const csrf = await official.csrf(`${base}/nhap`);
    const bad = await official.postMultipart(`${base}/nhap`, { _csrf: csrf }, { file: { name: 'so-lieu.csv', type: 'text/csv', data: csv([HEADER, ['officials_trained', '', '30', '25', 'Văn phòng', '20/10/2026']]) } });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Có 1 lỗi: chưa lưu gì.');
    expect(bad.body).toContain('không được lớn hơn mẫu số.');
    expect(await value('officials_trained', '2026-10')).toBeUndefined();
    const png = await official.postMultipart(`${base}/nhap`, { _csrf: csrf }, { file: { name: 'so-lieu.xlsx', type: XLSX, data: Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex') } });
    expect(png.statusCode).toBe(400);
    expect(png.body).toContain('không phải Excel (.xlsx) hay CSV');

    const file = await writeXlsx([{ name: 'Số liệu', header: HEADER, rows: [['officials_trained', '', 21, 25, 'Văn phòng UBND xã, tháng 10', '2026-10-20'], ['ecommerce_products', '', 7, 16, 'Hợp tác xã chè Tam Đảo', '15/10/2026']] }]);
    const preview = await official.postMultipart(`${base}/nhap`, { _csrf: csrf }, { file: { name: 'so-lieu.xlsx', type: XLSX, data: file } });
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toContain('Tệp hợp lệ: 2 dòng số liệu.');
    expect(preview.body).toContain('Hợp tác xã chè Tam Đảo');
    expect(await value('officials_trained', '2026-10')).toBeUndefined();
    const action = /action="(\/chi-so\/u-25201\/nhap\/[^"]+)"/.exec(preview.body)![1]!;
    const unconfirmed = await official.post(action, { _csrf: csrf });
    expect(unconfirmed.statusCode).toBe(400);
    expect(await value('officials_trained', '2026-10')).toBeUndefined();
    expect((await official.post(action, { _csrf: csrf, confirm: 'on' })).statusCode).toBe(303);
    expect(await value('officials_trained', '2026-10')).toMatchObject({ numerator: 21, denominator: 25, source: 'Văn phòng UBND xã, tháng 10', source_date: '2026-10-20' });
    expect(await value('ecommerce_products', '2026-10')).toMatchObject({ numerator: 7, denominator: 16, source_date: '2026-10-15' });
    // Confirming again replaces with the same figures: nothing doubles.
    expect((await official.post(action, { _csrf: csrf, confirm: 'on' })).statusCode).toBe(303);
    const rows = await t.ctx.database.db.selectFrom('cdt_snapshot').select('month').where('unit_id', '=', 'u-25201').where('indicator', '=', 'officials_trained').where('month', '=', '2026-10').execute();
    expect(rows).toHaveLength(1);
  });

  it('exports the entered values in the same shape, which imports back cleanly', async () => {
    const res = await official.get(`${base}/so-lieu.xlsx`);
    expect(res.statusCode).toBe(200);
    const [sheet] = await readXlsx(res.rawPayload);
    expect(sheet!.rows[0]).toEqual(HEADER);
    const entered = await t.ctx.database.db.selectFrom('cdt_snapshot').select('indicator').where('unit_id', '=', 'u-25201').where('indicator', 'in', ['officials_trained', 'officials_equipped', 'ecommerce_products']).execute();
    expect(sheet!.rows).toHaveLength(entered.length + 1);
    expect(sheet!.rows).toContainEqual(['officials_trained', 'Cán bộ, công chức được tập huấn kỹ năng số', 21, 25, 'Văn phòng UBND xã, tháng 10', '2026-10-20']);
    const again = parseValues(sheet!.rows);
    expect(again.problems).toEqual([]);
    expect(again.values).toHaveLength(entered.length);
    const csvFile = await official.get(`${base}/so-lieu.csv`);
    expect(csvFile.body.split('\n')[0]).toContain('Mã chỉ số,Chỉ số,Tử số,Mẫu số');
  });

  it('is for the commune’s officials only', async () => {
    const member = new Browser(t.app);
    await signIn(member, 'huongdao.totv');
    expect((await member.get(`${base}/nhap`)).statusCode).toBe(404);
    expect((await member.get(`${base}/so-lieu.xlsx`)).statusCode).toBe(404);
    expect((await official.get('/chi-so/u-25202/nhap')).statusCode).toBe(404);
  });
});

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
