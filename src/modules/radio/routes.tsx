import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import { AppError, type FieldError } from '../../platform/errors.ts';
import { pageContext, parseInput, sendPage, setFlash, signedIn, formStrings } from '../../platform/http/kernel.ts';
import { formatDateTime } from '../../platform/i18n/index.ts';
import { Layout } from '../../platform/ui/layout.tsx';
import { Button, Checkbox, ErrorSummary, Form, SelectInput, Table, TextInput } from '../../platform/ui/components.tsx';
import { RADIO } from './paths.ts';
import { memoryOf } from './link.ts';
import { addCluster, clusterFor, clusterInput, isOnline, issueSecret, revokeSecret, stationFor, villagesOf } from './fleet.ts';

const LABELS = { name: 'radio.name', village_id: 'radio.village', device_id: 'radio.device_id', speakers: 'radio.speakers', power_source: 'radio.power_source', firmware: 'radio.firmware', latitude: 'radio.latitude', longitude: 'radio.longitude', confirm: 'radio.revoke' } as const;

/** The commune's radio station: its speaker clusters with their live state, adding one, its device's credentials. */
export function registerRadioRoutes(app: FastifyInstance, ctx: AppContext) {
  const { db } = ctx.database;
  // Where devices connect: the external broker, or the embedded one on this host.
  const brokerUrl = () => ctx.config.mqtt.url ?? `mqtt://${new URL(ctx.config.publicUrl).hostname}:${ctx.config.mqtt.port}`;

  app.get(RADIO, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const station = await stationFor(ctx, request.access, 'radio.read');
    const clusters = await db.selectFrom('radio_cluster as c').innerJoin('unit as v', 'v.id', 'c.village_id').selectAll('c').select('v.name as village').where('c.unit_id', '=', station.id).orderBy('v.code').orderBy('c.name').execute();
    const canManage = await request.access.can('radio.manage', { unitId: station.id });
    const broadcasts = await db
      .selectFrom('radio_broadcast as b')
      .innerJoin('radio_content as c', 'c.id', 'b.content_id')
      .select(['b.id', 'b.priority', 'b.status', 'b.requested_by_label', 'b.requested_at', 'b.sent_at', 'b.devices', 'c.title'])
      .where('b.unit_id', '=', station.id)
      .orderBy('b.requested_at', 'desc')
      .limit(10)
      .execute();
    const alerts = await db.selectFrom('radio_alert as a').innerJoin('radio_cluster as c', 'c.id', 'a.cluster_id').select(['a.kind', 'a.opened_at', 'c.id', 'c.name']).where('a.unit_id', '=', station.id).where('a.resolved_at', 'is', null).orderBy('a.opened_at', 'desc').execute();
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    const online = clusters.filter((c) => isOnline(c)).length;
    const malformed = [...memoryOf(ctx).dropped.values()].reduce((a, b) => a + b, 0);
    return sendPage(
      reply,
      <Layout ctx={page} title={t('radio.station_of', { unit: station.name })} shell="admin">
        <h1>{t('radio.station_of', { unit: station.name })}</h1>
        <p>{t('radio.summary', { total: clusters.length, online, offline: clusters.length - online })}</p>
        {malformed ? <p class="notice">{t('radio.malformed', { count: malformed })}</p> : null}
        <p class="button-row">
          <a class="button" href={`${RADIO}/truc-tiep`}>
            {t('radio.live.title')}
          </a>
          <a class="button" href={`${RADIO}/noi-dung`}>
            {t('radio.content.list')}
          </a>
          <a class="button" href={`${RADIO}/lich-phat`}>
            {t('radio.schedule.list')}
          </a>
          <a class="button" href={`${RADIO}/bao-cao`}>
            {t('radio.report.title')}
          </a>
          {canManage ? (
            <a class="button button-secondary" href={`${RADIO}/cum-loa/moi`}>
              {t('radio.add_cluster')}
            </a>
          ) : null}
        </p>
        {alerts.length ? (
          <section class="notice notice-error" aria-labelledby="alerts" data-testid="alerts">
            <h2 id="alerts">{t('radio.alert.open')}</h2>
            <ul>
              {alerts.map((a) => (
                <li>
                  <a href={`${RADIO}/cum-loa/${a.id}`}>{a.name}</a>
                  {`: ${t(`radio.alert.${a.kind as 'offline'}`)}, ${t('radio.alert.since', { at: formatDateTime(a.opened_at) })}`}
                </li>
              ))}
            </ul>
          </section>
        ) : null}
        {broadcasts.length ? (
          <section aria-labelledby="broadcasts">
            <h2 id="broadcasts">{t('radio.broadcast.recent')}</h2>
            <ul class="broadcasts">
              {broadcasts.map((b) => (
                <li class={b.priority === 'emergency' ? 'notice notice-error' : undefined}>
                  <a href={`${RADIO}/phat-ngay/${b.id}`}>{b.title}</a>
                  {` — ${t(`radio.priority.${b.priority as 'normal'}`)}, `}
                  {b.status === 'sent' ? t('radio.broadcast.sent_line', { at: formatDateTime(b.sent_at!), devices: b.devices, who: b.requested_by_label }) : <strong>{t('radio.broadcast.awaiting', { who: b.requested_by_label })}</strong>}
                </li>
              ))}
            </ul>
          </section>
        ) : null}
        <h2>{t('radio.clusters')}</h2>
        {clusters.length ? (
          <Table
            rows={clusters}
            columns={[
              { label: t('radio.name'), cell: (c) => <a href={`${RADIO}/cum-loa/${c.id}`}>{c.name}</a> },
              { label: t('radio.village'), cell: (c) => c.village },
              { label: t('radio.state'), cell: (c) => (isOnline(c) ? t('radio.online') : <strong>{t('radio.offline')}</strong>) },
              { label: t('radio.last_seen'), cell: (c) => (c.last_seen_at ? formatDateTime(c.last_seen_at) : t('radio.never')) },
              { label: t('radio.playing'), cell: (c) => (c.playing ? `${c.playing} (${t(`radio.priority.${c.playing_priority as 'normal'}`)})` : '—') },
              { label: t('radio.volume'), cell: (c) => (c.volume === null ? '—' : `${c.volume}%`) },
              { label: t('radio.power_now'), cell: (c) => (c.power_now ? t(`radio.power.${c.power_now as 'mains'}`) : '—') },
              { label: t('radio.signal'), cell: (c) => (c.signal === null ? '—' : `${c.signal}%`) },
            ]}
          />
        ) : (
          <p>{t('radio.none')}</p>
        )}
      </Layout>,
    );
  });

  const renderNew = async (request: FastifyRequest, reply: FastifyReply, errors: FieldError[] = [], values: Record<string, string> = {}, status = 200) => {
    const station = await stationFor(ctx, request.access, 'radio.manage');
    const villages = await villagesOf(ctx, station.id);
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    return sendPage(
      reply,
      <Layout ctx={page} title={t('radio.add_cluster')} shell="admin">
        <p>
          <a href={RADIO}>← {t('radio.station_of', { unit: station.name })}</a>
        </p>
        <h1>{t('radio.add_cluster')}</h1>
        <ErrorSummary ctx={page} errors={errors} />
        <Form ctx={page} action={`${RADIO}/cum-loa`} label={t('radio.add_cluster')}>
          <TextInput ctx={page} name="name" label={t('radio.name')} hint={t('radio.name_hint')} errors={errors} value={values.name} required />
          <SelectInput ctx={page} name="village_id" label={t('radio.village')} errors={errors} value={values.village_id} options={villages.map((v) => ({ value: v.id, label: v.name }))} placeholder="" required />
          <TextInput ctx={page} name="device_id" label={t('radio.device_id')} hint={t('radio.device_id_hint')} errors={errors} value={values.device_id} required />
          <TextInput ctx={page} name="speakers" type="number" inputmode="numeric" label={t('radio.speakers')} errors={errors} value={values.speakers ?? '4'} required />
          <SelectInput ctx={page} name="power_source" label={t('radio.power_source')} errors={errors} value={values.power_source ?? 'mains'} options={[{ value: 'mains', label: t('radio.power.mains') }, { value: 'dc', label: t('radio.power.dc') }]} required />
          <TextInput ctx={page} name="firmware" label={t('radio.firmware')} errors={errors} value={values.firmware} />
          <TextInput ctx={page} name="latitude" label={t('radio.latitude')} hint={t('radio.coordinates_hint')} errors={errors} value={values.latitude} />
          <TextInput ctx={page} name="longitude" label={t('radio.longitude')} errors={errors} value={values.longitude} />
          <Button>{t('radio.add_cluster')}</Button>
        </Form>
      </Layout>,
      status,
    );
  };

  app.get(`${RADIO}/cum-loa/moi`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    return renderNew(request, reply);
  });

  app.post(`${RADIO}/cum-loa`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const body = formStrings((request.body ?? {}));
    const parsed = parseInput(request, clusterInput, { labels: LABELS });
    if (!parsed.ok) return renderNew(request, reply, parsed.errors, body, 400);
    let id: string;
    try {
      id = await addCluster(ctx, request.access, request.auditContext, parsed.data);
    } catch (err) {
      if (err instanceof AppError && err.fields.length) return renderNew(request, reply, err.fields, body, err.status);
      throw err;
    }
    setFlash(reply, 'radio.flash.added');
    return reply.redirect(`${RADIO}/cum-loa/${id}`, 303);
  });

  const renderCluster = async (request: FastifyRequest, reply: FastifyReply, id: string, issued?: { deviceId: string; secret: string }, errors: FieldError[] = [], status = 200) => {
    const c = await clusterFor(ctx, request.access, id, 'radio.read');
    const [village, log] = await Promise.all([
      db.selectFrom('unit').select('name').where('id', '=', c.village_id).executeTakeFirst(),
      db.selectFrom('radio_device_log').select(['kind', 'detail', 'at']).where('device_id', '=', c.device_id).orderBy('at', 'desc').limit(20).execute(),
    ]);
    const canManage = await request.access.can('radio.manage', { unitId: c.unit_id });
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    if (issued) void reply.header('cache-control', 'no-store');
    return sendPage(
      reply,
      <Layout ctx={page} title={c.name} shell="admin">
        <p>
          <a href={RADIO}>← {t('radio.nav')}</a>
        </p>
        <h1>{c.name}</h1>
        <ErrorSummary ctx={page} errors={errors} />
        {issued ? (
          <section class="notice" aria-labelledby="issued" data-testid="issued">
            <h2 id="issued">{t('radio.issued_title')}</h2>
            <p>{t('radio.issued_once')}</p>
            <dl class="facts">
              <dt>{t('radio.broker')}</dt>
              <dd>
                <code>{brokerUrl()}</code>
              </dd>
              <dt>{t('radio.username')}</dt>
              <dd>
                <code>{issued.deviceId}</code>
              </dd>
              <dt>{t('radio.password')}</dt>
              <dd>
                <code data-testid="secret">{issued.secret}</code>
              </dd>
            </dl>
          </section>
        ) : null}
        <dl class="facts">
          <dt>{t('radio.village')}</dt>
          <dd>{village?.name ?? ''}</dd>
          <dt>{t('radio.device_id')}</dt>
          <dd>
            <code>{c.device_id}</code>
          </dd>
          <dt>{t('radio.speakers')}</dt>
          <dd>{String(c.speakers)}</dd>
          <dt>{t('radio.power_source')}</dt>
          <dd>{t(`radio.power.${c.power_source as 'mains'}`)}</dd>
          <dt>{t('radio.firmware')}</dt>
          <dd>{c.firmware || '—'}</dd>
          <dt>{t('radio.state')}</dt>
          <dd>{isOnline(c) ? t('radio.online') : t('radio.offline')}</dd>
          <dt>{t('radio.last_seen')}</dt>
          <dd>{c.last_seen_at ? formatDateTime(c.last_seen_at) : t('radio.never')}</dd>
          <dt>{t('radio.credentials')}</dt>
          <dd>{c.secret_hash ? t('radio.credentials_issued', { at: formatDateTime(c.secret_issued_at ?? '') }) : c.revoked_at ? t('radio.credentials_revoked', { at: formatDateTime(c.revoked_at) }) : t('radio.credentials_none')}</dd>
        </dl>
        {canManage ? (
          <section aria-labelledby="credentials">
            <h2 id="credentials">{t('radio.credentials')}</h2>
            <Form ctx={page} action={`${RADIO}/cum-loa/${c.id}/cap-mat-khau`} label={t('radio.issue')}>
              <p class="hint">{c.secret_hash ? t('radio.rotate_hint') : t('radio.issue_hint')}</p>
              {c.secret_hash ? <Checkbox name="confirm_rotate" label={t('radio.rotate_confirm')} required /> : null}
              <Button kind="secondary">{c.secret_hash ? t('radio.rotate') : t('radio.issue')}</Button>
            </Form>
            {c.secret_hash ? (
              <Form ctx={page} action={`${RADIO}/cum-loa/${c.id}/thu-hoi`} label={t('radio.revoke')}>
                <Checkbox name="confirm" label={t('radio.revoke_confirm')} required />
                <Button kind="danger">{t('radio.revoke')}</Button>
              </Form>
            ) : null}
          </section>
        ) : null}
        <h2>{t('radio.device_log')}</h2>
        {log.length ? (
          <Table
            rows={log}
            columns={[
              { label: t('radio.at'), cell: (l) => formatDateTime(l.at) },
              { label: t('radio.event'), cell: (l) => t(`radio.log.${l.kind as 'malformed'}`) },
              { label: t('radio.detail'), cell: (l) => l.detail },
            ]}
          />
        ) : (
          <p>{t('radio.log_none')}</p>
        )}
      </Layout>,
      status,
    );
  };

  app.get(`${RADIO}/cum-loa/:id`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    return renderCluster(request, reply, (request.params as { id: string }).id);
  });

  // The secret is shown in this response only (never stored in clear, never in a redirect).
  app.post(`${RADIO}/cum-loa/:id/cap-mat-khau`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const { id } = request.params as { id: string };
    const confirmed = (request.body as { confirm_rotate?: unknown } | undefined)?.confirm_rotate === 'on';
    try {
      return await renderCluster(request, reply, id, await issueSecret(ctx, request.access, request.auditContext, id, { rotationConfirmed: confirmed }));
    } catch (err) {
      if (err instanceof AppError && err.fields.length) return renderCluster(request, reply, id, undefined, err.fields, 400);
      throw err;
    }
  });

  app.post(`${RADIO}/cum-loa/:id/thu-hoi`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const { id } = request.params as { id: string };
    const parsed = parseInput(request, z.object({ confirm: z.literal('on') }), { labels: LABELS });
    if (!parsed.ok) return renderCluster(request, reply, id, undefined, parsed.errors, 400);
    try {
      await revokeSecret(ctx, request.access, request.auditContext, id);
    } catch (err) {
      if (err instanceof AppError && err.status === 409) return renderCluster(request, reply, id, undefined, [{ field: '', key: err.messageKey }], 409);
      throw err;
    }
    setFlash(reply, 'radio.flash.revoked');
    return reply.redirect(`${RADIO}/cum-loa/${id}`, 303);
  });
}
