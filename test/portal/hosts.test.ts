import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.ts';
import { testApp, type TestApp } from '../support/app.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';

describe.each(DIALECTS)('a commune’s portal on its own host name on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp(dialect, { env: { PORTAL_HOSTS: 'xahuongdao.example.vn=25201, XaTamDao.example.vn=25204' } });
  });
  afterAll(() => t.close());

  it('serves the commune’s home at that host’s root, and the platform’s home elsewhere', async () => {
    const own = await t.app.inject({ method: 'GET', url: '/', headers: { host: 'xahuongdao.example.vn' } });
    expect(own.statusCode).toBe(200);
    expect(own.body).toContain('Chào mừng đến với cổng thông tin Xã Hướng Đạo');
    const upper = await t.app.inject({ method: 'GET', url: '/?lang=vi', headers: { host: 'xatamdao.example.vn:8080' } });
    expect(upper.body).toContain('Chào mừng đến với cổng thông tin Xã Tam Đảo');
    const main = await t.app.inject({ method: 'GET', url: '/', headers: { host: 'localhost' } });
    expect(main.body).not.toContain('Chào mừng đến với cổng thông tin');
    // Other addresses are the same on every host.
    expect((await t.app.inject({ method: 'GET', url: '/xa/25201/tin-tuc', headers: { host: 'xatamdao.example.vn' } })).body).toContain('Tin tức — Xã Hướng Đạo');
  });

  it('refuses a malformed list with the variable named', () => {
    expect(() => loadConfig({ PORTAL_HOSTS: 'xahuongdao.example.vn' }, { demo: true })).toThrow(ConfigError);
    expect(() => loadConfig({ PORTAL_HOSTS: 'xahuongdao.example.vn' }, { demo: true })).toThrow(/PORTAL_HOSTS/);
  });
});
