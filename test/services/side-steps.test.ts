import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QRPay } from 'vietnam-qr-pay';
import { DIALECTS } from '../support/databases.ts';
import { Browser, testApp, type TestApp } from '../support/app.ts';
import { signIn } from '../support/auth.ts';
import { citizenSignIn } from '../support/citizen.ts';
import { startDevIdp, type DevIdp } from '../../src/platform/auth/dev-idp.ts';
import { createOidcClient } from '../../src/platform/auth/oidc-client.ts';
import { computeFee } from '../../src/modules/services/schemas.ts';
import { decideSide, type SideFacts } from '../../src/modules/services/workflow.ts';
import { vietQrPayload } from '../../src/modules/services/side-steps.ts';
import { addDays, localToday } from '../../src/modules/services/calendar.ts';

describe('fees and side steps (pure)', () => {
  it('computes fees per unit with tiers and a cap', () => {
    const copies = { kind: 'per_unit' as const, amount: 8000, note: '', unitField: 'copies' };
    expect(computeFee(copies, { copies: '3' })).toBe(24000);
    expect(computeFee(copies, { copies: 'abc' })).toBe(8000);
    const pages = { kind: 'per_unit' as const, amount: 2000, note: '', unitField: 'pages', tiers: [{ fromUnit: 3, amount: 1000 }], max: 200000 };
    expect(computeFee(pages, { pages: '2' })).toBe(4000);
    expect(computeFee(pages, { pages: '5' })).toBe(7000);
    expect(computeFee(pages, { pages: '500' })).toBe(200000);
    expect(computeFee({ kind: 'free', amount: null, note: '' }, {})).toBe(0);
    expect(computeFee({ kind: 'province', amount: null, note: '' }, {})).toBeNull();
  });

  const facts = (over: Partial<SideFacts> = {}): SideFacts => ({ state: 'processing', paymentStatus: 'unpaid', feeAmount: 8000, dueDate: '2026-11-20', apologyAt: null, rating: null, ...over });
  const today = '2026-11-25';
  it('decides fees, form 04 and ratings by state, role and history', () => {
    expect(decideSide(facts(), 'confirm_payment', { roles: ['desk'], today })).toEqual({ ok: true });
    expect(decideSide(facts(), 'confirm_payment', { roles: ['specialist'], today })).toEqual({ ok: false, reason: 'role_not_allowed' });
    expect(decideSide(facts({ paymentStatus: 'paid' }), 'confirm_payment', { roles: ['desk'], today })).toEqual({ ok: false, reason: 'already_paid' });
    expect(decideSide(facts({ paymentStatus: 'none', feeAmount: 0 }), 'confirm_payment', { roles: ['desk'], today })).toEqual({ ok: false, reason: 'no_fee' });
    expect(decideSide(facts({ state: 'refused' }), 'confirm_payment', { roles: ['desk'], today })).toEqual({ ok: false, reason: 'not_allowed_from_state' });
    const apology = { roles: ['specialist'] as const, today, note: 'Chờ xác minh', newDate: '2026-11-30' };
    expect(decideSide(facts(), 'apology', apology)).toEqual({ ok: true });
    expect(decideSide(facts({ dueDate: '2026-11-26' }), 'apology', apology)).toEqual({ ok: false, reason: 'not_overdue' });
    expect(decideSide(facts({ apologyAt: '2026-11-21T01:00:00Z' }), 'apology', apology)).toEqual({ ok: false, reason: 'apology_once' });
    expect(decideSide(facts(), 'apology', { ...apology, newDate: today })).toEqual({ ok: false, reason: 'new_date' });
    expect(decideSide(facts(), 'apology', { ...apology, note: ' ' })).toEqual({ ok: false, reason: 'note_required' });
    expect(decideSide(facts({ state: 'done' }), 'apology', apology)).toEqual({ ok: false, reason: 'not_allowed_from_state' });
    expect(decideSide(facts({ state: 'returned' }), 'rate', { roles: ['applicant'], today })).toEqual({ ok: true });
    expect(decideSide(facts({ state: 'returned', rating: 4 }), 'rate', { roles: ['applicant'], today })).toEqual({ ok: false, reason: 'rating_once' });
    expect(decideSide(facts({ state: 'done' }), 'rate', { roles: ['applicant'], today })).toEqual({ ok: false, reason: 'not_allowed_from_state' });
    expect(decideSide(facts({ state: 'returned' }), 'rate', { roles: ['leader'], today })).toEqual({ ok: false, reason: 'role_not_allowed' });
  });
});

