import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.ts';
import { Browser, testApp, type TestApp } from '../support/app.ts';
import { signIn } from '../support/auth.ts';
import { warnDueDossiers } from '../../src/modules/services/warnings.ts';
import { deadlineOf } from '../../src/modules/services/presenters.tsx';
import { addDays, localToday } from '../../src/modules/services/calendar.ts';

describe('deadline marks', () => {
  it('marks open dossiers overdue or due by tomorrow, and nothing else', () => {
    expect(deadlineOf({ state: 'processing', due_date: '2026-11-27' }, '2026-11-28')).toBe('overdue');
    expect(deadlineOf({ state: 'processing', due_date: '2026-11-28' }, '2026-11-28')).toBe('due_soon');
    expect(deadlineOf({ state: 'received', due_date: '2026-11-29' }, '2026-11-28')).toBe('due_soon');
    expect(deadlineOf({ state: 'received', due_date: '2026-11-30' }, '2026-11-28')).toBeNull();
    expect(deadlineOf({ state: 'returned', due_date: '2026-11-01' }, '2026-11-28')).toBeNull();
  });
});

describe.each(DIALECTS)('deadline warnings on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp(dialect);
  });
  afterAll(() => t.close());
  const db = () => t.ctx.database.db;

  it('tells whoever must act on an overdue or nearly due dossier, once a day', async () => {
    const official = await db().selectFrom('auth_account').select('id').where('username', '=', 'huongdao.tuphap').executeTakeFirstOrThrow();
    const leader = await db().selectFrom('auth_account').select('id').where('username', '=', 'huongdao.chutich').executeTakeFirstOrThrow();
    // One dossier of each kind, placed against today's date.
    const pick = (state: string) => db().selectFrom('svc_dossier').select(['id', 'code']).where('unit_id', '=', 'u-25201').where('state', '=', state).limit(1).executeTakeFirstOrThrow();
    const processing = await pick('processing');
    const awaiting = await pick('awaiting_approval');
    const later = await pick('received');
    await db().updateTable('svc_dossier').set({ due_date: '2000-01-01' }).where('state', 'in', ['received', 'processing', 'awaiting_approval']).execute();
    await db().updateTable('svc_dossier').set({ due_date: addDays(localToday(), -1), assignee_id: official.id }).where('id', '=', processing.id).execute();
    await db().updateTable('svc_dossier').set({ due_date: localToday() }).where('id', '=', awaiting.id).execute();
    await db().updateTable('svc_dossier').set({ due_date: addDays(localToday(), 30) }).where('id', '=', later.id).execute();
    await db().updateTable('svc_dossier').set({ due_date: addDays(localToday(), 30) }).where('due_date', '=', '2000-01-01').execute();

    const first = await warnDueDossiers(t.ctx);
    expect(first.dossiers).toBe(2);
    const inbox = (accountId: string) => db().selectFrom('platform_notification').select(['subject', 'source_id']).where('account_id', '=', accountId).where('source', '=', 'services.deadline').execute();
    expect(await inbox(official.id)).toEqual([{ subject: `Hồ sơ ${processing.code} đã quá hạn`, source_id: processing.id }]);
    expect(await inbox(leader.id)).toEqual([{ subject: `Hồ sơ ${awaiting.code} sắp đến hạn`, source_id: awaiting.id }]);
    expect((await warnDueDossiers(t.ctx)).queued).toBe(0); // once a day

    const desk = new Browser(t.app);
    await signIn(desk, 'huongdao.tuphap');
    expect((await desk.get(`/mot-cua/${processing.id}`)).body).toContain('Đang xử lý · quá hạn');
    const leaderDesk = new Browser(t.app);
    await signIn(leaderDesk, 'huongdao.chutich');
    expect((await leaderDesk.get(`/mot-cua/${awaiting.id}`)).body).toContain('Chờ lãnh đạo phê duyệt · sắp đến hạn');
    const page = await desk.get('/thong-bao');
    expect(page.body).toContain('mẫu 04');
  });
});
