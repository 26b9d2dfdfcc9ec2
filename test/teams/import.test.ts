import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.ts';
import { Browser, testApp, type TestApp } from '../support/app.ts';
import { signIn } from '../support/auth.ts';
import { parseHouseholds } from '../../src/modules/teams/households-io.ts';
import { readXlsx } from '../../src/platform/xlsx.ts';

const HEADER = ['Mã hộ', 'Chủ hộ', 'Địa chỉ', 'Cáp quang', 'Địa chỉ số', 'Thanh toán điện nước trực tuyến', 'Họ và tên', 'Năm sinh', 'Điện thoại thông minh', 'VNeID mức 2', 'Tài khoản dịch vụ công', 'Tài khoản thanh toán', 'Nhóm Zalo'];
const csv = (rows: string[][]) => Buffer.from(`\uFEFF${rows.map((r) => r.map((c) => (/[",;\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\r\n')}\r\n`);

describe('households spreadsheet, read and checked', () => {
  it('finds columns by header without diacritics, groups residents into households, reads Có/Không', () => {
    const result = parseHouseholds(
      [
        ['chu ho', 'dia chi', 'ho va ten', 'nam sinh', 'cap quang', 'vneid muc 2'],
        ['Lê Văn Tám', 'Xóm 1', 'Lê Văn Tám', 1970, 'Có', 'x'],
        ['Lê Văn Tám', 'Xóm 1', 'Lê Thị Chín', '1975', 'có', ''],
        [null, null, null, null, null, null],
        ['Hà Thị Mười', 'Xóm 2', 'Hà Thị Mười', 1988, 'Không', 'Có'],
      ],
      new Set(),
      2026,
    );
    expect(result.problems).toEqual([]);
    expect(result.rows).toBe(3);
    expect(result.households).toHaveLength(2);
    expect(result.households[0]).toMatchObject({ id: null, head_name: 'Lê Văn Tám', fibre: 1 });
    expect(result.households[0]!.residents.map((r) => [r.full_name, r.birth_year, r.vneid_level2])).toEqual([
      ['Lê Văn Tám', 1970, 1],
      ['Lê Thị Chín', 1975, 0],
    ]);
  });

  it('names every problem by its row and column, and keeps nothing', () => {
    const result = parseHouseholds(
      [
        HEADER,
        ['', 'Lê Văn Tám', 'Xóm 1', 'Có', '', '', 'Lê Văn Tám', '1970', 'hình như', '', '', '', ''],
        ['', 'Lê Văn Tám', 'Xóm 1', 'Không', '', '', 'L', '3000', '', '', '', '', ''],
        ['khong-co-ma', 'Hà Thị Mười', 'Xóm 2', '', '', '', 'Hà Thị Mười', '1988', '', '', '', '', ''],
      ],
      new Set(),
      2026,
    );
    expect(result.problems).toEqual([
      { row: 2, column: 'Điện thoại thông minh', key: 'teams.import.bad_flag', params: { value: 'hình như' } },
      { row: 3, column: 'Cáp quang', key: 'teams.import.household_differs', params: { row: 2 } },
      { row: 3, column: 'Họ và tên', key: 'teams.import.bad_name' },
      { row: 3, column: 'Năm sinh', key: 'teams.import.bad_year', params: { value: '3000', year: 2026 } },
      { row: 4, column: 'Mã hộ', key: 'teams.import.unknown_code', params: { value: 'khong-co-ma' } },
    ]);
  });

  it('refuses a table without the required columns', () => {
    const result = parseHouseholds([['Họ và tên', 'Năm sinh'], ['A B', '1990']], new Set());
    expect(result.problems.map((p) => p.column)).toEqual(['Chủ hộ', 'Địa chỉ']);
  });
});

