import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.ts';
import { Browser, testApp, type TestApp } from '../support/app.ts';
import { signIn } from '../support/auth.ts';
import { localToday } from '../../src/platform/i18n/index.ts';
import { remindDue } from '../../src/modules/documents/handling.ts';

const inDays = (n: number) => new Date(Date.parse(`${localToday()}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

describe.each(DIALECTS)('handling incoming documents on %s', (dialect) => {
  let t: TestApp;
  let leader: Browser;
  let lead: Browser;
  let co: Browser;
  const db = () => t.ctx.database.db;
  const account = async (username: string) => (await db().selectFrom('auth_account').select('id').where('username', '=', username).executeTakeFirstOrThrow()).id;
  let docId = '';

  beforeAll(async () => {
    t = await testApp(dialect);
    leader = new Browser(t.app);
    await signIn(leader, 'huongdao.chutich');
    lead = new Browser(t.app);
    await signIn(lead, 'huongdao.tuphap');
    co = new Browser(t.app);
    await signIn(co, 'huongdao.vhtt');
    docId = (await db().selectFrom('doc_incoming').select('id').where('unit_id', '=', 'u-25201').where('status', '=', 'registered').orderBy('arrival_number', 'desc').executeTakeFirstOrThrow()).id;
  });
  afterAll(() => t.close());

  it('puts registered documents before the leader, who instructs a lead, co-ordinators and a deadline', async () => {
    expect((await leader.get('/van-ban/viec-cua-toi')).body).toContain('Chờ cho ý kiến chỉ đạo');
    const url = `/van-ban/den/${docId}`;
    const csrf = await leader.csrf(url);
    const past = await leader.post(`${url}/chi-dao`, { _csrf: csrf, lead_id: await account('huongdao.tuphap'), deadline: '2020-01-01', comment: '' });
    expect(past.statusCode).toBe(400);
    expect(past.body).toContain('Hạn xử lý: hạn xử lý đã qua');
    const stranger = await leader.post(`${url}/chi-dao`, { _csrf: csrf, lead_id: await account('langcong.tuphap'), deadline: inDays(3), comment: '' });
    expect(stranger.statusCode).toBe(400);
    expect(stranger.body).toContain('hãy chọn cán bộ, công chức của xã');
    expect((await db().selectFrom('doc_incoming').select('status').where('id', '=', docId).executeTakeFirstOrThrow()).status).toBe('registered');
    // An official cannot instruct.
    expect((await lead.post(`${url}/chi-dao`, { _csrf: await lead.csrf(url), lead_id: await account('huongdao.tuphap'), deadline: inDays(3) })).statusCode).toBe(404);
    const ok = await leader.post(`${url}/chi-dao`, `_csrf=${encodeURIComponent(csrf)}&lead_id=${await account('huongdao.tuphap')}&co_ids=${await account('huongdao.vhtt')}&deadline=${inDays(3)}&comment=${encodeURIComponent('Đề nghị tổng hợp, báo cáo trước hạn')}` as never);
    expect(ok.statusCode).toBe(303);
    const a = await db().selectFrom('doc_assignment').selectAll().where('document_id', '=', docId).executeTakeFirstOrThrow();
    expect(a).toMatchObject({ lead_id: await account('huongdao.tuphap'), deadline: inDays(3), status: 'open' });
    expect(await db().selectFrom('doc_assignee').select(['account_id', 'role']).where('assignment_id', '=', a.id).orderBy('role').execute()).toEqual([
      { account_id: await account('huongdao.vhtt'), role: 'co' },
      { account_id: await account('huongdao.tuphap'), role: 'lead' },
    ]);
    const notices = await db().selectFrom('platform_notification').select(['account_id', 'subject']).where('source', '=', 'documents.handling').where('source_id', '=', docId).execute();
    expect(notices.map((n) => n.account_id).sort()).toEqual([await account('huongdao.tuphap'), await account('huongdao.vhtt')].sort());
    expect((await lead.get('/van-ban/viec-cua-toi')).body).toContain('Tôi chủ trì xử lý');
    const coDesk = (await co.get('/van-ban/viec-cua-toi')).body;
    expect(coDesk.slice(coDesk.indexOf('Tôi phối hợp'))).toContain(`/van-ban/den/${docId}`);
    const leaderDesk = (await leader.get('/van-ban/viec-cua-toi')).body;
    expect(leaderDesk.slice(leaderDesk.indexOf('Đã giao, chờ người khác'))).toContain(`/van-ban/den/${docId}`);
  });

  it('lets the lead report, hand over and close; others cannot; every step is in the history', async () => {
    const url = `/van-ban/den/${docId}`;
    const coCsrf = await co.csrf(url);
    const notLead = await co.post(`${url}/tien-do`, { _csrf: coCsrf, note: 'Tôi muốn báo cáo' });
    expect(notLead.statusCode).toBe(409);
    expect(notLead.body).toContain('Chỉ người chủ trì hoặc lãnh đạo đã giao');
    const csrf = await lead.csrf(url);
    expect((await lead.post(`${url}/tien-do`, { _csrf: csrf, note: 'Đã tổng hợp số liệu 10/14 thôn' })).statusCode).toBe(303);
    expect((await lead.post(`${url}/chuyen-xu-ly`, { _csrf: csrf, lead_id: await account('huongdao.vhtt'), note: 'Chuyển đồng chí Nam hoàn thiện' })).statusCode).toBe(303);
    expect((await lead.post(`${url}/hoan-thanh`, { _csrf: csrf, result_note: 'Xong', reply_code: '' })).statusCode).toBe(409);
    const newCsrf = await co.csrf(url);
    expect((await co.post(`${url}/hoan-thanh`, { _csrf: newCsrf, result_note: 'Đã gửi báo cáo cho Sở', reply_code: '12/UBND-VX' })).statusCode).toBe(303);
    expect(await db().selectFrom('doc_assignment').select(['status', 'reply_code']).where('document_id', '=', docId).executeTakeFirstOrThrow()).toEqual({ status: 'done', reply_code: '12/UBND-VX' });
    expect((await db().selectFrom('doc_incoming').select('status').where('id', '=', docId).executeTakeFirstOrThrow()).status).toBe('done');
    const events = (await db().selectFrom('doc_event').select('event').where('document_id', '=', docId).orderBy('at').execute()).map((e) => e.event);
    expect(events).toEqual(['instructed', 'progress', 'delegated', 'done']);
    expect((await leader.get(url)).body).toContain('Đã gửi báo cáo cho Sở (12/UBND-VX)');
  });

  it('reminds the lead once a day of what is due tomorrow, today or overdue', async () => {
    const other = (await db().selectFrom('doc_incoming').select('id').where('unit_id', '=', 'u-25201').where('status', '=', 'registered').executeTakeFirstOrThrow()).id;
    const csrf = await leader.csrf(`/van-ban/den/${other}`);
    expect((await leader.post(`/van-ban/den/${other}/chi-dao`, { _csrf: csrf, lead_id: await account('huongdao.tuphap'), deadline: inDays(1), comment: '' })).statusCode).toBe(303);
    const first = await remindDue(t.ctx);
    expect(first).toBeGreaterThanOrEqual(1);
    expect(await remindDue(t.ctx)).toBe(0);
    const reminders = await db().selectFrom('platform_notification').select('subject').where('source_id', '=', other).where('subject', 'like', 'Nhắc hạn%').execute();
    expect(reminders).toHaveLength(1);
  });
});
