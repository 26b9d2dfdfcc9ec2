import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startHarness, newContext, expectAccessible, expectNoHorizontalScroll, type Harness } from './harness.ts';
import { DEMO_PASSWORD } from '../src/platform/seed.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

async function check(page: Page) {
  await expectAccessible(page);
  await expectNoHorizontalScroll(page);
}

describe('community digital-technology teams in Chromium', () => {
  it('a team member records a household and its residents from a phone', async () => {
    const { context, errors } = await newContext(h, { mobile: true });
    const page = await context.newPage();
    await page.goto('/login');
    await page.getByLabel('Tên đăng nhập').fill('huongdao.totv');
    await page.getByLabel('Mật khẩu').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.goto('/to-cong-nghe');
    await check(page);
    // Their own village only.
    expect(await page.locator('tbody tr').count()).toBe(1);
    await page.locator('tbody a').first().click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toMatch(/^Tổ công nghệ số /);
    await check(page);
    await page.getByRole('link', { name: /^Hộ gia đình — / }).click();
    await check(page);
    await page.getByRole('button', { name: 'Thêm hộ gia đình' }).click();
    await expect.poll(() => page.locator('.error-summary').textContent()).toContain('Chủ hộ:');
    await check(page);
    await page.getByLabel('Chủ hộ', { exact: true }).fill('Phùng Văn Thử');
    await page.getByLabel('Địa chỉ trong thôn', { exact: true }).fill('Xóm 3, ngõ 5');
    await page.getByLabel('Có cáp quang').check();
    await page.getByRole('button', { name: 'Thêm hộ gia đình' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Hộ Phùng Văn Thử');
    await check(page);
    const add = page.getByRole('form', { name: 'Thêm nhân khẩu' });
    await add.getByLabel('Họ và tên').fill('Phùng Thị Hằng');
    await add.getByLabel('Năm sinh').fill('1992');
    await add.getByLabel('Đã kích hoạt VNeID mức 2').check();
    await add.getByRole('button', { name: 'Lưu' }).click();
    await expect.poll(() => page.locator('tbody').first().textContent()).toContain('Phùng Thị Hằng');
    await check(page);
    // A support session with this household: she opened a public-service account today.
    const session = page.getByRole('form', { name: 'Ghi nhận hỗ trợ hộ này' });
    await session.getByLabel('Nội dung').selectOption({ label: 'Tạo tài khoản dịch vụ công' });
    await session.getByLabel(/Phùng Thị Hằng/).check();
    await session.getByRole('button', { name: 'Ghi nhận' }).click();
    await expect.poll(() => page.locator('[role=status], .flash').first().textContent()).toContain('Đã ghi nhận buổi hỗ trợ');
    await check(page);
    expect(errors.filter((e) => !e.includes('400')), errors.join('\n')).toEqual([]);
    await context.close();
  });
});
