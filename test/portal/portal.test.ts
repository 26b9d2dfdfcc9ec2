import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { DIALECTS } from '../support/databases.ts';
import { Browser, testApp, type TestApp } from '../support/app.ts';
import { signIn } from '../support/auth.ts';
import { sanitizeBody, slugify } from '../../src/modules/portal/content.ts';
import { sharedPagesChanged } from '../../src/platform/http/kernel.ts';

const ID = '0b6c7a3e-8a51-4d9e-9a55-2f7c1d3e4b5a';

describe('article HTML kept by the portal', () => {
  it('removes scripts, event handlers, styles, frames, unsafe links and other hosts’ pictures', () => {
    const out = sanitizeBody(
      `<h1 onclick="x()">Tiêu đề</h1><p style="color:red">Xin <strong>chào</strong><script>alert(1)</script></p><iframe src="https://evil.example"></iframe>` +
        `<a href="javascript:alert(1)">bấm</a> <a href="https://dichvucong.gov.vn" onmouseover="y()">DVC</a>` +
        `<img src="https://tracker.example/p.gif"><img src="/anh/${ID}/large.webp" alt="Ruộng chè" onerror="z()">`,
    );
    expect(out).toBe(`<h2>Tiêu đề</h2><p>Xin <strong>chào</strong></p><a rel="noopener">bấm</a> <a href="https://dichvucong.gov.vn" rel="noopener">DVC</a><img src="/anh/${ID}/large.webp" alt="Ruộng chè" loading="lazy" decoding="async" />`);
  });

  it('makes readable addresses from Vietnamese titles', () => {
    expect(slugify('Thông báo lịch tiêm chủng mở rộng tháng 11/2026')).toBe('thong-bao-lich-tiem-chung-mo-rong-thang-11-2026');
    expect(slugify('!!!')).toBe('bai-viet');
  });
});

