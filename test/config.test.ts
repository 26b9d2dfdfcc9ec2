import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

describe('configuration', () => {
  it('has safe defaults: SQLite under ./data, port 3000', () => {
    const c = loadConfig({});
    expect(c.databaseUrl).toMatch(/^sqlite:.*data\/xaso\.db$/);
    expect(c.port).toBe(3000);
    expect(c.publicUrl).toBe('http://127.0.0.1:3000');
    expect(c.devIdp.enabled).toBe(false);
  });

  it('enables the development identity provider in demo mode only when no issuer is configured', () => {
    expect(loadConfig({}, { demo: true }).devIdp.enabled).toBe(true);
    const withIssuer = loadConfig({ OIDC_ISSUER: 'https://sso.example.vn', OIDC_CLIENT_ID: 'x', OIDC_CLIENT_SECRET: 'y' }, { demo: true });
    expect(withIssuer.devIdp.enabled).toBe(false);
    expect(withIssuer.oidc?.issuer).toBe('https://sso.example.vn');
  });

  it.each([
    ['PORT', 'abc', /PORT: expected an integer from 0 to 65535, got "abc"/],
    ['PORT', '70000', /PORT: expected an integer/],
    ['DATABASE_URL', 'mysql://x', /DATABASE_URL: expected sqlite:PATH/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL: expected one of fatal, error/],
    ['PUBLIC_URL', 'ftp://x', /PUBLIC_URL: expected a URL starting with http: or https:/],
    ['SESSION_SECRET', 'short', /SESSION_SECRET: expected at least 32 characters/],
    ['TRUST_PROXY', 'maybe', /TRUST_PROXY: expected one of .*true, false, yes, no, got "maybe"/],
  ])('refuses %s=%s with a line naming the variable', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('refuses a partial OIDC configuration and the demo provider in production', () => {
    expect(() => loadConfig({ OIDC_ISSUER: 'https://sso.example.vn' })).toThrow(/OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET/);
    expect(() => loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40), DEV_IDP: '1' })).toThrow(/DEV_IDP/);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/SESSION_SECRET/);
  });
});
