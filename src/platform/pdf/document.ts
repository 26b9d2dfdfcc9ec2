import fs from 'node:fs';
import { createRequire } from 'node:module';
import * as fontkit from 'fontkit';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';

const require = createRequire(import.meta.url);
/**
 * Full TrueType fonts with every Vietnamese glyph (the web's woff subsets miss some in PDFs), from npm
 * so nothing is downloaded at run time.
 */
const FONTS = {
  regular: require.resolve('@expo-google-fonts/be-vietnam-pro/400Regular/BeVietnamPro_400Regular.ttf'),
  bold: require.resolve('@expo-google-fonts/be-vietnam-pro/700Bold/BeVietnamPro_700Bold.ttf'),
};

export type Pdf = PDFKit.PDFDocument;

/**
 * The fonts parsed once for the process and given to every document (pdfkit takes a fontkit font as a
 * font source): parsing them per document was two thirds of a PDF's cost (30 ms → 9 ms a page).
 * Each document still embeds its own subset.
 */
let parsed: { regular: fontkit.Font; bold: fontkit.Font } | undefined;
function fonts() {
  const font = (file: string) => fontkit.create(fs.readFileSync(file)) as fontkit.Font;
  return (parsed ??= { regular: font(FONTS.regular), bold: font(FONTS.bold) });
}

/** An A4 document with the platform's fonts registered as `regular` and `bold`. */
export function newPdf(info: { title: string; author?: string; landscape?: boolean }): Pdf {
  const doc = new PDFDocument({ size: 'A4', layout: info.landscape ? 'landscape' : 'portrait', margins: { top: 56, bottom: 56, left: 64, right: 56 }, info: { Title: info.title, Author: info.author ?? 'Xã Số' } });
  const { regular, bold } = fonts();
  // The typings list only files and bytes as sources; pdfkit also takes a fontkit font (it has `layout`).
  doc.registerFont('regular', regular as unknown as PDFKit.Mixins.PDFFontSource);
  doc.registerFont('bold', bold as unknown as PDFKit.Mixins.PDFFontSource);
  doc.font('regular').fontSize(12);
  return doc;
}

/** Ends the document and returns its bytes. */
export function pdfBytes(doc: Pdf): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.end();
  });
}

/** A QR code of `text` as PNG bytes (for PDFs) — scanned on phones, so a generous quiet zone. */
export const qrPng = (text: string) => QRCode.toBuffer(text, { type: 'png', margin: 2, scale: 4, errorCorrectionLevel: 'M' });

/** A QR code of `text` as an SVG string (for pages). */
export const qrSvg = (text: string) => QRCode.toString(text, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });

/**
 * A printed register: a centred title, then a bordered table whose header row is bold; columns sized
 * in proportion to `widths`. Long cells wrap; pdfkit breaks pages between rows.
 */
export function pdfRegister(doc: Pdf, title: string, header: readonly string[], rows: readonly (readonly (string | number)[])[], widths: readonly number[]) {
  const usable = doc.page.width - doc.page.margins.left - doc.page.margins.right;
  const total = widths.reduce((a, b) => a + b, 0);
  doc.font('bold').fontSize(13).text(title, { align: 'center' }).moveDown(0.6);
  doc.font('regular').fontSize(8);
  doc.table({
    columnStyles: widths.map((w) => ({ width: (usable * w) / total })),
    rowStyles: (i) => (i === 0 ? { backgroundColor: '#eeeeee' } : undefined),
    data: [header.map((h) => ({ text: h, font: { src: 'bold' }, type: 'TH' as const })), ...rows.map((r) => r.map((c) => String(c)))],
  });
  return doc;
}
