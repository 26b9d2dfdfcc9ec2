// Baseline: a bare node:http server returning fixed bytes with the same content type.
import http from 'node:http';

const body = Buffer.from(process.env.BENCH_BODY ?? '{"ok":true}');
const type = process.env.BENCH_TYPE ?? 'application/json; charset=utf-8';
const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': type, 'content-length': body.length });
  res.end(body);
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`LISTENING ${addr.port}\n`);
});
