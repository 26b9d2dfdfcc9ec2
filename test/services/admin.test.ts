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
});