describe.each(DIALECTS)('the commune portal on %s', (dialect) => {
  let t: TestApp;
  let editor: Browser;
  let leader: Browser;
  let visitor: Browser;
  const db = () => t.ctx.database.db;
  const article = (title: string) => db().selectFrom('portal_article').selectAll().where('title', '=', title).executeTakeFirstOrThrow();
  const fields = (over: Record<string, string> = {}) => ({
    kind: 'news',
    title: 'Xã Hướng Đạo khánh thành nhà văn hóa thôn Đồng Bùa',
    summary: 'Nhà văn hóa mới có Wi-Fi miễn phí cho người dân trong thôn.',
    body_html: '<p>Sáng nay, nhà văn hóa <strong>thôn Đồng Bùa</strong> được đưa vào sử dụng.</p><script>steal()</script><p onclick="x()">Có Wi-Fi miễn phí.</p>',
    category: 'culture',
    image_id: '',
    publish_at: '',
    expires_at: '',
    ...over,
  });

  beforeAll(async () => {
    t = await testApp(dialect);
    editor = new Browser(t.app);
    await signIn(editor, 'huongdao.vhtt');
    leader = new Browser(t.app);
    await signIn(leader, 'huongdao.chutich');
    visitor = new Browser(t.app);
  });
  afterAll(() => t.close());

  it('shows the commune’s home with pinned announcements, public services and the latest news', async () => {
    const home = await visitor.get('/xa/25201');
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('<h2 id="home-announcements">Thông báo</h2>');
    expect(home.body).toMatch(/<strong class="tag">Ghim<\/strong> <a href="\/xa\/25201\/bai\/lich-tiep-cong-dan/);
    expect(home.body).toContain('<h2 id="home-services">Dịch vụ công trực tuyến</h2>');
    expect(home.body).toContain('<h2 id="home-news">Tin tức</h2>');
    expect(home.body).toContain('<meta property="og:title" content="Xã Hướng Đạo"/>');
    // Drafts, articles waiting for review, scheduled and expired ones are not there.
    expect(home.body).not.toContain('Ra mắt mô hình “Thôn thông minh”');
    expect(home.body).not.toContain('Thông báo cắt điện');
    expect(home.body).not.toContain('tuyển sinh');
    // Cacheable, with an ETag a repeat visit revalidates.
    expect(home.headers['cache-control']).toContain('public');
    const again = await visitor.get('/xa/25201', { 'if-none-match': String(home.headers.etag) });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it('takes a draft from an official, sanitized, and refuses bad input with the field named', async () => {
    const csrf = await editor.csrf('/cong-thong-tin/moi');
    const before = await db().selectFrom('portal_article').select('id').execute();
    const bad = await editor.post('/cong-thong-tin', { _csrf: csrf, ...fields({ title: 'Tin', category: 'health', expires_at: '2020-01-01T08:00' }) });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Tiêu đề:');
    expect(bad.body).toContain('Chuyên mục: hãy chọn trong danh sách');
    expect(await db().selectFrom('portal_article').select('id').execute()).toHaveLength(before.length);
    const expired = await editor.post('/cong-thong-tin', { _csrf: csrf, ...fields({ expires_at: '2020-01-01T08:00' }) });
    expect(expired.statusCode).toBe(400);
    expect(expired.body).toContain('phải sau thời điểm đăng');
    const ok = await editor.post('/cong-thong-tin', { _csrf: csrf, ...fields() });
    expect(ok.statusCode).toBe(303);
    const a = await article(fields().title);
    expect(a.status).toBe('draft');
    expect(a.body_html).toBe('<p>Sáng nay, nhà văn hóa <strong>thôn Đồng Bùa</strong> được đưa vào sử dụng.</p><p>Có Wi-Fi miễn phí.</p>');
    expect(a.slug).toBe('xa-huong-dao-khanh-thanh-nha-van-hoa-thon-dong-bua');
    // Not public while it is a draft.
    expect((await visitor.get(`/xa/25201/bai/${a.slug}`)).statusCode).toBe(404);
  });

  it('goes through review: the official submits, the leader sends back with a reason, then publishes', async () => {
    const a = await article(fields().title);
    const url = `/cong-thong-tin/${a.id}`;
    const csrf = await editor.csrf(url);
    expect((await editor.post(`${url}/chuyen`, { _csrf: csrf, action: 'submit' })).statusCode).toBe(303);
    expect((await article(fields().title)).status).toBe('review');
    // The official cannot publish.
    const token = await leader.csrf(url);
    const denied = await editor.post(`${url}/chuyen`, { _csrf: csrf, action: 'publish' });
    expect(denied.statusCode).toBe(404);
    expect((await article(fields().title)).status).toBe('review');
    const noReason = await leader.post(`${url}/chuyen`, { _csrf: token, action: 'return', note: '' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body).toContain('hãy ghi lý do');
    expect((await leader.post(`${url}/chuyen`, { _csrf: token, action: 'return', note: 'Thêm ảnh nhà văn hóa' })).statusCode).toBe(303);
    expect(await article(fields().title)).toMatchObject({ status: 'draft', review_note: 'Thêm ảnh nhà văn hóa' });
    expect((await editor.get(url)).body).toContain('Bài được trả lại để sửa: Thêm ảnh nhà văn hóa');
    expect((await editor.post(`${url}/chuyen`, { _csrf: csrf, action: 'submit' })).statusCode).toBe(303);
    // Anonymous visitors share one rendering of the home page; publishing renews it at once.
    const before = await visitor.get('/xa/25201');
    expect(before.body).not.toContain(fields().title);
    expect((await visitor.get('/xa/25201')).headers.etag).toBe(before.headers.etag);
    expect((await leader.post(`${url}/chuyen`, { _csrf: token, action: 'publish' })).statusCode).toBe(303);
    expect((await visitor.get('/xa/25201')).body).toContain(fields().title);
    const published = await article(fields().title);
    expect(published.status).toBe('published');
    const page = await visitor.get(`/xa/25201/bai/${published.slug}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1>Xã Hướng Đạo khánh thành nhà văn hóa thôn Đồng Bùa</h1>');
    expect(page.body).toContain('<meta property="og:type" content="article"/>');
    expect(page.body).not.toContain('steal()');
    expect((await visitor.get('/xa/25201/tin-tuc')).body).toContain(published.title);
    expect((await visitor.get('/xa/25201/rss.xml')).body).toContain(`<link>${t.ctx.config.publicUrl}/xa/25201/bai/${published.slug}</link>`);
    expect((await visitor.get('/sitemap.xml')).body).toContain(`/xa/25201/bai/${published.slug}</loc>`);
    // The history: saved, submitted, returned, submitted, published.
    const events = (await db().selectFrom('portal_revision').select('event').where('article_id', '=', a.id).orderBy('n').execute()).map((r) => r.event);
    expect(events).toEqual(['saved', 'submitted', 'returned', 'submitted', 'published']);
    const audits = await db().selectFrom('audit_event').select('action').where('entity_id', '=', a.id).execute();
    expect(audits.map((r) => r.action)).toEqual(expect.arrayContaining(['portal.article.create', 'portal.article.submit', 'portal.article.return', 'portal.article.publish']));
    // An official's edit of a published article goes back to review (off the portal until approved).
    expect((await editor.post(url, { _csrf: csrf, ...fields({ summary: 'Nhà văn hóa mới khang trang, có Wi-Fi miễn phí.' }) })).statusCode).toBe(303);
    expect((await article(fields().title)).status).toBe('review');
    expect((await visitor.get(`/xa/25201/bai/${published.slug}`)).statusCode).toBe(404);
    expect((await leader.post(`${url}/chuyen`, { _csrf: token, action: 'publish' })).statusCode).toBe(303);
  });

  it('keeps scheduled items hidden until their time, and expired ones gone', async () => {
    const csrf = await leader.csrf('/cong-thong-tin/moi');
    const later = new Date(Date.now() + 2 * 86_400_000 + 7 * 3600_000).toISOString().slice(0, 16);
    expect((await leader.post('/cong-thong-tin', { _csrf: csrf, ...fields({ kind: 'announcement', category: 'health', title: 'Thông báo khám sức khỏe người cao tuổi', publish_at: later }) })).statusCode).toBe(303);
    const a = await article('Thông báo khám sức khỏe người cao tuổi');
    expect((await leader.post(`/cong-thong-tin/${a.id}/chuyen`, { _csrf: csrf, action: 'publish' })).statusCode).toBe(303);
    const scheduled = await article(a.title);
    expect(scheduled.status).toBe('published');
    expect(scheduled.publish_at! > new Date().toISOString()).toBe(true);
    expect((await visitor.get(`/xa/25201/bai/${a.slug}`)).statusCode).toBe(404);
    expect((await visitor.get('/xa/25201/thong-bao')).body).not.toContain(a.title);
    // Time passes (the shared pages of anonymous visitors live a few seconds).
    await db().updateTable('portal_article').set({ publish_at: new Date(Date.now() - 60_000).toISOString() }).where('id', '=', a.id).execute();
    sharedPagesChanged();
    expect((await visitor.get(`/xa/25201/bai/${a.slug}`)).statusCode).toBe(200);
    await db().updateTable('portal_article').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', a.id).execute();
    sharedPagesChanged();
    expect((await visitor.get(`/xa/25201/bai/${a.slug}`)).statusCode).toBe(404);
  });

  it('finds articles without diacritics', async () => {
    const found = await visitor.get(`/xa/25201/tim-kiem?q=${encodeURIComponent('tiem chung')}`);
    expect(found.statusCode).toBe(200);
    expect(found.body).toContain('Thông báo lịch tiêm chủng mở rộng');
    expect((await visitor.get(`/xa/25201/tim-kiem?q=${encodeURIComponent('khong co gi nhu the')}`)).body).toContain('Không tìm thấy bài nào');
  });

  it('resizes uploaded pictures to WebP, refuses non-images by content, serves them cached', async () => {
    const a = await article(fields().title);
    const url = `/cong-thong-tin/${a.id}`;
    const csrf = await editor.csrf(url);
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
    const refused = await editor.postMultipart(`${url}/anh`, { _csrf: csrf, alt: 'Nhà văn hóa' }, { image: { name: 'anh.jpg', type: 'image/jpeg', data: pdf } });
    expect(refused.statusCode).toBe(400);
    const before = await db().selectFrom('portal_image').select('id').execute();
    const photo = await sharp({ create: { width: 2400, height: 1600, channels: 3, background: '#3a7d44' } }).jpeg().toBuffer();
    expect((await editor.postMultipart(`${url}/anh`, { _csrf: csrf, alt: 'Nhà văn hóa thôn Đồng Bùa' }, { image: { name: 'nha-van-hoa.jpg', type: 'image/jpeg', data: photo } })).statusCode).toBe(303);
    const images = await db().selectFrom('portal_image').selectAll().where('alt', '=', 'Nhà văn hóa thôn Đồng Bùa').execute();
    expect(images).toHaveLength(1);
    expect(before.length + 1).toBe((await db().selectFrom('portal_image').select('id').execute()).length);
    expect([images[0]!.width, images[0]!.height]).toEqual([1200, 800]);
    const small = await visitor.get(`/anh/${images[0]!.id}/small.webp`);
    expect(small.statusCode).toBe(200);
    expect(small.headers['content-type']).toBe('image/webp');
    expect(small.headers['cache-control']).toContain('immutable');
    expect((await sharp(small.rawPayload).metadata()).width).toBe(480);
    expect((await visitor.get(`/anh/${images[0]!.id}/small.webp`, { 'if-none-match': String(small.headers.etag) })).statusCode).toBe(304);
    // Used in the body, the picture gets its size (no layout shift) and lazy loading.
    const body = `<p>Ảnh:</p><img src="/anh/${images[0]!.id}/large.webp" alt="Nhà văn hóa">`;
    expect((await editor.post(url, { _csrf: csrf, ...fields({ body_html: body, image_id: images[0]!.id }) })).statusCode).toBe(303);
    expect((await article(fields().title)).body_html).toBe(`<p>Ảnh:</p><img alt="Nhà văn hóa" loading="lazy" decoding="async" src="/anh/${images[0]!.id}/large.webp" width="1200" height="800">`);
  });

  it('attaches files to an article (checked by content), downloadable from its public page', async () => {
    const a = await article(fields().title);
    const url = `/cong-thong-tin/${a.id}`;
    const csrf = await editor.csrf(url);
    const script = await editor.postMultipart(`${url}/tep`, { _csrf: csrf }, { file: { name: 'lich.pdf', type: 'application/pdf', data: Buffer.from('#!/bin/sh\nrm -rf /\n') } });
    expect(script.statusCode).toBe(400);
    expect(await db().selectFrom('portal_attachment').select('file_id').where('article_id', '=', a.id).execute()).toHaveLength(0);
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
    expect((await editor.postMultipart(`${url}/tep`, { _csrf: csrf }, { file: { name: 'Lịch sinh hoạt nhà văn hóa.pdf', type: 'application/pdf', data: pdf } })).statusCode).toBe(303);
    const [attached] = await db().selectFrom('portal_attachment').select('file_id').where('article_id', '=', a.id).execute();
    // The official's earlier edit sent it back to review: the leader publishes it again.
    expect((await leader.post(`${url}/chuyen`, { _csrf: await leader.csrf(url), action: 'publish' })).statusCode).toBe(303);
    const page = await visitor.get(`/xa/25201/bai/${a.slug}`);
    expect(page.body).toContain('Tải về Lịch sinh hoạt nhà văn hóa.pdf (PDF, 1 KB)');
    const file = await visitor.get(`/xa/25201/bai/${a.slug}/tep/${attached!.file_id}`);
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('application/pdf');
    expect(String(file.headers['content-disposition'])).toContain("filename*=UTF-8''L%E1%BB%8Bch");
    // Removing asks for a ticked confirmation.
    expect((await editor.post(`${url}/tep/${attached!.file_id}/xoa`, { _csrf: csrf })).statusCode).toBe(400);
    expect((await editor.post(`${url}/tep/${attached!.file_id}/xoa`, { _csrf: csrf, confirm: 'on' })).statusCode).toBe(303);
    expect((await visitor.get(`/xa/25201/bai/${a.slug}/tep/${attached!.file_id}`)).statusCode).toBe(404);
  });

  it('keeps one standing page of each kind at its fixed address, linked from the home page', async () => {
    const home = await visitor.get('/xa/25201');
    expect(home.body).toContain('<a href="/xa/25201/gioi-thieu">Giới thiệu chung</a>');
    const intro = await visitor.get('/xa/25201/gioi-thieu');
    expect(intro.statusCode).toBe(200);
    expect(intro.body).toContain('<h1>Giới thiệu Xã Hướng Đạo</h1>');
    expect((await visitor.get('/xa/25201/gio-lam-viec')).body).toContain('7:30 – 11:30');
    expect((await visitor.get('/xa/25201/rss.xml')).body).not.toContain('gioi-thieu');
    const csrf = await editor.csrf('/cong-thong-tin/moi?loai=page');
    const second = await editor.post('/cong-thong-tin', { _csrf: csrf, ...fields({ kind: 'page', category: 'introduction', title: 'Giới thiệu xã (bản mới)' }) });
    expect(second.statusCode).toBe(400);
    expect(second.body).toContain('xã đã có trang này');
  });

  it('keeps another commune’s officials out', async () => {
    const a = await article(fields().title);
    const other = new Browser(t.app);
    await signIn(other, 'langcong.tuphap');
    expect((await other.get(`/cong-thong-tin/${a.id}`)).statusCode).toBe(404);
    const csrf = await other.csrf('/cong-thong-tin');
    expect((await other.post(`/cong-thong-tin/${a.id}`, { _csrf: csrf, ...fields({ title: 'Bài bị sửa trộm' }) })).statusCode).toBe(404);
    expect((await article(fields().title)).title).toBe(fields().title);
    // A village team member has no portal editing at all.
    const member = new Browser(t.app);
    await signIn(member, 'huongdao.totv');
    expect((await member.get('/cong-thong-tin')).statusCode).toBe(404);
  });
});
