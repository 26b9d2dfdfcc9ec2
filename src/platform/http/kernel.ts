import crypto from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Child } from '../ui/jsx.ts';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { Access, type Actor } from '../auth/access.ts';
import { cachedSession, resolveSession, type SessionState } from '../auth/sessions.ts';
import type { AuditContext } from '../audit/audit.ts';
import { DEFAULT_LANG, isLang, isMessageKey, translator, zodErrorMap, type Lang, type MessageKey, type Translate } from '../i18n/index.ts';
import { AppError, invalidInput, type FieldError } from '../errors.ts';
import type { NavLink, PageContext, Shell } from '../ui/context.ts';
import { renderPage } from '../ui/layout.tsx';
import { LANG_COOKIE, SESSION_COOKIE, apiSecurityHeaders, checkCsrf, ensureCsrfToken, securityHeaders } from './security.ts';

declare module 'fastify' {
  interface FastifyRequest {
    lang: Lang;
    t: Translate;
    actor: Actor | null;
    access: Access;
    /** Account id whose password passed but whose second factor is still owed. */
    mfaPendingAccountId: string | null;
    sessionId: string | null;
    csrfToken: string;
    auditContext: AuditContext;
  }
  interface FastifyContextConfig {
    /** Set false on routes that take no form (webhooks, devices). */
    csrf?: boolean;
  }
}

const FLASH_COOKIE = 'xs_flash';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Per-request kernel: language, session and actor, CSRF check on every unsafe method, and helpers
 * to render pages and parse forms. Registered once at the root (not encapsulated).
 */
export function registerKernel(app: FastifyInstance, ctx: AppContext) {
  app.decorateRequest('lang', DEFAULT_LANG);
  app.decorateRequest('t', null as unknown as Translate);
  app.decorateRequest('actor', null);
  // Made on first use: many requests (assets, cached JSON reads) never need them.
  const accessOf = new WeakMap<FastifyRequest, Access>();
  app.decorateRequest('access', {
    getter(this: FastifyRequest) {
      let access = accessOf.get(this);
      if (!access) {
        access = new Access(ctx.database, ctx.permissions, this.actor);
        accessOf.set(this, access);
      }
      return access;
    },
  });
  app.decorateRequest('mfaPendingAccountId', null);
  app.decorateRequest('sessionId', null);
  app.decorateRequest('csrfToken', '');
  app.decorateRequest('auditContext', {
    getter(this: FastifyRequest): AuditContext {
      return {
        actorId: this.actor?.id ?? this.mfaPendingAccountId,
        actorLabel: this.actor?.displayName ?? 'anonymous',
        ip: this.ip,
        requestId: String(this.id),
      };
    },
  });

  const https = ctx.config.publicUrl.startsWith('https:');
  const pageHeaders = securityHeaders(https);
  const apiHeaders = apiSecurityHeaders(https);
  const applySession = (request: FastifyRequest, reply: FastifyReply, state: SessionState) => {
    if (state.status === 'active') {
      request.actor = state.actor;
      request.sessionId = state.sessionId;
    } else if (state.status === 'mfa_pending') {
      request.mfaPendingAccountId = state.accountId;
      request.sessionId = state.sessionId;
    } else if (state.status === 'expired') {
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      setFlash(reply, 'login.session_expired');
    }
  };
  // One hook does all per-request set-up, callback-style: a cached session answers without a promise.
  app.addHook('onRequest', (request, reply, done) => {
    // @fastify/cookie is registered without its own hook: parsing here is one hook fewer per request.
    const cookieHeader = request.headers.cookie;
    request.cookies = cookieHeader ? app.parseCookie(cookieHeader) : {};
    reply.headers(request.url.startsWith('/api/v') ? apiHeaders : pageHeaders).header('x-request-id', request.id);
    const cookieLang = request.cookies[LANG_COOKIE];
    request.lang = isLang(cookieLang) ? cookieLang : DEFAULT_LANG;
    request.t = translator(request.lang);
    if (request.url.includes('%00')) {
      done(nulRefused());
      return;
    }
    const token = request.cookies[SESSION_COOKIE];
    const cached = cachedSession(ctx, token);
    if (cached) {
      applySession(request, reply, cached);
      done();
      return;
    }
    resolveSession(ctx, token).then(
      (state) => {
        applySession(request, reply, state);
        done();
      },
      (err: Error) => done(err),
    );
  });

  // The CSRF check is a pre-handler of the routes that take an unsafe method (added as each route is
  // declared): reads pay nothing for it.
  const csrfCheck = (request: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void) => {
    if (SAFE_METHODS.has(request.method) || checkCsrf(request, ctx.secret)) done();
    else done(new AppError('csrf', 403, 'error.csrf'));
  };
  // A NUL character is never meaningful input, and PostgreSQL cannot store one in text: a body that
  // carries one in any field is refused as a whole before the handler (a URL, in `onRequest`).
  const nulCheck = (request: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void) => {
    if (carriesNul(request.body)) done(nulRefused());
    else done();
  };
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (route.config?.csrf === false || methods.every((m) => SAFE_METHODS.has(m))) return;
    const own = route.preHandler;
    route.preHandler = [csrfCheck, nulCheck, ...(own ? (Array.isArray(own) ? own : [own]) : [])];
  });
}

