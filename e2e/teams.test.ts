import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, newContext, expectUsable, signInOfficial, followNav, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

const check = expectUsable;

describe('community digital-technology teams in Chromium', () => {
  it('a team member records a household and its residents from a phone', async () => {
    const { context, errors } = await newContext(h, { mobile: true });
    const page = await context.newPage();
    await signInOfficial(page, 'huongdao.totv');
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

  it('the commune leader reads the dashboard on a phone without JavaScript, ranks villages, prints, and closes a committee task', async () => {
    const { context, errors } = await newContext(h, { mobile: true, javaScriptEnabled: false });
    const page = await context.newPage();
    await signInOfficial(page, 'huongdao.chutich');
    await page.goto('/chi-so');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Chỉ số công dân số — Xã Hướng Đạo');
    await check(page);
    // The trend charts are drawn by the server: there, sized, and named for screen readers.
    const chart = page.getByRole('img', { name: /Hộ gia đình có cáp quang/ });
    expect((await chart.boundingBox())!.width).toBeGreaterThan(250);
    expect(await page.locator('svg.chart polyline').count()).toBeGreaterThan(5);
    // Rank the villages by one indicator with a plain form.
    await page.getByLabel('Xếp hạng theo').selectOption({ label: 'Hộ gia đình có cáp quang' });
    await page.getByRole('button', { name: 'Xếp hạng', exact: true }).click();
    expect(page.url()).toContain('xep=fibre');
    const ranking = page.locator('table').nth(1);
    const fibre = await ranking.locator('tbody tr td:nth-child(5)').allTextContents();
    const numbers = fibre.map((v) => Number(v.replace('%', '').replace(',', '.')));
    expect(numbers).toEqual([...numbers].sort((a, b) => b - a));
    await check(page);
    // The printable report: no navigation on paper.
    await page.goto('/chi-so/u-25201/bao-cao');
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.site-nav').isVisible()).toBe(false);
    expect(await page.locator('svg.chart').count()).toBeGreaterThan(5);
    await page.emulateMedia({ media: 'screen' });
    // The committee's overdue task, closed from the phone.
    await followNav(page, 'Ban chỉ đạo chuyển đổi số');
    await check(page);
    await page.getByRole('link', { name: /Kế hoạch chuyển đổi số năm/ }).click();
    await check(page);
    const overdue = page.locator('tbody tr', { has: page.locator('strong', { hasText: 'Quá hạn' }) }).first();
    const title = await overdue.locator('td').first().textContent();
    await overdue.getByLabel('Trạng thái').selectOption({ label: 'Hoàn thành' });
    await overdue.getByLabel('Ghi chú, kết quả').fill('Đã xong, báo cáo tại cuộc họp tháng 11');
    await overdue.getByRole('button', { name: 'Cập nhật' }).click();
    await expect.poll(() => page.locator('[role=status], .flash').first().textContent()).toContain('Đã cập nhật nhiệm vụ');
    const row = page.locator('tbody tr', { hasText: title! });
    expect(await row.textContent()).toContain('Hoàn thành');
    expect(await row.locator('strong', { hasText: 'Quá hạn' }).count()).toBe(0);
    await check(page);
    expect(errors, errors.join('\n')).toEqual([]);
    await context.close();
  });
});
