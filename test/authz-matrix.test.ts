import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './support/databases.ts';
import { Browser, testApp, type TestApp } from './support/app.ts';
import { signIn } from './support/auth.ts';
import { citizenSignIn } from './support/citizen.ts';
import { startDevIdp, type DevIdp } from '../src/platform/auth/dev-idp.ts';
import { createOidcClient } from '../src/platform/auth/oidc-client.ts';

/**
 * The authorization matrix: an official of commune A gets 404 for every kind of record of commune B
 * (and sees A's own, so the test can fail), each attempt audited; a citizen reaches only their own records.
 */
describe.each(DIALECTS)('authorization matrix on %s', (dialect) => {
  let t: TestApp;
  let idp: DevIdp;
  const PUBLIC_URL = 'http://127.0.0.1:3999';
  beforeAll(async () => {
    idp = await startDevIdp({ host: '127.0.0.1', port: 0, redirectUris: [`${PUBLIC_URL}/auth/oidc/callback`] });
    t = await testApp(dialect, {
      env: { PUBLIC_URL },
      oidc: createOidcClient({ issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret }),
    });
  });
  afterAll(async () => {
    await t.close();
    await idp.close();
  });

  const db = () => t.ctx.database.db;
  const accountId = async (username: string) =>
    (await db().selectFrom('auth_account').select('id').where('username', '=', username).executeTakeFirstOrThrow()).id;
  const auditSeqOf = async (unitId: string) =>
    (await db().selectFrom('audit_event').select('seq').where('unit_id', '=', unitId).orderBy('seq', 'desc').executeTakeFirstOrThrow()).seq;

  /** Every kind of record the platform holds, as page and API URLs, for commune 25201 (A) or 25202 (B). */
  async function recordUrls(commune: 'u-25201' | 'u-25202', leader: string) {
    const leaderId = await accountId(leader);
    const seq = await auditSeqOf(commune);
    return [
      `/admin/units/${commune}`,
      `/admin/units/${commune}-01`,
      `/api/v1/units/${commune}`,
      `/api/v1/units/${commune}-01`,
      `/admin/accounts/${leaderId}`,
      `/api/v1/accounts/${leaderId}`,
      `/admin/audit/${seq}`,
    ];
  }

  it('an official of commune A gets 404 for every record of commune B, and each attempt is audited', async () => {
    const a = new Browser(t.app);
    await signIn(a, 'huongdao.chutich');
    const other = new Browser(t.app);
    await signIn(other, 'langcong.chutich'); // makes an audit event in commune B
    const own = await recordUrls('u-25201', 'huongdao.chutich');
    for (const url of own) expect((await a.get(url)).statusCode, url).toBe(200);
    const foreign = await recordUrls('u-25202', 'langcong.chutich');
    const deniedBefore = (await db().selectFrom('audit_event').select('seq').where('action', '=', 'access.denied').execute()).length;
    for (const url of foreign) {
      const res = await a.get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.body).not.toContain('Lãng Công');
    }
    const denied = await db().selectFrom('audit_event').selectAll().where('action', '=', 'access.denied').orderBy('seq').execute();
    expect(denied.length - deniedBefore).toBe(foreign.length);
    expect(denied.at(-1)).toMatchObject({ actor_label: 'Trần Văn Hùng' });
    // Lists are scoped too: B's leader does not appear in A's audit list.
    const list = await a.get('/admin/audit');
    expect(list.body).not.toContain('Bùi Văn Quang');
  });

  it('a village head reaches their village but not the rest of the commune', async () => {
    const head = new Browser(t.app);
    await signIn(head, 'huongdao.dongbua');
    expect((await head.get('/api/v1/units/u-25201-01')).statusCode).toBe(200);
    expect((await head.get('/api/v1/units/u-25201-02')).statusCode).toBe(404);
    expect((await head.get('/api/v1/units/u-25201')).statusCode).toBe(404);
  });

  it('a province administrator reaches every commune of the province but not an ended province', async () => {
    const p = new Browser(t.app);
    await signIn(p, 'tinh.quantri');
    expect((await p.get('/api/v1/units/u-25202-03')).statusCode).toBe(200);
    expect((await p.get(`/api/v1/accounts/${await accountId('langcong.chutich')}`)).statusCode).toBe(200);
    expect((await p.get('/api/v1/units/u-26')).statusCode).toBe(404);
  });

  it('a citizen signs in through OpenID Connect and reaches only their own records', async () => {
    const c = new Browser(t.app);
    const target = await citizenSignIn(c, 'dev-citizen-1', '/login/citizen?unit=25201');
    expect(target).toBe('/account');
    const page = await c.get('/account');
    expect(page.body).toContain('Nguyễn Thị Hoa');
    expect(page.body).toContain('0261******12'); // the personal number is masked
    const me = (await c.get('/api/v1/me')).json<{ id: string; kind: string; unitId: string }>();
    expect(me).toMatchObject({ kind: 'citizen', unitId: 'u-25201' });
    expect((await c.get(`/api/v1/accounts/${me.id}`)).statusCode).toBe(200);

    const other = new Browser(t.app);
    await citizenSignIn(other, 'dev-citizen-2');
    const otherId = (await other.get('/api/v1/me')).json<{ id: string }>().id;
    for (const url of [
      `/api/v1/accounts/${otherId}`,
      `/api/v1/accounts/${await accountId('huongdao.chutich')}`,
      '/api/v1/units/u-25201',
      `/admin/units/u-25201`,
      `/admin/audit/${await auditSeqOf('u-25201')}`,
    ]) {
      expect((await c.get(url)).statusCode, url).toBe(404);
    }
    expect((await c.get('/admin')).headers.location).toBe('/account');
    expect((await c.get('/admin/accounts')).statusCode).toBe(403);
  });
});
