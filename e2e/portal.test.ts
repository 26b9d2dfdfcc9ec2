import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, newContext, expectUsable, signInOfficial, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

const check = expectUsable;

const signInAs = signInOfficial;

describe('the commune portal in Chromium', () => {
  it('a resident reads, browses and searches the portal on a phone without JavaScript', async () => {
    const { context, errors } = await newContext(h, { mobile: true, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto('/xa/25201');
    await check(page);
    await page.getByRole('link', { name: 'Tất cả tin tức' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Tin tức — Xã Hướng Đạo');
    await check(page);
    await page.locator('.article-list h3 a').first().click();
    await check(page);
    // The cover picture has its size, so nothing jumps while it loads.
    const cover = page.locator('img.cover');
    expect(await cover.getAttribute('width')).toBe('1200');
    await page.goto('/xa/25201');
    await page.getByLabel('Tìm tin tức, thông báo').fill('tiem chung');
    await page.getByRole('button', { name: 'Tìm', exact: true }).click();
    await expect.poll(() => page.locator('.article-list').textContent()).toContain('tiêm chủng');
    await check(page);
    // The province's products: filter with a plain form, open one, its QR code and contacts.
    await page.goto('/san-pham');
    await check(page);
    await page.getByLabel('Hạng OCOP').selectOption({ label: 'Từ 4 sao' });
    await page.getByRole('button', { name: 'Lọc' }).click();
    expect(page.url()).toContain('sao=4');
    await page.getByRole('link', { name: 'Chè Tam Đảo' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Chè Tam Đảo');
    expect(await page.getByRole('img', { name: /Mã QR mở trang sản phẩm/ }).isVisible()).toBe(true);
    await check(page);
    expect(errors, errors.join('\n')).toEqual([]);
    await context.close();
  });

  it('an official writes with the rich-text editor on a phone; the leader publishes; it is on the portal', async () => {
    const { context, errors } = await newContext(h, { mobile: true });
    const page = await context.newPage();
    await signInAs(page, 'huongdao.vhtt');
    await page.goto('/cong-thong-tin/moi?loai=news');
    await check(page);
    await page.getByLabel('Tiêu đề', { exact: true }).fill('Khai giảng lớp “Bình dân học vụ số” cho người cao tuổi');
    await page.getByLabel('Tóm tắt').fill('Hơn 40 người cao tuổi học dùng điện thoại thông minh, VNeID và thanh toán không tiền mặt.');
    await page.getByLabel('Chuyên mục').selectOption({ label: 'Chuyển đổi số' });
    const editor = page.getByRole('textbox', { name: 'Nội dung' });
    await editor.click();
    await page.keyboard.type('Lớp học mở tại nhà văn hóa thôn Đồng Bùa.');
    await page.getByRole('button', { name: 'Đậm' }).click();
    await page.keyboard.type(' Miễn phí.');
    await page.getByRole('button', { name: 'Lưu bản nháp' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Khai giảng lớp “Bình dân học vụ số” cho người cao tuổi');
    await check(page);
    await page.getByRole('button', { name: 'Gửi duyệt' }).click();
    await expect.poll(() => page.locator('[role=status]').first().textContent()).toContain('Đã gửi bài chờ duyệt');
    const editUrl = page.url();
    await context.clearCookies();
    await signInAs(page, 'huongdao.chutich');
    await page.goto(editUrl);
    await page.getByRole('button', { name: 'Duyệt và đăng' }).click();
    await expect.poll(() => page.locator('[role=status]').first().textContent()).toContain('Đã duyệt và đăng bài');
    await page.getByRole('link', { name: 'Xem trên cổng thông tin' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Khai giảng lớp “Bình dân học vụ số” cho người cao tuổi');
    expect(await page.locator('.article-body strong').textContent()).toContain('Miễn phí.');
    await check(page);
    expect(errors, errors.join('\n')).toEqual([]);
    await context.close();
  });
});
