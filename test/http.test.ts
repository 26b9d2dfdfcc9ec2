import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './support/databases.ts';
import { Browser, testApp, type TestApp } from './support/app.ts';
import { signIn } from './support/auth.ts';

describe.each(DIALECTS)('HTTP layer on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp(dialect, { env: { BODY_LIMIT_BYTES: '4096' } });
  });
  afterAll(() => t.close());

  it('serves pages with a CSP that allows no inline script, and a request id', async () => {
    const res = await t.app.inject('/');
    expect(res.statusCode).toBe(200);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    // The process's random prefix and a counter: each request its own id.
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f]{8}-[0-9a-z]+$/);
    expect(res.body).not.toMatch(/<script>|<script [^>]*>[^<]/); // no inline script body
    expect(String(res.headers['set-cookie'])).toMatch(/xs_csrf=.*HttpOnly; SameSite=Lax/);
    const api = await t.app.inject('/api/v1/me');
    expect(api.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(api.headers['x-content-type-options']).toBe('nosniff');
    expect(api.headers['cache-control']).toBe('no-store');
    expect(api.headers['set-cookie']).toBeUndefined();
    const [prefix] = String(res.headers['x-request-id']).split('-');
    expect(api.headers['x-request-id']).toMatch(new RegExp(`^${prefix}-`));
    expect(api.headers['x-request-id']).not.toBe(res.headers['x-request-id']);
  });

  it('refuses a form POST without a valid CSRF token with 403, and changes nothing', async () => {
    const b = new Browser(t.app);
    await b.csrf('/login');
    const before = await t.ctx.database.db.selectFrom('audit_event').select('seq').execute();
    const res = await b.post('/login', { username: 'huongdao.tuphap', password: 'xaso-demo-2026' });
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('Phiên làm việc của biểu mẫu đã hết hạn');
    const forged = await b.post('/login', { _csrf: 'forged-token', username: 'huongdao.tuphap', password: 'xaso-demo-2026' });
    expect(forged.statusCode).toBe(403);
    expect(forged.headers['set-cookie'] ?? '').not.toContain('xs_sid');
    expect(await t.ctx.database.db.selectFrom('audit_event').select('seq').execute()).toEqual(before);
  });

  it('answers an oversized body with 413 and a message', async () => {
    const b = new Browser(t.app);
    const res = await b.post('/login', { _csrf: await b.csrf(), username: 'x'.repeat(10000), password: 'y' });
    expect(res.statusCode).toBe(413);
    expect(res.body).toContain('Dữ liệu gửi lên quá lớn (tối đa 4 KB)');
    const api = await t.app.inject({ method: 'POST', url: '/api/v1/me', payload: { x: 'y'.repeat(10000) } });
    expect(api.statusCode).toBe(413);
  });

  it('answers errors as problem+json under /api and as pages elsewhere, without stack traces', async () => {
    const api = await t.app.inject('/api/v1/units/nope');
    expect(api.statusCode).toBe(401);
    expect(api.headers['content-type']).toContain('application/problem+json');
    expect(api.json()).toMatchObject({ status: 401, title: 'unauthenticated', detail: 'Vui lòng đăng nhập để tiếp tục.' });
    const page = await t.app.inject('/khong-co-trang-nay');
    expect(page.statusCode).toBe(404);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('Không tìm thấy trang');
    expect(page.body).not.toMatch(/at .*\.ts:\d+/);
  });

  it('answers a malformed URL plainly, without a stack trace', async () => {
    const res = await t.app.inject('/xa/%E0%A4%A');
    expect(res.statusCode).toBe(400);
    expect(res.body).not.toMatch(/at .*\.(ts|js):\d+/);
  });

  it('switches language to English and back, keeping the page', async () => {
    const b = new Browser(t.app);
    const sw = await b.get('/lang/en?next=/xa/25201');
    expect(sw.statusCode).toBe(303);
    expect(sw.headers.location).toBe('/xa/25201');
    const en = await b.get('/xa/25201');
    expect(en.body).toContain('<html lang="en"');
    expect(en.body).toContain('Welcome to the portal of Xã Hướng Đạo');
    expect((await b.get('/lang/vi?next=//evil.example')).headers.location).toBe('/');
    expect((await b.get('/')).body).toContain('<html lang="vi"');
  });

  it('shows a commune portal with its villages and history', async () => {
    const res = await t.app.inject('/xa/25203');
    expect(res.body).toContain('Chào mừng đến với cổng thông tin Xã Thổ Tang');
    expect(res.body).toContain('Tổ dân phố Thổ Tang 1');
    expect(res.body).toContain('Hình thành từ');
    expect(res.body).toContain('Thị trấn Thổ Tang');
    expect((await t.app.inject('/xa/99999')).statusCode).toBe(404);
  });

  it('publishes an OpenAPI document and health probes', async () => {
    const doc = await t.app.inject('/api/docs/json');
    expect(doc.statusCode).toBe(200);
    expect(Object.keys(doc.json<{ paths: object }>().paths)).toContain('/api/v1/units/{id}');
    expect((await t.app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    expect((await t.app.inject('/readyz')).json()).toEqual({ status: 'ready' });
  });

  it('builds the back-office navigation from the manifests, filtered by permission', async () => {
    const clerk = new Browser(t.app);
    await signIn(clerk, 'huongdao.vanthu');
    const page = (await clerk.get('/admin')).body;
    expect(page).toContain('href="/admin/units"');
    expect(page).not.toContain('href="/admin/accounts"');
    expect(page).not.toContain('href="/province"');
    expect((await clerk.get('/admin/accounts')).statusCode).toBe(403);
    expect((await clerk.get('/province')).statusCode).toBe(403);
  });
});