describe.each(DIALECTS)('fees by VietQR, form 04 and the rating on %s', (dialect) => {
  let t: TestApp;
  let idp: DevIdp;
  const PUBLIC_URL = 'http://127.0.0.1:3997';
  let desk: Browser;
  let leader: Browser;
  let citizen: Browser;
  let id = '';

  beforeAll(async () => {
    idp = await startDevIdp({ host: '127.0.0.1', port: 0, redirectUris: [`${PUBLIC_URL}/auth/oidc/callback`] });
    t = await testApp(dialect, { env: { PUBLIC_URL }, oidc: createOidcClient({ issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret }) });
    desk = new Browser(t.app);
    await signIn(desk, 'huongdao.tuphap');
    leader = new Browser(t.app);
    await signIn(leader, 'huongdao.chutich');
    citizen = new Browser(t.app);
    await citizenSignIn(citizen, 'dev-citizen-2');
  });
  afterAll(async () => {
    await t.close();
    await idp.close();
  });

  const db = () => t.ctx.database.db;
  const dossier = () => db().selectFrom('svc_dossier').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const deskPost = async (b: Browser, path: string, form: Record<string, string> = {}) => b.post(`/mot-cua/${id}/${path}`, { _csrf: await b.csrf(`/mot-cua/${id}`), ...form });

  it('the fee follows the form (3 copies × 8.000 đ) and the citizen is shown a VietQR code to pay it', async () => {
    const pid = (await db().selectFrom('svc_procedure').select('id').where('code', '=', '2.000635').executeTakeFirstOrThrow()).id;
    const form = await citizen.get(`/dich-vu-cong/${pid}/nop`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!;
    const key = /name="idempotency_key" value="([^"]+)"/.exec(form.body)![1]!;
    const res = await citizen.post(`/dich-vu-cong/${pid}/nop`, {
      _csrf: csrf,
      idempotency_key: key,
      unit_id: 'u-25201',
      applicant_name: 'Lê Văn Cường',
      applicant_id: '025090004321',
      applicant_address: 'Thôn Bắc, xã Hướng Đạo',
      applicant_phone: '0922222222',
      record_kind: 'Khai sinh',
      copies: '3',
    });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(303);
    id = String(res.headers.location).split('/').pop()!;
    const d = await dossier();
    expect(d).toMatchObject({ fee_amount: 24000, payment_status: 'unpaid' });
    const page = await citizen.get(`/ho-so/${id}`);
    expect(page.body).toContain('24.000 đ — Chưa nộp');
    expect(page.body).toContain(`src="/ho-so/${id}/vietqr.svg"`);
    expect(page.body).toContain('UBND XA HUONG DAO');
    const svg = await citizen.get(`/ho-so/${id}/vietqr.svg`);
    expect(svg.statusCode).toBe(200);
    expect(svg.headers['content-type']).toContain('image/svg+xml');
    // The payload the code carries: a valid VietQR (CRC checked) to the commune's account, amount and code.
    const agency = await db().selectFrom('svc_agency').selectAll().where('unit_id', '=', 'u-25201').executeTakeFirstOrThrow();
    const qr = new QRPay((await vietQrPayload(agency, d))!);
    expect(qr.isValid).toBe(true);
    expect(qr.amount).toBe('24000');
    expect(qr.consumer.bankBin).toBe('970415');
    expect(qr.consumer.bankNumber).toBe(agency.bank_account);
    expect(qr.additionalData.purpose).toBe(d.code);
    // Not someone else's to see.
    const stranger = new Browser(t.app);
    await citizenSignIn(stranger, 'dev-citizen-1');
    expect((await stranger.get(`/ho-so/${id}/vietqr.svg`)).statusCode).toBe(404);
  });

  it('the desk confirms the payment once; another commune cannot; the citizen is told', async () => {
    const other = new Browser(t.app);
    await signIn(other, 'langcong.tuphap');
    expect((await other.post(`/mot-cua/${id}/thu-phi`, { _csrf: await other.csrf('/mot-cua'), method: 'transfer' })).statusCode).toBe(404);
    const bad = await deskPost(desk, 'thu-phi', { method: 'bitcoin' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Hình thức nộp');
    expect((await deskPost(desk, 'thu-phi', { method: 'transfer' })).statusCode).toBe(303);
    expect(await dossier()).toMatchObject({ payment_status: 'paid', payment_method: 'transfer' });
    const again = await deskPost(desk, 'thu-phi', { method: 'cash' });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('đã được xác nhận thu');
    expect((await deskPost(desk, 'phi', { amount: '1000' })).statusCode).toBe(409); // a paid fee is not changed
    const page = await citizen.get(`/ho-so/${id}`);
    expect(page.body).toContain('Đã nộp');
    expect(page.body).not.toContain('vietqr.svg');
    expect((await citizen.get('/thong-bao')).body).toContain('Đã xác nhận thu phí');
  });

  it('form 04: only for a due or overdue dossier, with reason and new date, once; tracking shows the new date', async () => {
    expect((await deskPost(desk, 'receive')).statusCode).toBe(303);
    // A same-day procedure received in office hours (or before they open) is due today: the rule is
    // tested with a due date that is still ahead, whatever the hour the test runs at.
    await db().updateTable('svc_dossier').set({ due_date: addDays(localToday(), 1) }).where('id', '=', id).execute();
    const early = await deskPost(desk, 'xin-loi', { note: 'Chờ xác minh', new_date: addDays(localToday(), 3) });
    expect(early.statusCode).toBe(409);
    expect(early.body).toContain('đã đến hạn hoặc quá hạn');
    // Time passes: the due date is behind us.
    await db().updateTable('svc_dossier').set({ due_date: addDays(localToday(), -2) }).where('id', '=', id).execute();
    const missing = await deskPost(desk, 'xin-loi', { note: '', new_date: '' });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('Ngày hẹn mới: phải là một ngày sau hôm nay.');
    expect(missing.body).toContain('cần nêu rõ lý do');
    expect((await dossier()).apology_at).toBeNull();
    const newDate = addDays(localToday(), 4);
    expect((await deskPost(desk, 'xin-loi', { note: 'Cần xác minh thông tin tại nơi đăng ký ban đầu', new_date: newDate })).statusCode).toBe(303);
    const d = await dossier();
    expect(d).toMatchObject({ appointment_date: newDate, apology_reason: 'Cần xác minh thông tin tại nơi đăng ký ban đầu' });
    const event = await db().selectFrom('svc_dossier_event').selectAll().where('dossier_id', '=', id).where('action', '=', 'apology').executeTakeFirstOrThrow();
    expect(event.form).toBe('04');
    expect((await deskPost(desk, 'xin-loi', { note: 'Lần nữa', new_date: addDays(newDate, 2) })).statusCode).toBe(409);
    const pdf = await citizen.get(`/ho-so/${id}/mau-04.pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect((await citizen.get('/thong-bao')).body).toContain('xin lỗi');
    const tracking = await new Browser(t.app).get(`/tra-cuu?ma=${encodeURIComponent(d.code!)}`);
    expect(tracking.body).toContain('Hẹn trả kết quả mới');
  });

  it('after the result the citizen rates the service once; statistics count it', async () => {
    const early = await citizen.post(`/ho-so/${id}/danh-gia`, { _csrf: await citizen.csrf(`/ho-so/${id}`), rating: '4' });
    expect(early.statusCode).toBe(409);
    const me = (await db().selectFrom('auth_account').select('id').where('username', '=', 'huongdao.tuphap').executeTakeFirstOrThrow()).id;
    expect((await deskPost(desk, 'assign', { assignee_id: me })).statusCode).toBe(303);
    expect((await deskPost(desk, 'submit_for_approval')).statusCode).toBe(303);
    expect((await deskPost(leader, 'approve')).statusCode).toBe(303);
    expect((await deskPost(desk, 'return_result')).statusCode).toBe(303);
    const page = await citizen.get(`/ho-so/${id}`);
    expect(page.body).toContain('Đánh giá mức độ hài lòng');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const bad = await citizen.post(`/ho-so/${id}/danh-gia`, { _csrf: csrf, rating: '7' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Mức độ hài lòng: hãy chọn một mức.');
    expect((await citizen.post(`/ho-so/${id}/danh-gia`, { _csrf: csrf, rating: '4', comment: 'Cán bộ hướng dẫn tận tình' })).statusCode).toBe(303);
    expect(await dossier()).toMatchObject({ rating: 4, rating_comment: 'Cán bộ hướng dẫn tận tình' });
    expect((await citizen.post(`/ho-so/${id}/danh-gia`, { _csrf: csrf, rating: '1' })).statusCode).toBe(409);
    expect((await citizen.get(`/ho-so/${id}`)).body).toContain('Cảm ơn ông/bà đã đánh giá: Rất hài lòng');
    const stats = await desk.get('/mot-cua/thong-ke');
    expect(stats.body).toMatch(/data-testid="stat-satisfaction">\d+%/);
    expect(stats.body).toContain('Thanh toán trực tuyến (%)');
  });
});
