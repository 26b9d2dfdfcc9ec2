import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import { AppError, notFound, type FieldError } from '../../platform/errors.ts';
import { pageContext, parseInput, sendPage, setFlash, signedIn } from '../../platform/http/kernel.ts';
import { formatDate, formatDateTime, localToday } from '../../platform/i18n/index.ts';
import type { Translate } from '../../platform/i18n/index.ts';
import type { PageContext } from '../../platform/ui/context.ts';
import { Layout } from '../../platform/ui/layout.tsx';
import { Button, Checkbox, CheckboxGroup, ErrorSummary, Form, SelectInput, Table, TextArea, TextInput } from '../../platform/ui/components.tsx';
import { stationFor, villagesOf } from './fleet.ts';
import { formatDuration } from './content-routes.tsx';
import { MAX_ITEMS, SCHEDULE_KINDS, TARGET_KINDS, cancelSchedule, createSchedule, decideSchedule, scheduleFor, scheduleInput } from './schedules.ts';
import { DAY_S, endS, formatClock, formatEnd } from './timing.ts';
import { RADIO } from './paths.ts';

const SCHEDULES = `${RADIO}/lich-phat`;
const WEEKDAYS = ['1', '2', '3', '4', '5', '6', '7'] as const;
const LABELS = {
  name: 'radio.schedule.name',
  kind: 'radio.schedule.kind',
  date_from: 'radio.schedule.date_from',
  date_to: 'radio.schedule.date_to',
  weekday: 'radio.schedule.weekdays',
  start: 'radio.schedule.start',
  target_kind: 'radio.schedule.target',
  confirm: 'radio.schedule.cancel',
} as const;

export type Values = Record<string, string | string[] | undefined>;
export const text = (v: Values, k: string) => (typeof v[k] === 'string' ? v[k] : undefined);
const many = (v: Values, k: string) => (Array.isArray(v[k]) ? v[k] : typeof v[k] === 'string' ? [v[k]] : []);

/** Where something airs: every cluster, chosen villages or chosen clusters (schedules and broadcasts alike). */
export const TargetFields = ({ page, errors, values, villages, clusters }: { page: PageContext; errors: FieldError[]; values: Values; villages: readonly { id: string; name: string }[]; clusters: readonly { id: string; name: string }[] }) => {
  const { t } = page;
  return (
    <>
      <SelectInput ctx={page} name="target_kind" label={t('radio.schedule.target')} errors={errors} value={text(values, 'target_kind') ?? 'all'} options={TARGET_KINDS.map((k) => ({ value: k, label: t(`radio.schedule.target.${k}`) }))} required />
      <CheckboxGroup ctx={page} name="village" label={t('radio.schedule.villages')} hint={t('radio.schedule.villages_hint')} errors={errors} options={villages.map((v) => ({ value: v.id, label: v.name }))} checked={many(values, 'village')} />
      <CheckboxGroup ctx={page} name="cluster" label={t('radio.schedule.clusters')} hint={t('radio.schedule.clusters_hint')} errors={errors} options={clusters.map((c) => ({ value: c.id, label: c.name }))} checked={many(values, 'cluster')} />
    </>
  );
};

/** "Hằng ngày 06:00–06:25, từ 01/12/2026" and the like. */
export function describeAiring(t: Translate, s: { kind: string; date_from: string; date_to: string | null; weekdays: string; start_s: number; duration_ms: number }) {
  const hours = `${formatClock(s.start_s)}–${formatEnd(endS({ from: s.date_from, to: s.date_to, weekdays: [], startS: s.start_s, durationMs: s.duration_ms }) % DAY_S)}`;
  if (s.kind === 'once') return t('radio.schedule.airs_once', { hours, date: formatDate(s.date_from) });
  const days = s.kind === 'daily' ? t('radio.schedule.kind.daily') : [...s.weekdays].map((d) => t(`radio.weekday.${d as '1'}`)).join(', ');
  return s.date_to ? t('radio.schedule.airs_between', { days, hours, from: formatDate(s.date_from), to: formatDate(s.date_to) }) : t('radio.schedule.airs_from', { days, hours, from: formatDate(s.date_from) });
}

