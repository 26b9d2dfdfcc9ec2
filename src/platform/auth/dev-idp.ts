import http from 'node:http';
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { TEST_CITIZENS, type TestCitizen } from './dev-idp-citizens.ts';

/**
 * A development OpenID Connect provider that plays the national e-ID in demo mode and in tests.
 * It runs on its own port, as the real SSO is another host; the platform talks to it only through the
 * standard relying-party code. Never enabled when NODE_ENV=production (config refuses it).
 */
export interface DevIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  close(): Promise<void>;
}

const CLAIMS = ['SoDinhDanh', 'HoVaTen', 'NgayThangNamSinh', 'ThuongTru', 'SoDienThoai', 'ThuDienTu', 'name', 'birthdate', 'phone_number', 'email'];

function claimsOf(c: TestCitizen) {
  return {
    sub: c.sub,
    SoDinhDanh: c.SoDinhDanh,
    HoVaTen: c.HoVaTen,
    NgayThangNamSinh: c.NgayThangNamSinh,
    ThuongTru: c.ThuongTru,
    SoDienThoai: c.SoDienThoai,
    ThuDienTu: c.ThuDienTu,
    name: c.HoVaTen,
    birthdate: c.NgayThangNamSinh,
    phone_number: c.SoDienThoai,
    ...(c.ThuDienTu ? { email: c.ThuDienTu } : {}),
  };
}

export async function startDevIdp(opts: { host: string; port: number; redirectUris: string[] }): Promise<DevIdp> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(opts.port, opts.host, resolve));
  const address = server.address() as AddressInfo;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  const issuer = `http://${host}:${address.port}`;
  const clientId = 'xaso-dev';
  const clientSecret = crypto.randomBytes(24).toString('base64url');
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const config: Configuration = {
    clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: opts.redirectUris, grant_types: ['authorization_code'], response_types: ['code'] }],
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'dev', alg: 'RS256', use: 'sig' }] as never },
    cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
    claims: { openid: ['sub'], profile: CLAIMS },
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx, sub) => {
      const citizen = TEST_CITIZENS.find((c) => c.sub === sub);
      return citizen ? { accountId: sub, claims: () => claimsOf(citizen) } : undefined;
    },
    // The platform is a first-party client of the demo provider: no consent screen.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session!.grantIdFor(ctx.oidc.client!.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
      grant.addOIDCScope('openid profile');
      grant.addOIDCClaims(CLAIMS);
      await grant.save();
      return grant;
    },
  };
  const provider = new Provider(issuer, config);
  const callback = provider.callback();
  server.on('request', (req, res) => {
    const match = /^\/interaction\/([\w-]+)(\/login)?$/.exec(req.url?.split('?')[0] ?? '');
    if (!match) {
      void callback(req, res);
      return;
    }
    handleInteraction(provider, req, res, match[2] === '/login').catch(() => {
      res.statusCode = 400;
      res.setHeader('content-type', 'text/plain; charset=utf-8');
      res.end('Phiên đăng nhập không hợp lệ hoặc đã hết hạn. / The sign-in session is invalid or has expired.');
    });
  });
  return {
    issuer,
    clientId,
    clientSecret,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handleInteraction(provider: Provider, req: http.IncomingMessage, res: http.ServerResponse, submit: boolean) {
  const details = await provider.interactionDetails(req, res);
  if (submit && req.method === 'POST') {
    const body = new URLSearchParams(await readBody(req));
    const citizen = TEST_CITIZENS.find((c) => c.sub === body.get('citizen'));
    if (!citizen) throw new Error('unknown citizen');
    await provider.interactionFinished(req, res, { login: { accountId: citizen.sub } }, { mergeWithLastSubmission: false });
    return;
  }
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.end(loginPage(details.uid));
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      data += chunk;
      if (data.length > 10_000) req.destroy();
    });
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function loginPage(uid: string): string {
  const options = TEST_CITIZENS.map(
    (c, i) => `<li><label><input type="radio" name="citizen" value="${escapeHtml(c.sub)}"${i === 0 ? ' checked' : ''}>
      <strong>${escapeHtml(c.HoVaTen)}</strong> — ${escapeHtml(c.SoDinhDanh)}<br><small>${escapeHtml(c.ThuongTru)}</small></label></li>`,
  ).join('');
  return `<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Định danh điện tử (thử nghiệm)</title><link rel="icon" href="data:,"></head><body>
<main><h1>Định danh điện tử — máy chủ thử nghiệm</h1>
<p>Đây là nhà cung cấp định danh dành cho môi trường trình diễn, đóng vai tài khoản định danh điện tử quốc gia. Chọn một công dân thử nghiệm.</p>
<p lang="en">Development identity provider playing the national e-ID. Choose a test citizen.</p>
<form method="post" action="/interaction/${escapeHtml(uid)}/login"><fieldset><legend>Công dân thử nghiệm</legend><ul>${options}</ul></fieldset>
<button type="submit">Đăng nhập</button></form></main></body></html>`;
}
