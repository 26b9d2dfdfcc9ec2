import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import { AppError, fieldMessage } from '../errors.ts';
import { writeAudit } from '../audit/audit.ts';
import { translator, isLang, DEFAULT_LANG, type MessageKey, type Translate } from '../i18n/index.ts';
import { Layout } from '../ui/layout.tsx';
import { pageContext, sendPage } from './kernel.ts';

interface Problem {
  status: number;
  code: string;
  messageKey: MessageKey;
  params: Record<string, string | number>;
  error: AppError | null;
}

/** Maps any error to a stable code and status; unknown errors become a 500 without details. */
function toProblem(err: FastifyError | AppError | Error): Problem {
  if (err instanceof AppError) {
    return { status: err.status, code: err.code, messageKey: err.messageKey, params: err.params, error: err };
  }
  const fe = err as FastifyError;
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, code: 'body_too_large', messageKey: 'error.body_too_large', params: {}, error: null };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, code: 'unsupported_media', messageKey: 'error.unsupported_media', params: {}, error: null };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { status: 400, code: 'invalid_input', messageKey: 'error.invalid_input', params: {}, error: null };
  }
  if (fe.validation) return { status: 400, code: 'invalid_input', messageKey: 'error.invalid_input', params: {}, error: null };
  if (fe.statusCode === 429) return { status: 429, code: 'rate_limited', messageKey: 'error.rate_limited', params: { seconds: 60 }, error: null };
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { status: fe.statusCode, code: 'bad_request', messageKey: 'error.invalid_input', params: {}, error: null };
  }
  return { status: 500, code: 'internal', messageKey: 'error.internal', params: {}, error: null };
}

const wantsJson = (request: FastifyRequest) => request.url.startsWith('/api/');

/** The one place deciding what a user sees of an error: problem+json under /api, a page elsewhere. */
export function registerErrorHandling(app: FastifyInstance, ctx: AppContext) {
  app.setErrorHandler(async (err: FastifyError | AppError, request, reply) => {
    const problem = toProblem(err);
    if (problem.status >= 500) request.log.error({ err }, 'request failed');
    else request.log.info({ code: problem.code, status: problem.status }, 'request refused');
    if (problem.code === 'out_of_scope') await auditDenied(ctx, request, problem);
    return sendProblem(ctx, request, reply, problem);
  });
  app.setNotFoundHandler(async (request, reply) =>
    sendProblem(ctx, request, reply, { status: 404, code: 'not_found', messageKey: 'error.not_found', params: {}, error: null }),
  );
}

async function auditDenied(ctx: AppContext, request: FastifyRequest, problem: Problem) {
  await ctx.database.db
    .transaction()
    .execute((trx) =>
      writeAudit(ctx.database, trx, request.auditContext, {
        action: 'access.denied',
        entity: 'request',
        unitId: typeof problem.params.unitId === 'string' && problem.params.unitId ? problem.params.unitId : null,
        detail: { method: request.method, url: request.url.slice(0, 500), action: problem.params.action },
      }),
    )
    .catch((err: unknown) => request.log.error({ err }, 'could not audit a denied access'));
}

async function sendProblem(ctx: AppContext, request: FastifyRequest, reply: FastifyReply, problem: Problem) {
  // The kernel may not have run (e.g. a body rejected before routing): fall back to defaults.
  const t = (request.t as Translate | null) ?? translator(isLang(request.cookies?.lang) ? request.cookies.lang : DEFAULT_LANG);
  const params = { ...problem.params, requestId: String(request.id), limit: `${Math.round(ctx.config.bodyLimitBytes / 1024)} KB` };
  const detail = t(problem.messageKey, params);
  const fields = problem.error?.fields ?? [];
  if (problem.status === 429) reply.header('retry-after', String(problem.params.seconds ?? 60));
  // Without the kernel (an error before it ran) there is no page context: answer plainly.
  if (wantsJson(request) || !request.t) {
    return reply
      .code(problem.status)
      .type('application/problem+json; charset=utf-8')
      .send({
        type: `about:blank`,
        title: problem.code,
        status: problem.status,
        detail,
        requestId: String(request.id),
        ...(fields.length ? { errors: fields.map((f) => ({ field: f.field, message: fieldMessage(t, f) })) } : {}),
      });
  }
  const page = pageContext(ctx, request, reply);
  return sendPage(
    reply,
    <Layout ctx={page} title={t('error.title')} shell={request.actor ? 'admin' : 'portal'}>
      <h1>{problem.status === 404 ? t('error.not_found') : t('error.title')}</h1>
      {problem.status !== 404 ? <p>{detail}</p> : null}
      {fields.length ? (
        <ul>
          {fields.map((f) => (
            <li>{fieldMessage(t, f)}</li>
          ))}
        </ul>
      ) : null}
      <p class="muted">{t('error.request_id', { requestId: String(request.id) })}</p>
      <p>
        <a href="/">{t('error.back_home')}</a>
      </p>
    </Layout>,
    problem.status,
  );
}
