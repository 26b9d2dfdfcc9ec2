import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.ts';
import { Browser, testApp, type TestApp } from '../support/app.ts';
import { signIn } from '../support/auth.ts';
import { createUnit } from '../../src/platform/units/commands.ts';
import { systemContext } from '../../src/platform/audit/audit.ts';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

describe.each(DIALECTS)('community digital-technology teams on %s', (dialect) => {
  let t: TestApp;
  let official: Browser;
  let village: string;
  const audits = async (action: string) =>
    t.ctx.database.db.selectFrom('audit_event').select(['actor_label', 'unit_id', 'entity_id']).where('action', '=', action).execute();

  beforeAll(async () => {
    t = await testApp(dialect);
    official = new Browser(t.app);
    await signIn(official, 'huongdao.tuphap');
    // A new village of Hướng Đạo, without a team yet.
    village = await createUnit(t.ctx, systemContext(), { code: '25201-15', name: 'Thôn Mới Lập', kind: 'village', level: 'village', parentId: 'u-25201', validFrom: '2026-01-01' });
  });
  afterAll(() => t.close());

  it('lists the commune’s villages with their teams, members and households', async () => {
    const page = await official.get('/to-cong-nghe');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Thôn Mới Lập');
    expect(page.body).toContain('Chưa thành lập');
    expect(page.body).not.toContain('Thôn Thượng'); // Lãng Công's village: another commune
  });

  it('establishes a team from the chairman’s decision; bad input changes nothing', async () => {
    const url = `/to-cong-nghe/${village}`;
    const csrf = await official.csrf(url);
    const bad = await official.postMultipart(url, { _csrf: csrf, decision_number: '', decision_date: '2999-01-01', zalo_link: 'http://example.com/x' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Số quyết định:');
    expect(bad.body).toContain('Ngày quyết định: không được sau ngày hôm nay');
    expect(bad.body).toContain('Nhóm Zalo của thôn: phải là liên kết nhóm Zalo');
    const notPdf = await official.postMultipart(url, { _csrf: csrf, decision_number: '130/QĐ-UBND', decision_date: '2026-03-02', zalo_link: '' }, { decision_file: { name: 'qd.pdf', type: 'application/pdf', data: PNG } });
    expect(notPdf.statusCode).toBe(400);
    expect(await t.ctx.database.db.selectFrom('cdt_team').select('id').where('unit_id', '=', village).executeTakeFirst()).toBeUndefined();
    const ok = await official.postMultipart(url, { _csrf: csrf, decision_number: '130/QĐ-UBND', decision_date: '2026-03-02', zalo_link: 'https://zalo.me/g/thonmoilap' }, { decision_file: { name: 'qd.pdf', type: 'application/pdf', data: PDF } });
    expect(ok.statusCode).toBe(303);
    const page = await official.get(url);
    expect(page.body).toContain('130/QĐ-UBND');
    expect(page.body).toContain('https://zalo.me/g/thonmoilap');
    const file = await official.get(`${url}/quyet-dinh.pdf`);
    expect(file.statusCode).toBe(200);
    expect(file.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect(await audits('teams.team.establish')).toHaveLength(1);
  });

  it('adds members with one village head, and keeps those who leave as history', async () => {
    const url = `/to-cong-nghe/${village}`;
    const csrf = await official.csrf(url);
    const add = (fields: Record<string, string>) => official.post(`${url}/thanh-vien`, { _csrf: csrf, ...fields });
    const bad = await add({ full_name: 'A', role: 'king', phone: '123', joined_on: '' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Họ và tên:');
    expect(bad.body).toContain('Vai trò:');
    expect(bad.body).toContain('Số điện thoại: phải là số điện thoại Việt Nam');
    expect((await add({ full_name: 'Nguyễn Văn Trưởng', role: 'village_head', phone: '0912 345 678', joined_on: '2026-03-02' })).statusCode).toBe(303);
    const second = await add({ full_name: 'Trần Văn Hai', role: 'village_head', phone: '', joined_on: '2026-03-02' });
    expect(second.statusCode).toBe(409);
    expect(second.body).toContain('tổ đã có trưởng thôn');
    expect((await add({ full_name: 'Lê Thị Đoàn', role: 'youth_union', phone: '', joined_on: '2026-03-02' })).statusCode).toBe(303);
    const member = await t.ctx.database.db.selectFrom('cdt_member').select(['id', 'phone']).where('full_name', '=', 'Lê Thị Đoàn').executeTakeFirstOrThrow();
    const leave = `${url}/thanh-vien/${member.id}/roi`;
    const unconfirmed = await official.post(leave, { _csrf: csrf, left_on: '2026-06-30' });
    expect(unconfirmed.statusCode).toBe(400);
    const early = await official.post(leave, { _csrf: csrf, left_on: '2026-01-01', confirm: 'on' });
    expect(early.statusCode).toBe(400);
    expect(early.body).toContain('không được trước ngày tham gia');
    expect((await official.post(leave, { _csrf: csrf, left_on: '2026-06-30', confirm: 'on' })).statusCode).toBe(303);
    const page = await official.get(url);
    expect(page.body).toContain('Thành viên đã rời tổ');
    expect(page.body).toContain('30/06/2026');
    const head = await t.ctx.database.db.selectFrom('cdt_member').select('phone').where('full_name', '=', 'Nguyễn Văn Trưởng').executeTakeFirstOrThrow();
    expect(head.phone).toBe('0912345678');
  });

  it('lets a team member keep their own village’s households, and nobody else’s (404, audited)', async () => {
    const member = new Browser(t.app);
    await signIn(member, 'huongdao.totv'); // team member of u-25201-01
    const own = await member.get('/to-cong-nghe/u-25201-01/ho');
    expect(own.statusCode).toBe(200);
    expect(own.body).toContain('Có cáp quang');
    const listed = await audits('teams.household.list');
    expect(listed.some((a) => a.unit_id === 'u-25201-01' && a.actor_label === 'Hoàng Thị Thu')).toBe(true);
    expect((await member.get('/to-cong-nghe/u-25201-02/ho')).statusCode).toBe(404);
    const other = await t.ctx.database.db.selectFrom('cdt_household').select('id').where('unit_id', '=', 'u-25201-02').executeTakeFirstOrThrow();
    expect((await member.get(`/ho-gia-dinh/${other.id}`)).statusCode).toBe(404);
    const csrf = await member.csrf('/to-cong-nghe/u-25201-01/ho');
    expect((await member.post(`/ho-gia-dinh/${other.id}`, { _csrf: csrf, head_name: 'Kẻ Lạ', address: 'Xóm 1' })).statusCode).toBe(404);
    const refused = await t.ctx.database.db.selectFrom('audit_event').select(['detail', 'actor_label']).where('action', '=', 'access.denied').where('unit_id', '=', 'u-25201-02').execute();
    expect(refused.map((r) => JSON.parse(r.detail) as { action: string }).map((d) => d.action)).toEqual(expect.arrayContaining(['household.read', 'household.manage']));
    // Another commune's official cannot reach Hướng Đạo's villages either.
    const outsider = new Browser(t.app);
    await signIn(outsider, 'langcong.chutich');
    expect((await outsider.get('/to-cong-nghe/u-25201-01/ho')).statusCode).toBe(404);
  });

  it('records a household and its residents; the village figures follow; removal asks for confirmation', async () => {
    const member = new Browser(t.app);
    await signIn(member, 'huongdao.totv');
    const list = '/to-cong-nghe/u-25201-01/ho';
    const csrf = await member.csrf(list);
    const bad = await member.post(list, { _csrf: csrf, head_name: '', address: '' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Chủ hộ:');
    const created = await member.post(list, { _csrf: csrf, head_name: 'Đinh Công Tráng', address: 'Xóm 9, ngõ 2', fibre: 'on' });
    expect(created.statusCode).toBe(303);
    const url = String(created.headers.location);
    const id = url.split('/').pop()!;
    const before = await t.ctx.database.db.selectFrom('cdt_resident').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const badResident = await member.post(`${url}/nhan-khau`, { _csrf: csrf, full_name: 'Đinh Thị Mai', birth_year: '2999' });
    expect(badResident.statusCode).toBe(400);
    expect(badResident.body).toContain('Năm sinh: không được sau năm nay');
    const after = await t.ctx.database.db.selectFrom('cdt_resident').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
    expect((await member.post(`${url}/nhan-khau`, { _csrf: csrf, full_name: 'Đinh Thị Mai', birth_year: '1990', smartphone: 'on', vneid_level2: 'on' })).statusCode).toBe(303);
    expect((await member.post(`${url}/nhan-khau`, { _csrf: csrf, full_name: 'Đinh Văn Bé', birth_year: String(new Date().getUTCFullYear() - 5) })).statusCode).toBe(303);
    const page = await member.get(url);
    expect(page.body).toContain('Đinh Thị Mai');
    expect(page.body).toContain('dưới 18 tuổi');
    expect((await audits('teams.household.view')).some((a) => a.entity_id === id)).toBe(true);
    // Search without diacritics.
    const found = await member.get(`${list}?q=dinh cong trang`);
    expect(found.body).toContain('Đinh Công Tráng');
    const rid = (await t.ctx.database.db.selectFrom('cdt_resident').select('id').where('household_id', '=', id).where('full_name', '=', 'Đinh Văn Bé').executeTakeFirstOrThrow()).id;
    expect((await member.post(`${url}/nhan-khau/${rid}/xoa`, { _csrf: csrf })).statusCode).toBe(400);
    expect((await member.post(`${url}/nhan-khau/${rid}/xoa`, { _csrf: csrf, confirm: 'on' })).statusCode).toBe(303);
    expect(await t.ctx.database.db.selectFrom('cdt_resident').select('id').where('id', '=', rid).executeTakeFirst()).toBeUndefined();
  });

  it('records a support session in under a minute from the team page, photo checked by content', async () => {
    const member = new Browser(t.app);
    await signIn(member, 'huongdao.totv');
    const url = '/to-cong-nghe/u-25201-01';
    const csrf = await member.csrf(url);
    const post = (fields: Record<string, string>, photo?: Buffer) =>
      member.postMultipart(`${url}/hoat-dong`, { _csrf: csrf, ...fields }, photo ? { photo: { name: 'anh.png', type: 'image/png', data: photo } } : {});
    const bad = await post({ date: '2999-01-01', topic: 'dancing', people_helped: '-1' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Ngày: không được sau ngày hôm nay');
    expect(bad.body).toContain('Nội dung:');
    expect(bad.body).toContain('Số người được hỗ trợ:');
    const count = async () => Number((await t.ctx.database.db.selectFrom('cdt_activity').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const before = await count();
    expect((await post({ date: '2026-11-20', topic: 'meeting', people_helped: '12' }, PDF)).statusCode).toBe(400);
    expect(await count()).toBe(before);
    expect((await post({ date: '2026-11-20', topic: 'meeting', people_helped: '12', notes: 'Họp tổ tại nhà văn hóa' }, PNG)).statusCode).toBe(303);
    const page = await member.get(url);
    expect(page.body).toContain('Họp tổ tại nhà văn hóa');
    expect(page.body).toContain('Họp tổ, tuyên truyền');
    expect(await count()).toBe(before + 1);
    const row = await t.ctx.database.db.selectFrom('cdt_activity').selectAll().where('notes', '=', 'Họp tổ tại nhà văn hóa').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ unit_id: 'u-25201-01', people_helped: 12, recorded_by_label: 'Hoàng Thị Thu' });
    expect(row.photo_file_id).not.toBeNull();
    // Not in another village.
    expect((await member.postMultipart('/to-cong-nghe/u-25201-02/hoat-dong', { _csrf: csrf, date: '2026-11-20', topic: 'meeting', people_helped: '3' })).statusCode).toBe(404);
  });

  it('a session with a household sets the helped residents’ fact (VNeID level 2)', async () => {
    const member = new Browser(t.app);
    await signIn(member, 'huongdao.totv');
    const db = t.ctx.database.db;
    const target = await db
      .selectFrom('cdt_resident')
      .innerJoin('cdt_household', 'cdt_household.id', 'cdt_resident.household_id')
      .select(['cdt_resident.id', 'cdt_resident.household_id'])
      .where('cdt_household.unit_id', '=', 'u-25201-01')
      .where('cdt_resident.vneid_level2', '=', 0)
      .executeTakeFirstOrThrow();
    const url = `/ho-gia-dinh/${target.household_id}`;
    const csrf = await member.csrf(url);
    const none = await member.post(`${url}/hoat-dong`, { _csrf: csrf, date: '2026-11-21', topic: 'vneid' });
    expect(none.statusCode).toBe(400);
    expect(none.body).toContain('Người được hỗ trợ: hãy chọn ít nhất một người');
    const stranger = await db.selectFrom('cdt_resident').select('id').where('household_id', '!=', target.household_id).executeTakeFirstOrThrow();
    const foreign = await member.post(`${url}/hoat-dong`, { _csrf: csrf, date: '2026-11-21', topic: 'vneid', resident: stranger.id });
    expect(foreign.statusCode).toBe(400);
    expect((await member.post(`${url}/hoat-dong`, { _csrf: csrf, date: '2026-11-21', topic: 'vneid', resident: target.id })).statusCode).toBe(303);
    expect((await db.selectFrom('cdt_resident').select('vneid_level2').where('id', '=', target.id).executeTakeFirstOrThrow()).vneid_level2).toBe(1);
    const activity = await db.selectFrom('cdt_activity').innerJoin('cdt_activity_household', 'cdt_activity_household.activity_id', 'cdt_activity.id').selectAll('cdt_activity').where('cdt_activity_household.household_id', '=', target.household_id).executeTakeFirstOrThrow();
    expect(activity).toMatchObject({ topic: 'vneid', people_helped: 1, households_touched: 1 });
  });

  it('counts only adults in the resident figures', async () => {
    const { teamsRepository } = await import('../../src/modules/teams/repository.ts');
    const year = new Date().getUTCFullYear();
    const [fig] = await teamsRepository(t.ctx.database).villageFigures(['u-25201-01'], year);
    const adults = await t.ctx.database.db
      .selectFrom('cdt_resident')
      .innerJoin('cdt_household', 'cdt_household.id', 'cdt_resident.household_id')
      .select((e) => e.fn.countAll<number>().as('n'))
      .where('cdt_household.unit_id', '=', 'u-25201-01')
      .where('cdt_resident.birth_year', '<=', year - 18)
      .executeTakeFirstOrThrow();
    expect(fig!.adults).toBe(Number(adults.n));
    expect(fig!.smartphone).toBeLessThanOrEqual(fig!.adults);
    expect(fig!.households).toBeGreaterThan(0);
  });
});
