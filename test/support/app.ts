import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { loadConfig } from '../../src/config.ts';
import { createApp, createContext } from '../../src/app.ts';
import type { AppContext } from '../../src/platform/context.ts';
import type { DialectName } from '../../src/platform/db/connect.ts';
import type { OidcClient } from '../../src/platform/auth/oidc-client.ts';
import { seedAll } from '../../src/platform/seed.ts';
import { freshDatabase } from './databases.ts';
import type { NotificationChannel } from '../../src/platform/notify/channels.ts';

export interface TestApp {
  ctx: AppContext;
  app: FastifyInstance;
  close: () => Promise<void>;
}

/** A migrated, seeded platform on a fresh database of the dialect, with the HTTP app built (not listening). */
export async function testApp(
  dialect: DialectName,
  opts: { env?: Record<string, string>; oidc?: OidcClient | null; seed?: boolean; channels?: NotificationChannel[] } = {},
): Promise<TestApp> {
  const { database, drop } = await freshDatabase(dialect);
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: '/tmp/xaso-test-unused', ...opts.env }, { demo: true });
  const ctx = await createContext(config, { database, secret: 'test-secret-test-secret-test-secret', oidc: opts.oidc ?? null, ...(opts.channels ? { channels: opts.channels } : {}) });
  if (opts.seed !== false) await seedAll(ctx, { demo: true });
  const app = await createApp(ctx);
  await app.ready();
  return {
    ctx,
    app,
    close: async () => {
      await app.close();
      await ctx.notifier.stop();
      await drop();
    },
  };
}

/** A cookie jar over app.inject, with helpers to fetch a form's CSRF token and post forms. */
export class Browser {
  cookies = new Map<string, string>();
  constructor(private readonly app: FastifyInstance) {}

  private absorb(res: LightMyRequestResponse) {
    for (const c of res.cookies) {
      if (c.value === '' || (c.expires && c.expires.getTime() < Date.now())) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
  }

  cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async get(url: string, headers: Record<string, string> = {}) {
    const res = await this.app.inject({ method: 'GET', url, headers: { cookie: this.cookieHeader(), ...headers } });
    this.absorb(res);
    return res;
  }

  async post(url: string, form: Record<string, string>, headers: Record<string, string> = {}) {
    const res = await this.app.inject({
      method: 'POST',
      url,
      payload: new URLSearchParams(form).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: this.cookieHeader(), ...headers },
    });
    this.absorb(res);
    return res;
  }

  /** Posts JSON to the API with the CSRF token in its header. */
  async postJson(url: string, body: object, csrf: string) {
    const res = await this.app.inject({ method: 'POST', url, payload: body, headers: { cookie: this.cookieHeader(), 'x-csrf-token': csrf } });
    this.absorb(res);
    return res;
  }

  /** Posts a multipart form: text fields and files ({ name, type, data }). */
  async postMultipart(url: string, fields: Record<string, string>, files: Record<string, { name: string; type: string; data: Buffer }> = {}) {
    const boundary = `----xaso${Math.random().toString(16).slice(2)}`;
    const parts: Buffer[] = [];
    for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
    for (const [k, f] of Object.entries(files)) {
      parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${k}"; filename="${f.name}"\r\ncontent-type: ${f.type}\r\n\r\n`), f.data, Buffer.from('\r\n'));
    }
    parts.push(Buffer.from(`--${boundary}--\r\n`));
    const res = await this.app.inject({
      method: 'POST',
      url,
      payload: Buffer.concat(parts),
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, cookie: this.cookieHeader() },
    });
    this.absorb(res);
    return res;
  }

  /** Loads a page and returns the CSRF token of its first form. */
  async csrf(url = '/login'): Promise<string> {
    const res = await this.get(url);
    const m = /name="_csrf" value="([^"]+)"/.exec(res.body);
    if (!m) throw new Error(`No CSRF field on ${url}`);
    return m[1]!;
  }
}

/** A commune's radio with no schedules yet (the demo seeds a daily programme in Hướng Đạo). */
export async function withoutRadioSchedules(t: TestApp) {
  const { db } = t.ctx.database;
  await db.deleteFrom('radio_schedule_item').execute();
  await db.deleteFrom('radio_schedule_target').execute();
  await db.deleteFrom('radio_schedule').execute();
  await db.deleteFrom('radio_station').execute();
}
