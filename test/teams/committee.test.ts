import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.ts';
import { Browser, testApp, type TestApp } from '../support/app.ts';
import { signIn } from '../support/auth.ts';
import { localToday } from '../../src/platform/i18n/index.ts';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

describe.each(DIALECTS)('the steering committee on %s', (dialect) => {
  let t: TestApp;
  let leader: Browser;
  const url = '/ban-chi-dao/u-25201';
  const count = async (table: 'sc_member' | 'sc_document' | 'sc_plan' | 'sc_task') => Number((await t.ctx.database.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const audits = async (action: string) => t.ctx.database.db.selectFrom('audit_event').select(['actor_id', 'detail']).where('action', '=', action).execute();

  beforeAll(async () => {
    t = await testApp(dialect);
    leader = new Browser(t.app);
    await signIn(leader, 'huongdao.chutich');
  });
  afterAll(() => t.close());

  it('shows the commune’s committee: members, plan progress with overdue tasks, decision and regulation', async () => {
    const start = await leader.get('/ban-chi-dao');
    expect(start.headers.location).toBe(url);
    const page = (await leader.get(url)).body;
    expect(page).toContain('Ban chỉ đạo chuyển đổi số — Xã Hướng Đạo');
    expect(page).toContain('Trưởng ban');
    expect(page).toContain(`Kế hoạch chuyển đổi số năm ${localToday().slice(0, 4)}`);
    expect(page).toMatch(/\d+\/7 nhiệm vụ hoàn thành/);
    expect(page).toContain('Quy chế hoạt động của Ban chỉ đạo chuyển đổi số');
    const doc = /href="(\/ban-chi-dao\/u-25201\/van-ban\/[^"]+)">Quy chế/.exec(page)![1]!;
    const file = await leader.get(doc);
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('application/pdf');
    expect(file.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    // The indicators' page links to it with this year's tasks.
    expect((await leader.get('/chi-so/u-25201')).body).toMatch(/Nhiệm vụ của Ban chỉ đạo năm \d{4}: \d+\/7 hoàn thành/);
  });

  it('adds members with one serving head; bad input changes nothing', async () => {
    const csrf = await leader.csrf(url);
    const before = await count('sc_member');
    const bad = await leader.post(`${url}/thanh-vien`, { _csrf: csrf, full_name: 'A', position: '', committee_role: 'boss', phone: '12', joined_on: '2999-01-01' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Họ và tên:');
    expect(bad.body).toContain('Chức vụ:');
    expect(bad.body).toContain('Nhiệm vụ trong Ban:');
    expect(bad.body).toContain('Ngày tham gia: không được sau ngày hôm nay');
    const second = await leader.post(`${url}/thanh-vien`, { _csrf: csrf, full_name: 'Lê Văn Hai', position: 'Phó Chủ tịch UBND xã', committee_role: 'head', phone: '', joined_on: '2026-01-05' });
    expect(second.statusCode).toBe(409);
    expect(second.body).toContain('đã có Trưởng ban đang đảm nhiệm');
    expect(await count('sc_member')).toBe(before);
    const ok = await leader.post(`${url}/thanh-vien`, { _csrf: csrf, full_name: 'Lê Văn Hai', position: 'Bí thư Đoàn xã', committee_role: 'member', phone: '0912 345 678', joined_on: '2026-01-05' });
    expect(ok.statusCode).toBe(303);
    const row = await t.ctx.database.db.selectFrom('sc_member').selectAll().where('full_name', '=', 'Lê Văn Hai').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ unit_id: 'u-25201', committee_role: 'member', phone: '0912345678', left_on: null });
    expect(await audits('committee.member.add')).toHaveLength(1);
  });

  it('files the regulation as a PDF checked by its content', async () => {
    const csrf = await leader.csrf(url);
    const before = await count('sc_document');
    const fields = { _csrf: csrf, kind: 'regulation', number: '88/QĐ-UBND', issued_on: '2026-06-01', title: 'Quy chế hoạt động (sửa đổi)' };
    const none = await leader.postMultipart(`${url}/van-ban`, fields);
    expect(none.statusCode).toBe(400);
    expect(none.body).toContain('hãy chọn tệp PDF của văn bản');
    const png = await leader.postMultipart(`${url}/van-ban`, fields, { file: { name: 'quy-che.pdf', type: 'application/pdf', data: PNG } });
    expect(png.statusCode).toBe(400);
    expect(await count('sc_document')).toBe(before);
    expect((await leader.postMultipart(`${url}/van-ban`, fields, { file: { name: 'quy-che.pdf', type: 'application/pdf', data: PDF } })).statusCode).toBe(303);
    expect((await leader.get(url)).body).toContain('Quy chế hoạt động (sửa đổi)');
  });

  it('keeps a plan’s tasks with owner, deadline and status; overdue is shown', async () => {
    const csrf = await leader.csrf(url);
    expect((await leader.post(`${url}/ke-hoach`, { _csrf: csrf, year: '2026', number: '99/KH-UBND', title: 'Kế hoạch bổ sung', issued_on: '2026-02-01' })).statusCode).toBe(303);
    const plan = await t.ctx.database.db.selectFrom('sc_plan').selectAll().where('number', '=', '99/KH-UBND').executeTakeFirstOrThrow();
    const planUrl = `${url}/ke-hoach/${plan.id}`;
    const hai = await t.ctx.database.db.selectFrom('sc_member').select('id').where('full_name', '=', 'Lê Văn Hai').executeTakeFirstOrThrow();
    const foreign = await t.ctx.database.db.selectFrom('sc_member').select('id').where('unit_id', '=', 'u-25202').executeTakeFirstOrThrow();
    const token = await leader.csrf(planUrl);
    const stranger = await leader.post(`${planUrl}/nhiem-vu`, { _csrf: token, title: 'Nhiệm vụ thử', owner_id: foreign.id, deadline: '2026-03-01' });
    expect(stranger.statusCode).toBe(400);
    expect(stranger.body).toContain('hãy chọn một thành viên đang tham gia Ban chỉ đạo');
    expect(await t.ctx.database.db.selectFrom('sc_task').select('id').where('plan_id', '=', plan.id).execute()).toHaveLength(0);
    expect((await leader.post(`${planUrl}/nhiem-vu`, { _csrf: token, title: 'Lắp wifi miễn phí ở nhà văn hóa các thôn', owner_id: hai.id, deadline: '2026-03-01' })).statusCode).toBe(303);
    let page = (await leader.get(planUrl)).body;
    expect(page).toContain('Lắp wifi miễn phí ở nhà văn hóa các thôn');
    expect(page).toContain('Lê Văn Hai (Bí thư Đoàn xã)');
    expect(page).toContain('<strong>Quá hạn</strong>');
    const task = await t.ctx.database.db.selectFrom('sc_task').select('id').where('plan_id', '=', plan.id).executeTakeFirstOrThrow();
    const badStatus = await leader.post(`${planUrl}/nhiem-vu/${task.id}`, { _csrf: token, status: 'finished', note: '' });
    expect(badStatus.statusCode).toBe(400);
    expect(badStatus.body).toContain('Trạng thái:');
    // A member still owning an open task cannot leave.
    const leave = await leader.post(`${url}/thanh-vien/${hai.id}/roi`, { _csrf: csrf, left_on: localToday(), confirm: 'on' });
    expect(leave.statusCode).toBe(409);
    expect(leave.body).toContain('còn phụ trách 1 nhiệm vụ chưa hoàn thành');
    expect((await leader.post(`${planUrl}/nhiem-vu/${task.id}`, { _csrf: token, status: 'done', note: 'Đã lắp ở 14 thôn' })).statusCode).toBe(303);
    const done = await t.ctx.database.db.selectFrom('sc_task').selectAll().where('id', '=', task.id).executeTakeFirstOrThrow();
    expect(done).toMatchObject({ status: 'done', done_on: localToday(), note: 'Đã lắp ở 14 thôn' });
    page = (await leader.get(planUrl)).body;
    expect(page).not.toContain('<strong>Quá hạn</strong>');
    expect((await audits('committee.task.update'))[0]!.detail).toContain('done');
    expect((await leader.post(`${url}/thanh-vien/${hai.id}/roi`, { _csrf: csrf, left_on: localToday(), confirm: 'on' })).statusCode).toBe(303);
    expect((await leader.get(url)).body).toContain('Thành viên đã thôi tham gia Ban chỉ đạo');
  });

  it('is the commune’s and the province’s only: village teams and other communes get a 404', async () => {
    const member = new Browser(t.app);
    await signIn(member, 'huongdao.totv');
    expect((await member.get(url)).statusCode).toBe(404);
    const other = new Browser(t.app);
    await signIn(other, 'langcong.chutich');
    expect((await other.get(url)).statusCode).toBe(404);
    const token = await other.csrf('/ban-chi-dao/u-25202');
    const before = await count('sc_plan');
    expect((await other.post(`${url}/ke-hoach`, { _csrf: token, year: '2026', number: '1/KH', title: 'Kế hoạch lạ', issued_on: '2026-02-01' })).statusCode).toBe(404);
    expect(await count('sc_plan')).toBe(before);
    const province = new Browser(t.app);
    await signIn(province, 'tinh.quantri');
    expect((await province.get('/ban-chi-dao')).headers.location).toBe('/ban-chi-dao/u-25');
    expect((await province.get('/ban-chi-dao/u-25')).body).toContain('Chủ tịch UBND tỉnh');
    expect((await province.get(url)).statusCode).toBe(200);
  });
});
