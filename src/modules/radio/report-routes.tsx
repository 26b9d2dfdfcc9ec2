import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import { forbidden } from '../../platform/errors.ts';
import { pageContext, parseInput, sendPage, signedIn } from '../../platform/http/kernel.ts';
import { formatDateTime, localToday } from '../../platform/i18n/index.ts';
import { Layout } from '../../platform/ui/layout.tsx';
import { Button, ErrorSummary, Table, TextInput } from '../../platform/ui/components.tsx';
import { CSV_TYPE, writeCsv } from '../../platform/xlsx.ts';
import { radioReport, sumBy } from './reports.ts';
import { formatDuration } from './content-routes.tsx';
import { RADIO } from './paths.ts';

const REPORT = `${RADIO}/bao-cao`;
const addDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const periodInput = z
  .object({ from: z.iso.date(), to: z.iso.date() })
  .refine((p) => p.from <= p.to, { message: 'radio.error.period', path: ['to'] })
  .refine((p) => Date.parse(p.to) - Date.parse(p.from) <= 366 * 86_400_000, { message: 'radio.error.period_long', path: ['to'] });
const percent = (part: number, whole: number) => (whole ? `${Math.round((part / whole) * 100)}%` : '—');

/**
 * Reports: what was aired, for how long, how broadcasts were acknowledged and how long clusters were
 * online — per village for a commune, per commune for the province (which sums its communes); CSV.
 */
export function registerReportRoutes(app: FastifyInstance, ctx: AppContext) {
  const { db } = ctx.database;

  /** The communes the actor reports on: their own, or every commune under their province. */
  const communesFor = async (request: FastifyRequest) => {
    const scope = await request.access.unitsFor('radio.report');
    if (scope !== 'all' && !scope.length) throw forbidden();
    let q = db.selectFrom('unit').select(['id', 'name']).where('level', '=', 'commune').where('valid_to', 'is', null);
    if (scope !== 'all') q = q.where('id', 'in', scope);
    return q.orderBy('code').execute();
  };

  const period = (request: FastifyRequest) => {
    const q = request.query as Record<string, string | undefined>;
    const today = localToday();
    const input = { from: q.from || addDays(today, -29), to: q.to || today };
    const parsed = parseInput(request, periodInput, { input, labels: { from: 'radio.report.from', to: 'radio.report.to' } });
    return { input, parsed };
  };

  app.get(REPORT, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    request.access.require('radio.report');
    const communes = await communesFor(request);
    const { input, parsed } = period(request);
    const report = parsed.ok ? await radioReport(ctx, communes.map((c) => c.id), parsed.data.from, parsed.data.to) : { clusters: [], broadcasts: [] };
    const province = communes.length > 1;
    const groups = province ? sumBy(report.clusters, (r) => r.commune, communes.map((c) => c.name)) : sumBy(report.clusters, (r) => r.village);
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    const total = sumBy(report.clusters, () => t('radio.report.total'));
    return sendPage(
      reply,
      <Layout ctx={page} title={t('radio.report.title')} shell={province ? 'province' : 'admin'}>
        <h1>{t('radio.report.title')}</h1>
        <p>{province ? t('radio.report.province_hint', { count: communes.length }) : t('radio.report.commune_hint', { unit: communes[0]?.name ?? '' })}</p>
        <ErrorSummary ctx={page} errors={parsed.ok ? [] : parsed.errors} />
        <form method="get" action={REPORT} class="filters" aria-label={t('radio.report.period')}>
          <TextInput ctx={page} name="from" type="date" label={t('radio.report.from')} value={input.from} errors={parsed.ok ? [] : parsed.errors} />
          <TextInput ctx={page} name="to" type="date" label={t('radio.report.to')} value={input.to} errors={parsed.ok ? [] : parsed.errors} />
          <Button kind="secondary">{t('radio.report.show')}</Button>
        </form>
        {parsed.ok ? (
          <>
            <p>
              <a href={`${REPORT}.csv?from=${input.from}&to=${input.to}`}>{t('radio.report.csv')}</a>
            </p>
            <h2>{province ? t('radio.report.by_commune') : t('radio.report.by_village')}</h2>
            <Table
              rows={[...groups, ...total]}
              columns={[
                { label: province ? t('radio.report.commune') : t('radio.village'), cell: (g) => g.name },
                { label: t('radio.report.clusters'), cell: (g) => String(g.clusters) },
                { label: t('radio.report.aired'), cell: (g) => String(g.aired) },
                { label: t('radio.report.interrupted'), cell: (g) => String(g.interrupted) },
                { label: t('radio.report.airtime'), cell: (g) => formatDuration(g.airtimeMs) },
                { label: t('radio.report.uptime'), cell: (g) => percent(g.onlineMinutes, g.periodMinutes) },
              ]}
            />
            <h2>{t('radio.report.broadcasts')}</h2>
            {report.broadcasts.length ? (
              <Table
                rows={report.broadcasts}
                columns={[
                  { label: t('radio.report.sent_at'), cell: (b) => formatDateTime(b.sent_at!) },
                  ...(province ? [{ label: t('radio.report.commune'), cell: (b: (typeof report.broadcasts)[number]) => b.commune }] : []),
                  { label: t('radio.content.title'), cell: (b) => b.title },
                  { label: t('radio.content.priority'), cell: (b) => t(`radio.priority_name.${b.priority as 'normal'}`) },
                  { label: t('radio.report.ack_rate'), cell: (b) => `${percent(b.acked, b.total)} (${b.acked}/${b.total})` },
                ]}
              />
            ) : (
              <p>{t('radio.report.no_broadcasts')}</p>
            )}
          </>
        ) : null}
      </Layout>,
    );
  });

  app.get(`${REPORT}.csv`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    request.access.require('radio.report');
    const communes = await communesFor(request);
    const { parsed } = period(request);
    if (!parsed.ok) return reply.code(400).type('text/plain; charset=utf-8').send(parsed.errors.map((e) => e.message ?? '').join('\n'));
    const report = await radioReport(ctx, communes.map((c) => c.id), parsed.data.from, parsed.data.to);
    const t = request.t;
    const body = await writeCsv(
      [t('radio.report.commune'), t('radio.village'), t('radio.name'), t('radio.report.aired'), t('radio.report.interrupted'), t('radio.report.airtime_minutes'), t('radio.report.online_minutes'), t('radio.report.uptime')],
      report.clusters.map((r) => [r.commune, r.village, r.name, r.aired, r.interrupted, Math.round(r.airtimeMs / 6000) / 10, r.onlineMinutes, percent(r.onlineMinutes, r.periodMinutes)]),
    );
    return reply.type(CSV_TYPE).header('content-disposition', `attachment; filename="truyen-thanh-${parsed.data.from}-${parsed.data.to}.csv"`).send(body);
  });
}
