import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { idleWorker } from '../worker.ts';

/**
 * The text inside an uploaded PDF or DOCX, for full-text search. PDF through Mozilla's PDF.js (the
 * legacy build for Node, in a worker thread of ours, no fonts loaded), DOCX through mammoth. Bounded: at most
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

// PDF.js runs in a worker thread: its legacy build brings core-js polyfills that replace globals on
// Node 20 (JSON.stringify, JSON.parse, Array.prototype.push — forced for lack of JSON.rawJSON), which
// in the server's own thread made every request slower (5 % of a public look-up's CPU went to the
// polyfilled JSON.stringify alone). The worker also keeps a large PDF's parsing off the event loop.
const PDF_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
let pdfjs;
parentPort.on('message', async ({ id, bytes, maxPages, maxChars }) => {
  try {
    pdfjs ??= await import(workerData.moduleUrl);
    const task = pdfjs.getDocument({ data: bytes, isEvalSupported: false, disableFontFace: true, useSystemFonts: false, verbosity: 0, stopAtErrors: false });
    try {
      const pdf = await task.promise;
      const parts = [];
      let length = 0;
      for (let p = 1; p <= Math.min(pdf.numPages, maxPages) && length < maxChars; p++) {
        const page = await pdf.getPage(p);
        const content = await page.getTextContent();
        for (const item of content.items) {
          if (!('str' in item)) continue;
          parts.push(item.str, item.hasEOL ? '\\n' : ' ');
          length += item.str.length + 1;
        }
        page.cleanup();
      }
      parentPort.postMessage({ id, result: parts.join('') });
    } finally {
      await task.destroy();
    }
  } catch (err) {
    parentPort.postMessage({ id, error: String((err && err.message) || err) });
  }
});
`;

let pdfWorker: ReturnType<typeof idleWorker> | undefined;

function pdfText(bytes: Uint8Array, maxPages: number, maxChars: number): Promise<string> {
  pdfWorker ??= idleWorker(PDF_WORKER, { moduleUrl: pathToFileURL(createRequire(import.meta.url).resolve('pdfjs-dist/legacy/build/pdf.mjs')).href }, 30_000);
  // A copy is handed over (PDF.js detaches the buffer it is given; the caller keeps its own).
  const copy = new Uint8Array(bytes);
  return pdfWorker<string>({ bytes: copy, maxPages, maxChars }, [copy.buffer]);
}

async function docxText(bytes: Uint8Array): Promise<string> {
  const mammoth = await import('mammoth');
  const { value } = await mammoth.default.extractRawText({ buffer: Buffer.from(bytes) });
  return value;
}
