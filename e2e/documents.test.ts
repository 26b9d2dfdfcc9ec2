import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newPdf, pdfBytes } from '../src/platform/pdf/document.ts';
import { startHarness, newContext, expectUsable, signInOfficial, followNav, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

const check = expectUsable;

describe('the incoming register in Chromium', () => {
  it('the clerk registers an arriving document with JavaScript off and finds it in the register', async () => {
    const { context, errors } = await newContext(h, { javaScriptEnabled: false });
    const page = await context.newPage();
    await signInOfficial(page, 'huongdao.vanthu');
    await page.goto('/van-ban/den');
    await check(page);
    await page.getByRole('link', { name: 'Đăng ký văn bản đến' }).click();
    await check(page);
    await page.getByLabel('Nơi ban hành').fill('Sở Nông nghiệp và Môi trường tỉnh Phú Thọ');
    await page.getByLabel('Số văn bản').fill('2468');
    await page.getByLabel('Ký hiệu').fill('SNNMT-TTBVTV');
    await page.getByLabel('Ngày văn bản').fill('2026-11-20');
    await page.getByLabel('Loại văn bản').selectOption({ label: 'Công văn' });
    await page.getByLabel('Trích yếu nội dung').fill('Về việc phòng trừ sâu bệnh hại lúa vụ đông');
    await page.getByLabel('Độ khẩn').selectOption({ label: 'Khẩn' });
    await page.getByLabel('Tệp văn bản (PDF)').setInputFiles({ name: 'cv.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n') });
    await page.getByRole('button', { name: 'Đăng ký', exact: true }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Về việc phòng trừ sâu bệnh hại lúa vụ đông');
    await check(page);
    await page.goto(`/van-ban/den?q=${encodeURIComponent('sau benh lua')}`);
    await expect.poll(() => page.locator('tbody').textContent()).toContain('2468/SNNMT-TTBVTV');
    await check(page);
    expect(errors, errors.join('\n')).toEqual([]);
    await context.close();
  });
});

describe('searching documents in Chromium', () => {
  it('an official finds a document by a word inside its PDF, saves the search and reopens it', async () => {
    const { context, errors } = await newContext(h, {});
    const page = await context.newPage();
    await signInOfficial(page, 'huongdao.vanthu');
    const pdf = newPdf({ title: 'e2e' });
    pdf.text('Điều 2. Giao thôn Đồng Bùa lắp đặt cụm loa truyền thanh thông minh trước ngày 15.');
    await page.goto('/van-ban/den/moi');
    await page.getByLabel('Nơi ban hành').fill('UBND tỉnh Phú Thọ');
    await page.getByLabel('Số văn bản').fill('1357');
    await page.getByLabel('Ký hiệu').fill('KH-UBND');
    await page.getByLabel('Ngày văn bản').fill('2026-11-20');
    await page.getByLabel('Loại văn bản').selectOption({ label: 'Kế hoạch (KH)' });
    await page.getByLabel('Trích yếu nội dung').fill('Kế hoạch hiện đại hóa hệ thống truyền thanh cơ sở');
    await page.getByLabel('Tệp văn bản (PDF)').setInputFiles({ name: 'kh.pdf', mimeType: 'application/pdf', buffer: await pdfBytes(pdf) });
    await page.getByRole('button', { name: 'Đăng ký', exact: true }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Kế hoạch hiện đại hóa hệ thống truyền thanh cơ sở');
    await followNav(page, 'Tra cứu văn bản');
    await check(page);
    // Words that are only inside the PDF, typed without diacritics; the index reads the file just after registration.
    await expect
      .poll(async () => {
        await page.getByLabel('Từ khóa').fill('cum loa dong bua');
        await page.getByRole('button', { name: 'Tìm', exact: true }).click();
        return page.locator('main table').count();
      }, { timeout: 30_000, interval: 500 })
      .toBe(1);
    await expect.poll(() => page.locator('main table tbody').textContent()).toContain('1357/KH-UBND');
    await check(page);
    await page.getByLabel('Tên tìm kiếm').fill('Truyền thanh thôn Đồng Bùa');
    await page.getByRole('button', { name: 'Lưu tìm kiếm này' }).click();
    await page.goto('/van-ban/tim-kiem');
    await page.getByRole('link', { name: 'Truyền thanh thôn Đồng Bùa' }).click();
    await expect.poll(() => page.locator('main table').first().textContent()).toContain('1357/KH-UBND');
    await check(page);
    expect(errors, errors.join('\n')).toEqual([]);
    await context.close();
  });
});
