import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.ts';
import { Browser, testApp, type TestApp } from '../support/app.ts';
import { signIn } from '../support/auth.ts';
import { citizenSignIn } from '../support/citizen.ts';
import { mailText, startFakeEsms, startFakeZalo, startSmtp, type FakeApi } from '../support/fake-providers.ts';
import { startDevIdp, type DevIdp } from '../../src/platform/auth/dev-idp.ts';
import { createOidcClient } from '../../src/platform/auth/oidc-client.ts';
import { MAX_ATTEMPTS, backoffMs } from '../../src/platform/notify/outbox.ts';
import { normalizePhone } from '../../src/platform/notify/channels.ts';

describe('notification helpers', () => {
  it('reads Vietnamese mobile numbers in their usual spellings', () => {
    expect(normalizePhone('0912 345 678')).toBe('0912345678');
    expect(normalizePhone('+84 912.345.678')).toBe('0912345678');
    expect(normalizePhone('84912345678')).toBe('0912345678');
    expect(normalizePhone('12345')).toBeNull();
  });
  it('backs off 30 s, 2 min, 8 min …', () => {
    expect([1, 2, 3].map(backoffMs)).toEqual([30_000, 120_000, 480_000]);
  });
});

describe.each(DIALECTS)('the notification outbox on %s', (dialect) => {
  let t: TestApp;
  let idp: DevIdp;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let esms: FakeApi;
  let zalo: FakeApi;
  const PUBLIC_URL = 'http://127.0.0.1:3998';
  let desk: Browser;

  beforeAll(async () => {
    smtp = await startSmtp();
    esms = await startFakeEsms({ apiKey: 'key-1', secretKey: 'secret-1' });
    zalo = await startFakeZalo('zalo-token');
    idp = await startDevIdp({ host: '127.0.0.1', port: 0, redirectUris: [`${PUBLIC_URL}/auth/oidc/callback`] });
    t = await testApp(dialect, {
      env: {
        PUBLIC_URL,
        SMTP_URL: smtp.url,
        MAIL_FROM: 'UBND xã Hướng Đạo <mot-cua@huongdao.example.vn>',
        SMS_API_URL: esms.url,
        SMS_API_KEY: 'key-1',
        SMS_SECRET_KEY: 'secret-1',
        SMS_BRANDNAME: 'UBND-XA',
        ZALO_API_URL: zalo.url,
        ZALO_ACCESS_TOKEN: 'zalo-token',
        ZALO_TEMPLATE_ID: '250001',
      },
      oidc: createOidcClient({ issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret }),
    });
    desk = new Browser(t.app);
    await signIn(desk, 'huongdao.tuphap');
  });
  afterAll(async () => {
    await t.close();
    await Promise.all([idp.close(), smtp.close(), esms.close(), zalo.close()]);
  });

  const db = () => t.ctx.database.db;
  const messages = (dossierId: string) => db().selectFrom('platform_notification').selectAll().where('source_id', '=', dossierId).orderBy('channel').execute();
  const procedureId = async (code: string) => (await db().selectFrom('svc_procedure').select('id').where('code', '=', code).executeTakeFirstOrThrow()).id;

  async function fileAtCounter(extra: Record<string, string> = {}) {
    const pid = await procedureId('1.001193');
    const csrf = await desk.csrf(`/mot-cua/tiep-nhan/${pid}`);
    const res = await desk.postMultipart(`/mot-cua/tiep-nhan/${pid}`, {
      _csrf: csrf,
      unit_id: 'u-25201',
      applicant_name: 'Nguyễn Văn An',
      applicant_id: '025090001234',
      applicant_address: 'Thôn Đông, xã Hướng Đạo',
      applicant_phone: '0912345678',
      applicant_email: 'an.nguyen@example.vn',
      relationship: 'Cha',
      child_name: 'Nguyễn Minh Khôi',
      child_birth_date: '2026-11-20',
      child_sex: 'Nam',
      birth_place: 'Trạm y tế xã Hướng Đạo',
      mother_name: 'Lê Thị Hoa',
      ...extra,
    });
    expect(res.statusCode, res.body.slice(0, 400)).toBe(303);
    const id = String(res.headers.location).split('/').pop()!;
    return db().selectFrom('svc_dossier').select(['id', 'code']).where('id', '=', id).executeTakeFirstOrThrow();
  }

  it('a status change reaches the applicant by e-mail (real SMTP), SMS and Zalo, after the commit', async () => {
    const d = await fileAtCounter();
    const queued = await messages(d.id);
    // No account (a walk-in citizen), so no inbox; the three configured channels, waiting.
    expect(queued.map((m) => [m.channel, m.status])).toEqual([
      ['email', 'pending'],
      ['sms', 'pending'],
      ['zalo', 'pending'],
    ]);
    const report = await t.ctx.notifier.dispatch();
    expect(report).toMatchObject({ sent: 3, failed: 0 });
    const mail = smtp.mails.at(-1)!;
    expect(mail.to).toEqual(['an.nguyen@example.vn']);
    expect(mail.from).toBe('mot-cua@huongdao.example.vn');
    expect(mailText(mail.raw)).toContain(`Hồ sơ Đăng ký khai sinh, mã ${d.code}, đã được tiếp nhận.`);
    const sms = esms.requests.at(-1)!.body;
    expect(sms).toMatchObject({ Phone: '0912345678', Brandname: 'UBND-XA', SmsType: '2' });
    expect(String(sms.Content)).toContain(`ma ${d.code}`);
    expect(String(sms.Content)).toMatch(/^[\x20-\x7e]+$/); // without diacritics: one GSM part, not UCS-2
    const zns = zalo.requests.at(-1)!.body as { phone: string; template_id: string; template_data: Record<string, string> };
    expect(zns).toMatchObject({ phone: '84912345678', template_id: '250001' });
    expect(zns.template_data.noi_dung).toContain('đã được tiếp nhận');
    expect(zns.template_data.lien_ket).toBe(`${PUBLIC_URL}/tra-cuu?ma=${encodeURIComponent(d.code!)}`);
    expect((await messages(d.id)).every((m) => m.status === 'sent' && m.attempts === 1)).toBe(true);
    // Sent messages are not sent again.
    expect(await t.ctx.notifier.dispatch()).toMatchObject({ sent: 0 });
  });

  it('a failing provider is retried with back-off, shown to officials of the unit, and can be sent again', async () => {
    esms.failNext = 1000;
    const d = await fileAtCounter({ applicant_phone: '0987654321' });
    let now = new Date();
    await t.ctx.notifier.dispatch(now);
    let sms = (await messages(d.id)).find((m) => m.channel === 'sms')!;
    expect(sms).toMatchObject({ status: 'pending', attempts: 1, last_error: 'SMS gateway refused (99): Service temporarily unavailable' });
    // Not due again before its back-off.
    await t.ctx.notifier.dispatch(now);
    expect((await messages(d.id)).find((m) => m.channel === 'sms')!.attempts).toBe(1);
    for (let i = 1; i < MAX_ATTEMPTS; i++) {
      now = new Date(now.getTime() + backoffMs(i) + 1000);
      await t.ctx.notifier.dispatch(now);
    }
    sms = (await messages(d.id)).find((m) => m.channel === 'sms')!;
    expect(sms).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS });

    const page = await desk.get('/admin/thong-bao?trang_thai=failed');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Service temporarily unavailable');
    expect(page.body).toContain('098****321');
    expect(page.body).not.toContain('0987654321');
    const other = new Browser(t.app);
    await signIn(other, 'langcong.tuphap');
    expect((await other.get('/admin/thong-bao?trang_thai=failed')).body).not.toContain('098****321');
    const otherCsrf = await other.csrf('/admin/thong-bao');
    expect((await other.post(`/admin/thong-bao/${sms.id}/gui-lai`, { _csrf: otherCsrf })).statusCode).toBe(404);

    esms.failNext = 0;
    const csrf = await desk.csrf('/admin/thong-bao');
    expect((await desk.post(`/admin/thong-bao/${sms.id}/gui-lai`, { _csrf: csrf })).statusCode).toBe(303);
    await t.ctx.notifier.dispatch();
    expect((await messages(d.id)).find((m) => m.channel === 'sms')).toMatchObject({ status: 'sent', last_error: null });
    expect((await db().selectFrom('audit_event').select('action').where('entity_id', '=', sms.id).execute()).map((a) => a.action)).toEqual(['notification.retry']);
  });

  it('a change that rolls back leaves no message; a key is queued once', async () => {
    const before = (await db().selectFrom('platform_notification').select('id').execute()).length;
    await expect(
      db()
        .transaction()
        .execute(async (trx) => {
          await t.ctx.notifier.enqueue(trx, { unitId: 'u-25201', phone: '0912345678' }, { subject: 'x', body: 'y', source: 'test' });
          throw new Error('rolled back');
        }),
    ).rejects.toThrow('rolled back');
    expect((await db().selectFrom('platform_notification').select('id').execute()).length).toBe(before);
    const notice = { subject: 'Nhắc hạn', body: 'Hồ sơ sắp đến hạn', source: 'test', dedupeKey: 'due:abc:2026-11-28' };
    const first = await db().transaction().execute((trx) => t.ctx.notifier.enqueue(trx, { unitId: 'u-25201', email: 'a@example.vn' }, notice));
    const again = await db().transaction().execute((trx) => t.ctx.notifier.enqueue(trx, { unitId: 'u-25201', email: 'a@example.vn' }, notice));
    expect([first, again]).toEqual([1, 0]);
  });

  it('queues many notices in a few statements: keyed ones once, the others every time, all or nothing', async () => {
    const count = async (source: string) => Number((await db().selectFrom('platform_notification').select((e) => e.fn.countAll().as('n')).where('source', '=', source).executeTakeFirstOrThrow()).n);
    const { id: account } = await db().selectFrom('auth_account').select('id').where('username', '=', 'huongdao.tuphap').executeTakeFirstOrThrow();
    // 700 keyed inbox notices (more than one statement's rows), 300 with an e-mail too, and 5 unkeyed.
    const many = [
      ...Array.from({ length: 1000 }, (_, i) => ({
        to: { unitId: 'u-25201', accountId: account, ...(i >= 700 ? { email: `n${i}@example.vn` } : {}) },
        notice: { subject: `Nhắc hạn ${i}`, body: 'Hồ sơ sắp đến hạn', source: 'test.many', dedupeKey: `many:${i}` },
      })),
      ...Array.from({ length: 5 }, () => ({ to: { unitId: 'u-25201', accountId: account }, notice: { subject: 'Tin', body: 'Không khoá', source: 'test.many' } })),
    ];
    const first = await db().transaction().execute((trx) => t.ctx.notifier.enqueueMany(trx, many));
    expect(first).toBe(700 + 300 * 2 + 5);
    const again = await db().transaction().execute((trx) => t.ctx.notifier.enqueueMany(trx, many));
    expect(again).toBe(5);
    expect(await count('test.many')).toBe(700 + 600 + 10);
    const failing = [{ to: { unitId: 'u-25201', accountId: account }, notice: { subject: 'x', body: 'y', source: 'test.many2', dedupeKey: 'many2:1' } }, ...many.slice(0, 600)];
    await expect(
      db()
        .transaction()
        .execute(async (trx) => {
          await t.ctx.notifier.enqueueMany(trx, failing);
          throw new Error('rolled back');
        }),
    ).rejects.toThrow('rolled back');
    expect(await count('test.many2')).toBe(0);
  });

  it('a citizen filing online finds each status change in the inbox of their account', async () => {
    const c = new Browser(t.app);
    const pid = await procedureId('1.001193');
    await citizenSignIn(c, 'dev-citizen-3', `/login/citizen?next=${encodeURIComponent(`/dich-vu-cong/${pid}/nop`)}`);
    const form = await c.get(`/dich-vu-cong/${pid}/nop`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!;
    const key = /name="idempotency_key" value="([^"]+)"/.exec(form.body)![1]!;
    const res = await c.post(`/dich-vu-cong/${pid}/nop`, {
      _csrf: csrf,
      idempotency_key: key,
      unit_id: 'u-25201',
      applicant_name: 'Trần Thị Bình',
      applicant_id: '025090009999',
      applicant_address: 'Thôn Tây, xã Hướng Đạo',
      applicant_phone: '0911111111',
      relationship: 'Mẹ',
      child_name: 'Trần Gia Hân',
      child_birth_date: '2026-11-21',
      child_sex: 'Nữ',
      birth_place: 'Trạm y tế xã Hướng Đạo',
      mother_name: 'Trần Thị Bình',
    });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(303);
    const id = String(res.headers.location).split('/').pop()!;
    const deskCsrf = await desk.csrf(`/mot-cua/${id}`);
    expect((await desk.post(`/mot-cua/${id}/receive`, { _csrf: deskCsrf })).statusCode).toBe(303);
    const inbox = await c.get('/thong-bao');
    expect(inbox.statusCode).toBe(200);
    expect(inbox.body).toContain('đã được nộp trực tuyến');
    expect(inbox.body).toContain('đã được tiếp nhận');
    expect(inbox.body).toContain('Có 2 thông báo chưa đọc');
    expect(inbox.body).toContain(`href="/ho-so/${id}"`);
    const markCsrf = /name="_csrf" value="([^"]+)"/.exec(inbox.body)![1]!;
    expect((await c.post('/thong-bao/da-doc', { _csrf: markCsrf })).statusCode).toBe(303);
    const after = await c.get('/thong-bao');
    expect(after.body).not.toContain('chưa đọc');
    expect(after.body).toContain('Đã đánh dấu các thông báo là đã đọc.');
  });
});
