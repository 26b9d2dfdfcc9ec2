import * as client from 'openid-client';
import type { CitizenClaims } from './accounts.ts';

/**
 * The platform as a standard OpenID Connect relying party (authorization code + PKCE), configured by
 * issuer URL, client id and secret: the national public-service portal's SSO in production, the
 * built-in development identity provider in demo mode.
 */
export interface OidcClient {
  /** Starts a sign-in: the URL to send the browser to, and the checks to keep until the callback. */
  start(redirectUri: string): Promise<{ url: string; checks: OidcChecks }>;
  /** Completes a sign-in from the callback URL; returns the citizen's claims. */
  finish(callbackUrl: URL, checks: OidcChecks): Promise<CitizenClaims>;
}

export interface OidcChecks {
  state: string;
  nonce: string;
  verifier: string;
}

export function createOidcClient(opts: { issuer: string; clientId: string; clientSecret: string }): OidcClient {
  let configuration: Promise<client.Configuration> | undefined;
  const configure = () => {
    configuration ??= client
      .discovery(new URL(opts.issuer), opts.clientId, opts.clientSecret, undefined, {
        // The demo identity provider speaks plain http on loopback; a real issuer is https.
        execute: new URL(opts.issuer).protocol === 'http:' ? [client.allowInsecureRequests] : [],
      })
      .catch((err: unknown) => {
        configuration = undefined; // retry discovery on the next sign-in
        throw err;
      });
    return configuration;
  };
  return {
    async start(redirectUri) {
      const config = await configure();
      const checks = { state: client.randomState(), nonce: client.randomNonce(), verifier: client.randomPKCECodeVerifier() };
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: 'openid profile',
        state: checks.state,
        nonce: checks.nonce,
        code_challenge: await client.calculatePKCECodeChallenge(checks.verifier),
        code_challenge_method: 'S256',
      });
      return { url: url.href, checks };
    },
    async finish(callbackUrl, checks) {
      const config = await configure();
      const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        pkceCodeVerifier: checks.verifier,
      });
      const idClaims = tokens.claims();
      if (!idClaims) throw new Error('No ID token claims');
      const info = await client.fetchUserInfo(config, tokens.access_token, idClaims.sub);
      return claimsFromUserInfo(info);
    },
  };
}

/**
 * Maps the national SSO's userinfo (SoDinhDanh, HoVaTen, NgayThangNamSinh, ThuongTru, SoDienThoai,
 * ThuDienTu) and standard OIDC claims onto our citizen profile.
 */
export function claimsFromUserInfo(info: Record<string, unknown>): CitizenClaims {
  const str = (...keys: string[]) => {
    for (const k of keys) if (typeof info[k] === 'string' && info[k]) return info[k];
    return null;
  };
  return {
    subject: String(info.sub),
    fullName: str('HoVaTen', 'name') ?? String(info.sub),
    personalNumber: str('SoDinhDanh'),
    birthDate: str('NgayThangNamSinh', 'birthdate'),
    address: str('ThuongTru'),
    phone: str('SoDienThoai', 'phone_number'),
    email: str('ThuDienTu', 'email'),
  };
}