/** Builds what a page needs from the request; navigation filtered by the actor's permissions. */
export function pageContext(ctx: AppContext, request: FastifyRequest, reply: FastifyReply): PageContext {
  // Only pages carry forms: the token (and its cookie) is made when a page is rendered.
  request.csrfToken ||= ensureCsrfToken(request, reply, ctx.secret, { secure: ctx.config.publicUrl.startsWith('https:') });
  const flash = request.cookies[FLASH_COOKIE];
  if (flash) reply.clearCookie(FLASH_COOKIE, { path: '/' });
  const nav: Record<Shell, NavLink[]> = { portal: [], admin: [], province: [] };
  for (const item of [...ctx.nav].sort((a, b) => (a.order ?? 50) - (b.order ?? 50))) {
    if (item.permission && !request.access.holds(item.permission)) continue;
    nav[item.shell].push({ href: item.href, label: item.label, ...(item.group ? { group: `nav.group.${item.group}` as const } : {}) });
  }
  return {
    lang: request.lang,
    t: request.t,
    actor: request.actor,
    csrfToken: request.csrfToken,
    path: request.url,
    requestId: String(request.id),
    nav,
    flash: (flash && isFlashKey(flash) ? flash : null) as MessageKey | null,
  };
}

// Only the texts of our own catalogue: the cookie cannot put arbitrary words on a page.
const isFlashKey = (k: string) => (k.includes('.flash.') || k === 'login.logged_out' || k === 'login.session_expired' || k === 'totp.enabled') && isMessageKey(k);

/** Sets a one-time notice shown on the next page (only catalogue keys from a fixed list). */
/**
 * The signed-in actor (of `kind`, when the page needs one), or null after redirecting to the matching
 * sign-in, which comes back here. Handlers: `const actor = signedIn(request, reply, 'citizen'); if (!actor) return reply;`
 */
export function signedIn(request: FastifyRequest, reply: FastifyReply, kind?: 'official' | 'citizen'): Actor | null {
  const actor = request.actor;
  if (actor && (!kind || actor.kind === kind)) return actor;
  void reply.redirect(`${kind === 'citizen' ? '/login/citizen' : '/login'}?next=${encodeURIComponent(request.url)}`, 303);
  return null;
}

