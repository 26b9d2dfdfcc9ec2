import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { Layout } from '../ui/layout.tsx';
import { ErrorSummary, Form, TextInput, Button } from '../ui/components.tsx';
import type { FieldError } from '../errors.ts';
import { pageContext, parseInput, sendPage, setFlash } from '../http/kernel.ts';
import { SESSION_COOKIE, LANG_COOKIE, hmac, safeEqual, safeNextPath } from '../http/security.ts';
import { hitRateLimit } from '../http/rate-limit.ts';
import { isLang } from '../i18n/index.ts';
import { checkAccountTotp, checkPasswordLogin, recordLogin, upsertCitizen } from './accounts.ts';
import { createSession, destroySession, markMfaPassed } from './sessions.ts';
import { newTotpSecret, totpUri } from './totp.ts';
import type { OidcChecks } from './oidc-client.ts';
import { unitRepository } from '../units/repository.ts';

const LoginSchema = z.object({
  username: z.string().trim().min(1).max(64),
  password: z.string().min(1).max(200),
  next: z.string().optional(),
});
const TotpSchema = z.object({ code: z.string().trim().regex(/^\d{6}$/), setupSecret: z.string().optional() });

const OIDC_COOKIE = 'xs_oidc';
const LOGIN_WINDOW_MS = 15 * 60_000;
const LOGIN_MAX_PER_IP = 30;

