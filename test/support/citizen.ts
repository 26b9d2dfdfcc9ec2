import { expect } from 'vitest';
import type { Browser } from './app.ts';

/** Minimal cookie-keeping client for the identity provider's own host (a real HTTP server). */
class IdpClient {
  private cookies = new Map<string, string>();
  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const res = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [name, ...rest] = pair!.split('=');
      this.cookies.set(name!.trim(), rest.join('='));
    }
    return res;
  }
}

/**
 * Runs the whole OpenID Connect code flow: the platform redirects to the provider, the citizen picks
 * a test identity on the provider's page, the provider redirects back with a code, the platform
 * exchanges it. Returns the platform's final redirect target.
 */
export async function citizenSignIn(browser: Browser, citizenSub: string, startUrl = '/login/citizen'): Promise<string> {
  const start = await browser.get(startUrl);
  expect(start.statusCode).toBe(303);
  const idp = new IdpClient();
  let url = String(start.headers.location);
  let res = await idp.request(url);
  // authorization endpoint -> interaction page
  while (res.status >= 300 && res.status < 400) {
    url = new URL(res.headers.get('location')!, url).href;
    res = await idp.request(url);
  }
  const html = await res.text();
  const action = /action="([^"]+)"/.exec(html)![1]!;
  res = await idp.request(new URL(action, url).href, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ citizen: citizenSub }).toString(),
  });
  // back through the authorization endpoint, until the provider sends us to the platform's callback
  for (;;) {
    expect(res.status, await res.clone().text()).toBeGreaterThanOrEqual(300);
    url = new URL(res.headers.get('location')!, url).href;
    if (url.includes('/auth/oidc/callback')) break;
    res = await idp.request(url);
  }
  const callback = new URL(url);
  const done = await browser.get(callback.pathname + callback.search);
  expect(done.statusCode, done.body.slice(0, 300)).toBe(303);
  return String(done.headers.location);
}
