import crypto from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const CSRF_COOKIE = 'xs_csrf';
export const SESSION_COOKIE = 'xs_sid';
export const LANG_COOKIE = 'lang';

/** Content-Security-Policy: nothing inline, nothing from another host. */
export const CSP =
  "default-src 'self'; script-src 'self'; script-src-attr 'none'; style-src 'self'; img-src 'self' data:; " +
  "font-src 'self'; connect-src 'self'; media-src 'self' blob:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'";

/**
 * Security headers of every response, computed once (helmet's defaults, stricter where we can be).
 * Set as one constant object: building them per request cost more than the rest of a small request.
 */
/** JSON answers need fewer headers: nothing in them is rendered, framed or scripted. */
export function apiSecurityHeaders(https: boolean): Record<string, string> {
  return {
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
    ...(https ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {}),
  };
}

export function securityHeaders(https: boolean): Record<string, string> {
  return {
    'content-security-policy': https ? `${CSP}; upgrade-insecure-requests` : CSP,
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'origin-agent-cluster': '?1',
    'referrer-policy': 'strict-origin-when-cross-origin',
    'x-content-type-options': 'nosniff',
    'x-dns-prefetch-control': 'off',
    'x-frame-options': 'DENY',
    'x-permitted-cross-domain-policies': 'none',
    'x-xss-protection': '0',
    ...(https ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {}),
  };
}

export const randomToken = (bytes = 32) => crypto.randomBytes(bytes).toString('base64url');

export const sha256 = (value: string) => crypto.createHash('sha256').update(value).digest('hex');

export function hmac(secret: string, value: string): string {
  return crypto.createHmac('sha256', secret).update(value).digest('base64url');
}

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && crypto.timingSafeEqual(ab, bb);
}

export interface CookieOptions {
  secure: boolean;
}

/**
 * Signed double-submit CSRF: a random httpOnly cookie, and in every form the HMAC of that cookie
 * under the server secret. A forged cross-site form knows neither. Returns the form token.
 */
export function ensureCsrfToken(request: FastifyRequest, reply: FastifyReply, secret: string, opts: CookieOptions): string {
  let seed = request.cookies[CSRF_COOKIE];
  if (!seed || seed.length < 32) {
    seed = randomToken();
    reply.setCookie(CSRF_COOKIE, seed, { path: '/', httpOnly: true, sameSite: 'lax', secure: opts.secure });
    request.cookies[CSRF_COOKIE] = seed;
  }
  return hmac(secret, seed);
}

export function checkCsrf(request: FastifyRequest, secret: string): boolean {
  const seed = request.cookies[CSRF_COOKIE];
  const body = request.body as Record<string, unknown> | undefined;
  const provided = (typeof body?._csrf === 'string' ? body._csrf : undefined) ?? request.headers['x-csrf-token'];
  if (!seed || typeof provided !== 'string') return false;
  return safeEqual(hmac(secret, seed), provided);
}

/** Only same-site relative paths may be redirect targets (no `//host`, no scheme). */
export function safeNextPath(next: unknown, fallback = '/'): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return fallback;
  return next;
}
