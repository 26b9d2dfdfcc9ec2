import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.ts';
import { Browser, testApp, type TestApp } from '../support/app.ts';
import { signIn } from '../support/auth.ts';
import { localToday } from '../../src/platform/i18n/index.ts';
import { symbolOf } from '../../src/modules/documents/outgoing.ts';
import { newPdf, pdfBytes } from '../../src/platform/pdf/document.ts';
import { verifyPdfSignature } from '../../src/platform/pdf/sign.ts';
import { readStoredFile } from '../../src/platform/files/files.ts';
import { docx } from '../support/docx.ts';

let PDF: Buffer;
const pdfOf = async (text: string) => {
  const doc = newPdf({ title: text });
  doc.text(text);
  return pdfBytes(doc);
};

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
    PDF = await pdfOf('Dự thảo văn bản của xã');
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
    expect(received).toMatchObject({ author_org: 'Xã Hướng Đạo', arrival_date: localToday(), subject: 'Quyết định kiện toàn Tổ công nghệ số cộng đồng' });
    expect((await db().selectFrom('doc_outgoing_recipient').select('incoming_id').where('document_id', '=', doc.id).executeTakeFirstOrThrow()).incoming_id).toBe(received.id);
    const langCong = new Browser(t.app);
    await signIn(langCong, 'langcong.tuphap');
    expect((await langCong.get('/van-ban/den')).body).toContain(signed.code!.split('/').slice(1).join('/'));
    // The issuer sees where it stands at the recipient.
    expect((await clerk.get(url)).body).toMatch(new RegExp(`Xã Lãng Công \\(đã nhận lúc \\d\\d:\\d\\d \\d\\d/\\d\\d/${year}, số đến ${received.arrival_number}/${year}: chờ chỉ đạo\\)`));
    // Signed digitally: the recipient holds the signed PDF, whose signature verifies.
    expect(signed.signed_file_id).toBeTruthy();
    expect(received.file_id).toBe(signed.signed_file_id);
    const file = await readStoredFile(t.ctx, received.file_id);
    expect(verifyPdfSignature(file!.data)).toMatchObject({ valid: true });
    const tampered = Buffer.from(file!.data);
    tampered[300] = tampered[300]! ^ 1;
    expect(verifyPdfSignature(tampered)?.valid).toBe(false);
    const issuerPage = (await clerk.get(url)).body;
    expect(issuerPage).toContain('Hợp lệ: Xa So - chung thu thu nghiem');
    expect(issuerPage).toContain('chưa có giá trị pháp lý');
    // The receipt reached the recipient's people.
    const notices = await db().selectFrom('platform_notification').select('subject').where('source_id', '=', received.id).execute();
    expect(notices.length).toBeGreaterThan(0);
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
    // Printable as PDF too, with the same columns; and the handling tracker.
    const { extractText } = await import('../../src/platform/files/text.ts');
    const pdf = await clerk.get('/van-ban/di/so.pdf');
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const printed = await extractText(pdf.rawPayload, 'application/pdf');
    expect(printed).toContain('SỔ ĐĂNG KÝ VĂN BẢN ĐI NĂM');
    expect(printed).toContain('Kiện toàn Tổ công nghệ số cộng đồng'.slice(1));
    expect(printed).not.toContain('Công văn mật thứ nhất');
    const tracker = await clerk.get('/van-ban/den/theo-doi.xlsx');
    const [track] = await readXlsx(tracker.rawPayload);
    expect(track!.rows[1]).toEqual(['Số đến', 'Số, ký hiệu', 'Tên loại và trích yếu nội dung', 'Người chủ trì', 'Hạn giải quyết', 'Tiến độ', 'Kết quả giải quyết', 'Ghi chú']);
    expect(track!.rows.length).toBeGreaterThan(5);
    // Each assignment's progress, as its status and deadline say (early in January no assignment of the
    // year may be done yet, so "done" is looked for only when there is one).
    const progress = track!.rows.slice(2).map((r) => String(r[5]));
    expect(progress.every((p) => /^(Xong đúng hạn|Xong, trễ hạn|Quá hạn, đang giải quyết|Đang giải quyết|đã bị thu hồi)/.test(p)), progress.join(' | ')).toBe(true);
    const done = await db().selectFrom('doc_assignment as a').innerJoin('doc_incoming as d', 'd.id', 'a.document_id').select('a.id').where('a.unit_id', '=', 'u-25201').where('d.year', '=', year).where('d.secrecy', '=', 'normal').where('a.status', '=', 'done').execute();
    if (done.length) expect(progress.filter((p) => p.startsWith('Xong'))).toHaveLength(done.length);
    expect((await clerk.get('/van-ban/den/theo-doi.pdf')).statusCode).toBe(200);
    const logged = await db().selectFrom('audit_event').select('action').where('action', '=', 'documents.register.export').execute();
    expect(logged).toHaveLength(3);
    expect(await db().selectFrom('audit_event').select('action').where('action', '=', 'documents.register.print').execute()).toHaveLength(2);
  });

  const docBy = (subject: string) => db().selectFrom('doc_outgoing').selectAll().where('subject', '=', subject).executeTakeFirstOrThrow();

  it('reviews a draft: comments notify the drafter, a DOCX must become a PDF revision before signing, every version kept', async () => {
    const csrf = await drafter.csrf('/van-ban/di/moi');
    const leaderId = (await db().selectFrom('auth_account').select('id').where('username', '=', 'huongdao.chutich').executeTakeFirstOrThrow()).id;
    const res = await drafter.postMultipart('/van-ban/di', { _csrf: csrf, type_code: 'plan', subject: 'Kế hoạch tổ chức ngày chuyển đổi số của xã', drafting_dept: '', urgency: 'normal', secrecy: 'normal', signer_id: leaderId, outside_recipients: 'Lưu: VT' }, { file: { name: 'ke-hoach.docx', type: 'application/octet-stream', data: await docx(['Kế hoạch tổ chức ngày chuyển đổi số']) } });
    expect(res.statusCode).toBe(303);
    const doc = await docBy('Kế hoạch tổ chức ngày chuyển đổi số của xã');
    const url = `/van-ban/di/${doc.id}`;
    // The leader comments; an empty comment is refused and nothing is recorded.
    const csrfL = await leader.csrf(url);
    const empty = await leader.post(`${url}/y-kien`, { _csrf: csrfL, note: ' ' });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('Ý kiến góp ý');
    expect((await leader.post(`${url}/y-kien`, { _csrf: csrfL, note: 'Bổ sung phân công cho các thôn.' })).statusCode).toBe(303);
    const drafterId = doc.created_by;
    expect(await db().selectFrom('platform_notification').select('id').where('account_id', '=', drafterId).where('source_id', '=', doc.id).execute()).not.toHaveLength(0);
    // Signing a DOCX is refused: the final PDF first.
    const refused = await leader.post(`${url}/ky`, { _csrf: csrfL });
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('Cần bản PDF cuối cùng để ký số');
    expect((await docBy(doc.subject)).status).toBe('draft');
    // Only the drafter (or the signer) revises; a non-document is refused by content.
    const other = new Browser(t.app);
    await signIn(other, 'huongdao.tuphap');
    expect((await other.postMultipart(`${url}/sua`, { _csrf: await other.csrf(url), note: 'x' }, { file: { name: 'a.pdf', type: 'application/pdf', data: PDF } })).statusCode).toBe(409);
    const csrfD = await drafter.csrf(url);
    expect((await drafter.postMultipart(`${url}/sua`, { _csrf: csrfD, note: 'sai' }, { file: { name: 'a.pdf', type: 'application/pdf', data: Buffer.from('not a pdf at all') } })).statusCode).toBe(400);
    expect((await drafter.postMultipart(`${url}/sua`, { _csrf: csrfD, note: 'Đã bổ sung phân công' }, { file: { name: 'ke-hoach.pdf', type: 'application/pdf', data: await pdfOf('Kế hoạch, bản cuối') } })).statusCode).toBe(303);
    const versions = await db().selectFrom('doc_outgoing_version').select(['version', 'note']).where('document_id', '=', doc.id).orderBy('version').execute();
    expect(versions).toEqual([{ version: 1, note: '' }, { version: 2, note: 'Đã bổ sung phân công' }]);
    expect((await drafter.get(`${url}/tep?ban=1`)).headers['content-type']).toContain('wordprocessingml');
    expect((await leader.post(`${url}/ky`, { _csrf: csrfL })).statusCode).toBe(303);
    const page = (await drafter.get(url)).body;
    for (const step of ['Soạn dự thảo', 'Góp ý', 'Bổ sung phân công cho các thôn.', 'Tải lên bản sửa', 'Ký số và cấp số', 'Phiên bản 2']) expect(page).toContain(step);
    // Once signed, no more comments.
    expect((await leader.post(`${url}/y-kien`, { _csrf: csrfL, note: 'Muộn rồi' })).statusCode).toBe(409);
    const views = await db().selectFrom('audit_event').select('action').where('entity_id', '=', doc.id).where('action', 'in', ['documents.outgoing.view', 'documents.outgoing.download']).execute();
    expect(views.length).toBeGreaterThan(2);
  });

  const issueTo = async (subject: string, over: Record<string, string> = {}) => {
    expect((await draft({ subject, recipient_units: 'u-25202', ...over })).statusCode).toBe(303);
    const d = await docBy(subject);
    const url = `/van-ban/di/${d.id}`;
    expect((await leader.post(`${url}/ky`, { _csrf: await leader.csrf(url) })).statusCode).toBe(303);
    expect((await clerk.post(`${url}/phat-hanh`, { _csrf: await clerk.csrf(url) })).statusCode).toBe(303);
    const copy = await db().selectFrom('doc_outgoing_recipient').select('incoming_id').where('document_id', '=', d.id).executeTakeFirstOrThrow();
    return { id: d.id, url, copy: copy.incoming_id! };
  };

  it('recalls an issued document: frozen at the issuer, deleted from the recipient’s register and search, its people told', async () => {
    const { id, url, copy } = await issueTo('Về việc điều chỉnh lịch trực phòng chống thiên tai');
    const langCong = new Browser(t.app);
    await signIn(langCong, 'langcong.chutich');
    expect((await langCong.get('/van-ban/den')).body).toContain(copy);
    const csrfL = await leader.csrf(url);
    // A reason and the confirmation are needed; the clerk cannot decide a recall.
    const noConfirm = await leader.post(`${url}/thu-hoi`, { _csrf: csrfL, reason: 'Ban hành nhầm nơi nhận' });
    expect(noConfirm.statusCode).toBe(400);
    expect((await clerk.post(`${url}/thu-hoi`, { _csrf: await clerk.csrf(url), reason: 'Ban hành nhầm nơi nhận', confirm: 'on' })).statusCode).toBe(404);
    expect((await docBy('Về việc điều chỉnh lịch trực phòng chống thiên tai')).status).toBe('issued');
    expect((await leader.post(`${url}/thu-hoi`, { _csrf: csrfL, reason: 'Ban hành nhầm nơi nhận', confirm: 'on' })).statusCode).toBe(303);
    expect(await db().selectFrom('doc_outgoing').select(['status', 'recall_reason']).where('id', '=', id).executeTakeFirstOrThrow()).toEqual({ status: 'recalled', recall_reason: 'Ban hành nhầm nơi nhận' });
    expect((await leader.get(url)).body).toContain('đã bị đơn vị ban hành thu hồi');
    // At the recipient: gone from the register and the search; the record explains the number; the file is gone.
    expect((await langCong.get('/van-ban/den')).body).not.toContain(copy);
    expect((await langCong.get('/van-ban/tim-kiem?q=lich+truc+phong+chong')).body).not.toContain(copy);
    const tomb = await langCong.get(`/van-ban/den/${copy}`);
    expect(tomb.statusCode).toBe(410);
    expect(tomb.body).toContain('Ban hành nhầm nơi nhận');
    expect((await langCong.get(`/van-ban/den/${copy}/van-ban.pdf`)).statusCode).toBe(410);
    expect(await db().selectFrom('platform_notification').select('subject').where('source_id', '=', copy).where('subject', 'like', '%thu hồi%').execute()).not.toHaveLength(0);
    // Recalling twice is refused.
    expect((await leader.post(`${url}/thu-hoi`, { _csrf: csrfL, reason: 'Lần nữa', confirm: 'on' })).statusCode).toBe(409);
  });

  it('replaces an issued document: on issue of the new one, the old reads as replaced at the issuer and the recipient', async () => {
    const old = await issueTo('Quyết định thành lập tổ kiểm tra an toàn thông tin', { type_code: 'decision', drafting_dept: '' });
    const bad = await draft({ subject: 'Quyết định thay thế (sai)', replaces_id: 'khong-co' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Thay thế văn bản');
    const neu = await issueTo('Quyết định thành lập tổ kiểm tra an toàn thông tin (thay thế)', { type_code: 'decision', drafting_dept: '', replaces_id: old.id });
    expect((await db().selectFrom('doc_outgoing').select('status').where('id', '=', old.id).executeTakeFirstOrThrow()).status).toBe('replaced');
    expect((await db().selectFrom('doc_incoming').select('status').where('id', '=', old.copy).executeTakeFirstOrThrow()).status).toBe('replaced');
    const code = (await db().selectFrom('doc_outgoing').select('code').where('id', '=', neu.id).executeTakeFirstOrThrow()).code!;
    expect((await leader.get(old.url)).body).toContain(`đã bị thay thế bởi văn bản số ${code}`);
    const langCong = new Browser(t.app);
    await signIn(langCong, 'langcong.chutich');
    expect((await langCong.get(`/van-ban/den/${old.copy}`)).body).toContain(`đã bị thay thế bởi văn bản số ${code}`);
  });
});
