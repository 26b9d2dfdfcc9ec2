import { expect } from 'vitest';
import { totpCode } from '../../src/platform/auth/totp.ts';
import { DEMO_PASSWORD } from '../../src/platform/seed.ts';
import type { Browser } from './app.ts';

/**
 * Signs an official in through the real forms. Administrators go through TOTP set-up on their first
 * sign-in; the secret is read from the page as a person would read it into their app.
 */
export async function signIn(browser: Browser, username: string, password = DEMO_PASSWORD): Promise<{ totpSecret?: string }> {
  const token = await browser.csrf('/login');
  const res = await browser.post('/login', { _csrf: token, username, password, next: '/admin' });
  expect(res.statusCode, res.body.slice(0, 500)).toBe(303);
  const location = String(res.headers.location);
  if (!location.startsWith('/login/totp')) return {};
  const page = await browser.get(location);
  const secret = /data-testid="totp-secret">([A-Z2-7]+)</.exec(page.body)?.[1];
  const setup = /name="setupSecret" value="([^"]+)"/.exec(page.body)?.[1];
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
  if (!secret) throw new Error('TOTP already enabled: pass through signInWithTotp');
  const done = await browser.post(location, { _csrf: csrf, code: await totpCode(secret), setupSecret: setup! });
  expect(done.statusCode, done.body.slice(0, 500)).toBe(303);
  return { totpSecret: secret };
}
