import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.ts';
import { Browser, testApp, type TestApp } from '../support/app.ts';
import { signIn } from '../support/auth.ts';
import { citizenSignIn } from '../support/citizen.ts';
import { startDevIdp, type DevIdp } from '../../src/platform/auth/dev-idp.ts';
import { createOidcClient } from '../../src/platform/auth/oidc-client.ts';
import { qrPng } from '../../src/platform/pdf/document.ts';

/** A minimal but well-formed PDF. */
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

describe.each(DIALECTS)('dossier attachments on %s', (dialect) => {
  let t: TestApp;
  let idp: DevIdp;
  const dataDir = `/tmp/xaso-test-files-${dialect}-${process.pid}`;
  const PUBLIC_URL = 'http://127.0.0.1:3999';
  beforeAll(async () => {
    idp = await startDevIdp({ host: '127.0.0.1', port: 0, redirectUris: [`${PUBLIC_URL}/auth/oidc/callback`] });
    t = await testApp(dialect, {
      env: { PUBLIC_URL, UPLOAD_LIMIT_BYTES: '4096', DATA_DIR: dataDir },
      oidc: createOidcClient({ issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret }),
    });
  });
  afterAll(async () => {
    await t.close();
    await idp.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const db = () => t.ctx.database.db;
  const count = async (table: 'svc_dossier' | 'platform_file') => Number((await db().selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const form = (csrf: string) => ({
    _csrf: csrf,
    unit_id: 'u-25201',
    applicant_name: 'Nguyễn Văn An',
    applicant_id: '025090001234',
    applicant_address: 'Xã Hướng Đạo',
    applicant_phone: '0912345678',
    purpose: 'Đăng ký kết hôn',
    marital_status: 'Chưa đăng ký kết hôn',
  });

  let dossierId = '';
  it('refuses a file whose content is not PDF/JPEG/PNG, or too large, naming it, and stores nothing', async () => {
    const c = new Browser(t.app);
    await citizenSignIn(c, 'dev-citizen-1');
    const pid = (await db().selectFrom('svc_procedure').select('id').where('code', '=', '1.004873').executeTakeFirstOrThrow()).id;
    const csrf = await c.csrf(`/dich-vu-cong/${pid}/nop`);
    const before = [await count('svc_dossier'), await count('platform_file')];
    const fake = await c.postMultipart(`/dich-vu-cong/${pid}/nop`, form(csrf), { paper_0: { name: 'to-khai.pdf', type: 'application/pdf', data: Buffer.from('MZ this is really a program, not a PDF') } });
    expect(fake.statusCode).toBe(400);
    expect(fake.body).toContain('Tệp “to-khai.pdf” không đúng định dạng cho phép (PDF, JPEG, PNG)');
    const big = await c.postMultipart(`/dich-vu-cong/${pid}/nop`, form(csrf), { paper_0: { name: 'lon.pdf', type: 'application/pdf', data: Buffer.concat([PDF, Buffer.alloc(8000, 32)]) } });
    expect(big.statusCode).toBe(400);
    expect(big.body).toContain('Tệp “lon.pdf” quá lớn (tối đa 1 MB)'.replace('1 MB', '4 KB'));
    expect(big.body).toContain('value="Nguyễn Văn An"'); // the typed values are kept
    expect([await count('svc_dossier'), await count('platform_file')]).toEqual(before);

    const ok = await c.postMultipart(`/dich-vu-cong/${pid}/nop`, form(csrf), { paper_0: { name: 'to-khai.png', type: 'image/png', data: await qrPng('to khai') } });
    expect(ok.statusCode, ok.body.slice(0, 500)).toBe(303);
    dossierId = String(ok.headers.location).split('/').pop()!;
    const page = await c.get(`/ho-so/${dossierId}`);
    const link = /href="(\/ho-so\/[^"]+\/tep\/[^"]+)"/.exec(page.body)![1]!;
    const file = await c.get(link);
    expect(file.headers['content-type']).toBe('image/png');
    expect(file.rawPayload.subarray(1, 4).toString()).toBe('PNG');
  });

  it('the specialist attaches the result PDF and the citizen downloads it; others cannot', async () => {
    const desk = new Browser(t.app);
    await signIn(desk, 'huongdao.tuphap');
    const me = (await db().selectFrom('auth_account').select('id').where('username', '=', 'huongdao.tuphap').executeTakeFirstOrThrow()).id;
    for (const [action, extra] of [['receive', {}], ['assign', { assignee_id: me }]] as const) {
      const csrf = await desk.csrf(`/mot-cua/${dossierId}`);
      expect((await desk.post(`/mot-cua/${dossierId}/${action}`, { _csrf: csrf, ...extra })).statusCode).toBe(303);
    }
    const csrf = await desk.csrf(`/mot-cua/${dossierId}`);
    const notPdf = await desk.postMultipart(`/mot-cua/${dossierId}/ket-qua`, { _csrf: csrf }, { result: { name: 'ket-qua.pdf', type: 'application/pdf', data: await qrPng('x') } });
    expect(notPdf.statusCode).toBe(400);
    expect(notPdf.body).toContain('không đúng định dạng cho phép (PDF)');
    const ok = await desk.postMultipart(`/mot-cua/${dossierId}/ket-qua`, { _csrf: csrf }, { result: { name: 'ket-qua.pdf', type: 'application/pdf', data: PDF } });
    expect(ok.statusCode).toBe(303);
    const c = new Browser(t.app);
    await citizenSignIn(c, 'dev-citizen-1');
    const page = await c.get(`/ho-so/${dossierId}`);
    expect(page.body).toContain('Kết quả giải quyết (PDF)');
    const links = [...page.body.matchAll(/href="(\/ho-so\/[^"]+\/tep\/[^"]+)"/g)].map((m) => m[1]!);
    const result = await c.get(links.at(-1)!);
    expect(result.rawPayload.equals(PDF)).toBe(true);
    const stranger = new Browser(t.app);
    await citizenSignIn(stranger, 'dev-citizen-2');
    expect((await stranger.get(links.at(-1)!)).statusCode).toBe(404);
    const other = new Browser(t.app);
    await signIn(other, 'langcong.tuphap');
    expect((await other.get(links.at(-1)!)).statusCode).toBe(404);
  });
});