/** Sign-in for officials (password + TOTP), citizens (OpenID Connect), sign-out, language switch. */
export function registerAuthRoutes(app: FastifyInstance, ctx: AppContext) {
  const secure = ctx.config.publicUrl.startsWith('https:');
  const sessionCookie = (reply: FastifyReply, token: string) =>
    reply.setCookie(SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'lax', secure });

  app.get('/login', async (request, reply) => {
    if (request.actor) return reply.redirect('/admin');
    const q = request.query as { next?: string };
    return renderLogin(ctx, request, reply, { next: safeNextPath(q.next, '/admin'), errors: [] });
  });

  app.post('/login', async (request, reply) => {
    const limit = await hitRateLimit(ctx.database, `login:${request.ip}`, LOGIN_WINDOW_MS);
    if (limit.count > LOGIN_MAX_PER_IP) {
      const seconds = Math.ceil((limit.resetAt - Date.now()) / 1000);
      return renderLogin(ctx, request, reply, { errors: [{ field: '', key: 'error.rate_limited', params: { seconds } }] }, 429);
    }
    const parsed = parseInput(request, LoginSchema, { labels: { username: 'login.username', password: 'login.password' } });
    const body = request.body as Record<string, string> | undefined;
    if (!parsed.ok) return renderLogin(ctx, request, reply, { username: body?.username, errors: parsed.errors }, 400);
    const { username, password } = parsed.data;
    const next = safeNextPath(parsed.data.next, '/admin');
    const result = await checkPasswordLogin(ctx, request.auditContext, username, password);
    if (!result.ok) {
      const error: FieldError =
        result.reason === 'locked'
          ? { field: 'username', key: 'login.locked', params: { minutes: result.minutes ?? ctx.config.lockoutMinutes } }
          : result.reason === 'disabled'
            ? { field: 'username', key: 'login.disabled' }
            : { field: 'username', key: 'login.failed' };
      return renderLogin(ctx, request, reply, { username, next, errors: [error] }, 401);
    }
    const oldToken = request.cookies[SESSION_COOKIE];
    if (oldToken) await destroySession(ctx, oldToken);
    const mfaDone = !result.needsTotp && !result.needsTotpSetup;
    const token = await createSession(ctx, result.accountId, { mfaPassed: mfaDone, ip: request.ip, userAgent: request.headers['user-agent'] ?? null });
    sessionCookie(reply, token);
    if (mfaDone) {
      await recordLogin(ctx, { ...request.auditContext, actorId: result.accountId }, result.accountId, 'password');
      return reply.redirect(next, 303);
    }
    return reply.redirect(`/login/totp?next=${encodeURIComponent(next)}`, 303);
  });

  app.get('/login/totp', async (request, reply) => {
    if (!request.mfaPendingAccountId) return reply.redirect('/login');
    const next = safeNextPath((request.query as { next?: string }).next, '/admin');
    return renderTotp(ctx, request, reply, { next, errors: [] });
  });

  app.post('/login/totp', async (request, reply) => {
    const accountId = request.mfaPendingAccountId;
    if (!accountId || !request.sessionId) return reply.redirect('/login', 303);
    const next = safeNextPath((request.query as { next?: string }).next, '/admin');
    const parsed = parseInput(request, TotpSchema, { labels: { code: 'totp.code' } });
    const body = request.body as Record<string, string> | undefined;
    const setupSecret = body?.setupSecret && (await setupNeeded(ctx, accountId)) ? verifySignedSecret(ctx, body.setupSecret) : undefined;
    if (!parsed.ok) return renderTotp(ctx, request, reply, { next, errors: parsed.errors }, 400);
    const ok = await checkAccountTotp(ctx, request.auditContext, accountId, parsed.data.code, setupSecret ?? undefined);
    if (!ok) return renderTotp(ctx, request, reply, { next, errors: [{ field: 'code', key: 'totp.invalid' }] }, 401);
    await markMfaPassed(ctx, request.sessionId);
    await recordLogin(ctx, { ...request.auditContext, actorId: accountId }, accountId, 'password+totp');
    if (setupSecret) setFlash(reply, 'totp.enabled');
    return reply.redirect(next, 303);
  });

  app.post('/logout', async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE];
    if (token) await destroySession(ctx, token);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    setFlash(reply, 'login.logged_out');
    return reply.redirect('/', 303);
  });

  app.get('/lang/:lang', async (request, reply) => {
    const { lang } = request.params as { lang: string };
    const next = safeNextPath((request.query as { next?: string }).next, '/');
    if (isLang(lang)) reply.setCookie(LANG_COOKIE, lang, { path: '/', sameSite: 'lax', secure, maxAge: 365 * 86400 });
    return reply.redirect(next, 303);
  });

  app.get('/login/citizen', async (request, reply) => {
    if (!ctx.oidc) return reply.redirect('/login', 303);
    const q = request.query as { next?: string; unit?: string };
    const { url, checks } = await ctx.oidc.start(`${ctx.config.publicUrl}/auth/oidc/callback`);
    const payload = JSON.stringify({ ...checks, next: safeNextPath(q.next, '/account'), unit: q.unit ?? '' });
    const value = `${Buffer.from(payload).toString('base64url')}.${hmac(ctx.secret, payload)}`;
    reply.setCookie(OIDC_COOKIE, value, { path: '/auth/oidc', httpOnly: true, sameSite: 'lax', secure, maxAge: 600 });
    return reply.redirect(url, 303);
  });

  app.get('/auth/oidc/callback', async (request, reply) => {
    if (!ctx.oidc) return reply.redirect('/login', 303);
    const flow = readOidcCookie(ctx, request.cookies[OIDC_COOKIE]);
    reply.clearCookie(OIDC_COOKIE, { path: '/auth/oidc' });
    if (!flow) return renderLogin(ctx, request, reply, { errors: [{ field: '', key: 'login.oidc_failed' }] }, 400);
    let claims;
    try {
      const callbackUrl = new URL(request.url, ctx.config.publicUrl);
      claims = await ctx.oidc.finish(callbackUrl, flow);
    } catch (err) {
      request.log.warn({ err }, 'OIDC sign-in failed');
      return renderLogin(ctx, request, reply, { errors: [{ field: '', key: 'login.oidc_failed' }] }, 400);
    }
    const units = unitRepository(ctx.database);
    const chosen = flow.unit ? await units.byCode(flow.unit) : undefined;
    const home = chosen ?? (await units.current('province'))[0];
    if (!home) throw new Error('No unit to attach the citizen to: seed the units first');
    const accountId = await upsertCitizen(ctx, request.auditContext, claims, home.id);
    const token = await createSession(ctx, accountId, { mfaPassed: true, ip: request.ip, userAgent: request.headers['user-agent'] ?? null });
    sessionCookie(reply, token);
    await recordLogin(ctx, { ...request.auditContext, actorId: accountId }, accountId, 'oidc');
    return reply.redirect(flow.next, 303);
  });
}

function readOidcCookie(ctx: AppContext, value: string | undefined): (OidcChecks & { next: string; unit: string }) | null {
  if (!value) return null;
  const [b64, mac] = value.split('.');
  if (!b64 || !mac) return null;
  const payload = Buffer.from(b64, 'base64url').toString();
  if (!safeEqual(hmac(ctx.secret, payload), mac)) return null;
  return JSON.parse(payload) as OidcChecks & { next: string; unit: string };
}

