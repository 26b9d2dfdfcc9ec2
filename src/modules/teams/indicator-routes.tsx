import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import type { FieldError } from '../../platform/errors.ts';
import { AppError } from '../../platform/errors.ts';
import { pageContext, parseInput, sendPage, setFlash, signedIn, formStrings } from '../../platform/http/kernel.ts';
import { formatDate, localToday } from '../../platform/i18n/index.ts';
import { Layout } from '../../platform/ui/layout.tsx';
import { Button, ErrorSummary, Form, SelectInput, Table, TextInput } from '../../platform/ui/components.tsx';
import { TrendChart } from '../../platform/ui/charts.tsx';
import type { Translate } from '../../platform/i18n/index.ts';
import { INDICATORS, dashboardUnitFor, enterValue, enteredValueInput, setTarget, targetInput } from './indicators.ts';
import { committeeRepository } from './committee.ts';
import { percentOf, unitDashboard, type Dashboard, type Peer } from './dashboard.ts';

export const INDICATORS_PATH = '/chi-so';
type Values = Record<string, string>;
const pct = (v: number | null) => (v === null ? '—' : `${v.toFixed(1).replace('.', ',')}%`);
const monthLabel = (m: string) => `${m.slice(5, 7)}/${m.slice(0, 4)}`;

/** Each indicator's current value against the year's target, weakest first. */
function IndicatorTable({ t, dash }: { t: Translate; dash: Dashboard }) {
  const sourceText = (source: string) =>
    source === 'records' ? t('teams.ind.src.records') : source.startsWith('module:') ? t('teams.ind.src.module', { module: source.slice(7) }) : source.startsWith('aggregate:') ? t('teams.ind.src.aggregate', { count: source.slice(10) }) : source;
  return (
    <Table
      rows={dash.rows}
      columns={[
        { label: t('teams.ind.indicator'), cell: (r) => t(r.label) },
        { label: t('teams.ind.definition'), cell: (r) => r.definition.map((k) => t(k)).join(' / ') },
        { label: t('teams.ind.value'), cell: (r) => (r.percent === null ? t('teams.ind.no_value') : `${pct(r.percent)} (${r.numerator}/${r.denominator})`) },
        { label: t('teams.ind.target', { year: dash.year }), cell: (r) => (r.target === null ? t('teams.ind.no_target') : `${r.target}%`) },
        {
          label: t('teams.ind.status'),
          cell: (r) =>
            r.target === null || r.percent === null ? '—' : r.percent >= r.target ? <strong>{t('teams.ind.met')}</strong> : t('teams.ind.not_met', { gap: (r.target - r.percent).toFixed(1).replace('.', ',') }),
        },
        { label: t('teams.ind.source'), cell: (r) => (r.source === null ? '—' : `${sourceText(r.source)} (${r.sourceDate?.length === 7 ? t('teams.ind.month_of', { month: monthLabel(r.sourceDate) }) : formatDate(r.sourceDate ?? '')})`) },
      ]}
    />
  );
}

