import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.ts';
import { Browser, testApp, type TestApp } from '../support/app.ts';
import { signIn } from '../support/auth.ts';
import { citizenSignIn } from '../support/citizen.ts';
import { startDevIdp, type DevIdp } from '../../src/platform/auth/dev-idp.ts';
import { createOidcClient } from '../../src/platform/auth/oidc-client.ts';
import { systemContext } from '../../src/platform/audit/audit.ts';
import { fileOnline } from '../../src/modules/services/commands.ts';
import { validateForm } from '../../src/modules/services/forms.ts';
import { procedureSchema } from '../../src/modules/services/schemas.ts';

const CODE = /^000\.00\.25\.X25201-\d{6}-\d{4}$/;

describe.each(DIALECTS)('online public services and the one-stop desk on %s', (dialect) => {
  let t: TestApp;
  let idp: DevIdp;
  const PUBLIC_URL = 'http://127.0.0.1:3999';
  beforeAll(async () => {
    idp = await startDevIdp({ host: '127.0.0.1', port: 0, redirectUris: [`${PUBLIC_URL}/auth/oidc/callback`] });
    t = await testApp(dialect, { env: { PUBLIC_URL }, oidc: createOidcClient({ issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret }) });
  });
  afterAll(async () => {
    await t.close();
    await idp.close();
  });

  const db = () => t.ctx.database.db;
  const procedureId = async (code: string) => (await db().selectFrom('svc_procedure').select('id').where('code', '=', code).executeTakeFirstOrThrow()).id;
  const dossier = (id: string) => db().selectFrom('svc_dossier').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const count = async () => Number((await db().selectFrom('svc_dossier').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const birthForm = (extra: Record<string, string> = {}) => ({
    unit_id: 'u-25201',
    applicant_name: 'Nguyễn Văn An',
    applicant_id: '025090001234',
    applicant_address: 'Thôn Đông, xã Hướng Đạo, tỉnh Phú Thọ',
    applicant_phone: '0912345678',
    relationship: 'Cha',
    child_name: 'Nguyễn Minh Khôi',
    child_birth_date: '2026-11-20',
    child_sex: 'Nam',
    birth_place: 'Trạm y tế xã Hướng Đạo',
    mother_name: 'Lê Thị Hoa',
    ...extra,
  });

  it("fills every demo dossier's form as its procedure asks, so each passes a real dossier's validation", async () => {
    const procedures = new Map((await db().selectFrom('svc_procedure').select(['id', 'data']).execute()).map((p) => [p.id, procedureSchema.parse(JSON.parse(p.data))]));
    const demo = await db().selectFrom('svc_dossier').select(['procedure_id', 'form_data', 'submitted_at']).where('unit_id', 'in', ['u-25201', 'u-25202', 'u-25203', 'u-25204']).execute();
    expect(demo.length).toBeGreaterThanOrEqual(200);
    const checked = new Set<string>();
    for (const d of demo) {
      const form = procedures.get(d.procedure_id)!.form;
      const values = JSON.parse(d.form_data) as Record<string, string>;
      const result = validateForm(form, values, 'vi');
      expect(result.ok ? [] : result.errors).toEqual([]);
      // Every required field says something, and dates of birth and death lie before the filing.
      for (const f of form.filter((f) => f.required)) expect(values[f.name], f.name).toBeTruthy();
      for (const f of form.filter((f) => f.type === 'date' && values[f.name])) expect(values[f.name]! <= d.submitted_at!.slice(0, 10), f.name).toBe(true);
      checked.add(d.procedure_id);
    }
    // The spread covers the whole catalogue.
    expect(checked.size).toBe(12);
  });

  it('serves the catalogue of the twelve procedures, searchable without diacritics', async () => {
    const b = new Browser(t.app);
    const all = await b.get('/dich-vu-cong');
    expect(all.statusCode).toBe(200);
    expect(all.body.match(/<td data-label="[^"]+"><a href="\/dich-vu-cong\//g)).toHaveLength(12);
    const found = await b.get('/dich-vu-cong?q=khai%20sinh');
    expect(found.body).toContain('Đăng ký khai sinh');
    expect(found.body).toContain('Đăng ký lại khai sinh');
    expect(found.body).not.toContain('Đăng ký kết hôn');
    expect((await b.get('/dich-vu-cong?q=CHUNG%20THUC')).body.match(/<td data-label="[^"]+"><a href="\/dich-vu-cong\//g)).toHaveLength(2);
    const detail = await b.get(`/dich-vu-cong/${await procedureId('1.001193')}`);
    expect(detail.body).toContain('Luật Hộ tịch');
    expect(detail.body).toContain('Nộp hồ sơ trực tuyến');
  });

  let filedId = '';
  it('a citizen files online: prefilled from the e-ID, field errors named and nothing stored, then one dossier per idempotency key', async () => {
    const c = new Browser(t.app);
    const pid = await procedureId('1.001193');
    expect(await citizenSignIn(c, 'dev-citizen-1', `/login/citizen?next=${encodeURIComponent(`/dich-vu-cong/${pid}/nop`)}`)).toBe(`/dich-vu-cong/${pid}/nop`);
    const page = await c.get(`/dich-vu-cong/${pid}/nop`);
    expect(page.statusCode).toBe(200);
    const profile = await db().selectFrom('auth_account').select(['display_name', 'personal_number']).where('oidc_subject', '=', 'dev-citizen-1').executeTakeFirstOrThrow();
    expect(page.body).toContain(`value="${profile.display_name}"`);
    expect(page.body).toContain(`value="${profile.personal_number}"`);
    const key = /name="idempotency_key" value="([^"]+)"/.exec(page.body)![1]!;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const before = await count();

    const bad = await c.post(`/dich-vu-cong/${pid}/nop`, { _csrf: csrf, idempotency_key: key, ...birthForm({ applicant_id: '12345', child_birth_date: '2026-02-30', mother_name: '' }) });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Số định danh cá nhân: phải gồm đúng 12 chữ số');
    expect(bad.body).toContain('Ngày sinh trẻ: không phải ngày có thật');
    expect(bad.body).toContain('Họ và tên mẹ: chưa nhập');
    expect(bad.body).toContain('value="Nguyễn Minh Khôi"'); // what was typed is kept
    expect(await count()).toBe(before);

    const ok = await c.post(`/dich-vu-cong/${pid}/nop`, { _csrf: csrf, idempotency_key: key, ...birthForm() });
    expect(ok.statusCode).toBe(303);
    filedId = String(ok.headers.location).split('/').pop()!;
    const again = await c.post(`/dich-vu-cong/${pid}/nop`, { _csrf: csrf, idempotency_key: key, ...birthForm() });
    expect(again.headers.location).toBe(ok.headers.location);
    expect(await count()).toBe(before + 1);

    const d = await dossier(filedId);
    expect(d).toMatchObject({ state: 'new', national_status: 1, channel: 'online', unit_id: 'u-25201', applicant_name: 'Nguyễn Văn An' });
    expect(d.code).toMatch(CODE);
    expect(d.due_date).toBeNull(); // the clock starts at reception
    const receipt = await c.get(`/ho-so/${filedId}`);
    expect(receipt.statusCode).toBe(200);
    expect(receipt.body).toContain(d.code!);
    expect(receipt.body).toContain('0250****1234'.slice(0, 4)); // masked number shown, never whole
    expect(receipt.body).not.toContain('025090001234');
  });

  it('keeps a draft without a code and lists it for the citizen', async () => {
    const c = new Browser(t.app);
    await citizenSignIn(c, 'dev-citizen-2');
    const pid = await procedureId('1.004873');
    const page = await c.get(`/dich-vu-cong/${pid}/nop`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const res = await c.post(`/dich-vu-cong/${pid}/nop`, { _csrf: csrf, intent: 'draft', unit_id: 'u-25202', purpose: 'Đăng ký kết hôn' });
    expect(res.headers.location).toBe('/ca-nhan/ho-so');
    const list = await c.get('/ca-nhan/ho-so');
    expect(list.body).toContain('Bản nháp');
    const draft = await db().selectFrom('svc_dossier').selectAll().where('procedure_code', '=', '1.004873').where('state', '=', 'draft').executeTakeFirstOrThrow();
    expect(draft.code).toBeNull();
    const resumed = await c.get(`/dich-vu-cong/${pid}/ban-nhap`.replace(pid, draft.id));
    expect(resumed.statusCode).toBe(303);
    expect((await c.get(String(resumed.headers.location))).body).toContain('selected>Đăng ký kết hôn');
  });

  it('takes the dossier through the legal workflow; illegal steps get 409 and change nothing', async () => {
    const desk = new Browser(t.app);
    await signIn(desk, 'huongdao.tuphap');
    const leader = new Browser(t.app);
    await signIn(leader, 'huongdao.chutich');
    const me = (await db().selectFrom('auth_account').select('id').where('username', '=', 'huongdao.tuphap').executeTakeFirstOrThrow()).id;
    const act = async (b: Browser, action: string, form: Record<string, string> = {}) => {
      const csrf = await b.csrf(`/mot-cua/${filedId}`);
      return b.post(`/mot-cua/${filedId}/${action}`, { _csrf: csrf, ...form });
    };
    // Approval before anything: refused with a reason, state unchanged.
    const early = await act(leader, 'approve');
    expect(early.statusCode).toBe(409);
    expect(early.body).toContain('Không thể thực hiện thao tác này');
    expect((await dossier(filedId)).state).toBe('new');

    expect((await act(desk, 'receive')).statusCode).toBe(303);
    const received = await dossier(filedId);
    expect(received).toMatchObject({ state: 'received', national_status: 2 });
    expect(received.due_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect((await act(desk, 'refuse')).statusCode).toBe(400 + 9); // a refusal needs its reason
    // An assignee who is not an official of the commune (another commune's): named beside the field, nothing changes.
    const foreign = (await db().selectFrom('auth_account').select('id').where('username', '=', 'langcong.tuphap').executeTakeFirstOrThrow()).id;
    const badAssign = await act(desk, 'assign', { assignee_id: foreign });
    expect(badAssign.statusCode).toBe(400);
    expect(badAssign.body).toContain('Công chức giải quyết: hãy chọn một công chức của xã.');
    expect(await dossier(filedId)).toMatchObject({ state: 'received', assignee_id: null });
    expect((await act(desk, 'assign', { assignee_id: me })).statusCode).toBe(303);
    expect((await act(desk, 'approve')).statusCode).toBe(409); // not the leader's
    expect((await act(desk, 'submit_for_approval')).statusCode).toBe(303);
    expect((await act(leader, 'approve')).statusCode).toBe(303);
    expect((await act(desk, 'return_result')).statusCode).toBe(303);
    const done = await dossier(filedId);
    expect(done).toMatchObject({ state: 'returned', national_status: 10 });
    const events = await db().selectFrom('svc_dossier_event').select(['action', 'to_state']).where('dossier_id', '=', filedId).orderBy('id').execute();
    expect(events.map((e) => e.action)).toEqual(['submit', 'receive', 'assign', 'submit_for_approval', 'approve', 'return_result']);
    const audited = await db().selectFrom('audit_event').select('action').where('entity_id', '=', filedId).execute();
    expect(audited.map((a) => a.action)).toContain('services.dossier.approve');
  });

  it('another commune gets 404 for the dossier and cannot move it', async () => {
    const other = new Browser(t.app);
    await signIn(other, 'langcong.tuphap');
    expect((await other.get(`/mot-cua/${filedId}`)).statusCode).toBe(404);
    const csrf = await other.csrf('/mot-cua');
    expect((await other.post(`/mot-cua/${filedId}/return_result`, { _csrf: csrf })).statusCode).toBe(404);
    const list = await other.get('/mot-cua');
    expect(list.body).not.toContain((await dossier(filedId)).code!);
  });

  it('files a walk-in dossier at the counter and routes it to the competent commune of the province', async () => {
    const desk = new Browser(t.app);
    await signIn(desk, 'huongdao.tuphap');
    const pid = await procedureId('2.000884');
    const csrf = await desk.csrf(`/mot-cua/tiep-nhan/${pid}`);
    const res = await desk.post(`/mot-cua/tiep-nhan/${pid}`, {
      _csrf: csrf,
      idempotency_key: 'counter-1',
      unit_id: 'u-25202',
      channel: 'in_person',
      applicant_name: 'Trần Thị Bình',
      applicant_id: '025190004321',
      applicant_address: 'Xã Lãng Công',
      applicant_phone: '0987654321',
      document: 'Giấy ủy quyền',
    });
    expect(res.statusCode).toBe(303);
    const id = String(res.headers.location).split('/').pop()!;
    const d = await dossier(id);
    expect(d).toMatchObject({ state: 'received', unit_id: 'u-25202', receiving_unit_id: 'u-25201', channel: 'in_person', fee_amount: 10000 });
    expect(d.code).toMatch(CODE); // numbered by the receiving desk
    const langcong = new Browser(t.app);
    await signIn(langcong, 'langcong.tuphap');
    expect((await langcong.get(`/mot-cua/${id}`)).statusCode).toBe(200);
    // Both lists show it: the competent commune's and the receiving desk's.
    expect((await langcong.get('/mot-cua')).body).toContain(d.code!);
    expect((await desk.get('/mot-cua')).body).toContain(d.code!);
    // The overdue list holds only open dossiers past their date, most overdue first.
    const overdue = (await desk.get('/api/v1/dossiers?overdue=1')).json<{ status: string; dueDate: string }[]>();
    expect(overdue.length).toBeGreaterThan(0);
    const today = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);
    for (const o of overdue) expect(o.dueDate < today && ['new', 'received', 'processing', 'awaiting_approval', 'supplement_requested'].includes(o.status)).toBe(true);
    expect(overdue.map((o) => o.dueDate)).toEqual([...overdue.map((o) => o.dueDate)].sort());
  });

  it('applies one of several simultaneous clicks on the same step and refuses the others, changing nothing', async () => {
    const citizen = await db().selectFrom('auth_account').select(['id', 'display_name', 'unit_id']).where('oidc_subject', '=', 'dev-citizen-1').executeTakeFirstOrThrow();
    const actor = { id: citizen.id, kind: 'citizen' as const, displayName: citizen.display_name, unitId: citizen.unit_id, grants: [] };
    const { id } = await fileOnline(t.ctx, actor, systemContext('test'), { procedureId: await procedureId('1.001193'), unitId: 'u-25201', values: birthForm({ child_name: 'Trẻ bấm hai lần' }), idempotencyKey: 'double-click', lang: 'vi' });
    const desk = new Browser(t.app);
    await signIn(desk, 'huongdao.tuphap');
    const csrf = await desk.csrf(`/mot-cua/${id}`);
    const answers = await Promise.all(Array.from({ length: 4 }, () => desk.post(`/mot-cua/${id}/receive`, { _csrf: csrf })));
    expect(answers.map((a) => a.statusCode).sort()).toEqual([303, 409, 409, 409]);
    expect((await dossier(id)).state).toBe('received');
    const events = await db().selectFrom('svc_dossier_event').select('action').where('dossier_id', '=', id).execute();
    expect(events.map((e) => e.action)).toEqual(['submit', 'receive']);
    const audited = await db().selectFrom('audit_event').select('action').where('entity_id', '=', id).where('action', '=', 'services.dossier.receive').execute();
    expect(audited).toHaveLength(1);
  });

  it('numbers concurrent submissions of one day without gaps or duplicates', async () => {
    const citizen = await db().selectFrom('auth_account').select(['id', 'display_name', 'unit_id']).where('oidc_subject', '=', 'dev-citizen-1').executeTakeFirstOrThrow();
    const actor = { id: citizen.id, kind: 'citizen' as const, displayName: citizen.display_name, unitId: citizen.unit_id, grants: [] };
    const pid = await procedureId('1.001193');
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        fileOnline(t.ctx, actor, systemContext('test'), { procedureId: pid, unitId: 'u-25201', values: birthForm({ child_name: `Trẻ ${i}` }), idempotencyKey: `conc-${i}`, lang: 'vi' }),
      ),
    );
    const numbers = results.map((r) => Number(r.code!.split('-').pop())).sort((a, b) => a - b);
    expect(new Set(numbers).size).toBe(20);
    expect(numbers.at(-1)! - numbers[0]!).toBe(19);
  });

  it('prints form 01 as a PDF with a QR code for the applicant and the desk, not for another commune', async () => {
    const desk = new Browser(t.app);
    await signIn(desk, 'huongdao.tuphap');
    const pdf = await desk.get(`/ho-so/${filedId}/bien-nhan.pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.rawPayload.includes(Buffer.from('/Subtype /Image'))).toBe(true); // the QR code
    const other = new Browser(t.app);
    await signIn(other, 'langcong.tuphap');
    expect((await other.get(`/ho-so/${filedId}/bien-nhan.pdf`)).statusCode).toBe(404);
    const code = (await dossier(filedId)).code!;
    const qr = await new Browser(t.app).get(`/tra-cuu/qr.svg?ma=${encodeURIComponent(code)}`);
    expect(qr.headers['content-type']).toContain('image/svg+xml');
    expect(qr.body).toContain('<svg');
    expect((await new Browser(t.app).get('/tra-cuu/qr.svg?ma=bat-ky')).statusCode).toBe(404);
  });

  it('asks the desk to confirm before withdrawing a dossier on the citizen\'s request', async () => {
    const desk = new Browser(t.app);
    await signIn(desk, 'huongdao.tuphap');
    const pid = await procedureId('2.000884');
    const csrf = await desk.csrf(`/mot-cua/tiep-nhan/${pid}`);
    const res = await desk.post(`/mot-cua/tiep-nhan/${pid}`, { _csrf: csrf, unit_id: 'u-25201', channel: 'in_person', applicant_name: 'Phạm Thị Dung', applicant_id: '025190007777', applicant_address: 'Xã Hướng Đạo', applicant_phone: '0911222333', document: 'Hợp đồng' });
    const id = String(res.headers.location).split('/').pop()!;
    const token = await desk.csrf(`/mot-cua/${id}`);
    const unconfirmed = await desk.post(`/mot-cua/${id}/withdraw`, { _csrf: token });
    expect(unconfirmed.statusCode).toBe(400);
    expect(unconfirmed.body).toContain('Xác nhận: hãy đánh dấu');
    expect((await dossier(id)).state).toBe('received');
    expect((await desk.post(`/mot-cua/${id}/withdraw`, { _csrf: token, confirm: 'yes' })).statusCode).toBe(303);
    expect((await dossier(id)).state).toBe('withdrawn');
  });

  it('shows statistics scoped to the viewer: a commune by procedure, the province by commune; CSV export', async () => {
    const official = new Browser(t.app);
    await signIn(official, 'langcong.tuphap');
    const from = '2020-01-01';
    const page = await official.get(`/mot-cua/thong-ke?tu=${from}`);
    expect(page.statusCode).toBe(200);
    const own = Number((await db().selectFrom('svc_dossier').select((eb) => eb.fn.countAll().as('n')).where('unit_id', '=', 'u-25202').where('state', '!=', 'draft').executeTakeFirstOrThrow()).n);
    expect(page.body).toContain(`data-testid="stat-received">${own}<`);
    expect(page.body).not.toMatch(/<td data-label="[^"]+">Xã Hướng Đạo<\/td>/);
    const csv = await official.get(`/mot-cua/thong-ke.csv?tu=${from}`);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.startsWith('\uFEFFThủ tục,Hồ sơ tiếp nhận')).toBe(true);
    expect(csv.body).toContain(`Tổng cộng,${own},`);
    const province = new Browser(t.app);
    await signIn(province, 'tinh.quantri');
    const all = await province.get(`/mot-cua/thong-ke?tu=${from}`);
    expect(all.body).toMatch(/<td data-label="[^"]+">Xã Hướng Đạo<\/td>/);
    expect(all.body).toMatch(/<td data-label="[^"]+">Xã Lãng Công<\/td>/);
  });

  it('offers the lifecycle over the JSON API with CSRF, 201/200 on idempotent submit and 409 with a reason', async () => {
    const c = new Browser(t.app);
    await citizenSignIn(c, 'dev-citizen-2');
    const token = await c.csrf(`/dich-vu-cong/${await procedureId('1.001193')}/nop`);
    const json = (b: Browser, url: string, body: object, csrf: string) => b.postJson(url, body, csrf);
    const body = { procedureId: await procedureId('1.001193'), unitId: 'u-25201', values: birthForm(), idempotencyKey: 'api-key-0001' };
    expect((await json(c, '/api/v1/dossiers', body, 'wrong')).statusCode).toBe(403);
    const first = await json(c, '/api/v1/dossiers', body, token);
    expect(first.statusCode).toBe(201);
    const again = await json(c, '/api/v1/dossiers', body, token);
    expect(again.statusCode).toBe(200);
    const { id, code } = first.json<{ id: string; code: string }>();
    expect(again.json()).toEqual({ id, code });
    const tracking = await new Browser(t.app).get(`/api/v1/tracking/${encodeURIComponent(code)}`);
    expect(tracking.json()).toMatchObject({ code, status: 'new', nationalStatus: 1, dueDate: null });
    expect(tracking.body).not.toContain('Nguyễn Văn An');
    // Look-ups arriving together (one query on PostgreSQL) each get their own answer.
    const together = await Promise.all([code, 'KHONG-CO-MA', code].map((c) => new Browser(t.app).get(`/api/v1/tracking/${encodeURIComponent(c)}`)));
    expect(together.map((r) => r.statusCode)).toEqual([200, 404, 200]);
    expect(together[2]!.json()).toMatchObject({ code, status: 'new' });
    const desk = new Browser(t.app);
    await signIn(desk, 'huongdao.tuphap');
    const deskToken = await desk.csrf('/mot-cua/tiep-nhan/' + (await procedureId('1.001193')));
    const early = await json(desk, `/api/v1/dossiers/${id}/actions/return_result`, {}, deskToken);
    expect(early.statusCode).toBe(409);
    expect(early.headers['content-type']).toContain('application/problem+json');
    const ok = await json(desk, `/api/v1/dossiers/${id}/actions/receive`, {}, deskToken);
    expect(ok.json()).toEqual({ status: 'received', nationalStatus: 2 });
    const list = await desk.get('/api/v1/dossiers?status=received');
    expect(list.json<{ id: string }[]>().some((d) => d.id === id)).toBe(true);
  });

  it('tracks a dossier by code publicly with status and due date only', async () => {
    const d = await dossier(filedId);
    const res = await new Browser(t.app).get(`/tra-cuu?ma=${encodeURIComponent(d.code!)}`);
    expect(res.body).toContain('Đã trả kết quả');
    expect(res.body).not.toContain('Nguyễn Văn An');
    expect((await new Browser(t.app).get('/tra-cuu?ma=KHONG-CO')).body).toContain('Không tìm thấy hồ sơ có mã KHONG-CO');
  });
});
