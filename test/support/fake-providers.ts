import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/**
 * Local stand-ins at the network edge for what cannot run here: a real SMTP server (smtp-server, the
 * library behind many mail hosts) that keeps what it receives, and fakes of the eSMS.vn and Zalo ZNS
 * HTTP APIs that answer as the providers document (and can be told to fail).
 */
export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

export async function startSmtp(): Promise<{ url: string; mails: ReceivedMail[]; close: () => Promise<void> }> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, mails, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export interface FakeApi {
  url: string;
  requests: { path: string; headers: http.IncomingHttpHeaders; body: Record<string, unknown> }[];
  /** How many of the next requests to refuse. */
  failNext: number;
  close: () => Promise<void>;
}

async function fakeApi(answer: (api: FakeApi, path: string, body: Record<string, unknown>, headers: http.IncomingHttpHeaders) => unknown): Promise<FakeApi> {
  const api: FakeApi = { url: '', requests: [], failNext: 0, close: async () => undefined };
  const server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString('utf8')));
    req.on('end', () => {
      const body = JSON.parse(data || '{}') as Record<string, unknown>;
      api.requests.push({ path: req.url ?? '', headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer(api, req.url ?? '', body, req.headers)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  api.close = () => new Promise((resolve) => server.close(() => resolve()));
  return api;
}

/** eSMS.vn: `POST /MainService.svc/json/SendMultipleMessage_V4_post_json/`, CodeResult "100" = accepted. */
export const startFakeEsms = (credentials: { apiKey: string; secretKey: string }) =>
  fakeApi((api, path, body) => {
    if (path !== '/MainService.svc/json/SendMultipleMessage_V4_post_json/') return { CodeResult: '99', ErrorMessage: 'Unknown endpoint' };
    if (body.ApiKey !== credentials.apiKey || body.SecretKey !== credentials.secretKey) return { CodeResult: '101', ErrorMessage: 'Authorize Failed' };
    if (api.failNext > 0) {
      api.failNext--;
      return { CodeResult: '99', ErrorMessage: 'Service temporarily unavailable' };
    }
    return { CodeResult: '100', CountRegenerate: 0, SMSID: String(api.requests.length) };
  });

/** Zalo ZNS: `POST /message/template` with the `access_token` header, `error` 0 = accepted. */
export const startFakeZalo = (accessToken: string) =>
  fakeApi((api, path, _body, headers) => {
    if (path !== '/message/template') return { error: -124, message: 'Unknown endpoint' };
    if (headers.access_token !== accessToken) return { error: -216, message: 'Access token is invalid' };
    if (api.failNext > 0) {
      api.failNext--;
      return { error: -108, message: 'Phone number is invalid' };
    }
    return { error: 0, message: 'Success', data: { msg_id: String(api.requests.length), sent_time: String(Date.now()) } };
  });

/** The text body of a received mail (quoted-printable decoded), to check what the citizen reads. */
export function mailText(raw: string): string {
  const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
  const joined = body.replace(/=\r\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    if (joined[i] === '=' && /^[0-9A-F]{2}$/.test(joined.slice(i + 1, i + 3))) {
      bytes.push(parseInt(joined.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(joined.charCodeAt(i));
  }
  return Buffer.from(bytes).toString('utf8');
}
