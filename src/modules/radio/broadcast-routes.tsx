import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { AppError, type FieldError } from '../../platform/errors.ts';
import { pageContext, parseInput, sendPage, setFlash, signedIn } from '../../platform/http/kernel.ts';
import { formatDateTime } from '../../platform/i18n/index.ts';
import { Layout } from '../../platform/ui/layout.tsx';
import { Button, ErrorSummary, Form, SelectInput } from '../../platform/ui/components.tsx';
import { stationFor, villagesOf } from './fleet.ts';
import { contentFor } from './content.ts';
import { broadcastFor, broadcastInput, confirmBroadcast, requestBroadcast } from './broadcasts.ts';
import { TargetFields, text, type Values } from './schedule-routes.tsx';
import { RADIO } from './paths.ts';

const BROADCASTS = `${RADIO}/phat-ngay`;
const LABELS = { target_kind: 'radio.schedule.target', repeat: 'radio.broadcast.repeat' } as const;

/** Sending an item now: the form on an item, the broadcast's page with its acknowledgements, the second official's confirmation. */
export function registerBroadcastRoutes(app: FastifyInstance, ctx: AppContext) {
  const { db } = ctx.database;

  const renderForm = async (request: FastifyRequest, reply: FastifyReply, contentId: string, errors: FieldError[] = [], values: Values = {}, status = 200) => {
    const station = await stationFor(ctx, request.access, 'radio.manage');
    const c = await contentFor(ctx, request.access, contentId, 'radio.manage');
    const [villages, clusters, leader] = await Promise.all([
      villagesOf(ctx, station.id),
      db.selectFrom('radio_cluster').select(['id', 'name']).where('unit_id', '=', station.id).orderBy('name').execute(),
      request.access.can('radio.approve', { unitId: station.id }),
    ]);
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    const emergency = c.priority === 'emergency';
    return sendPage(
      reply,
      <Layout ctx={page} title={t('radio.broadcast.title', { title: c.title })} shell="admin">
        <p>
          <a href={`${RADIO}/noi-dung/${c.id}`}>← {c.title}</a>
        </p>
        <h1>{t('radio.broadcast.title', { title: c.title })}</h1>
        {emergency ? <p class="notice notice-error">{leader ? t('radio.broadcast.emergency_leader') : t('radio.broadcast.emergency_official')}</p> : <p>{t('radio.broadcast.normal_hint', { priority: t(`radio.priority.${c.priority as 'normal'}`) })}</p>}
        <ErrorSummary ctx={page} errors={errors} />
        <Form ctx={page} action={`${RADIO}/noi-dung/${c.id}/phat-ngay`} label={t('radio.broadcast.send')}>
          <TargetFields page={page} errors={errors} values={values} villages={villages} clusters={clusters} />
          <SelectInput ctx={page} name="repeat" label={t('radio.broadcast.repeat')} errors={errors} value={text(values, 'repeat') ?? (emergency ? '3' : '1')} options={[1, 2, 3, 4, 5].map((n) => ({ value: String(n), label: t('radio.broadcast.times', { n }) }))} required />
          <Button kind={emergency ? 'danger' : 'primary'}>{emergency ? (leader ? t('radio.broadcast.send_emergency') : t('radio.broadcast.request_emergency')) : t('radio.broadcast.send')}</Button>
        </Form>
      </Layout>,
      status,
    );
  };

  app.get(`${RADIO}/noi-dung/:id/phat-ngay`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    return renderForm(request, reply, (request.params as { id: string }).id);
  });

  app.post(`${RADIO}/noi-dung/:id/phat-ngay`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const { id } = request.params as { id: string };
    const values = (request.body ?? {}) as Values;
    const parsed = parseInput(request, broadcastInput, { labels: LABELS });
    if (!parsed.ok) return renderForm(request, reply, id, parsed.errors, values, 400);
    let result: { id: string; sent: boolean };
    try {
      result = await requestBroadcast(ctx, request.access, request.auditContext, id, parsed.data);
    } catch (err) {
      if (err instanceof AppError && (err.fields.length || err.status === 409)) return renderForm(request, reply, id, err.fields.length ? err.fields : [{ field: '', key: err.messageKey }], values, err.status);
      throw err;
    }
    setFlash(reply, result.sent ? 'radio.flash.broadcast_sent' : 'radio.flash.broadcast_requested');
    return reply.redirect(`${BROADCASTS}/${result.id}`, 303);
  });

  const renderBroadcast = async (request: FastifyRequest, reply: FastifyReply, id: string, errors: FieldError[] = [], status = 200) => {
    const b = await broadcastFor(ctx, request.access, id, 'radio.read');
    const [c, counts] = await Promise.all([
      db.selectFrom('radio_content').select(['title']).where('id', '=', b.content_id).executeTakeFirstOrThrow(),
      db
        .selectFrom('radio_command')
        .select((eb) => [eb.fn.countAll<number>().as('total'), eb.fn.count<number>('sent_at').as('sent'), eb.fn.count<number>('acked_at').as('acked')])
        .where('broadcast_id', '=', b.id)
        .executeTakeFirstOrThrow(),
    ]);
    const actor = request.access.actor!;
    const canConfirm = b.status === 'awaiting_confirmation' && b.requested_by !== actor.id && (await request.access.can('radio.manage', { unitId: b.unit_id }));
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    const emergency = b.priority === 'emergency';
    return sendPage(
      reply,
      <Layout ctx={page} title={t('radio.broadcast.title', { title: c.title })} shell="admin">
        <p>
          <a href={RADIO}>← {t('radio.nav')}</a>
        </p>
        <h1>{t('radio.broadcast.title', { title: c.title })}</h1>
        <ErrorSummary ctx={page} errors={errors} />
        <p class={emergency ? 'notice notice-error' : 'notice'} data-testid="broadcast-status">
          {b.status === 'sent' ? t('radio.broadcast.sent_at', { at: formatDateTime(b.sent_at!), priority: t(`radio.priority.${b.priority as 'normal'}`) }) : t('radio.broadcast.awaiting', { who: b.requested_by_label })}
        </p>
        <dl class="facts">
          <dt>{t('radio.broadcast.requested_by')}</dt>
          <dd>{`${b.requested_by_label}, ${formatDateTime(b.requested_at)}`}</dd>
          {b.confirmed_at ? (
            <>
              <dt>{t('radio.broadcast.confirmed_by')}</dt>
              <dd>{`${b.confirmed_by_label ?? ''}, ${formatDateTime(b.confirmed_at)}`}</dd>
            </>
          ) : null}
          <dt>{t('radio.schedule.target')}</dt>
          <dd>{t(`radio.schedule.target.${b.target_kind as 'all'}`)}</dd>
          <dt>{t('radio.broadcast.repeat')}</dt>
          <dd>{t('radio.broadcast.times', { n: b.repeat })}</dd>
          <dt>{t('radio.broadcast.delivery')}</dt>
          <dd data-testid="delivery">{t('radio.broadcast.delivery_value', { acked: Number(counts.acked), sent: Number(counts.sent), total: Number(counts.total) })}</dd>
        </dl>
        {canConfirm ? (
          <Form ctx={page} action={`${BROADCASTS}/${b.id}/xac-nhan`} label={t('radio.broadcast.confirm')}>
            <p class="hint">{t('radio.broadcast.confirm_hint')}</p>
            <Button kind="danger">{t('radio.broadcast.confirm')}</Button>
          </Form>
        ) : null}
      </Layout>,
      status,
    );
  };

  app.get(`${BROADCASTS}/:id`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    return renderBroadcast(request, reply, (request.params as { id: string }).id);
  });

  app.post(`${BROADCASTS}/:id/xac-nhan`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const { id } = request.params as { id: string };
    try {
      await confirmBroadcast(ctx, request.access, request.auditContext, id);
    } catch (err) {
      if (err instanceof AppError && err.status === 409) return renderBroadcast(request, reply, id, [{ field: '', key: err.messageKey }], 409);
      throw err;
    }
    setFlash(reply, 'radio.flash.broadcast_sent');
    return reply.redirect(`${BROADCASTS}/${id}`, 303);
  });
}
