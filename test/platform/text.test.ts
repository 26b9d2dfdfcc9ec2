import { describe, expect, it } from 'vitest';
import { extractText } from '../../src/platform/files/text.ts';
import { newPdf, pdfBytes } from '../../src/platform/pdf/document.ts';

// Taken before any PDF is read (core-js's replacements even pretend to be native code when printed).
const originals = { stringify: JSON.stringify, parse: JSON.parse, push: Array.prototype.push };

describe('text inside uploaded files', () => {
  it('reads a PDF’s text (Vietnamese kept) and leaves the server’s own globals untouched', async () => {
    const doc = newPdf({ title: 'Thông báo' });
    doc.text('Thông báo lịch tiếp công dân tháng 12');
    doc.addPage().text('Trang hai: Ủy ban nhân dân xã Hướng Đạo');
    const pdf = await pdfBytes(doc);

    const text = await extractText(pdf, 'application/pdf');
    expect(text).toContain('Thông báo lịch tiếp công dân tháng 12');
    expect(text).toContain('Ủy ban nhân dân xã Hướng Đạo');
    // The caller's bytes are not taken from it.
    expect(pdf.byteLength).toBeGreaterThan(0);
    // Only the first page when asked for one.
    expect(await extractText(pdf, 'application/pdf', { maxPages: 1 })).not.toContain('Trang hai');
    // PDF.js's legacy build polyfills globals where it is loaded: it must not be loaded here.
    expect(JSON.stringify).toBe(originals.stringify);
    expect(JSON.parse).toBe(originals.parse);
    expect(Array.prototype.push).toBe(originals.push);
  });

  it('refuses a damaged PDF with an error, not a hang or a crash', async () => {
    await expect(extractText(Buffer.from('%PDF-1.7\nnot really a pdf'), 'application/pdf')).rejects.toThrow();
    // And the next file is read as usual.
    const doc = newPdf({ title: 'Sau lỗi' });
    doc.text('Vẫn đọc được');
    expect(await extractText(await pdfBytes(doc), 'application/pdf')).toContain('Vẫn đọc được');
  });
});
