import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { DIALECTS } from '../support/databases.ts';
import { Browser, testApp, type TestApp } from '../support/app.ts';
import { signIn } from '../support/auth.ts';
import { citizenSignIn } from '../support/citizen.ts';
import { startDevIdp, type DevIdp } from '../../src/platform/auth/dev-idp.ts';
import { createOidcClient } from '../../src/platform/auth/oidc-client.ts';
import { pageNumberOf, wholeNumberIn, yearOf } from '../../src/platform/http/query.ts';

/**
 * Bad input anywhere gets a clear answer, never a server error: every page a commune leader and a
 * province administrator can reach (found by following links, as they would) is asked for with
 * nonsense in its query, and every route that takes a POST — found in the application's own route
 * table, not in a hand-kept list — is sent nonsense (missing fields, wrong types, overlong text, NUL
 * bytes, impossible dates, repeated fields, JSON where a form is expected, a file that is not what
 * its name says) for a real record (the URL of a form on a crawled page) and for one that does not
 * exist, signed in and signed out.
 */

interface Route {
  path: string;
  methods: string[];
}

/** The application's routes from Fastify's own listing (`printRoutes` with full paths). */
function routesOf(tree: string): Route[] {
  const routes: Route[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^([│ ]*)[├└]── (\S+)(?: \(([A-Z, ]+)\))?/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    const path = (depth ? stack[depth - 1]! : '') + m[2]!;
    stack[depth] = path;
    stack.length = depth + 1;
    if (m[3]) routes.push({ path, methods: m[3].split(', ') });
  }
  return routes;
}

