import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.ts';
import { Browser, testApp, type TestApp } from '../support/app.ts';
import { signIn } from '../support/auth.ts';
import { Access } from '../../src/platform/auth/access.ts';
import { systemContext } from '../../src/platform/audit/audit.ts';
import { localToday } from '../../src/platform/i18n/index.ts';
import { registerIncoming, type IncomingInput } from '../../src/modules/documents/incoming.ts';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

describe.each(DIALECTS)('the incoming register on %s', (dialect) => {
  let t: TestApp;
  let clerk: Browser;
  const db = () => t.ctx.database.db;
  const year = Number(localToday().slice(0, 4));
  const fields = (over: Record<string, string> = {}) => ({
    author_org: 'UBND tỉnh Phú Thọ',
    code_number: '1234',
    code_notation: 'QĐ-UBND',
    issued_date: localToday(),
    type_code: 'decision',
    subject: 'Quyết định phê duyệt danh mục thủ tục hành chính thực hiện trực tuyến toàn trình',
    urgency: 'urgent',
    secrecy: 'normal',
    due_date: '',
    ...over,
  });

  beforeAll(async () => {
    t = await testApp(dialect);
    clerk = new Browser(t.app);
    await signIn(clerk, 'huongdao.vanthu');
  });
  afterAll(() => t.close());

  it('registers an arriving document with the next arrival number of the year, its PDF checked by content', async () => {
    const csrf = await clerk.csrf('/van-ban/den/moi');
    const before = (await db().selectFrom('doc_incoming').select((eb) => eb.fn.max('arrival_number').as('n')).where('unit_id', '=', 'u-25201').where('year', '=', year).executeTakeFirst())?.n ?? 0;
    const bad = await clerk.postMultipart('/van-ban/den', { _csrf: csrf, ...fields({ code_number: '', issued_date: '2999-01-01', type_code: 'poem' }) }, { file: { name: 'qd.pdf', type: 'application/pdf', data: PDF } });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Số văn bản:');
    expect(bad.body).toContain('Ngày văn bản: không được sau ngày hôm nay');
    expect(bad.body).toContain('Loại văn bản:');
    const notPdf = await clerk.postMultipart('/van-ban/den', { _csrf: csrf, ...fields() }, { file: { name: 'qd.pdf', type: 'application/pdf', data: PNG } });
    expect(notPdf.statusCode).toBe(400);
    const noFile = await clerk.postMultipart('/van-ban/den', { _csrf: csrf, ...fields() });
    expect(noFile.statusCode).toBe(400);
    expect(noFile.body).toContain('hãy chọn tệp PDF của văn bản');
    expect((await db().selectFrom('doc_incoming').select('id').where('code_number', '=', '1234').execute()).length).toBe(0);
    const ok = await clerk.postMultipart('/van-ban/den', { _csrf: csrf, ...fields() }, { file: { name: 'qd.pdf', type: 'application/pdf', data: PDF } });
    expect(ok.statusCode).toBe(303);
    const doc = await db().selectFrom('doc_incoming').selectAll().where('code_number', '=', '1234').executeTakeFirstOrThrow();
    expect(doc).toMatchObject({ arrival_number: Number(before) + 1, year, arrival_date: localToday(), urgency: 'urgent', status: 'registered' });
    const page = await clerk.get(String(ok.headers.location));
    expect(page.body).toContain('1234/QĐ-UBND');
    const pdf = await clerk.get(`/van-ban/den/${doc.id}/van-ban.pdf`);
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const logged = await db().selectFrom('audit_event').select('action').where('entity_id', '=', doc.id).execute();
    expect(logged.map((l) => l.action)).toEqual(expect.arrayContaining(['documents.incoming.register', 'documents.incoming.view', 'documents.incoming.download']));
    // Found in the register without diacritics.
    expect((await clerk.get(`/van-ban/den?q=${encodeURIComponent('danh muc thu tuc truc tuyen toan trinh')}`)).body).toContain('1234/QĐ-UBND');
  });

  it('flags a duplicate (same number, symbol and issuer) instead of registering it twice', async () => {
    const csrf = await clerk.csrf('/van-ban/den/moi');
    const again = await clerk.postMultipart('/van-ban/den', { _csrf: csrf, ...fields() }, { file: { name: 'qd.pdf', type: 'application/pdf', data: PDF } });
    expect(again.statusCode).toBe(409);
    expect(again.body).toMatch(/đã được đăng ký: số đến \d+\/\d{4} ngày \d{2}\/\d{2}\/\d{4}/);
    expect(again.body).toContain('name="confirm_duplicate"');
    expect(await db().selectFrom('doc_incoming').select('id').where('code_number', '=', '1234').execute()).toHaveLength(1);
    const confirmed = await clerk.postMultipart('/van-ban/den', { _csrf: csrf, ...fields(), confirm_duplicate: 'on' }, { file: { name: 'qd.pdf', type: 'application/pdf', data: PDF } });
    expect(confirmed.statusCode).toBe(303);
    expect(await db().selectFrom('doc_incoming').select('id').where('code_number', '=', '1234').execute()).toHaveLength(2);
  });

  it('never gives two clerks registering at the same moment the same number', async () => {
    const account = await db().selectFrom('auth_account').select(['id', 'display_name']).where('username', '=', 'huongdao.vanthu').executeTakeFirstOrThrow();
    const access = new Access(t.ctx.database, t.ctx.permissions, { id: account.id, kind: 'official', displayName: account.display_name, unitId: 'u-25201', grants: [{ role: 'document_clerk', unitId: 'u-25201', field: null }] });
    const file = { kind: 'upload' as const, filename: 'cv.pdf', declaredType: 'application/pdf', data: PDF, tooLarge: false };
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => registerIncoming(t.ctx, access, systemContext('test'), 'u-25201', { ...(fields({ code_number: `C${i}`, urgency: 'normal' }) as IncomingInput), confirm_duplicate: undefined }, file)),
    );
    const numbers = results.map((r) => r.number).sort((a, b) => a - b);
    expect(new Set(numbers).size).toBe(12);
    expect(numbers.at(-1)! - numbers[0]!).toBe(11);
  });

  it('shows a classified document to its readers only; anyone else gets a 404, logged', async () => {
    const csrf = await clerk.csrf('/van-ban/den/moi');
    expect((await clerk.postMultipart('/van-ban/den', { _csrf: csrf, ...fields({ code_number: '77', code_notation: 'CAT-PA', author_org: 'Công an tỉnh Phú Thọ', secrecy: 'confidential', subject: 'Về việc bảo vệ an ninh trật tự dịp cuối năm' }) }, { file: { name: 'mat.pdf', type: 'application/pdf', data: PDF } })).statusCode).toBe(303);
    const secret = await db().selectFrom('doc_incoming').selectAll().where('code_number', '=', '77').executeTakeFirstOrThrow();
    const leader = new Browser(t.app);
    await signIn(leader, 'huongdao.chutich');
    expect((await leader.get(`/van-ban/den/${secret.id}`)).statusCode).toBe(200);
    const official = new Browser(t.app);
    await signIn(official, 'huongdao.tuphap');
    expect((await official.get(`/van-ban/den/${secret.id}`)).statusCode).toBe(404);
    expect((await official.get(`/van-ban/den/${secret.id}/van-ban.pdf`)).statusCode).toBe(404);
    expect((await official.get('/van-ban/den')).body).not.toContain('77/CAT-PA');
    const denied = await db().selectFrom('audit_event').select(['action', 'detail']).where('entity_id', '=', secret.id).where('action', '=', 'access.denied').execute();
    expect(denied.length).toBeGreaterThanOrEqual(2);
    // Another commune's people cannot reach the register's documents at all.
    const other = new Browser(t.app);
    await signIn(other, 'langcong.tuphap');
    const open = await db().selectFrom('doc_incoming').select('id').where('unit_id', '=', 'u-25201').where('secrecy', '=', 'normal').executeTakeFirstOrThrow();
    expect((await other.get(`/van-ban/den/${open.id}`)).statusCode).toBe(404);

    // The leader names the official a reader: recorded, shown, the official is told and can open it.
    const url = `/van-ban/den/${secret.id}`;
    const officialId = (await db().selectFrom('auth_account').select('id').where('username', '=', 'huongdao.tuphap').executeTakeFirstOrThrow()).id;
    const page = await leader.get(url);
    expect(page.body).toContain('Người được đọc văn bản mật');
    const csrfL = await leader.csrf(url);
    // Only a leader manages readers: the clerk, though a reader, cannot.
    expect((await clerk.post(`${url}/nguoi-doc`, { _csrf: await clerk.csrf(url), account_id: officialId })).statusCode).toBe(404);
    const bad = await leader.post(`${url}/nguoi-doc`, { _csrf: csrfL, account_id: 'khong-co' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Người đọc: hãy chọn một cán bộ của xã');
    expect((await leader.post(`${url}/nguoi-doc`, { _csrf: csrfL, account_id: officialId })).statusCode).toBe(303);
    expect((await official.get(url)).statusCode).toBe(200);
    expect(await db().selectFrom('platform_notification').select('id').where('account_id', '=', officialId).where('source', '=', 'documents.readers').execute()).toHaveLength(1);
    // Withdrawn only with the confirmation; then a 404 again; both changes in the history.
    expect((await leader.post(`${url}/nguoi-doc/bo`, { _csrf: csrfL, account_id: officialId })).statusCode).toBe(400);
    expect((await official.get(url)).statusCode).toBe(200);
    expect((await leader.post(`${url}/nguoi-doc/bo`, { _csrf: csrfL, account_id: officialId, confirm: 'on' })).statusCode).toBe(303);
    expect((await official.get(url)).statusCode).toBe(404);
    const history = (await leader.get(url)).body;
    expect(history).toContain('Cấp quyền đọc');
    expect(history).toContain('Thu quyền đọc');
    const leaderId = (await db().selectFrom('auth_account').select('id').where('username', '=', 'huongdao.chutich').executeTakeFirstOrThrow()).id;
    expect((await leader.post(`${url}/nguoi-doc/bo`, { _csrf: csrfL, account_id: leaderId, confirm: 'on' })).statusCode).toBe(409);
    const audited = await db().selectFrom('audit_event').select('action').where('entity_id', '=', secret.id).where('action', 'like', 'documents.readers.%').execute();
    expect(audited.map((a) => a.action).sort()).toEqual(['documents.readers.add', 'documents.readers.remove']);
  });
});