/** A commune's digital-citizen indicators: value against this year's target, village by village. */
export function registerIndicatorRoutes(app: FastifyInstance, ctx: AppContext) {
  app.get(INDICATORS_PATH, async (request, reply) => {
    const actor = signedIn(request, reply, 'official');
    if (!actor) return reply;
    request.access.require('indicator.read');
    // The actor's commune or province (a village role: the village's commune).
    const unit = await ctx.database.db.selectFrom('unit').select(['id', 'level', 'parent_id']).where('id', '=', actor.unitId).executeTakeFirst();
    const target = unit?.level === 'village' ? unit.parent_id : unit?.level === 'commune' || unit?.level === 'province' ? unit.id : null;
    if (!target) throw new AppError('not_found', 404, 'error.not_found');
    return reply.redirect(`${INDICATORS_PATH}/${target}`, 303);
  });

  const render = async (request: FastifyRequest, reply: FastifyReply, unitId: string, errors: FieldError[] = [], values: Values = {}, form = '', status = 200, report = false) => {
    const unit = await dashboardUnitFor(ctx, request.access, unitId);
    const query = request.query as { thang?: string; xep?: string };
    const dash = await unitDashboard(ctx, unit, { months: query.thang === '24' ? 24 : 12, rankBy: query.xep ?? null });
    const canManage = !report && unit.level !== 'village' && (await request.access.can('indicator.manage', { unitId: unit.id }));
    const parent = unit.parent_id ? await ctx.database.db.selectFrom('unit').select(['id', 'name', 'level']).where('id', '=', unit.parent_id).executeTakeFirst() : undefined;
    const parentReadable = parent && (parent.level === 'commune' || parent.level === 'province') && (await request.access.can('indicator.read', { unitId: parent.id }));
    const showParent = parent && (parentReadable || unit.level === 'village');
    // The committee's tasks this year, beside the figures they are meant to move.
    const committee = unit.level !== 'village' && (await request.access.can('committee.read', { unitId: unit.id })) ? (await committeeRepository(ctx).plans(unit.id)).filter((p) => p.year === dash.year) : null;
    const sum = (key: 'tasks' | 'done' | 'overdue') => (committee ?? []).reduce((s, p) => s + Number(p[key] ?? 0), 0);
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    const errs = (f: string) => (form === f ? errors : []);
    const labelOf = new Map(dash.rows.map((r) => [r.code, r.label]));
    const options = (entered: boolean) => dash.rows.filter((r) => (entered ? r.entered : true)).map((r) => ({ value: r.code, label: t(r.label) }));
    // The catalogue as data: the module's own indicators and those other modules contribute.
    const catalogue = [
      ...INDICATORS.map((i) => ({ code: i.code, label: i.label, definition: [i.numerator, i.denominator], unit: i.unit, source: { key: i.source } })),
      ...ctx.modules.flatMap((m) => (m.indicators ?? []).map((i) => ({ code: i.code, label: i.label, definition: [i.definition], unit: i.unit, source: m.id }))),
    ];
    const title = t(report ? 'teams.ind.report_title' : 'teams.ind.title_of', { unit: unit.name });
    const base = `${INDICATORS_PATH}/${unit.id}`;
    return sendPage(
      reply,
      <Layout ctx={page} title={title} shell="admin">
        {showParent && !report ? (
          <p class="no-print">
            <a href={`${INDICATORS_PATH}/${parent.id}`}>← {t('teams.ind.title_of', { unit: parent.name })}</a>
          </p>
        ) : null}
        <h1>{title}</h1>
        {report ? (
          <p>{t('teams.ind.report_made', { date: formatDate(new Date()), name: request.actor?.displayName ?? '' })}</p>
        ) : (
          <p class="button-row no-print">
            <a href={`${base}/bao-cao${dash.months.length === 24 ? '?thang=24' : ''}`}>{t('teams.ind.report')}</a>
            {dash.months.length === 24 ? <a href={base}>{t('teams.ind.months_12')}</a> : <a href={`${base}?thang=24`}>{t('teams.ind.months_24')}</a>}
            {canManage && unit.level === 'commune' ? <a href={`${base}/nhap`}>{t('teams.ind.import_link')}</a> : null}
          </p>
        )}
        {report ? <p class="no-print">{t('teams.ind.print_hint')}</p> : null}
        {committee ? (
          <p>
            {t('teams.ind.tasks_summary', { year: dash.year, done: sum('done'), tasks: sum('tasks') })}
            {sum('overdue') ? (
              <>
                {' · '}
                <strong>{t('committee.overdue_count', { count: sum('overdue') })}</strong>
              </>
            ) : null}
            {report ? null : (
              <>
                {' — '}
                <a href={`/ban-chi-dao/${unit.id}`}>{t('teams.ind.committee_link')}</a>
              </>
            )}
          </p>
        ) : null}
        {unit.level === 'village' ? <p>{t('teams.ind.village_note')}</p> : null}
        {unit.level === 'province' ? <p>{t('teams.ind.province_note', { count: dash.peers?.list.length ?? 0 })}</p> : null}
        <ErrorSummary ctx={page} errors={errors} />
        <IndicatorTable t={t} dash={dash} />
        <h2>{t('teams.ind.trends', { from: monthLabel(dash.months[0]!), to: monthLabel(dash.months.at(-1)!) })}</h2>
        <div class="chart-grid">
          {dash.rows.map((r) => {
            const byMonth = new Map(r.trend.map((p) => [p.month, percentOf(p.numerator, p.denominator)]));
            const points = dash.months.map((m) => ({ label: monthLabel(m), value: byMonth.get(m) ?? null }));
            const described = points.filter((p) => p.value !== null).map((p) => `${p.label}: ${pct(p.value)}`);
            return (
              <figure class="chart-card">
                <figcaption>
                  <strong>{t(r.label)}</strong>
                  <br />
                  {r.percent === null ? t('teams.ind.no_value') : pct(r.percent)}
                  {r.target === null ? null : ` · ${t('teams.ind.target_short', { value: r.target })}`}
                </figcaption>
                <TrendChart
                  id={`chart-${r.code}`}
                  title={t(r.label)}
                  points={points}
                  target={r.target}
                  targetLabel={r.target === null ? '' : t('teams.ind.target_short', { value: r.target })}
                  description={described.length ? described.join('; ') : t('teams.ind.no_value')}
                />
              </figure>
            );
          })}
        </div>
        <details class="no-print">
          <summary>{t('teams.ind.catalogue', { count: catalogue.length })}</summary>
          <Table
            rows={catalogue}
            columns={[
              { label: t('teams.ind.code'), cell: (c) => c.code },
              { label: t('teams.ind.indicator'), cell: (c) => t(c.label) },
              { label: t('teams.ind.definition'), cell: (c) => c.definition.map((k) => t(k)).join(' / ') },
              { label: t('teams.ind.unit'), cell: (c) => t(`teams.ind.unit.${c.unit}`) },
              { label: t('teams.ind.period'), cell: () => t('teams.ind.period.month') },
              { label: t('teams.ind.source'), cell: (c) => (typeof c.source === 'string' ? t('teams.ind.src.module_short', { module: c.source }) : t(c.source.key)) },
            ]}
          />
        </details>
        {dash.peers && dash.peers.list.length ? (
          <>
            <h2>{t(dash.peers.level === 'village' ? 'teams.ind.ranking_villages' : 'teams.ind.ranking_communes', { month: dash.peers.month ? monthLabel(dash.peers.month) : '—' })}</h2>
            {report ? null : (
              <form method="get" action={base} class="filter-form no-print">
                {dash.months.length === 24 ? <input type="hidden" name="thang" value="24" /> : null}
                <SelectInput ctx={page} name="xep" label={t('teams.ind.rank_by')} value={query.xep ?? ''} options={dash.peers.codes.map((c) => ({ value: c, label: t(labelOf.get(c) ?? 'teams.ind.indicator') }))} placeholder={t('teams.ind.rank_mean')} />
                <Button kind="secondary">{t('teams.ind.rank_apply')}</Button>
              </form>
            )}
            <Table
              rows={dash.peers.list}
              columns={[
                { label: t('teams.ind.rank'), cell: (p) => String(p.rank) },
                { label: t(dash.peers.level === 'village' ? 'teams.village' : 'teams.ind.commune'), cell: (p) => (report ? p.name : <a href={`${INDICATORS_PATH}/${p.id}`}>{p.name}</a>) },
                { label: t('teams.ind.score'), cell: (p) => pct(p.score) },
                ...dash.peers.codes.map((code) => ({ label: t(labelOf.get(code) ?? 'teams.ind.indicator'), cell: (p: Peer) => pct(p.values.get(code) ?? null) })),
              ]}
            />
          </>
        ) : null}
        {canManage ? (
          <>
            {unit.level === 'commune' ? (
              <Form ctx={page} action={`${base}/so-lieu`} label={t('teams.ind.enter')}>
                <fieldset>
                  <legend>{t('teams.ind.enter')}</legend>
                  <SelectInput ctx={page} name="indicator" label={t('teams.ind.indicator')} errors={errs('value')} value={form === 'value' ? values.indicator : ''} options={options(true)} placeholder="" required />
                  <TextInput ctx={page} name="numerator" type="number" inputmode="numeric" label={t('teams.ind.numerator')} errors={errs('value')} value={form === 'value' ? values.numerator : ''} required />
                  <TextInput ctx={page} name="denominator" type="number" inputmode="numeric" label={t('teams.ind.denominator')} errors={errs('value')} value={form === 'value' ? values.denominator : ''} required />
                  <TextInput ctx={page} name="source" label={t('teams.ind.source_name')} hint={t('teams.ind.source_hint')} errors={errs('value')} value={form === 'value' ? values.source : ''} required />
                  <TextInput ctx={page} name="source_date" type="date" label={t('teams.ind.source_date')} errors={errs('value')} value={form === 'value' ? values.source_date : localToday()} required />
                  <Button>{t('teams.ind.save')}</Button>
                </fieldset>
              </Form>
            ) : null}
            <Form ctx={page} action={`${base}/chi-tieu`} label={t('teams.ind.set_target')}>
              <fieldset>
                <legend>{t('teams.ind.set_target')}</legend>
                <SelectInput ctx={page} name="indicator" label={t('teams.ind.indicator')} errors={errs('target')} value={form === 'target' ? values.indicator : ''} options={options(false)} placeholder="" required />
                <TextInput ctx={page} name="year" type="number" inputmode="numeric" label={t('teams.ind.year')} errors={errs('target')} value={form === 'target' ? values.year : String(dash.year)} required />
                <TextInput ctx={page} name="target" type="number" inputmode="numeric" label={t('teams.ind.target_percent')} errors={errs('target')} value={form === 'target' ? values.target : ''} required />
                <Button>{t('teams.ind.save')}</Button>
              </fieldset>
            </Form>
          </>
        ) : null}
      </Layout>,
      status,
    );
  };

  app.get(`${INDICATORS_PATH}/:unitId`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    return render(request, reply, (request.params as { unitId: string }).unitId);
  });

  // The same figures laid out for paper (the browser's Print, or Save as PDF): no forms, no navigation.
  app.get(`${INDICATORS_PATH}/:unitId/bao-cao`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    return render(request, reply, (request.params as { unitId: string }).unitId, [], {}, '', 200, true);
  });

  const post = (suffix: string, form: 'value' | 'target') =>
    app.post(`${INDICATORS_PATH}/:unitId/${suffix}`, async (request, reply) => {
      if (!signedIn(request, reply, 'official')) return reply;
      const { unitId: communeId } = request.params as { unitId: string };
      const labels = { indicator: 'teams.ind.indicator', numerator: 'teams.ind.numerator', denominator: 'teams.ind.denominator', source: 'teams.ind.source_name', source_date: 'teams.ind.source_date', year: 'teams.ind.year', target: 'teams.ind.target_percent' } as const;
      try {
        if (form === 'value') {
          const parsed = parseInput(request, enteredValueInput, { labels });
          if (!parsed.ok) return render(request, reply, communeId, parsed.errors, formStrings(request.body), form, 400);
          await enterValue(ctx, request.access, request.auditContext, communeId, parsed.data);
        } else {
          const parsed = parseInput(request, targetInput, { labels });
          if (!parsed.ok) return render(request, reply, communeId, parsed.errors, formStrings(request.body), form, 400);
          await setTarget(ctx, request.access, request.auditContext, communeId, parsed.data);
        }
      } catch (err) {
        if (err instanceof AppError && err.fields.length) return render(request, reply, communeId, err.fields, formStrings(request.body), form, 400);
        throw err;
      }
      setFlash(reply, form === 'value' ? 'teams.flash.indicator_saved' : 'teams.flash.target_saved');
      return reply.redirect(`${INDICATORS_PATH}/${communeId}`, 303);
    });
  post('so-lieu', 'value');
  post('chi-tieu', 'target');
}
