import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import { DIALECTS } from '../support/databases.ts';
import { Browser, testApp, type TestApp } from '../support/app.ts';
import { signIn } from '../support/auth.ts';
import { localToday } from '../../src/platform/i18n/index.ts';

describe.each(DIALECTS)('files (hồ sơ) on %s', (dialect) => {
  let t: TestApp;
  let clerk: Browser;
  const db = () => t.ctx.database.db;
  const year = Number(localToday().slice(0, 4));

  beforeAll(async () => {
    t = await testApp(dialect);
    clerk = new Browser(t.app);
    await signIn(clerk, 'huongdao.vanthu');
  });
  afterAll(() => t.close());

  it('keeps the year’s file plan: a code once per year, the fields named when wrong', async () => {
    const csrf = await clerk.csrf('/van-ban/ho-so');
    const bad = await clerk.post('/van-ban/ho-so', { _csrf: csrf, year: String(year), code: '01 VP!', title: 'Hồ', keeper: '', retention: '' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Số, ký hiệu hồ sơ: chỉ gồm chữ, số');
    expect(bad.body).toContain('Tiêu đề hồ sơ:');
    const fields = { _csrf: csrf, year: String(year), code: '01.VP', title: 'Hồ sơ chuyển đổi số năm ' + year, keeper: 'Đỗ Thị Lan, văn thư', retention: '10 năm' };
    expect((await clerk.post('/van-ban/ho-so', fields)).statusCode).toBe(303);
    const again = await clerk.post('/van-ban/ho-so', fields);
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('đã có trong danh mục hồ sơ');
    expect(await db().selectFrom('doc_file').select('id').where('code', '=', '01.VP').execute()).toHaveLength(1);
  });

  it('files incoming and outgoing documents (once each) and exports the file in date order as XML and PDF', async () => {
    const file = await db().selectFrom('doc_file').selectAll().where('code', '=', '01.VP').executeTakeFirstOrThrow();
    const incoming = await db().selectFrom('doc_incoming').select(['id', 'issued_date', 'code_number', 'code_notation']).where('unit_id', '=', 'u-25201').orderBy('arrival_number', 'desc').limit(2).execute();
    const outgoing = await db().selectFrom('doc_outgoing').select(['id', 'code']).where('unit_id', '=', 'u-25201').where('status', '=', 'issued').executeTakeFirstOrThrow();
    for (const d of incoming) {
      const csrf = await clerk.csrf(`/van-ban/den/${d.id}`);
      expect((await clerk.post(`/van-ban/den/${d.id}/ho-so`, { _csrf: csrf, file_id: file.id })).statusCode).toBe(303);
    }
    const csrf = await clerk.csrf(`/van-ban/di/${outgoing.id}`);
    expect((await clerk.post(`/van-ban/di/${outgoing.id}/ho-so`, { _csrf: csrf, file_id: file.id })).statusCode).toBe(303);
    // Filing twice keeps one entry.
    expect((await clerk.post(`/van-ban/di/${outgoing.id}/ho-so`, { _csrf: csrf, file_id: file.id })).statusCode).toBe(303);
    expect(await db().selectFrom('doc_file_item').select('document_id').where('file_id', '=', file.id).execute()).toHaveLength(3);
    expect((await clerk.get(`/van-ban/den/${incoming[0]!.id}`)).body).toContain(`Thuộc hồ sơ</h2><p>01.VP/${year} — ${file.title}`);

    const xml = await clerk.get(`/van-ban/ho-so/${file.id}/ho-so.xml`);
    expect(xml.statusCode).toBe(200);
    const parsed = new XMLParser({ ignoreAttributes: false }).parse(xml.body) as { File: { FileCode: string; Document: { IssuedDate: string; CodeNotation: string; '@_direction': string }[] } };
    expect(parsed.File.FileCode).toBe('01.VP');
    const dates = parsed.File.Document.map((d) => d.IssuedDate);
    expect(dates).toEqual([...dates].sort());
    expect(parsed.File.Document.map((d) => d['@_direction']).sort()).toEqual(['incoming', 'incoming', 'outgoing']);
    const pdf = await clerk.get(`/van-ban/ho-so/${file.id}/ho-so.pdf`);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect((await db().selectFrom('audit_event').select('action').where('entity_id', '=', file.id).where('action', '=', 'documents.file.export').execute()).length).toBe(2);
    // Another commune's file cannot take this document; another commune's people cannot open the file.
    const other = new Browser(t.app);
    await signIn(other, 'langcong.tuphap');
    expect((await other.get(`/van-ban/ho-so/${file.id}`)).statusCode).toBe(404);
  });
});