async function setupNeeded(ctx: AppContext, accountId: string) {
  const a = await ctx.database.db.selectFrom('auth_account').select('totp_enabled').where('id', '=', accountId).executeTakeFirst();
  return a?.totp_enabled !== 1;
}

/** During TOTP setup the new secret travels in the form, signed so that it cannot be swapped. */
const signSecret = (ctx: AppContext, secret: string) => `${secret}.${hmac(ctx.secret, `totp:${secret}`)}`;
function verifySignedSecret(ctx: AppContext, value: string): string | null {
  const [secret, mac] = value.split('.');
  return secret && mac && safeEqual(hmac(ctx.secret, `totp:${secret}`), mac) ? secret : null;
}

interface LoginView {
  username?: string | undefined;
  next?: string;
  errors: FieldError[];
}

function renderLogin(ctx: AppContext, request: FastifyRequest, reply: FastifyReply, view: LoginView, status = 200) {
  const page = pageContext(ctx, request, reply);
  const { t } = page;
  const next = view.next ?? '/admin';
  return sendPage(
    reply,
    <Layout ctx={page} title={t('login.title')} shell="portal">
      <div class="two-columns">
        <section aria-labelledby="official-login">
          <h1 id="official-login">{t('login.title')}</h1>
          <ErrorSummary ctx={page} errors={view.errors} />
          <Form ctx={page} action="/login" label={t('login.title')}>
            <input type="hidden" name="next" value={next} />
            <TextInput ctx={page} name="username" label={t('login.username')} value={view.username} autocomplete="username" errors={view.errors} required />
            <TextInput ctx={page} name="password" label={t('login.password')} type="password" autocomplete="current-password" errors={view.errors} required />
            <Button>{t('login.submit')}</Button>
          </Form>
        </section>
        <section aria-labelledby="citizen-login">
          <h2 id="citizen-login">{t('login.citizen_title')}</h2>
          <p>{t('login.citizen_help')}</p>
          {ctx.oidc ? (
            <a class="button button-secondary" href="/login/citizen">
              {t('login.citizen_button')}
            </a>
          ) : (
            <p class="muted">{t('login.citizen_unavailable')}</p>
          )}
        </section>
      </div>
    </Layout>,
    status,
  );
}

async function renderTotp(ctx: AppContext, request: FastifyRequest, reply: FastifyReply, view: { next: string; errors: FieldError[] }, status = 200) {
  const page = pageContext(ctx, request, reply);
  const { t } = page;
  const accountId = request.mfaPendingAccountId!;
  const account = await ctx.database.db
    .selectFrom('auth_account')
    .select(['username', 'totp_enabled'])
    .where('id', '=', accountId)
    .executeTakeFirstOrThrow();
  const body = request.body as Record<string, string> | undefined;
  // Keep the same secret across a mistyped code during setup.
  const setupSecret =
    account.totp_enabled === 1 ? null : ((body?.setupSecret && verifySignedSecret(ctx, body.setupSecret)) ?? newTotpSecret());
  const title = setupSecret ? t('totp.setup_title') : t('totp.title');
  return sendPage(
    reply,
    <Layout ctx={page} title={title} shell="portal">
      <h1>{title}</h1>
      <ErrorSummary ctx={page} errors={view.errors} />
      {setupSecret ? (
        <div class="totp-setup">
          <p>{t('totp.setup_intro')}</p>
          <dl>
            <dt>{t('totp.secret')}</dt>
            <dd>
              <code data-testid="totp-secret">{setupSecret}</code>
            </dd>
            <dt>{t('totp.uri')}</dt>
            <dd>
              <code class="wrap">{totpUri(setupSecret, account.username ?? accountId)}</code>
            </dd>
          </dl>
        </div>
      ) : (
        <p>{t('totp.hint')}</p>
      )}
      <Form ctx={page} action={`/login/totp?next=${encodeURIComponent(view.next)}`} label={title}>
        {setupSecret ? <input type="hidden" name="setupSecret" value={signSecret(ctx, setupSecret)} /> : null}
        <TextInput ctx={page} name="code" label={t('totp.code')} inputmode="numeric" autocomplete="one-time-code" errors={view.errors} required autofocus />
        <Button>{t('totp.submit')}</Button>
      </Form>
    </Layout>,
    status,
  );
}
