import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.ts';
import { Browser, testApp, type TestApp } from '../support/app.ts';
import { signIn } from '../support/auth.ts';
import { docx } from '../support/docx.ts';
import { localToday } from '../../src/platform/i18n/index.ts';
import { newPdf, pdfBytes } from '../../src/platform/pdf/document.ts';
import { indexDocument, indexPendingTexts, kickIndexer, queryTerms } from '../../src/modules/documents/search.ts';

const BROKEN_PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

async function pdfWith(lines: string[]) {
  const doc = newPdf({ title: 'test' });
  for (const l of lines) doc.text(l).moveDown();
  return pdfBytes(doc);
}

describe('query terms', () => {
  it('folds words and keeps a quoted part together as a phrase', () => {
    expect(queryTerms('Kế hoạch "phòng chống lụt bão" 15/QĐ-UBND')).toEqual([['ke'], ['hoach'], ['phong', 'chong', 'lut', 'bao'], ['15'], ['qd'], ['ubnd']]);
    expect(queryTerms('  " " %_* ')).toEqual([]);
  });
});

describe.each(DIALECTS)('searching documents on %s', (dialect) => {
  let t: TestApp;
  let clerk: Browser;
  let official: Browser;
  let leader: Browser;
  let other: Browser;
  const db = () => t.ctx.database.db;
  const search = async (who: Browser, query: string) => {
    const res = await who.get(`/van-ban/tim-kiem?${query}`);
    expect(res.statusCode).toBe(200);
    return res.body;
  };
  const register = async (over: Record<string, string>, file: Buffer) => {
    const csrf = await clerk.csrf('/van-ban/den/moi');
    const res = await clerk.postMultipart(
      '/van-ban/den',
      { _csrf: csrf, author_org: 'Sở Nông nghiệp và Môi trường', code_number: '77', code_notation: 'KH-SNN', issued_date: localToday(), type_code: 'plan', subject: 'Kế hoạch phòng chống hạn hán vụ đông xuân', urgency: 'normal', secrecy: 'normal', due_date: '', ...over },
      { file: { name: 'vb.pdf', type: 'application/pdf', data: file } },
    );
    expect(res.statusCode).toBe(303);
    return String(res.headers.location).split('/').pop()!;
  };

  beforeAll(async () => {
    t = await testApp(dialect);
    clerk = new Browser(t.app);
    await signIn(clerk, 'huongdao.vanthu');
    official = new Browser(t.app);
    await signIn(official, 'huongdao.tuphap');
    leader = new Browser(t.app);
    await signIn(leader, 'huongdao.chutich');
    other = new Browser(t.app);
    await signIn(other, 'langcong.chutich');
  });
  afterAll(() => t.close());

  it('finds a document by its metadata at once and by the text inside its PDF once the indexer has read it', async () => {
    const id = await register({ code_number: '9101', subject: 'Kế hoạch tưới tiêu mùa khô' }, await pdfWith(['Điều 1. Huy động máy bơm dã chiến cho thôn Đồng Bừa và cánh đồng Gò Mạ.']));
    // The abstract, without diacritics, as soon as the registration has answered (its row is written in
    // the registering transaction; the file's text is read in the background just after).
    expect(await search(official, 'q=tuoi+tieu+mua+kho')).toContain(`/van-ban/den/${id}`);
    await kickIndexer(t.ctx);
    expect((await db().selectFrom('doc_search').select('text_state').where('document_id', '=', id).executeTakeFirstOrThrow()).text_state).toBe('done');
    const found = await search(official, 'q=máy+bơm+dã+chiến');
    expect(found).toContain(`/van-ban/den/${id}`);
    expect(found).toContain('9101/KH-SNN');
    // A phrase must appear as such; the same words apart do not match it.
    expect(await search(official, `q=${encodeURIComponent('"go ma"')}`)).toContain(id);
    expect(await search(official, `q=${encodeURIComponent('"ma go"')}`)).not.toContain(id);
    // Every word must be there.
    expect(await search(official, 'q=may+bom+vneid')).not.toContain(id);
  });

  it('reads the text of a DOCX draft, and filters by register, kind, urgency, issuer, dates and status', async () => {
    const leaderId = (await db().selectFrom('auth_account').select('id').where('username', '=', 'huongdao.chutich').executeTakeFirstOrThrow()).id;
    const csrf = await official.csrf('/van-ban/di/moi');
    const draft = await official.postMultipart(
      '/van-ban/di',
      { _csrf: csrf, type_code: 'report', subject: 'Báo cáo sơ kết phong trào bình dân học vụ số', drafting_dept: '', urgency: 'urgent', secrecy: 'normal', signer_id: leaderId, outside_recipients: 'Lưu: VT' },
      { file: { name: 'bao-cao.docx', type: 'application/octet-stream', data: await docx(['Kết quả: 1.240 người dân được hướng dẫn cài đặt ứng dụng ngân hàng số.']) } },
    );
    expect(draft.statusCode).toBe(303);
    const outId = String(draft.headers.location).split('/').pop()!;
    await kickIndexer(t.ctx);
    expect(await search(official, 'q=ung+dung+ngan+hang+so')).toContain(`/van-ban/di/${outId}`);
    expect(await search(official, 'q=ngan+hang&loai_so=di')).toContain(outId);
    expect(await search(official, 'q=ngan+hang&loai_so=den')).not.toContain(outId);
    expect(await search(official, 'q=ngan+hang&loai=report&do_khan=urgent&trang_thai=draft')).toContain(outId);
    expect(await search(official, 'q=ngan+hang&loai=plan')).not.toContain(outId);
    expect(await search(official, 'q=ngan+hang&do_khan=normal')).not.toContain(outId);
    expect(await search(official, 'q=ngan+hang&trang_thai=issued')).not.toContain(outId);
    expect(await search(official, 'q=ngan+hang&noi_ban_hanh=huong+dao')).toContain(outId);
    expect(await search(official, 'q=ngan+hang&noi_ban_hanh=phu+tho')).not.toContain(outId);
    expect(await search(official, `loai_so=di&tu=${localToday()}`)).toContain(outId);
    expect(await search(official, 'loai_so=di&den=2000-01-01')).not.toContain(outId);
    // A draft written at 00:30 in Vietnam (17:30 UTC the day before) is dated the Vietnamese day.
    await db().updateTable('doc_outgoing').set({ created_at: '2026-03-01T17:30:00.000Z' }).where('id', '=', outId).execute();
    await t.ctx.database.db.transaction().execute((trx) => indexDocument(trx, t.ctx.database, 'outgoing', outId));
    expect((await db().selectFrom('doc_search').select('doc_date').where('document_id', '=', outId).executeTakeFirstOrThrow()).doc_date).toBe('2026-03-02');
    expect(await search(official, 'loai_so=di&tu=2026-03-02&den=2026-03-02')).toContain(outId);
    // Status follows the document: signed, then the filter finds it as signed.
    const url = `/van-ban/di/${outId}`;
    // The final version is a PDF (only a PDF is signed); its text replaces the DOCX's in the index.
    expect((await official.postMultipart(`${url}/sua`, { _csrf: await official.csrf(url), note: 'Bản cuối' }, { file: { name: 'bao-cao.pdf', type: 'application/pdf', data: await pdfWith(['Kết quả: 1.240 người dân dùng ứng dụng ngân hàng số; 310 hộ bán nông sản trên sàn điện tử.']) } })).statusCode).toBe(303);
    await kickIndexer(t.ctx);
    expect(await search(official, 'q=ban+nong+san+tren+san')).toContain(outId);
    expect((await leader.post(`${url}/ky`, { _csrf: await leader.csrf(url) })).statusCode).toBe(303);
    await kickIndexer(t.ctx);
    const signed = await search(official, 'q=ngan+hang&trang_thai=signed');
    expect(signed).toContain(outId);
    const code = (await db().selectFrom('doc_outgoing').select('code').where('id', '=', outId).executeTakeFirstOrThrow()).code!;
    expect(signed).toContain(code);
    // Its new number and symbol are words too.
    expect(await search(official, `q=${encodeURIComponent(code)}+ngan+hang`)).toContain(outId);
  });

  it('keeps classified documents to their readers and each commune to its own documents', async () => {
    const id = await register({ code_number: '5', code_notation: 'CV-CA', author_org: 'Công an tỉnh', subject: 'Về việc bảo vệ bí mật trạm biến áp', secrecy: 'secret' }, await pdfWith(['Phương án bảo vệ trạm biến áp.']));
    await kickIndexer(t.ctx);
    expect(await search(leader, 'q=tram+bien+ap')).toContain(id);
    expect(await search(clerk, 'q=tram+bien+ap')).toContain(id);
    expect(await search(official, 'q=tram+bien+ap')).not.toContain(id);
    expect(await search(other, 'q=tram+bien+ap')).not.toContain(id);
    expect(await search(other, 'q=may+bom+da+chien')).toContain('Không tìm thấy văn bản nào phù hợp.');
    // A citizen or an anonymous visitor has no search at all.
    expect((await new Browser(t.app).get('/van-ban/tim-kiem?q=tram')).statusCode).toBe(303);
  });

  it('keeps a file it cannot read findable by its metadata', async () => {
    const id = await register({ code_number: '404', subject: 'Thông báo lịch tiếp công dân quý tư' }, BROKEN_PDF);
    await indexPendingTexts(t.ctx);
    expect((await db().selectFrom('doc_search').select('text_state').where('document_id', '=', id).executeTakeFirstOrThrow()).text_state).toBe('failed');
    expect(await search(official, 'q=lich+tiep+cong+dan')).toContain(id);
  });

  it('saves a search by name, refuses a second of the same name, and removes one only when confirmed', async () => {
    const page = '/van-ban/tim-kiem?q=may+bom&do_khan=normal';
    const csrf = await official.csrf(page);
    const nameless = await official.post('/van-ban/tim-kiem/luu', { _csrf: csrf, name: '', query: 'q=may+bom&do_khan=normal' });
    expect(nameless.statusCode).toBe(400);
    expect(nameless.body).toContain('Tên tìm kiếm');
    const saved = await official.post('/van-ban/tim-kiem/luu', { _csrf: csrf, name: 'Máy bơm chống hạn', query: 'q=may+bom&do_khan=normal&bogus=1' });
    expect(saved.statusCode).toBe(303);
    const row = await db().selectFrom('doc_saved_search').selectAll().where('name', '=', 'Máy bơm chống hạn').executeTakeFirstOrThrow();
    expect(row.query).toBe('q=may+bom&do_khan=normal');
    const list = await search(official, '');
    expect(list).toContain('Máy bơm chống hạn');
    expect(list).toContain(`href="/van-ban/tim-kiem?q=may+bom&amp;do_khan=normal"`);
    const again = await official.post('/van-ban/tim-kiem/luu', { _csrf: csrf, name: 'máy bơm chống hạn', query: 'q=bom' });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('đã có một tìm kiếm cùng tên');
    // Another official neither sees nor removes it.
    expect(await search(clerk, '')).not.toContain('Máy bơm chống hạn');
    expect((await clerk.post(`/van-ban/tim-kiem/luu/${row.id}/xoa`, { _csrf: await clerk.csrf('/van-ban/tim-kiem'), confirm: 'on' })).statusCode).toBe(404);
    expect((await official.post(`/van-ban/tim-kiem/luu/${row.id}/xoa`, { _csrf: csrf })).statusCode).toBe(400);
    expect(await db().selectFrom('doc_saved_search').select('id').where('id', '=', row.id).executeTakeFirst()).toBeDefined();
    expect((await official.post(`/van-ban/tim-kiem/luu/${row.id}/xoa`, { _csrf: csrf, confirm: 'on' })).statusCode).toBe(303);
    expect(await db().selectFrom('doc_saved_search').select('id').where('id', '=', row.id).executeTakeFirst()).toBeUndefined();
    const audit = await db().selectFrom('audit_event').select('action').where('entity_id', '=', row.id).orderBy('at').execute();
    expect(audit.map((a) => a.action)).toEqual(['documents.search.save', 'documents.search.remove']);
  });
});
