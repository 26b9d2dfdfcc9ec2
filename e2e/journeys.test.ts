import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startHarness, newContext, expectAccessible, expectNoHorizontalScroll, followNav, type Harness } from './harness.ts';
import { newTotpSecret, totpCode } from '../src/platform/auth/totp.ts';
import { DEMO_PASSWORD } from '../src/platform/seed.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

async function visit(page: Page, url: string) {
  const res = await page.goto(url);
  expect(res?.status(), url).toBeLessThan(400);
  await expectAccessible(page);
}

async function fillLogin(page: Page, username: string, password = DEMO_PASSWORD) {
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu').fill(password);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
}

describe.each([true, false])('main journeys in Chromium (JavaScript %s)', (javaScriptEnabled) => {
  it('the public portal: home, a commune, accessible and 360 px wide', async () => {
    const { context, errors } = await newContext(h, { javaScriptEnabled, mobile: true });
    const page = await context.newPage();
    await visit(page, '/');
    await expectNoHorizontalScroll(page);
    await page.getByRole('link', { name: 'Xã Hướng Đạo' }).click();
    await expect.poll(() => page.url()).toContain('/xa/25201');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Chào mừng đến với cổng thông tin Xã Hướng Đạo');
    await expectAccessible(page);
    await expectNoHorizontalScroll(page);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('the language switch turns the page into English and back', async () => {
    const { context, errors } = await newContext(h, { javaScriptEnabled });
    const page = await context.newPage();
    await visit(page, '/xa/25202');
    await page.getByRole('link', { name: 'English' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Welcome to the portal of Xã Lãng Công');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Tiếng Việt' }).click();
    await expect.poll(() => page.getAttribute('html', 'lang')).toBe('vi');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a form error is summarised at the top and shown beside the field, keeping what was typed', async () => {
    const { context, errors } = await newContext(h, { javaScriptEnabled });
    const page = await context.newPage();
    await visit(page, '/login');
    await fillLogin(page, 'huongdao.tuphap', 'sai-mat-khau');
    await expect.poll(() => page.locator('.error-summary').textContent()).toContain('Tên đăng nhập hoặc mật khẩu không đúng.');
    expect(await page.getByLabel('Tên đăng nhập').inputValue()).toBe('huongdao.tuphap');
    await expectAccessible(page);
    if (javaScriptEnabled) {
      // app.js moves focus to the summary so that a screen reader announces it.
      expect(await page.evaluate(() => document.activeElement?.classList.contains('error-summary'))).toBe(true);
    }
    expect(errors.filter((e) => !e.includes('401'))).toEqual([]);
    await context.close();
  });
});

describe('officials and citizens in Chromium', () => {
  it('an administrator signs in with a TOTP code from their authenticator', async () => {
    const secret = newTotpSecret();
    await h.ctx.database.db.updateTable('auth_account').set({ totp_secret: secret, totp_enabled: 1 }).where('username', '=', 'admin').execute();
    const { context, errors } = await newContext(h);
    const page = await context.newPage();
    await visit(page, '/login');
    await fillLogin(page, 'admin');
    await expect.poll(() => page.url()).toContain('/login/totp');
    await expectAccessible(page);
    await page.getByLabel('Mã xác thực 6 chữ số').fill(await totpCode(secret));
    await page.getByRole('button', { name: 'Xác nhận' }).click();
    await expect.poll(() => page.url()).toMatch(/\/admin$/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Xin chào, Quản trị hệ thống');
    await expectAccessible(page);
    // The back office's links sit in menus ("Hệ thống" holds the administrator's three); the province view stands alone.
    const nav = page.getByRole('navigation', { name: 'Điều hướng chính' });
    expect(await nav.getByRole('link', { name: 'Tài khoản cán bộ' }).isVisible()).toBe(false);
    for (const link of ['Đơn vị hành chính', 'Tài khoản cán bộ', 'Nhật ký hệ thống', 'Điều hành cấp tỉnh']) {
      await followNav(page, link);
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toContain(link === 'Điều hành cấp tỉnh' ? 'Điều hành cấp tỉnh' : link);
      await expectAccessible(page);
    }
    // Detail pages and the error page, at phone width too.
    await page.setViewportSize({ width: 360, height: 740 });
    await visit(page, '/admin/units/u-25201');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Xã Hướng Đạo');
    await expectNoHorizontalScroll(page);
    // An open menu on a phone stays within the screen; Escape closes it.
    await nav.getByText('Hệ thống', { exact: true }).click();
    expect(await nav.getByRole('link', { name: 'Nhật ký hệ thống' }).isVisible()).toBe(true);
    await expectNoHorizontalScroll(page);
    await page.keyboard.press('Escape');
    expect(await nav.getByRole('link', { name: 'Nhật ký hệ thống' }).isVisible()).toBe(false);
    await page.getByRole('link', { name: 'Thôn Đồng Bùa' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Thôn Đồng Bùa');
    await expectAccessible(page);
    await visit(page, '/admin/accounts');
    await expectNoHorizontalScroll(page);
    await page.getByRole('link', { name: 'huongdao.chutich' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Trần Văn Hùng');
    await expectAccessible(page);
    await visit(page, '/admin/audit/1');
    const missing = await page.goto('/admin/khong-co');
    expect(missing?.status()).toBe(404);
    await expectAccessible(page);
    // The browser logs the deliberate 404 as a failed resource; nothing else may be logged.
    errors.splice(0, errors.length, ...errors.filter((e) => !e.includes('404')));
    await page.getByRole('button', { name: 'Đăng xuất' }).click();
    await expect.poll(() => page.locator('.notice').textContent()).toContain('Bạn đã đăng xuất.');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a new administrator sets up TOTP at first sign-in', async () => {
    const { context, errors } = await newContext(h, { javaScriptEnabled: false });
    const page = await context.newPage();
    await visit(page, '/login');
    await fillLogin(page, 'tinh.quantri');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Thiết lập xác thực hai lớp');
    await expectAccessible(page);
    const secret = (await page.getByTestId('totp-secret').textContent())!;
    await page.getByLabel('Mã xác thực 6 chữ số').fill(await totpCode(secret));
    await page.getByRole('button', { name: 'Xác nhận' }).click();
    await expect.poll(() => page.locator('.notice').textContent()).toContain('Đã bật xác thực hai lớp.');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a citizen signs in with the national e-ID (development provider) and sees their masked profile', async () => {
    const { context, errors } = await newContext(h, { mobile: true });
    const page = await context.newPage();
    await visit(page, '/xa/25201');
    await page.getByRole('link', { name: 'Đăng nhập bằng định danh điện tử' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toContain('Định danh điện tử');
    await page.getByLabel(/Trần Văn Đức/).check();
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await expect.poll(() => page.url()).toMatch(/\/account$/);
    expect(await page.getByTestId('full-name').textContent()).toBe('Trần Văn Đức');
    expect(await page.content()).toContain('0260******18');
    await expectAccessible(page);
    await expectNoHorizontalScroll(page);
    expect(errors, errors.join('\n')).toEqual([]);
    await context.close();
  });
});
