import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { axeViolations, horizontalOverflow, newContext, signInAdministrator, signInOfficial, startHarness, type Harness } from './harness.ts';

/**
 * Every back-office page a commune leader and the province's administrator can reach by following
 * links, and every public page, on a 360 px phone: WCAG 2.1 AA (axe), nothing scrolling sideways, no
 * broken link or resource, no console error — so a new page is checked without being listed here. A
 * couple of pages per kind of page (a list's records share their page's shape).
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

/** Not followed: signing out or in, switching language, the e-ID round trip, the API's documentation, files. */
const SKIP = /^\/(logout|login|lang\/|auth\/|api\/|assets\/)|\.(pdf|csv|xlsx|svg|png|jpg|jpeg|webp|mp3|ogg|wav|xml|json)(\?|$)|\/(tep|am-thanh|anh|phat)(\/|\?|$)/;
const kindOf = (url: string) => url.split('?')[0]!.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|u-\d+(-\d+)?|\b\d+\b/g, ':id');

async function sweep(start: string[], signIn?: (page: Page) => Promise<void>, limit = 120) {
  const { context, errors } = await newContext(h, { mobile: true });
  const page = await context.newPage();
  if (signIn) await signIn(page);
  const problems: string[] = [];
  const seen = new Set<string>();
  const kinds = new Map<string, number>();
  let current = '';
  // What a page loads must be there too (a picture, a sound, a script).
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`${current}: ${r.url().replace(h.baseUrl, '')} → ${r.status()} (${r.request().resourceType()})`);
  });
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`${current}: console: ${m.text()} @ ${JSON.stringify(m.location())}`);
  });
  const queue = [...start];
  const from = new Map<string, string>();
  while (queue.length && seen.size < limit) {
    const url = queue.shift()!;
    if (seen.has(url) || SKIP.test(url) || (kinds.get(kindOf(url)) ?? 0) >= 2) continue;
    seen.add(url);
    kinds.set(kindOf(url), (kinds.get(kindOf(url)) ?? 0) + 1);
    current = url;
    const res = await page.goto(url);
    // A link the page shows must lead somewhere (a refusal would be a link offered in vain).
    if (!res || res.status() >= 400) problems.push(`${url}: ${res?.status() ?? 'no answer'} (linked from ${from.get(url) ?? 'the start'})`);
    if (!res || res.status() >= 400 || !(res.headers()['content-type'] ?? '').includes('text/html')) continue;
    for (const v of await axeViolations(page)) problems.push(`${url}: ${v}`);
    const overflow = await horizontalOverflow(page);
    if (overflow > 0) problems.push(`${url}: ${overflow} px wider than the phone`);
    const links = await page.$$eval('a[href^="/"]', (as) => as.map((a) => a.getAttribute('href')!));
    for (const l of links) if (!from.has(l)) from.set(l, url);
    queue.push(...links);
  }
  await context.close();
  return { seen, problems, errors };
}

// A sweep visits 40+ pages in a real browser: 46-48 s on a slow day's machine, near the suite's 60 s limit.
const SWEEP_TIMEOUT = 180_000;

describe('every reachable page on a phone', () => {
  it('the back office of a commune leader', async () => {
    const { seen, problems, errors } = await sweep(['/admin'], (page) => signInOfficial(page, 'huongdao.chutich'));
    expect(seen.size).toBeGreaterThan(40);
    expect(problems).toEqual([]);
    expect(errors, errors.join('\n')).toEqual([]);
  }, SWEEP_TIMEOUT);

  it("the province's pages for its administrator", async () => {
    const { seen, problems, errors } = await sweep(['/province', '/admin'], (page) => signInAdministrator(page, 'tinh.quantri'));
    expect(seen.size).toBeGreaterThan(15);
    expect(problems).toEqual([]);
    expect(errors, errors.join('\n')).toEqual([]);
  }, SWEEP_TIMEOUT);

  it('the public portal', async () => {
    const { seen, problems, errors } = await sweep(['/', '/xa/25201', '/dich-vu-cong', '/tra-cuu', '/san-pham']);
    expect(seen.size).toBeGreaterThan(12);
    expect(problems).toEqual([]);
    expect(errors, errors.join('\n')).toEqual([]);
  }, SWEEP_TIMEOUT);
});
