// Baseline: a bare node:http server answering every request with fixed bytes: the same status line,
// headers and body as the response it stands beside (given as JSON in BENCH_RESPONSE).
import http from 'node:http';

// eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- plain JS: the shape is ours, set by bench/run.ts
const given = /** @type {{ headers: Record<string, string>, body: string }} */ (JSON.parse(process.env.BENCH_RESPONSE ?? '{"headers":{"content-type":"application/json"},"body":"{}"}'));
const body = Buffer.from(given.body);
const headers = { ...given.headers, 'content-length': body.length };
const server = http.createServer((_req, res) => {
  res.writeHead(200, headers);
  res.end(body);
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`LISTENING ${addr.port}\n`);
});