const patternOf = (path: string) => new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z]+/g, '[^/]+')}$`);

/** Links and forms of a page. */
function scan(html: string) {
  const links = [...html.matchAll(/href="(\/[^"#]*)"/g)].map((m) => m[1]!.replaceAll('&amp;', '&'));
  const forms = [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)].map((m) => {
    const attrs = m[1]!;
    const action = /action="([^"]*)"/.exec(attrs)?.[1]?.replaceAll('&amp;', '&') ?? '';
    const method = (/method="([^"]*)"/.exec(attrs)?.[1] ?? 'get').toLowerCase();
    const multipart = attrs.includes('multipart/form-data');
    const fields = [...new Set([...m[2]!.matchAll(/<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"/g)].map((f) => f[1]!))].filter((n) => n !== '_csrf');
    const files = [...m[2]!.matchAll(/<input\b[^>]*type="file"[^>]*name="([^"]+)"|<input\b[^>]*name="([^"]+)"[^>]*type="file"/g)].map((f) => (f[1] ?? f[2])!);
    return { action, method, multipart, fields, files };
  });
  return { links, forms };
}

/** What must never come back: a server error, or a stack trace in the body. */
function expectHandled(res: LightMyRequestResponse, what: string) {
  expect(res.statusCode, `${what} → ${res.statusCode}: ${res.body.slice(0, 300)}`).toBeLessThan(500);
  expect(res.body, what).not.toMatch(/\n\s+at [^\n]+:\d+:\d+/);
}

const JUNK = ['x'.repeat(20_000), '\u0000', '-1', '2026-02-30', '9'.repeat(400), '<script>alert(1)</script>', '../../etc/passwd', '   '];
/** Not followed: signing out, switching language, the e-ID round trip, the API's own documentation. */
const SKIP = /^\/(logout|lang\/|auth\/|api\/docs|login\/citizen)/;

describe('numbers read from a query', () => {
  it('are whole numbers in range, else the fallback', () => {
    expect(pageNumberOf('3')).toBe(3);
    for (const bad of [undefined, '', 'abc', '1.5', '0', '-2', '1e3', '99999999999999999999', ['2'], '1001']) expect(pageNumberOf(bad), String(bad)).toBe(1);
    expect(pageNumberOf('5000', 10_000)).toBe(5000);
    expect(yearOf('2031')).toBe(2031);
    const current = Number(new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 4));
    for (const bad of ['1999', '2101', '2026.5', ' ', 'năm nay']) expect(yearOf(bad), bad).toBe(current);
    expect(wholeNumberIn(' 42 ', 0, 100, 7)).toBe(42);
  });
});

describe.each(DIALECTS)('no server error for bad input on %s', (dialect) => {
  let t: TestApp;
  let routes: Route[];
  let idp: DevIdp;
  beforeAll(async () => {
    const PUBLIC_URL = 'http://127.0.0.1:3999';
    idp = await startDevIdp({ host: '127.0.0.1', port: 0, redirectUris: [`${PUBLIC_URL}/auth/oidc/callback`] });
    t = await testApp(dialect, { env: { PUBLIC_URL }, oidc: createOidcClient({ issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret }) });
    routes = routesOf(t.app.printRoutes({ commonPrefix: false }));
  });
  afterAll(async () => {
    await t.close();
    await idp.close();
  });

  it('finds the routes that take a POST in the application itself', () => {
    const posts = routes.filter((r) => r.methods.includes('POST'));
    expect(posts.length).toBeGreaterThan(60);
    for (const p of ['/api/v1/dossiers', '/mot-cua/:id/:action', '/truyen-thanh/cum-loa/:id/thu-hoi', '/admin/units/:id/ranh-gioi']) expect(posts.map((r) => r.path)).toContain(p);
  });

  // Officials of a commune and of the province, and a citizen signed in with the (development) e-ID.
  const people: Record<string, { start: string[]; pages: number; signIn: (b: Browser) => Promise<unknown> }> = {
    'huongdao.chutich': { start: ['/admin', '/'], pages: 40, signIn: (b) => signIn(b, 'huongdao.chutich') },
    'tinh.quantri': { start: ['/province', '/admin'], pages: 15, signIn: (b) => signIn(b, 'tinh.quantri') },
    'a citizen': { start: ['/account', '/dich-vu-cong'], pages: 8, signIn: (b) => citizenSignIn(b, 'dev-citizen-3') },
  };
  for (const [username, person] of Object.entries(people)) {
    it(`${username}: crawled pages with nonsense queries, and every POST route with nonsense`, async () => {
      const b = new Browser(t.app);
      await person.signIn(b);
      // Crawl what the user can reach, a few pages per route.
      const seen = new Set<string>();
      const perRoute = new Map<string, number>();
      const forms: ReturnType<typeof scan>['forms'] = [];
      const queue = [...person.start];
      let csrf = '';
      const routeOf = (url: string) => routes.find((r) => r.methods.includes('GET') && patternOf(r.path).test(url.split('?')[0]!))?.path;
      while (queue.length && seen.size < 400) {
        const url = queue.shift()!;
        if (seen.has(url) || SKIP.test(url)) continue;
        const route = routeOf(url);
        if (!route || (perRoute.get(route) ?? 0) >= 2) continue;
        perRoute.set(route, (perRoute.get(route) ?? 0) + 1);
        seen.add(url);
        const res = await b.get(url);
        expectHandled(res, `GET ${url}`);
        if (!String(res.headers['content-type']).includes('text/html')) continue;
        const page = scan(res.body);
        csrf ||= /name="_csrf" value="([^"]+)"/.exec(res.body)?.[1] ?? '';
        forms.push(...page.forms.map((f) => ({ ...f, action: f.action || url.split('?')[0]! })));
        queue.push(...page.links);
      }
      expect(seen.size).toBeGreaterThan(person.pages);
      expect(csrf).not.toBe('');

      // Every crawled page again with nonsense in its query: the GET forms' own fields, and the usual ones.
      const queryFields = new Set(['trang', 'q', 'tu', 'den', 'next', ...forms.filter((f) => f.method === 'get').flatMap((f) => f.fields)]);
      for (const url of seen) {
        for (const junk of [JUNK[0]!.slice(0, 3000), JUNK[1]!, JUNK[3]!, JUNK[4]!]) {
          const query = new URLSearchParams([...queryFields].map((k) => [k, junk])).toString();
          expectHandled(await b.get(`${url.split('?')[0]}?${query}`), `GET ${url} with ${junk.slice(0, 20)}`);
        }
      }

      // Every POST route: for the records of the forms found, and for one that does not exist.
      const posts = routes.filter((r) => r.methods.includes('POST'));
      for (const route of posts) {
        // Signing in again is tried signed out below (nonsense there counts against the sign-in rate limit).
        if (SKIP.test(route.path) || route.path.startsWith('/login')) continue;
        const pattern = patternOf(route.path);
        const own = forms.filter((f) => f.method === 'post' && pattern.test(f.action));
        const targets = [...new Set([...own.map((f) => f.action).slice(0, 2), route.path.replace(/:[A-Za-z]+/g, 'khong-co')])];
        const fields = [...new Set(['note', 'reason', 'title', 'confirm', 'id', ...own.flatMap((f) => f.fields)])];
        const files = [...new Set(own.flatMap((f) => f.files))];
        for (const url of targets) {
          const what = `POST ${url} as ${username}`;
          expectHandled(await b.post(url, { _csrf: csrf }), `${what}, nothing`);
          for (const junk of JUNK) {
            const form = new URLSearchParams([['_csrf', csrf], ...fields.flatMap((f) => [[f, junk], [f, junk.slice(0, 5)]])]);
            const res = await t.app.inject({ method: 'POST', url, payload: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: b.cookieHeader() } });
            expectHandled(res, `${what}, ${JSON.stringify(junk.slice(0, 20))}`);
          }
          const json = await t.app.inject({ method: 'POST', url, payload: { ...Object.fromEntries(fields.map((f, i) => [f, [12345, null, [], {}, true][i % 5]])) }, headers: { cookie: b.cookieHeader(), 'x-csrf-token': csrf } });
          expectHandled(json, `${what}, JSON of wrong types`);
          const text = await t.app.inject({ method: 'POST', url, payload: 'không phải biểu mẫu', headers: { 'content-type': 'text/plain', cookie: b.cookieHeader(), 'x-csrf-token': csrf } });
          expectHandled(text, `${what}, plain text`);
          const fake = { name: 'ket-qua.pdf', type: 'application/pdf', data: Buffer.from('Đây không phải tệp PDF') };
          const multipart = await b.postMultipart(url, { _csrf: csrf, ...Object.fromEntries(fields.map((f) => [f, JUNK[5]!])) }, Object.fromEntries((files.length ? files : ['file']).map((f) => [f, fake])));
          expectHandled(multipart, `${what}, multipart with a file that is not what it says`);
        }
      }
    });
  }

  it('refuses a NUL character anywhere as a whole, with a message, before any handler', async () => {
    const b = new Browser(t.app);
    await signIn(b, 'huongdao.vhtt');
    const csrf = await b.csrf('/truyen-thanh/cum-loa/moi');
    const count = async () => (await t.ctx.database.db.selectFrom('radio_cluster').select('id').execute()).length;
    const before = await count();
    const village = (await t.ctx.database.db.selectFrom('unit').select('id').where('parent_id', '=', 'u-25201').where('level', '=', 'village').executeTakeFirstOrThrow()).id;
    const res = await b.post('/truyen-thanh/cum-loa', { _csrf: csrf, name: 'Cụm loa\u0000 mới', village_id: village, device_id: 'nul-cum-01', speakers: '4', power_source: 'mains' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('ký tự điều khiển không hợp lệ (NUL)');
    expect(await count()).toBe(before);
    for (const url of ['/mot-cua/%00', '/mot-cua?thu_tuc=%00', '/api/v1/tracking/%00']) expect((await b.get(url)).statusCode, url).toBe(400);
  });

  it('signed out: every POST route answers without a server error', async () => {
    const b = new Browser(t.app);
    const csrf = await b.csrf('/login');
    for (const route of routes.filter((r) => r.methods.includes('POST'))) {
      const url = route.path.replace(/:[A-Za-z]+/g, 'khong-co');
      expectHandled(await b.post(url, { _csrf: csrf, note: JUNK[0]!, confirm: 'on' }), `POST ${url} signed out`);
      expectHandled(await t.app.inject({ method: 'POST', url, payload: [] }), `POST ${url} signed out, JSON array`);
    }
  });
});
