import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.ts';
import { Browser, testApp, type TestApp } from '../support/app.ts';
import { signIn } from '../support/auth.ts';
import { workCalendar } from '../../src/modules/services/commands.ts';

describe.each(DIALECTS)('services administration on %s', (dialect) => {
  let t: TestApp;
  let admin: Browser;
  beforeAll(async () => {
    t = await testApp(dialect);
    admin = new Browser(t.app);
    await signIn(admin, 'tinh.quantri'); // sets up TOTP: once per file
  });
  afterAll(() => t.close());

  it('is for province administrators only', async () => {
    const official = new Browser(t.app);
    await signIn(official, 'huongdao.tuphap');
    expect((await official.get('/mot-cua/quan-tri')).statusCode).toBe(403);
    expect((await official.get('/mot-cua/quan-tri/danh-muc.json')).statusCode).toBe(403);
  });

  it('edits the working calendar: an announced day off changes deadlines; removal asks for confirmation', async () => {
    const csrf = await admin.csrf('/mot-cua/quan-tri?nam=2026');
    const bad = await admin.post('/mot-cua/quan-tri/lich', { _csrf: csrf, date: '2026-02-30', kind: 'off', name: 'x' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Ngày:');
    expect(bad.body).toContain('Tên ngày:');
    expect((await workCalendar(t.ctx)).isWorkingDay('2026-12-01')).toBe(true);
    const ok = await admin.post('/mot-cua/quan-tri/lich', { _csrf: csrf, date: '2026-12-01', kind: 'off', name: 'Nghỉ theo thông báo thử nghiệm' });
    expect(ok.statusCode).toBe(303);
    expect((await workCalendar(t.ctx)).isWorkingDay('2026-12-01')).toBe(false);
    expect((await workCalendar(t.ctx)).dueDate(new Date('2026-11-30T09:00:00+07:00'), 1, false)).toBe('2026-12-02');
    expect((await admin.get('/mot-cua/quan-tri?nam=2026')).body).toContain('Nghỉ theo thông báo thử nghiệm');
    const token = await admin.csrf('/mot-cua/quan-tri?nam=2026');
    expect((await admin.post('/mot-cua/quan-tri/lich/2026-12-01/xoa', { _csrf: token })).statusCode).toBe(400);
    expect((await workCalendar(t.ctx)).isWorkingDay('2026-12-01')).toBe(false);
    expect((await admin.post('/mot-cua/quan-tri/lich/2026-12-01/xoa', { _csrf: token, confirm: 'yes' })).statusCode).toBe(303);
    expect((await workCalendar(t.ctx)).isWorkingDay('2026-12-01')).toBe(true);
    const audited = await t.ctx.database.db.selectFrom('audit_event').select('action').where('action', 'like', 'services.calendar.%').execute();
    expect(audited.map((a) => a.action)).toEqual(['services.calendar.set', 'services.calendar.remove']);
  });

  it('exports the catalogue as JSON and imports it back all or nothing', async () => {
    const exported = await admin.get('/mot-cua/quan-tri/danh-muc.json');
    const list = exported.json<{ code: string; name: string }[]>();
    expect(list).toHaveLength(12);
    const csrf = await admin.csrf('/mot-cua/quan-tri');
    const edited = list.map((p) => (p.code === '1.001193' ? { ...p, name: 'Đăng ký khai sinh (đã sửa)' } : p));
    const broken = [...edited.slice(0, 11), { ...edited[11]!, code: 'sai-ma' }];
    const bad = await admin.postMultipart('/mot-cua/quan-tri/danh-muc', { _csrf: csrf }, { file: { name: 'dm.json', type: 'application/json', data: Buffer.from(JSON.stringify(broken)) } });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Danh mục thủ tục không hợp lệ tại 11.code');
    const names = async () => (await t.ctx.database.db.selectFrom('svc_procedure').select('name').where('code', '=', '1.001193').executeTakeFirstOrThrow()).name;
    expect(await names()).toBe('Đăng ký khai sinh');
    const notJson = await admin.postMultipart('/mot-cua/quan-tri/danh-muc', { _csrf: csrf }, { file: { name: 'dm.json', type: 'application/json', data: Buffer.from('{oops') } });
    expect(notJson.body).toContain('không đọc được tệp JSON');
    const ok = await admin.postMultipart('/mot-cua/quan-tri/danh-muc', { _csrf: csrf }, { file: { name: 'dm.json', type: 'application/json', data: Buffer.from(JSON.stringify(edited)) } });
    expect(ok.statusCode).toBe(303);
    expect(await names()).toBe('Đăng ký khai sinh (đã sửa)');
    expect((await new Browser(t.app).get('/dich-vu-cong?q=da%20sua')).body).toContain('Đăng ký khai sinh (đã sửa)');
  });

  it('enters a commune’s official agency identifier and fee account; bad values are named and change nothing', async () => {
    const page = await admin.get('/mot-cua/co-quan'.replace('/mot-cua/', '/mot-cua/quan-tri/') + '/u-25202');
    expect(page.statusCode).toBe(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const before = await t.ctx.database.db.selectFrom('svc_agency').selectAll().where('unit_id', '=', 'u-25202').executeTakeFirstOrThrow();
    const bad = await admin.post('/mot-cua/quan-tri/co-quan/u-25202', { _csrf: csrf, agency_code: 'H10', bank_bin: '123', bank_account: '12 34', bank_account_name: '' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Mã định danh cơ quan: có dạng 000.00.25.H10');
    expect(bad.body).toContain('Ngân hàng: hãy chọn ngân hàng có hỗ trợ VietQR.');
    expect(bad.body).toContain('Số tài khoản: từ 4 đến 19 chữ số');
    expect(bad.body).toContain('Tên chủ tài khoản: chưa nhập.');
    expect(bad.body).toContain('value="12 34"');
    expect(await t.ctx.database.db.selectFrom('svc_agency').selectAll().where('unit_id', '=', 'u-25202').executeTakeFirstOrThrow()).toEqual(before);
    const taken = await t.ctx.database.db.selectFrom('svc_agency').select('agency_code').where('unit_id', '=', 'u-25201').executeTakeFirstOrThrow();
    expect((await admin.post('/mot-cua/quan-tri/co-quan/u-25202', { _csrf: csrf, agency_code: taken.agency_code })).body).toContain('đã được dùng cho một xã khác');
    const ok = await admin.post('/mot-cua/quan-tri/co-quan/u-25202', { _csrf: csrf, agency_code: '000.00.25.H12', bank_bin: '970418', bank_account: '12010000123456', bank_account_name: 'Ủy ban nhân dân xã Lãng Công' });
    expect(ok.statusCode).toBe(303);
    expect(await t.ctx.database.db.selectFrom('svc_agency').selectAll().where('unit_id', '=', 'u-25202').executeTakeFirstOrThrow()).toMatchObject({
      agency_code: '000.00.25.H12',
      bank_bin: '970418',
      bank_account: '12010000123456',
      bank_account_name: 'ỦY BAN NHÂN DÂN XÃ LÃNG CÔNG',
    });
    expect((await admin.get('/mot-cua/quan-tri')).body).toContain('000.00.25.H12');
  });

  it('edits the time limits and fees of one catalogue entry, validated and audited', async () => {
    const row = await t.ctx.database.db.selectFrom('svc_procedure').select(['id', 'data']).where('code', '=', '1.004873').executeTakeFirstOrThrow();
    const page = await admin.get(`/mot-cua/quan-tri/thu-tuc/${row.id}`);
    expect(page.statusCode).toBe(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const bad = await admin.post(`/mot-cua/quan-tri/thu-tuc/${row.id}`, { _csrf: csrf, channels_0_days: 'ba', channels_0_fee_kind: 'fixed', channels_0_fee_amount: '', channels_0_fee_note: '', channels_1_days: '3', channels_1_fee_kind: 'free', channels_1_fee_amount: '', channels_1_fee_note: '' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Thời hạn giải quyết: nhập số ngày làm việc');
    expect(bad.body).toContain('Số tiền (đồng): cần nhập với loại phí này.');
    expect((await t.ctx.database.db.selectFrom('svc_procedure').select('data').where('id', '=', row.id).executeTakeFirstOrThrow()).data).toBe(row.data);
    const ok = await admin.post(`/mot-cua/quan-tri/thu-tuc/${row.id}`, { _csrf: csrf, channels_0_days: '2', channels_0_fee_kind: 'fixed', channels_0_fee_amount: '15000', channels_0_fee_note: 'Theo Nghị quyết HĐND tỉnh', channels_1_days: '2', channels_1_fee_kind: 'free', channels_1_fee_amount: '', channels_1_fee_note: 'Miễn khi nộp trực tuyến', channels_2_days: '4', channels_2_fee_kind: 'province', channels_2_fee_amount: '', channels_2_fee_note: '' });
    expect(ok.statusCode, ok.body.match(/class="error[^"]*"[^>]*>[^<]+/g)?.join('\n')).toBe(303);
    const data = JSON.parse((await t.ctx.database.db.selectFrom('svc_procedure').select('data').where('id', '=', row.id).executeTakeFirstOrThrow()).data) as { channels: { channel: string; days: number; fee: { kind: string; amount: number | null } }[] };
    expect(data.channels.map((c) => [c.channel, c.days, c.fee.kind, c.fee.amount])).toEqual([
      ['in_person', 2, 'fixed', 15000],
      ['online', 2, 'free', 0],
      ['postal', 4, 'province', null],
    ]);
    const audit = await t.ctx.database.db.selectFrom('audit_event').select('action').where('entity_id', '=', row.id).execute();
    expect(audit.map((a) => a.action)).toContain('services.catalogue.edit');
  });
});
