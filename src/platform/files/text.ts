/**
 * The text inside an uploaded PDF or DOCX, for full-text search. PDF through Mozilla's PDF.js (the
 * legacy build for Node, no worker thread, no fonts loaded), DOCX through mammoth. Bounded: at most
 * `maxPages` pages and `maxChars` characters are kept, so one enormous file cannot take the memory.
 * A scan without a text layer gives '' (no OCR here).
 */
export const DOCX_MIME = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

export interface TextLimits {
  maxPages?: number;
  maxChars?: number;
}

export async function extractText(bytes: Uint8Array, mime: string, limits: TextLimits = {}): Promise<string> {
  const maxChars = limits.maxChars ?? 200_000;
  let text = '';
  if (mime === 'application/pdf') text = await pdfText(bytes, limits.maxPages ?? 300, maxChars);
  else if (mime === DOCX_MIME) text = await docxText(bytes);
  return text.replace(/\s+/g, ' ').trim().slice(0, maxChars);
}

async function pdfText(bytes: Uint8Array, maxPages: number, maxChars: number): Promise<string> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  // PDF.js takes ownership of (detaches) the buffer it is given: hand it a copy.
  const task = pdfjs.getDocument({ data: new Uint8Array(bytes), isEvalSupported: false, disableFontFace: true, useSystemFonts: false, verbosity: 0, stopAtErrors: false });
  const pdf = await task.promise;
  try {
    const parts: string[] = [];
    let length = 0;
    for (let p = 1; p <= Math.min(pdf.numPages, maxPages) && length < maxChars; p++) {
      const page = await pdf.getPage(p);
      const content = await page.getTextContent();
      for (const item of content.items) {
        if (!('str' in item)) continue;
        parts.push(item.str, item.hasEOL ? '\n' : ' ');
        length += item.str.length + 1;
      }
      page.cleanup();
    }
    return parts.join('');
  } finally {
    await task.destroy();
  }
}

async function docxText(bytes: Uint8Array): Promise<string> {
  const mammoth = await import('mammoth');
  const { value } = await mammoth.default.extractRawText({ buffer: Buffer.from(bytes) });
  return value;
}
