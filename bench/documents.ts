/**
 * Documents: registering an incoming document with a 5 MB PDF, end to end over HTTP (multipart upload,
 * content check, arrival number, file stored, register row, audit, redirect), signed in as the commune's
 * clerk on `xaso serve` with SQLite — p95 of 40 sequential registrations (target < 300 ms). Baseline in
 * the same run: the p95 of posting the same 5 MB body to a bare node:http server that reads it whole.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { freePort, firstPage, report, signIn, startXaso, stop } from './lib.ts';

const COUNT = Number(process.env.BENCH_REGISTRATIONS ?? 40);

/** A 5 MB PDF: a valid header and trailer around incompressible bytes (a scan's weight). */
function fivePdf() {
  const filler = Buffer.alloc(5 * 1024 * 1024 - 64);
  for (let i = 0; i < filler.length; i++) filler[i] = (i * 2654435761) >>> 24;
  return Buffer.concat([Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n'), filler, Buffer.from('\ntrailer <<>>\n%%EOF\n')]);
}

export function multipart(fields: Record<string, string>, file: Buffer, part = { name: 'file', filename: 'van-ban.pdf', type: 'application/pdf' }) {
  const boundary = `----xaso${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\nContent-Type: ${part.type}\r\n\r\n`), file, Buffer.from(`\r\n--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), type: `multipart/form-data; boundary=${boundary}` };
}

export function post(url: string, body: Buffer, headers: Record<string, string>): Promise<{ status: number; location: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)]!;

export async function benchDocuments() {
  const pdf = fivePdf();
  // Baseline: a bare server reading the same upload.
  const bare = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(303, { location: '/' }).end());
  });
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
  const bareUrl = `http://127.0.0.1:${(bare.address() as { port: number }).port}/`;
  const sample = multipart({ a: 'b' }, pdf);
  const bareTimes: number[] = [];
  for (let i = 0; i < COUNT; i++) {
    const t = performance.now();
    await post(bareUrl, sample.body, { 'content-type': sample.type });
    bareTimes.push(performance.now() - t);
  }
  bare.close();

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xaso-bench-documents-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = startXaso(dataDir, port, { PUBLIC_URL: base, UPLOAD_LIMIT_BYTES: String(20 * 1024 * 1024), BODY_LIMIT_BYTES: String(20 * 1024 * 1024) });
  await firstPage(`${base}/`, performance.now());
  try {
    const session = await signIn(base, 'huongdao.vanthu');
    const page = await fetch(`${base}/van-ban/den/moi`, { headers: { cookie: session } });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
    // The form's token goes with its cookie (double submit).
    const cookie = [session, ...page.headers.getSetCookie().map((c) => c.split(';')[0]!)].join('; ');
    const times: number[] = [];
    for (let i = 0; i < COUNT; i++) {
      const { body, type } = multipart(
        { _csrf: csrf, author_org: 'UBND tỉnh Phú Thọ', code_number: `B${i}`, code_notation: 'KH-UBND', issued_date: new Date().toISOString().slice(0, 10), type_code: 'plan', subject: `Kế hoạch thử tải số ${i}`, urgency: 'normal', secrecy: 'normal', due_date: '' },
        pdf,
      );
      const t = performance.now();
      const r = await post(`${base}/van-ban/den`, body, { 'content-type': type, cookie });
      times.push(performance.now() - t);
      if (r.status !== 303 || !r.location?.startsWith('/van-ban/den/')) throw new Error(`registration ${i} answered ${r.status}`);
    }
    report('documents: register an incoming document with a 5 MB PDF, end to end, p95 (ms)', `${p95(times).toFixed(0)} (median ${[...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!.toFixed(0)})`, `${p95(bareTimes).toFixed(0)} ms bare node:http reading the upload`, p95(times) / 300, '< 300 ms (ratio < 1)');
  } finally {
    await stop(child);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