/** A posted form's text fields (files left out), to show again beside its errors. */
export const formStrings = (body: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries((body ?? {}) as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string'));

export function setFlash(reply: FastifyReply, key: MessageKey) {
  reply.setCookie(FLASH_COOKIE, key, { path: '/', httpOnly: true, sameSite: 'lax' });
}

export async function sendPage(reply: FastifyReply, node: Child, status = 200) {
  reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store');
  return reply.send(renderPage(node));
}

/**
 * A public page that browsers and proxies may keep: an ETag of its bytes (a repeat visit with
 * `If-None-Match` gets a 304 and no body), a minute's freshness for visitors who are not signed in
 * (pages of signed-in people carry their name: private, revalidated each time).
 */
export async function sendPublicPage(request: FastifyRequest, reply: FastifyReply, node: Child) {
  const html = renderPage(node);
  return sendCacheable(request, reply, html, 'text/html; charset=utf-8', request.actor ? 'private, no-cache' : PUBLIC_CACHE);
}

const PUBLIC_CACHE = 'public, max-age=60, stale-while-revalidate=300';
const etagOf = (body: string | Buffer) => `"${crypto.createHash('sha1').update(body).digest('base64url')}"`;

/** Sends `body` with a strong ETag, or a 304 when the client already holds it. */
export function sendCacheable(request: FastifyRequest, reply: FastifyReply, body: string | Buffer, type: string, cacheControl: string, etag = etagOf(body)) {
  reply.header('etag', etag).header('cache-control', cacheControl).header('vary', 'Cookie');
  const match = request.headers['if-none-match'];
  if (match && match.split(',').some((m) => m.trim().replace(/^W\//, '') === etag)) return reply.code(304).send();
  return reply.type(type).send(body);
}

/**
 * Public pages rendered once for every anonymous visitor of the same address and language, kept
 * `SHARED_TTL_MS` in this process (a cheap phone on a weak network and a crowd after an announcement
 * both get the same bytes without a database round trip). Signed-in people and one-time notices are
 * rendered each time. Modules call `sharedPagesChanged()` after a change the public sees; other
 * processes catch up within the TTL.
 */
const SHARED_TTL_MS = 10_000;
const SHARED_MAX = 500;
type SharedEntry = { html: string; etag: string; expires: number; generation: number };
// One cache per server (tests run several apps in one process); a change anywhere renews them all.
const sharedPages = new WeakMap<FastifyInstance, Map<string, SharedEntry>>();
let generation = 0;
export const sharedPagesChanged = () => {
  generation++;
};

export async function sendSharedPage(request: FastifyRequest, reply: FastifyReply, render: () => Promise<Child>) {
  if (request.actor || request.cookies[FLASH_COOKIE]) return sendPublicPage(request, reply, await render());
  let pages = sharedPages.get(request.server);
  if (!pages) sharedPages.set(request.server, (pages = new Map<string, SharedEntry>()));
  const key = `${request.lang}|${request.url}`;
  const now = Date.now();
  let entry = pages.get(key);
  if (!entry || entry.expires <= now || entry.generation !== generation) {
    // Taken before rendering: a change made meanwhile makes this rendering stale at once.
    const seen = generation;
    const html = renderPage(await render());
    entry = { html, etag: etagOf(html), expires: now + SHARED_TTL_MS, generation: seen };
    // Oldest first out when full (a Map keeps insertion order).
    if (pages.size >= SHARED_MAX) pages.delete(pages.keys().next().value!);
    pages.delete(key);
    pages.set(key, entry);
  }
  return sendCacheable(request, reply, entry.html, 'text/html; charset=utf-8', PUBLIC_CACHE, entry.etag);
}

/**
 * Parses a form or JSON body with a zod schema, messages in the user's language, field names kept.
 * Returns the data or the field errors; `parseOrThrow` throws a 400 instead.
 */
export interface ParseOptions {
  input?: unknown;
  /** Catalogue keys of the fields' labels: each message starts with the field's name. */
  labels?: Record<string, MessageKey>;
}

export function parseInput<S extends z.ZodType>(
  request: FastifyRequest,
  schema: S,
  options: ParseOptions = {},
): { ok: true; data: z.output<S> } | { ok: false; errors: FieldError[] } {
  const input = 'input' in options ? options.input : request.body;
  const result = schema.safeParse(input ?? {}, { error: zodErrorMap(request.lang) });
  if (result.success) return { ok: true, data: result.data };
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  for (const issue of result.error.issues) {
    const field = issue.path.join('.');
    if (seen.has(field)) continue;
    seen.add(field);
    const label = options.labels?.[field];
    // A schema's own refinements give a catalogue key as their message, so they read in either language.
    const text = isMessageKey(issue.message) ? request.t(issue.message) : issue.message;
    errors.push({ field, message: label ? `${request.t(label)}: ${text}` : text });
  }
  return { ok: false, errors };
}

/**
 * A reader of a posted form's text fields: the value of a field as text ('' when absent or not text),
 * trimmed and cut to `max` characters when given — for forms whose fields are known only at run time.
 */
export function formText(body: unknown, max?: number): (name: string) => string {
  const b = (body ?? {}) as Record<string, unknown>;
  return (name) => {
    const v = b[name];
    if (typeof v !== 'string') return '';
    return max === undefined ? v : v.trim().slice(0, max);
  };
}

export function parseOrThrow<S extends z.ZodType>(request: FastifyRequest, schema: S, options?: ParseOptions): z.output<S> {
  const result = parseInput(request, schema, options);
  if (!result.ok) throw invalidInput(result.errors);
  return result.data;
}

const nulRefused = () => new AppError('nul_character', 400, 'error.nul_character');

/** Whether a parsed body holds a NUL character in any text: a field, a key, a file's name (not a file's bytes). */
function carriesNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value) || depth > 20) return false;
  if (Array.isArray(value)) return value.some((v) => carriesNul(v, depth + 1));
  return Object.entries(value).some(([k, v]) => k.includes('\u0000') || carriesNul(v, depth + 1));
}