/** Schedules: made by officials from approved content, approved by the leader, sent to the devices. */
export function registerScheduleRoutes(app: FastifyInstance, ctx: AppContext) {
  const { db } = ctx.database;

  app.get(SCHEDULES, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const station = await stationFor(ctx, request.access, 'radio.read');
    const rows = await db.selectFrom('radio_schedule').selectAll().where('unit_id', '=', station.id).orderBy('created_at', 'desc').limit(200).execute();
    const canManage = await request.access.can('radio.manage', { unitId: station.id });
    const version = await db.selectFrom('radio_station').select('schedule_version').where('unit_id', '=', station.id).executeTakeFirst();
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    return sendPage(
      reply,
      <Layout ctx={page} title={t('radio.schedule.list')} shell="admin">
        <p>
          <a href={RADIO}>← {t('radio.station_of', { unit: station.name })}</a>
        </p>
        <h1>{t('radio.schedule.list')}</h1>
        <p>{t('radio.schedule.version', { version: version?.schedule_version ?? 0 })}</p>
        {canManage ? (
          <p class="button-row">
            <a class="button" href={`${SCHEDULES}/moi`}>
              {t('radio.schedule.new')}
            </a>
          </p>
        ) : null}
        {rows.length ? (
          <Table
            rows={rows}
            columns={[
              { label: t('radio.schedule.name'), cell: (s) => <a href={`${SCHEDULES}/${s.id}`}>{s.name}</a> },
              { label: t('radio.schedule.when'), cell: (s) => describeAiring(t, s) },
              { label: t('radio.schedule.target'), cell: (s) => t(`radio.schedule.target.${s.target_kind as 'all'}`) },
              { label: t('radio.content.state'), cell: (s) => t(`radio.schedule.status.${s.status as 'pending'}`) },
            ]}
          />
        ) : (
          <p>{t('radio.schedule.none')}</p>
        )}
      </Layout>,
    );
  });

  const renderNew = async (request: FastifyRequest, reply: FastifyReply, errors: FieldError[] = [], values: Values = {}, status = 200) => {
    const station = await stationFor(ctx, request.access, 'radio.manage');
    const [villages, clusters, contents] = await Promise.all([
      villagesOf(ctx, station.id),
      db.selectFrom('radio_cluster').select(['id', 'name']).where('unit_id', '=', station.id).orderBy('name').execute(),
      db.selectFrom('radio_content').select(['id', 'title', 'duration_ms', 'priority']).where('unit_id', '=', station.id).where('status', '=', 'approved').where('priority', '!=', 'emergency').orderBy('created_at', 'desc').limit(300).execute(),
    ]);
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    const options = contents.map((c) => ({ value: c.id, label: `${c.title} (${formatDuration(c.duration_ms)}${c.priority === 'priority' ? `, ${t('radio.priority.priority')}` : ''})` }));
    return sendPage(
      reply,
      <Layout ctx={page} title={t('radio.schedule.new')} shell="admin">
        <p>
          <a href={SCHEDULES}>← {t('radio.schedule.list')}</a>
        </p>
        <h1>{t('radio.schedule.new')}</h1>
        <p>{t('radio.schedule.new_hint')}</p>
        <ErrorSummary ctx={page} errors={errors} />
        {contents.length ? (
          <Form ctx={page} action={SCHEDULES} label={t('radio.schedule.new')}>
            <TextInput ctx={page} name="name" label={t('radio.schedule.name')} errors={errors} value={text(values, 'name')} required />
            <fieldset>
              <legend>{t('radio.schedule.items')}</legend>
              <p class="hint">{t('radio.schedule.items_hint')}</p>
              {Array.from({ length: MAX_ITEMS }, (_, i) => (
                <SelectInput ctx={page} name={`item_${i + 1}`} label={t('radio.schedule.item_n', { n: i + 1 })} errors={errors} value={text(values, `item_${i + 1}`)} options={options} placeholder="" required={i === 0} />
              ))}
            </fieldset>
            <SelectInput ctx={page} name="kind" label={t('radio.schedule.kind')} errors={errors} value={text(values, 'kind') ?? 'daily'} options={SCHEDULE_KINDS.map((k) => ({ value: k, label: t(`radio.schedule.kind.${k}`) }))} required />
            <TextInput ctx={page} name="start" label={t('radio.schedule.start')} hint={t('radio.schedule.start_hint')} errors={errors} value={text(values, 'start') ?? '06:00'} required />
            <TextInput ctx={page} name="date_from" type="date" label={t('radio.schedule.date_from')} hint={t('radio.schedule.date_from_hint')} errors={errors} value={text(values, 'date_from') ?? localToday()} required />
            <TextInput ctx={page} name="date_to" type="date" label={t('radio.schedule.date_to')} hint={t('radio.schedule.date_to_hint')} errors={errors} value={text(values, 'date_to')} />
            <CheckboxGroup ctx={page} name="weekday" label={t('radio.schedule.weekdays')} hint={t('radio.schedule.weekdays_hint')} errors={errors} options={WEEKDAYS.map((d) => ({ value: d, label: t(`radio.weekday.${d}`) }))} checked={many(values, 'weekday')} />
            <TargetFields page={page} errors={errors} values={values} villages={villages} clusters={clusters} />
            <Button>{t('radio.schedule.save')}</Button>
          </Form>
        ) : (
          <p class="notice">{t('radio.schedule.no_content')}</p>
        )}
      </Layout>,
      status,
    );
  };

  app.get(`${SCHEDULES}/moi`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    return renderNew(request, reply);
  });

  app.post(SCHEDULES, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const values = (request.body ?? {}) as Values;
    const parsed = parseInput(request, scheduleInput, { labels: LABELS });
    if (!parsed.ok) return renderNew(request, reply, parsed.errors, values, 400);
    let id: string;
    try {
      id = await createSchedule(ctx, request.access, request.auditContext, parsed.data);
    } catch (err) {
      if (err instanceof AppError && err.fields.length) return renderNew(request, reply, err.fields, values, err.status);
      throw err;
    }
    setFlash(reply, 'radio.flash.schedule_added');
    return reply.redirect(`${SCHEDULES}/${id}`, 303);
  });

  const renderSchedule = async (request: FastifyRequest, reply: FastifyReply, id: string, errors: FieldError[] = [], values: Values = {}, status = 200) => {
    const s = await scheduleFor(ctx, request.access, id, 'radio.read');
    const [items, targets] = await Promise.all([
      db.selectFrom('radio_schedule_item as i').innerJoin('radio_content as c', 'c.id', 'i.content_id').select(['i.position', 'c.id', 'c.title', 'c.duration_ms', 'c.priority', 'c.status']).where('i.schedule_id', '=', s.id).orderBy('i.position').execute(),
      s.target_kind === 'all'
        ? Promise.resolve([])
        : db
            .selectFrom('radio_schedule_target as t')
            .leftJoin('unit as u', 'u.id', 't.target_id')
            .leftJoin('radio_cluster as c', 'c.id', 't.target_id')
            .select((eb) => eb.fn.coalesce('u.name', 'c.name').as('name'))
            .where('t.schedule_id', '=', s.id)
            .execute(),
    ]);
    const canDecide = s.status === 'pending' && (await request.access.can('radio.approve', { unitId: s.unit_id }));
    const canCancel = (s.status === 'pending' || s.status === 'approved') && (await request.access.can('radio.manage', { unitId: s.unit_id }));
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    return sendPage(
      reply,
      <Layout ctx={page} title={s.name} shell="admin">
        <p>
          <a href={SCHEDULES}>← {t('radio.schedule.list')}</a>
        </p>
        <h1>{s.name}</h1>
        <ErrorSummary ctx={page} errors={errors} />
        <p class={s.status === 'rejected' || s.status === 'cancelled' ? 'notice notice-error' : 'notice'} data-testid="schedule-status">
          {t(`radio.schedule.status.${s.status as 'pending'}`)}
          {s.decided_at ? ` — ${s.decided_by_label ?? ''}, ${formatDateTime(s.decided_at)}` : ''}
          {s.decision_note ? `: ${s.decision_note}` : ''}
          {s.cancelled_at ? ` — ${t('radio.schedule.cancelled_by', { who: s.cancelled_by_label ?? '', at: formatDateTime(s.cancelled_at) })}` : ''}
        </p>
        <dl class="facts">
          <dt>{t('radio.schedule.when')}</dt>
          <dd>{describeAiring(t, s)}</dd>
          <dt>{t('radio.schedule.target')}</dt>
          <dd>{s.target_kind === 'all' ? t('radio.schedule.target.all') : targets.map((x) => x.name ?? '?').join(', ')}</dd>
          <dt>{t('radio.content.duration')}</dt>
          <dd>{formatDuration(s.duration_ms)}</dd>
          <dt>{t('radio.content.made_by')}</dt>
          <dd>{`${s.created_by_label}, ${formatDateTime(s.created_at)}`}</dd>
        </dl>
        <h2>{t('radio.schedule.items')}</h2>
        <Table
          rows={items}
          columns={[
            { label: '#', cell: (i) => String(i.position) },
            { label: t('radio.content.title'), cell: (i) => <a href={`${RADIO}/noi-dung/${i.id}`}>{i.title}</a> },
            { label: t('radio.content.priority'), cell: (i) => t(`radio.priority_name.${i.priority as 'normal'}`) },
            { label: t('radio.content.duration'), cell: (i) => formatDuration(i.duration_ms) },
            { label: t('radio.content.state'), cell: (i) => t(`radio.content.status.${i.status as 'pending'}`) },
          ]}
        />
        {canDecide ? (
          <section aria-labelledby="decide">
            <h2 id="decide">{t('radio.schedule.decide')}</h2>
            <Form ctx={page} action={`${SCHEDULES}/${s.id}/duyet`} label={t('radio.content.approve')}>
              <Button>{t('radio.schedule.approve')}</Button>
            </Form>
            <Form ctx={page} action={`${SCHEDULES}/${s.id}/tu-choi`} label={t('radio.content.reject')}>
              <TextArea ctx={page} name="note" label={t('radio.content.note')} hint={t('radio.content.note_hint')} errors={errors} value={text(values, 'note')} rows={3} required />
              <Button kind="danger">{t('radio.content.reject')}</Button>
            </Form>
          </section>
        ) : null}
        {canCancel ? (
          <section aria-labelledby="cancel">
            <h2 id="cancel">{t('radio.schedule.cancel')}</h2>
            <Form ctx={page} action={`${SCHEDULES}/${s.id}/huy`} label={t('radio.schedule.cancel')}>
              <p class="hint">{t('radio.schedule.cancel_hint')}</p>
              <Checkbox name="confirm" label={t('radio.schedule.cancel_confirm')} required />
              <Button kind="danger">{t('radio.schedule.cancel')}</Button>
            </Form>
          </section>
        ) : null}
      </Layout>,
      status,
    );
  };

  app.get(`${SCHEDULES}/:id`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    return renderSchedule(request, reply, (request.params as { id: string }).id);
  });

  const decide = (approve: boolean) => async (request: FastifyRequest, reply: FastifyReply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const { id } = request.params as { id: string };
    const values = (request.body ?? {}) as Values;
    try {
      await decideSchedule(ctx, request.access, request.auditContext, id, { approve, note: text(values, 'note') ?? '' });
    } catch (err) {
      if (err instanceof AppError && (err.fields.length || err.status === 409)) return renderSchedule(request, reply, id, err.fields.length ? err.fields : [{ field: '', key: err.messageKey, params: err.params }], values, err.status);
      throw err;
    }
    setFlash(reply, approve ? 'radio.flash.schedule_approved' : 'radio.flash.rejected');
    return reply.redirect(`${SCHEDULES}/${id}`, 303);
  };
  app.post(`${SCHEDULES}/:id/duyet`, decide(true));
  app.post(`${SCHEDULES}/:id/tu-choi`, decide(false));

  app.post(`${SCHEDULES}/:id/huy`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const { id } = request.params as { id: string };
    const parsed = parseInput(request, z.object({ confirm: z.literal('on') }), { labels: LABELS });
    if (!parsed.ok) return renderSchedule(request, reply, id, parsed.errors, {}, 400);
    try {
      await cancelSchedule(ctx, request.access, request.auditContext, id);
    } catch (err) {
      if (err instanceof AppError && err.status === 409) return renderSchedule(request, reply, id, [{ field: '', key: err.messageKey }], {}, 409);
      if (err instanceof AppError && err.status === 404) throw notFound();
      throw err;
    }
    setFlash(reply, 'radio.flash.schedule_cancelled');
    return reply.redirect(`${SCHEDULES}/${id}`, 303);
  });
}