describe.each(DIALECTS)('households import and export on %s', (dialect) => {
  let t: TestApp;
  let head: Browser;
  const village = 'u-25201-01';
  const base = `/to-cong-nghe/${village}`;
  const count = async (table: 'cdt_household' | 'cdt_resident') => {
    const q = t.ctx.database.db.selectFrom('cdt_household').where('cdt_household.unit_id', '=', village);
    const r = table === 'cdt_household' ? await q.select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow() : await q.innerJoin('cdt_resident', 'cdt_resident.household_id', 'cdt_household.id').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  };

  beforeAll(async () => {
    t = await testApp(dialect);
    head = new Browser(t.app);
    await signIn(head, 'huongdao.dongbua'); // village head of u-25201-01
  });
  afterAll(() => t.close());

  it('exports the village’s households (audited) and takes the same file back without change', async () => {
    const [households, residents] = [await count('cdt_household'), await count('cdt_resident')];
    const file = await head.get(`${base}/ho.xlsx`);
    expect(file.statusCode).toBe(200);
    const [sheet] = await readXlsx(file.rawPayload);
    expect(sheet!.rows[0]).toEqual(HEADER);
    expect(sheet!.rows.length - 1).toBeGreaterThanOrEqual(residents);
    expect((await t.ctx.database.db.selectFrom('audit_event').select('seq').where('action', '=', 'teams.household.export').execute()).length).toBe(1);
    const csrf = await head.csrf(`${base}/nhap`);
    const preview = await head.postMultipart(`${base}/nhap`, { _csrf: csrf }, { file: { name: 'ho.xlsx', type: 'application/octet-stream', data: file.rawPayload } });
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toContain(`${households} hộ (0 hộ mới, ${households} hộ cập nhật)`);
    const fileId = /nhap\/([0-9a-f-]{36})"/.exec(preview.body)![1]!;
    const unconfirmed = await head.post(`${base}/nhap/${fileId}`, { _csrf: csrf });
    expect(unconfirmed.statusCode).toBe(400);
    expect((await head.post(`${base}/nhap/${fileId}`, { _csrf: csrf, confirm: 'on' })).statusCode).toBe(303);
    expect([await count('cdt_household'), await count('cdt_resident')]).toEqual([households, residents]);
  });

  it('lists a bad file’s problems row by row in Vietnamese and saves nothing; a good one is saved whole', async () => {
    const before = [await count('cdt_household'), await count('cdt_resident')];
    const csrf = await head.csrf(`${base}/nhap`);
    const bad = csv([HEADER, ['', 'Kiều Văn Một', 'Xóm 7', 'Có', '', '', 'Kiều Văn Một', '1960', '', '', '', '', ''], ['', 'Kiều Văn Một', 'Xóm 7', '', '', '', 'Kiều Thị Hai', 'năm ngoái', '', '', '', '', '']]);
    const refused = await head.postMultipart(`${base}/nhap`, { _csrf: csrf }, { file: { name: 'ho.csv', type: 'text/csv', data: bad } });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('Có 1 lỗi: chưa lưu gì');
    expect(refused.body).toContain('“năm ngoái” không phải năm sinh hợp lệ');
    expect([await count('cdt_household'), await count('cdt_resident')]).toEqual(before);
    const png = await head.postMultipart(`${base}/nhap`, { _csrf: csrf }, { file: { name: 'ho.csv', type: 'text/csv', data: Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex') } });
    expect(png.statusCode).toBe(400);
    expect(png.body).toContain('không phải Excel (.xlsx) hay CSV');
    const rows = [HEADER];
    for (let i = 0; i < 30; i++) rows.push(['', `Kiều Văn Số ${i}`, `Xóm 8, nhà ${i}`, i % 2 ? 'Có' : 'Không', '', '', `Kiều Văn Số ${i}`, String(1950 + i), 'Có', 'Có', '', '', '']);
    rows.push(['', 'Kiều Văn Số 0', 'Xóm 8, nhà 0', '', '', '', 'Kiều Thị Vợ', '1955', '', '', '', '', '']);
    const good = await head.postMultipart(`${base}/nhap`, { _csrf: csrf }, { file: { name: 'ho.csv', type: 'text/csv', data: csv(rows) } });
    expect(good.statusCode).toBe(200);
    expect(good.body).toContain('31 dòng, 30 hộ (30 hộ mới, 0 hộ cập nhật), 31 nhân khẩu');
    const fileId = /nhap\/([0-9a-f-]{36})"/.exec(good.body)![1]!;
    expect((await head.post(`${base}/nhap/${fileId}`, { _csrf: csrf, confirm: 'on' })).statusCode).toBe(303);
    expect([await count('cdt_household'), await count('cdt_resident')]).toEqual([before[0]! + 30, before[1]! + 31]);
    const audit = await t.ctx.database.db.selectFrom('audit_event').select('detail').where('action', '=', 'teams.household.import').orderBy('seq', 'desc').executeTakeFirstOrThrow();
    expect(JSON.parse(audit.detail)).toMatchObject({ households: 30, created: 30, residents: 31 });
    // Sending the confirmation again (a double click, the back button) does not import it twice.
    const again = await head.post(`${base}/nhap/${fileId}`, { _csrf: csrf, confirm: 'on' });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('Tệp này đã được nhập');
    expect(await count('cdt_household')).toBe(before[0]! + 30);
  });

  it('is out of reach for another village’s team (404)', async () => {
    const other = new Browser(t.app);
    await signIn(other, 'huongdao.totv');
    expect((await other.get('/to-cong-nghe/u-25201-02/nhap')).statusCode).toBe(404);
    expect((await other.get('/to-cong-nghe/u-25201-02/ho.csv')).statusCode).toBe(404);
  });
});
