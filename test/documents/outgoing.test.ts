import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.ts';
import { Browser, testApp, type TestApp } from '../support/app.ts';
import { signIn } from '../support/auth.ts';
import { localToday } from '../../src/platform/i18n/index.ts';
import { symbolOf } from '../../src/modules/documents/outgoing.ts';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

describe('number and symbol of an outgoing document', () => {
  it('follows Decree 30: the kind’s abbreviation and the issuer, or the drafting unit for an official letter', () => {
    expect(symbolOf(15, 'decision', '')).toBe('15/QĐ-UBND');
    expect(symbolOf(3, 'plan', '')).toBe('03/KH-UBND');
    expect(symbolOf(12, 'official_letter', 'VX')).toBe('12/UBND-VX');
  });
});

describe.each(DIALECTS)('outgoing documents on %s', (dialect) => {
  let t: TestApp;
  let drafter: Browser;
  let leader: Browser;
  let clerk: Browser;
  const db = () => t.ctx.database.db;
  const year = Number(localToday().slice(0, 4));

  beforeAll(async () => {
    t = await testApp(dialect);
    drafter = new Browser(t.app);
    await signIn(drafter, 'huongdao.vhtt');
    leader = new Browser(t.app);
    await signIn(leader, 'huongdao.chutich');
    clerk = new Browser(t.app);
    await signIn(clerk, 'huongdao.vanthu');
  });
  afterAll(() => t.close());

  const draft = async (over: Record<string, string | string[]> = {}) => {
    const csrf = await drafter.csrf('/van-ban/di/moi');
    const leaderId = (await db().selectFrom('auth_account').select('id').where('username', '=', 'huongdao.chutich').executeTakeFirstOrThrow()).id;
    const fields: Record<string, string> = { _csrf: csrf, type_code: 'official_letter', subject: 'Về việc báo cáo kết quả kích hoạt VNeID mức 2', drafting_dept: 'VX', urgency: 'normal', secrecy: 'normal', signer_id: leaderId, outside_recipients: 'Lưu: VT', ...(over as Record<string, string>) };
    return drafter.postMultipart('/van-ban/di', fields, { file: { name: 'du-thao.pdf', type: 'application/pdf', data: PDF } });
  };

  it('refuses a draft without what its symbol and recipients need', async () => {
    const before = (await db().selectFrom('doc_outgoing').select('id').execute()).length;
    const noDept = await draft({ drafting_dept: '' });
    expect(noDept.statusCode).toBe(400);
    expect(noDept.body).toContain('công văn cần đơn vị soạn thảo');
    const badSigner = await draft({ signer_id: 'khong-co' });
    expect(badSigner.statusCode).toBe(400);
    expect(badSigner.body).toContain('hãy chọn một lãnh đạo của xã');
    const nobody = await draft({ outside_recipients: '' });
    expect(nobody.statusCode).toBe(400);
    expect(nobody.body).toContain('ít nhất một nơi nhận');
    expect(await db().selectFrom('doc_outgoing').select('id').execute()).toHaveLength(before);
  });

  it('is signed and numbered by the named signer, then issued: recipient communes receive it in their incoming registers', async () => {
    const res = await draft({ type_code: 'decision', drafting_dept: '', subject: 'Quyết định kiện toàn Tổ công nghệ số cộng đồng', recipient_units: 'u-25202' });
    expect(res.statusCode).toBe(303);
    const doc = await db().selectFrom('doc_outgoing').selectAll().where('subject', '=', 'Quyết định kiện toàn Tổ công nghệ số cộng đồng').executeTakeFirstOrThrow();
    expect(await db().selectFrom('doc_outgoing_recipient').select('unit_id').where('document_id', '=', doc.id).execute()).toEqual([{ unit_id: 'u-25202' }]);
    const url = `/van-ban/di/${doc.id}`;
    // The drafter cannot sign; the clerk cannot issue before it is signed.
    const csrfD = await drafter.csrf(url);
    expect((await drafter.post(`${url}/ky`, { _csrf: csrfD })).statusCode).toBe(404);
    const csrfC = await clerk.csrf(url);
    expect((await clerk.post(`${url}/phat-hanh`, { _csrf: csrfC })).statusCode).toBe(409);
    const csrfL = await leader.csrf(url);
    expect((await leader.post(`${url}/ky`, { _csrf: csrfL })).statusCode).toBe(303);
    const signed = await db().selectFrom('doc_outgoing').selectAll().where('id', '=', doc.id).executeTakeFirstOrThrow();
    expect(signed).toMatchObject({ status: 'signed', year, signed_date: localToday() });
    expect(signed.code).toBe(`${String(signed.number).padStart(2, '0')}/QĐ-UBND`);
    // Signing twice is refused: the number is given once.
    expect((await leader.post(`${url}/ky`, { _csrf: csrfL })).statusCode).toBe(409);
    expect((await clerk.post(`${url}/phat-hanh`, { _csrf: csrfC })).statusCode).toBe(303);
    const received = await db().selectFrom('doc_incoming').selectAll().where('unit_id', '=', 'u-25202').where('code_notation', '=', 'QĐ-UBND').where('code_number', '=', signed.code!.split('/')[0]!).executeTakeFirstOrThrow();
    expect(received).toMatchObject({ author_org: 'Xã Hướng Đạo', arrival_date: localToday(), subject: 'Quyết định kiện toàn Tổ công nghệ số cộng đồng', file_id: doc.file_id });
    expect((await db().selectFrom('doc_outgoing_recipient').select('incoming_id').where('document_id', '=', doc.id).executeTakeFirstOrThrow()).incoming_id).toBe(received.id);
    const langCong = new Browser(t.app);
    await signIn(langCong, 'langcong.tuphap');
    expect((await langCong.get('/van-ban/den')).body).toContain(signed.code!.split('/').slice(1).join('/'));
    // The issuer sees where it stands at the recipient.
    expect((await clerk.get(url)).body).toContain(`Xã Lãng Công (đã nhận, số đến ${received.arrival_number}/${year}: chờ chỉ đạo)`);
  });

  it('numbers each series from 01 in order: classified documents in their own', async () => {
    const csrf = await leader.csrf('/van-ban/di');
    const sign = async (secrecy: string, subject: string) => {
      expect((await draft({ secrecy, subject })).statusCode).toBe(303);
      const d = await db().selectFrom('doc_outgoing').selectAll().where('subject', '=', subject).executeTakeFirstOrThrow();
      expect((await leader.post(`/van-ban/di/${d.id}/ky`, { _csrf: csrf })).statusCode).toBe(303);
      return db().selectFrom('doc_outgoing').selectAll().where('id', '=', d.id).executeTakeFirstOrThrow();
    };
    const a = await sign('normal', 'Công văn thứ nhất về chuyển đổi số');
    const b = await sign('normal', 'Công văn thứ hai về chuyển đổi số');
    const s1 = await sign('confidential', 'Công văn mật thứ nhất');
    expect(b.number).toBe(a.number! + 1);
    expect(s1.number).toBe(1);
    expect(s1.series).toBe('classified');
    expect(b.code).toBe(`${String(b.number).padStart(2, '0')}/UBND-VX`);
    // The classified one is not in another official's list, and is a 404 to them.
    const other = new Browser(t.app);
    await signIn(other, 'huongdao.tuphap');
    expect((await other.get('/van-ban/di')).body).not.toContain('Công văn mật thứ nhất');
    expect((await other.get(`/van-ban/di/${s1.id}`)).statusCode).toBe(404);
  });

  it('exports both registers in the columns of Decree 30, without the classified series', async () => {
    const { readXlsx } = await import('../../src/platform/xlsx.ts');
    const outgoing = await clerk.get('/van-ban/di/so.xlsx');
    expect(outgoing.statusCode).toBe(200);
    const [out] = await readXlsx(outgoing.rawPayload);
    expect(out!.rows[1]).toEqual(['Số, ký hiệu văn bản', 'Ngày tháng văn bản', 'Tên loại và trích yếu nội dung', 'Người ký', 'Nơi nhận văn bản', 'Đơn vị, người nhận bản lưu', 'Số lượng bản', 'Ngày chuyển', 'Ký nhận', 'Ghi chú']);
    const text = JSON.stringify(out!.rows);
    expect(text).toContain('Quyết định: Quyết định kiện toàn Tổ công nghệ số cộng đồng');
    expect(text).toContain('Xã Lãng Công; Lưu: VT');
    expect(text).not.toContain('Công văn mật thứ nhất');
    const incoming = await clerk.get('/van-ban/den/so.xlsx');
    const [inc] = await readXlsx(incoming.rawPayload);
    expect(inc!.rows[1]![0]).toBe('Ngày đến');
    const normal = await db().selectFrom('doc_incoming').select('id').where('unit_id', '=', 'u-25201').where('year', '=', year).where('secrecy', '=', 'normal').execute();
    expect(inc!.rows.length - 2).toBe(normal.length);
    const logged = await db().selectFrom('audit_event').select('action').where('action', '=', 'documents.register.export').execute();
    expect(logged).toHaveLength(2);
  });
});
