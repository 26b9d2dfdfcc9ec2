import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.ts';
import { Browser, testApp, type TestApp } from '../support/app.ts';
import { signIn } from '../support/auth.ts';
import { localToday } from '../../src/platform/i18n/index.ts';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
const inDays = (n: number) => new Date(Date.parse(`${localToday()}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

describe.each(DIALECTS)('report requests on %s', (dialect) => {
  let t: TestApp;
  let province: Browser;
  let commune: Browser;
  const db = () => t.ctx.database.db;
  let requestId = '';

  beforeAll(async () => {
    t = await testApp(dialect);
    province = new Browser(t.app);
    await signIn(province, 'tinh.quantri');
    commune = new Browser(t.app);
    await signIn(commune, 'huongdao.vanthu');
  });
  afterAll(() => t.close());

  it('the province asks its communes for a report with a template and a deadline; their leaders are told', async () => {
    const csrf = await province.csrf('/bao-cao-dinh-ky');
    const bad = await province.postMultipart('/bao-cao-dinh-ky', { _csrf: csrf, title: 'BC', description: '', deadline: '2020-01-01' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Tên báo cáo:');
    expect(bad.body).toContain('Hạn xử lý: hạn xử lý đã qua');
    const ok = await province.postMultipart('/bao-cao-dinh-ky', { _csrf: csrf, title: 'Báo cáo kết quả chuyển đổi số quý IV', description: 'Theo mẫu đính kèm.', deadline: inDays(5) }, { template: { name: 'mau.pdf', type: 'application/pdf', data: PDF } });
    expect(ok.statusCode).toBe(303);
    requestId = String(ok.headers.location).split('/').at(-1)!;
    const notices = await db().selectFrom('platform_notification').select('unit_id').where('source', '=', 'documents.report').where('source_id', '=', requestId).execute();
    expect(notices.map((n) => n.unit_id)).toContain('u-25201');
    // A commune cannot ask.
    const token = await commune.csrf('/bao-cao-dinh-ky');
    expect((await commune.postMultipart('/bao-cao-dinh-ky', { _csrf: token, title: 'Báo cáo do xã tự tạo', description: '', deadline: inDays(3) })).statusCode).toBe(404);
  });

  it('a commune downloads the template and submits its report (checked by content); the province tracks who has', async () => {
    const url = `/bao-cao-dinh-ky/${requestId}`;
    expect((await commune.get(`${url}/mau`)).rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const csrf = await commune.csrf(url);
    const notPdf = await commune.postMultipart(`${url}/nop`, { _csrf: csrf, note: '' }, { file: { name: 'bc.pdf', type: 'application/pdf', data: Buffer.from('not a report') } });
    expect(notPdf.statusCode).toBe(400);
    expect((await commune.postMultipart(`${url}/nop`, { _csrf: csrf, note: 'Số liệu đến ngày 25' }, { file: { name: 'bc.pdf', type: 'application/pdf', data: PDF } })).statusCode).toBe(303);
    expect((await commune.get(url)).body).toContain('Đã nộp lúc');
    const tracking = (await province.get(url)).body;
    expect(tracking).toMatch(/1 xã nộp đúng hạn, 0 xã nộp muộn, \d+ xã chưa nộp/);
    expect(tracking).toContain(`${url}/nop/u-25201`);
    expect((await province.get(`${url}/nop/u-25201`)).statusCode).toBe(200);
    // Another commune cannot download Hướng Đạo's report.
    const other = new Browser(t.app);
    await signIn(other, 'langcong.tuphap');
    expect((await other.get(`${url}/nop/u-25201`)).statusCode).toBe(404);
    // A late submission is marked late.
    await db().updateTable('doc_report_request').set({ deadline: inDays(-2) }).where('id', '=', requestId).execute();
    const token = await other.csrf(url);
    expect((await other.postMultipart(`${url}/nop`, { _csrf: token, note: '' }, { file: { name: 'bc.pdf', type: 'application/pdf', data: PDF } })).statusCode).toBe(303);
    expect((await province.get(url)).body).toMatch(/0 xã nộp đúng hạn, 2 xã nộp muộn/);
  });

  it('the province keeps its own incoming register — what its communes issue to it — and never reaches the communes’ registers', async () => {
    const db = t.ctx.database.db;
    const register = await province.get('/van-ban/den');
    expect(register.statusCode).toBe(200);
    const fromCommune = await db.selectFrom('doc_incoming').selectAll().where('unit_id', '=', 'u-25').where('author_org', '=', 'Xã Hướng Đạo').executeTakeFirstOrThrow();
    expect(register.body).toContain(`/van-ban/den/${fromCommune.id}`);
    expect((await province.get(`/van-ban/den/${fromCommune.id}`)).statusCode).toBe(200);
    expect((await province.get(`/van-ban/tim-kiem?q=${encodeURIComponent(fromCommune.subject.split(' ').slice(0, 3).join(' '))}`)).body).toContain(fromCommune.id);
    // A commune's own documents stay its own: a 404 (audited) even though the province's role reaches the commune.
    const communeDoc = await db.selectFrom('doc_incoming').select('id').where('unit_id', '=', 'u-25201').executeTakeFirstOrThrow();
    expect((await province.get(`/van-ban/den/${communeDoc.id}`)).statusCode).toBe(404);
    const communeOut = await db.selectFrom('doc_outgoing').select('id').where('unit_id', '=', 'u-25201').executeTakeFirstOrThrow();
    expect((await province.get(`/van-ban/di/${communeOut.id}`)).statusCode).toBe(404);
    expect(await db.selectFrom('audit_event').select('action').where('action', '=', 'access.denied').where('unit_id', '=', 'u-25201').execute()).not.toHaveLength(0);
  });
});
