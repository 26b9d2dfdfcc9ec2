import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../src/config.ts';
import { createApp, createContext } from '../src/app.ts';
import type { AppContext } from '../src/platform/context.ts';
import { DEMO_PASSWORD, seedAll } from '../src/platform/seed.ts';
import { startDevIdp } from '../src/platform/auth/dev-idp.ts';
import { createOidcClient } from '../src/platform/auth/oidc-client.ts';
import { totpCode } from '../src/platform/auth/totp.ts';

const require = createRequire(import.meta.url);
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export interface Harness {
  baseUrl: string;
  ctx: AppContext;
  app: FastifyInstance;
  browser: Browser;
  close(): Promise<void>;
}

/** The real server on a loopback port (SQLite, demo data, development e-ID provider) and Debian's Chromium. */
export async function startHarness(): Promise<Harness> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xaso-e2e-'));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const idp = await startDevIdp({ host: '127.0.0.1', port: 0, redirectUris: [`${baseUrl}/auth/oidc/callback`] });
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: dir, PORT: String(port) }, { demo: true });
  const ctx = await createContext(config, { oidc: createOidcClient({ issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret }) });
  await seedAll(ctx, { demo: true });
  const app = await createApp(ctx);
  await app.listen({ host: '127.0.0.1', port });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  return {
    baseUrl,
    ctx,
    app,
    browser,
    async close() {
      await browser.close();
      await app.close();
      await idp.close();
      await ctx.database.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

const pageScripts = new WeakMap<Page, boolean>();

/** A fresh browser context that fails the test on any console error (a CSP violation shows there). */
export async function newContext(h: Harness, opts: { javaScriptEnabled?: boolean; mobile?: boolean } = {}) {
  const context: BrowserContext = await h.browser.newContext({
    baseURL: h.baseUrl,
    javaScriptEnabled: opts.javaScriptEnabled ?? true,
    viewport: opts.mobile ? { width: 360, height: 740 } : { width: 1280, height: 800 },
    locale: 'vi-VN',
  });
  const errors: string[] = [];
  context.on('page', (p) => pageScripts.set(p, opts.javaScriptEnabled ?? true));
  context.on('weberror', (e) => errors.push(String(e.error())));
  context.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  return { context, errors };
}

/** Runs axe-core's WCAG 2.1 A/AA rules on the page; any violation fails with its rule and nodes. */
export async function expectAccessible(page: Page) {
  expect(await axeViolations(page), `axe violations on ${page.url()}`).toEqual([]);
}

/** axe-core's WCAG 2.1 A/AA violations of the page, each as its rule and the nodes it found. */
export async function axeViolations(page: Page): Promise<string[]> {
  // With JavaScript off nothing can be evaluated in the page; the same pages are checked in the JS-on run.
  if (!pageScripts.get(page)) return [];
  return page.evaluate(async (source) => {
    // Injected through the DevTools protocol, which the page's CSP does not govern.
    (0, eval)(source);
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }, AXE_SOURCE);
}

/** The page fits a 360 px screen: nothing scrolls sideways. */
export async function expectNoHorizontalScroll(page: Page) {
  expect(await horizontalOverflow(page), `horizontal overflow on ${page.url()}`).toBeLessThanOrEqual(0);
}

/** How many CSS pixels the page is wider than its window (0 when nothing scrolls sideways). */
export async function horizontalOverflow(page: Page): Promise<number> {
  if (!pageScripts.get(page)) return 0;
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

/** What every page of a journey must pass: axe (WCAG 2.1 AA) and no sideways scrolling. */
export async function expectUsable(page: Page) {
  await expectAccessible(page);
  await expectNoHorizontalScroll(page);
}

/** Signs an official in through the real form (no TOTP: not for administrators). */
export async function signInOfficial(page: Page, username: string) {
  await page.goto('/login');
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
}

/**
 * Signs an administrator in on their first sign-in: the TOTP set-up page shows the secret, read into
 * an authenticator as a person would, and its current code is entered.
 */
export async function signInAdministrator(page: Page, username: string) {
  await signInOfficial(page, username);
  const secret = await page.getByTestId('totp-secret').textContent();
  await page.getByLabel('Mã xác thực 6 chữ số').fill(await totpCode(secret!.trim()));
  await page.getByRole('button', { name: 'Xác nhận' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
}

/** Follows a link of the main navigation as a user does: opening the menu it sits in first, if it does. */
export async function followNav(page: Page, name: string) {
  const nav = page.getByRole('navigation', { name: 'Điều hướng chính' });
  const link = nav.getByRole('link', { name, exact: true });
  // The inner locator of `has` is queried from the outer match (so built from the page), and a link in a
  // closed menu is hidden from the accessibility tree.
  if (!(await link.isVisible())) await nav.locator('details', { has: page.getByRole('link', { name, exact: true, includeHidden: true }) }).locator('summary').click();
  await link.click();
}
