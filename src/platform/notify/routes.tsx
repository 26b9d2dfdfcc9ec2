import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { pageContext, sendPage, setFlash, signedIn } from '../http/kernel.ts';
import { formatDateTime, type MessageKey } from '../i18n/index.ts';
import { Layout } from '../ui/layout.tsx';
import { Button, Form, Table } from '../ui/components.tsx';
import { inbox, markInboxRead, outboxCounts, outboxFor } from './outbox.ts';

const STATUSES = ['failed', 'pending', 'sent'] as const;
type Status = (typeof STATUSES)[number];

/** A phone number or e-mail address with its middle hidden (officials see whom, not the whole number). */
export function maskAddress(address: string | null): string {
  if (!address) return '';
  const at = address.indexOf('@');
  if (at > 0) return `${address.slice(0, Math.min(2, at))}***${address.slice(at)}`;
  return address.length > 6 ? `${address.slice(0, 3)}****${address.slice(-3)}` : '***';
}

/** The in-app inbox (everyone signed in) and the delivery state of the outbox (officials). */
export function registerNotificationRoutes(app: FastifyInstance, ctx: AppContext) {
  app.get('/thong-bao', async (request, reply) => {
    const actor = signedIn(request, reply);
    if (!actor) return reply;
    const items = await inbox(ctx.database, actor.id);
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    const unread = items.filter((i) => !i.read_at).length;
    return sendPage(
      reply,
      <Layout ctx={page} title={t('notify.inbox')} shell={actor.kind === 'citizen' ? 'portal' : 'admin'}>
        <h1>{t('notify.inbox')}</h1>
        {items.length === 0 ? <p>{t('notify.inbox_empty')}</p> : null}
        {unread > 0 ? (
          <Form ctx={page} action="/thong-bao/da-doc">
            <p>{t('notify.unread', { n: unread })}</p>
            <Button kind="secondary">{t('notify.mark_read')}</Button>
          </Form>
        ) : null}
        <ul class="inbox" data-testid="inbox">
          {items.map((i) => (
            <li class={i.read_at ? 'read' : 'unread'}>
              <p>
                <strong>{i.subject}</strong> <small>{formatDateTime(i.created_at)}</small>
              </p>
              <p>{i.body}</p>
              {i.link ? (
                <p>
                  <a href={i.link.startsWith(ctx.config.publicUrl) ? i.link.slice(ctx.config.publicUrl.length) || '/' : i.link}>{t('notify.open')}</a>
                </p>
              ) : null}
            </li>
          ))}
        </ul>
      </Layout>,
    );
  });

  app.post('/thong-bao/da-doc', async (request, reply) => {
    const actor = signedIn(request, reply);
    if (!actor) return reply;
    await markInboxRead(ctx.database, actor.id);
    setFlash(reply, 'notify.flash.read');
    return reply.redirect('/thong-bao', 303);
  });

  app.get('/admin/thong-bao', async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    request.access.require('notification.read');
    const q = request.query as { trang_thai?: string };
    const status: Status = STATUSES.includes(q.trang_thai as Status) ? (q.trang_thai as Status) : 'failed';
    const scope = await request.access.unitsFor('notification.read');
    const [rows, counts] = await Promise.all([outboxFor(ctx.database, scope, status), outboxCounts(ctx.database, scope)]);
    const canRetry = request.access.holds('notification.retry');
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    return sendPage(
      reply,
      <Layout ctx={page} title={t('notify.outbox')} shell="admin">
        <h1>{t('notify.outbox')}</h1>
        <p>{t('notify.outbox_intro', { channels: ctx.notifier.channels.map((c) => t(`notify.channel.${c}` as MessageKey)).join(', ') })}</p>
        <nav aria-label={t('notify.filter')}>
          <ul class="tabs">
            {STATUSES.map((s) => (
              <li>
                <a href={`/admin/thong-bao?trang_thai=${s}`} aria-current={s === status ? 'page' : undefined}>
                  {t(`notify.status.${s}`)} ({counts[s]})
                </a>
              </li>
            ))}
          </ul>
        </nav>
        {rows.length === 0 ? <p>{t('notify.none')}</p> : null}
        <Table
          rows={rows}
          columns={[
            { label: t('notify.created'), cell: (r) => formatDateTime(r.created_at) },
            { label: t('notify.channel'), cell: (r) => t(`notify.channel.${r.channel}` as MessageKey) },
            { label: t('notify.address'), cell: (r) => maskAddress(r.address) },
            { label: t('notify.subject'), cell: (r) => r.subject },
            { label: t('notify.attempts'), cell: (r) => String(r.attempts) },
            {
              label: t('notify.state'),
              cell: (r) =>
                r.status === 'sent' ? (
                  `${t('notify.status.sent')} ${r.sent_at ? formatDateTime(r.sent_at) : ''}`
                ) : (
                  <>
                    {t(`notify.status.${r.status}`)}
                    {r.status === 'pending' ? ` — ${t('notify.next_attempt', { at: formatDateTime(r.next_attempt_at) })}` : ''}
                    {r.last_error ? <div class="error-text">{r.last_error}</div> : null}
                  </>
                ),
            },
            {
              label: '',
              cell: (r) =>
                canRetry && r.status !== 'sent' ? (
                  <Form ctx={page} action={`/admin/thong-bao/${r.id}/gui-lai`}>
                    <Button kind="secondary">{t('notify.retry')}</Button>
                  </Form>
                ) : (
                  ''
                ),
            },
          ]}
        />
      </Layout>,
    );
  });

  app.post('/admin/thong-bao/:id/gui-lai', async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    request.access.require('notification.retry');
    const { id } = request.params as { id: string };
    await ctx.notifier.retry(request.auditContext, id, await request.access.unitsFor('notification.retry'));
    setFlash(reply, 'notify.flash.retried');
    return reply.redirect('/admin/thong-bao?trang_thai=pending', 303);
  });
}
