import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './support/databases.ts';
import { Browser, testApp, type TestApp } from './support/app.ts';
import { signIn } from './support/auth.ts';
import { totpCode } from '../src/platform/auth/totp.ts';
import { DEMO_PASSWORD } from '../src/platform/seed.ts';
import { disableAccount, disableInactiveAccounts } from '../src/platform/auth/accounts.ts';
import { systemContext } from '../src/platform/audit/audit.ts';

describe.each(DIALECTS)('officials signing in on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp(dialect);
  });
  afterAll(() => t.close());

  const login = async (b: Browser, username: string, password: string) =>
    b.post('/login', { _csrf: await b.csrf('/login'), username, password, next: '/admin' });

  it('signs in a commune official without TOTP and shows the back office', async () => {
    const b = new Browser(t.app);
    await signIn(b, 'huongdao.tuphap');
    const page = await b.get('/admin');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Xin chào, Lê Thị Mai');
    expect(page.body).toContain('Công chức xã (Tư pháp – hộ tịch) — Xã Hướng Đạo');
    const me = await b.get('/api/v1/me');
    expect(me.json()).toMatchObject({ displayName: 'Lê Thị Mai', grants: [{ role: 'commune_official', field: 'civil_status' }] });
  });

  it('gives an unknown user and a wrong password the same message', async () => {
    const unknown = await login(new Browser(t.app), 'nobody.here', 'whatever-password');
    const wrong = await login(new Browser(t.app), 'huongdao.vhtt', 'wrong-password');
    expect(unknown.statusCode).toBe(401);
    expect(wrong.statusCode).toBe(401);
    const msg = 'Tên đăng nhập hoặc mật khẩu không đúng.';
    expect(unknown.body).toContain(msg);
    expect(wrong.body).toContain(msg);
    expect(wrong.body).toContain('value="huongdao.vhtt"'); // keeps what the user typed
  });

  it('names the missing field in Vietnamese', async () => {
    const b = new Browser(t.app);
    const res = await b.post('/login', { _csrf: await b.csrf('/login'), username: '', password: '' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Tên đăng nhập:');
    expect(res.body).toContain('Mật khẩu:');
    expect(res.body).toContain('href="#f-username"');
  });

  it('locks the account after 5 failures, even for the right password, and audits it', async () => {
    const b = new Browser(t.app);
    for (let i = 0; i < 4; i++) expect((await login(b, 'thotang.chutich', 'wrong-password')).body).toContain('không đúng');
    const fifth = await login(b, 'thotang.chutich', 'wrong-password');
    expect(fifth.body).toContain('Tài khoản tạm khoá');
    const right = await login(b, 'thotang.chutich', DEMO_PASSWORD);
    expect(right.statusCode).toBe(401);
    expect(right.body).toContain('Tài khoản tạm khoá');
    const locked = await t.ctx.database.db.selectFrom('audit_event').select('action').where('action', '=', 'auth.locked').execute();
    expect(locked).toHaveLength(1);
  });

  it('requires TOTP set-up for an administrator, then a fresh code at each sign-in; a code works once', async () => {
    const first = new Browser(t.app);
    const { totpSecret } = await signIn(first, 'tinh.quantri');
    expect(totpSecret).toMatch(/^[A-Z2-7]{16,}$/);
    expect((await first.get('/province')).statusCode).toBe(200);

    const second = new Browser(t.app);
    const res = await login(second, 'tinh.quantri', DEMO_PASSWORD);
    expect(res.headers.location).toMatch(/^\/login\/totp/);
    // Password alone opens nothing.
    expect((await second.get('/admin')).headers.location).toMatch(/^\/login/);
    expect((await second.get('/api/v1/me')).statusCode).toBe(401);
    const page = await second.get(String(res.headers.location));
    expect(page.body).not.toContain('totp-secret');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const bad = await second.post(String(res.headers.location), { _csrf: csrf, code: '000000' });
    expect(bad.statusCode).toBe(401);
    expect(bad.body).toContain('Mã xác thực không đúng');
    // The code used during set-up must not work twice. Compare with the step used at set-up (read
    // before the replay): at a 30-second boundary the replay's code is a new one, and is accepted.
    const setUp = await t.ctx.database.db.selectFrom('auth_account').select('totp_last_step').where('username', '=', 'tinh.quantri').executeTakeFirstOrThrow();
    const stepOfCode = Math.floor(Date.now() / 30000);
    const code = await totpCode(totpSecret!);
    const replay = await second.post(String(res.headers.location), { _csrf: csrf, code });
    if (setUp.totp_last_step === stepOfCode) expect(replay.statusCode).toBe(401);
    else expect(replay.statusCode).toBe(303);
  });

  it('expires an idle session', async () => {
    const b = new Browser(t.app);
    await signIn(b, 'huongdao.vanthu');
    await t.ctx.database.db
      .updateTable('auth_session')
      .set({ last_seen_at: new Date(Date.now() - 31 * 60000).toISOString() })
      .execute();
    const res = await b.get('/admin');
    expect(res.statusCode).toBe(302);
    const login = await b.get(String(res.headers.location));
    expect(login.body).toContain('Phiên làm việc đã hết hạn');
  });

  it('disables accounts unused for 45 days', async () => {
    const old = new Date(Date.now() - 46 * 86400000).toISOString();
    await t.ctx.database.db.updateTable('auth_account').set({ last_login_at: old }).where('username', '=', 'tamdao.chutich').execute();
    expect(await disableInactiveAccounts(t.ctx, systemContext())).toBe(1);
    const res = await login(new Browser(t.app), 'tamdao.chutich', DEMO_PASSWORD);
    expect(res.statusCode).toBe(401);
    expect(res.body).toContain('Tài khoản đã bị vô hiệu hoá');
  });

  it('disabling an account ends its sessions at once, despite the in-process session cache', async () => {
    const b = new Browser(t.app);
    await signIn(b, 'langcong.tuphap');
    expect((await b.get('/api/v1/me')).statusCode).toBe(200); // now cached
    const id = (await t.ctx.database.db.selectFrom('auth_account').select('id').where('username', '=', 'langcong.tuphap').executeTakeFirstOrThrow()).id;
    await disableAccount(t.ctx, systemContext(), id, 'test');
    expect((await b.get('/api/v1/me')).statusCode).toBe(401);
  });

  it('signs out and forgets the session', async () => {
    const b = new Browser(t.app);
    await signIn(b, 'huongdao.congan');
    const csrf = /name="_csrf" value="([^"]+)"/.exec((await b.get('/admin')).body)![1]!;
    const out = await b.post('/logout', { _csrf: csrf });
    expect(out.statusCode).toBe(303);
    expect((await b.get('/')).body).toContain('Bạn đã đăng xuất.');
    expect((await b.get('/api/v1/me')).statusCode).toBe(401);
  });
});
