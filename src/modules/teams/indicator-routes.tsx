import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import type { FieldError } from '../../platform/errors.ts';
import { AppError } from '../../platform/errors.ts';
import { pageContext, parseInput, sendPage, setFlash, signedIn } from '../../platform/http/kernel.ts';
import { formatDate, localToday } from '../../platform/i18n/index.ts';
import { Layout } from '../../platform/ui/layout.tsx';
import { Button, ErrorSummary, Form, SelectInput, Table, TextInput } from '../../platform/ui/components.tsx';
import { INDICATORS, communeForReading, communeIndicators, enterValue, enteredValueInput, setTarget, targetInput, villageIndicators } from './indicators.ts';

export const INDICATORS_PATH = '/chi-so';
type Values = Record<string, string>;
const kept = (body: unknown): Values => Object.fromEntries(Object.entries((body ?? {}) as Record<string, unknown>).filter(([, v]) => typeof v === 'string')) as Values;
const pct = (v: number | null) => (v === null ? '—' : `${v.toFixed(1).replace('.', ',')}%`);

/** A commune's digital-citizen indicators: value against this year's target, village by village. */
export function registerIndicatorRoutes(app: FastifyInstance, ctx: AppContext) {
  app.get(INDICATORS_PATH, async (request, reply) => {
    const actor = signedIn(request, reply, 'official');
    if (!actor) return reply;
    request.access.require('indicator.read');
    // The actor's commune (a village role: the village's commune).
    const unit = await ctx.database.db.selectFrom('unit').select(['id', 'level', 'parent_id']).where('id', '=', actor.unitId).executeTakeFirst();
    const commune = unit?.level === 'village' ? unit.parent_id : unit?.level === 'commune' ? unit.id : null;
    if (!commune) throw new AppError('not_found', 404, 'error.not_found');
    return reply.redirect(`${INDICATORS_PATH}/${commune}`, 303);
  });

  const render = async (request: FastifyRequest, reply: FastifyReply, communeId: string, errors: FieldError[] = [], values: Values = {}, form = '', status = 200) => {
    const commune = await communeForReading(ctx, request.access, communeId);
    const year = Number(localToday().slice(0, 4));
    const rows = await communeIndicators(ctx, commune.id, year);
    // Weakest first: furthest below target, then lowest value.
    rows.sort((a, b) => (b.target ?? 0) - (b.percent ?? 0) - ((a.target ?? 0) - (a.percent ?? 0)) || (a.percent ?? 0) - (b.percent ?? 0));
    const byVillage = await villageIndicators(ctx, commune.id);
    const canManage = await request.access.can('indicator.manage', { unitId: commune.id });
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    const errs = (f: string) => (form === f ? errors : []);
    const options = (entered: boolean) => [
      ...INDICATORS.filter((i) => (entered ? !i.fromRecords : true)).map((i) => ({ value: i.code, label: t(i.label) })),
      ...(entered ? [] : ctx.modules.flatMap((m) => m.indicators ?? []).map((i) => ({ value: i.code, label: t(i.label) }))),
    ];
    const recordSpecs = INDICATORS.filter((i) => i.fromRecords);
    const sourceText = (source: string) => (source === 'records' ? t('teams.ind.src.records') : source.startsWith('module:') ? t('teams.ind.src.module', { module: source.slice(7) }) : source);
    return sendPage(
      reply,
      <Layout ctx={page} title={t('teams.ind.title_of', { unit: commune.name })} shell="admin">
        <h1>{t('teams.ind.title_of', { unit: commune.name })}</h1>
        <ErrorSummary ctx={page} errors={errors} />
        <Table
          rows={rows}
          columns={[
            { label: t('teams.ind.indicator'), cell: (r) => t(r.label) },
            { label: t('teams.ind.definition'), cell: (r) => r.definition.map((k) => t(k)).join(' / ') },
            { label: t('teams.ind.value'), cell: (r) => (r.percent === null ? t('teams.ind.no_value') : `${pct(r.percent)} (${r.numerator}/${r.denominator})`) },
            { label: t('teams.ind.target', { year }), cell: (r) => (r.target === null ? t('teams.ind.no_target') : `${r.target}%`) },
            {
              label: t('teams.ind.status'),
              cell: (r) =>
                r.target === null || r.percent === null ? '—' : r.percent >= r.target ? <strong>{t('teams.ind.met')}</strong> : t('teams.ind.not_met', { gap: (r.target - r.percent).toFixed(1).replace('.', ',') }),
            },
            { label: t('teams.ind.source'), cell: (r) => (r.source === null ? '—' : `${sourceText(r.source)} (${formatDate(r.sourceDate ?? '')})`) },
          ]}
        />
        {byVillage.villages.length && byVillage.month ? (
          <>
            <h2>{t('teams.ind.villages', { month: byVillage.month })}</h2>
            <Table
              rows={byVillage.villages}
              columns={[
                { label: t('teams.village'), cell: (v) => v.name },
                ...recordSpecs.map((spec) => ({ label: t(spec.label), cell: (v: { id: string }) => pct(byVillage.values.get(v.id)?.get(spec.code) ?? null) })),
              ]}
            />
          </>
        ) : null}
        {canManage ? (
          <>
            <Form ctx={page} action={`${INDICATORS_PATH}/${commune.id}/so-lieu`} label={t('teams.ind.enter')}>
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
            <Form ctx={page} action={`${INDICATORS_PATH}/${commune.id}/chi-tieu`} label={t('teams.ind.set_target')}>
              <fieldset>
                <legend>{t('teams.ind.set_target')}</legend>
                <SelectInput ctx={page} name="indicator" label={t('teams.ind.indicator')} errors={errs('target')} value={form === 'target' ? values.indicator : ''} options={options(false)} placeholder="" required />
                <TextInput ctx={page} name="year" type="number" inputmode="numeric" label={t('teams.ind.year')} errors={errs('target')} value={form === 'target' ? values.year : String(year)} required />
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

  app.get(`${INDICATORS_PATH}/:communeId`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    return render(request, reply, (request.params as { communeId: string }).communeId);
  });

  const post = (suffix: string, form: 'value' | 'target') =>
    app.post(`${INDICATORS_PATH}/:communeId/${suffix}`, async (request, reply) => {
      if (!signedIn(request, reply, 'official')) return reply;
      const { communeId } = request.params as { communeId: string };
      const labels = { indicator: 'teams.ind.indicator', numerator: 'teams.ind.numerator', denominator: 'teams.ind.denominator', source: 'teams.ind.source_name', source_date: 'teams.ind.source_date', year: 'teams.ind.year', target: 'teams.ind.target_percent' } as const;
      try {
        if (form === 'value') {
          const parsed = parseInput(request, enteredValueInput, { labels });
          if (!parsed.ok) return render(request, reply, communeId, parsed.errors, kept(request.body), form, 400);
          await enterValue(ctx, request.access, request.auditContext, communeId, parsed.data);
        } else {
          const parsed = parseInput(request, targetInput, { labels });
          if (!parsed.ok) return render(request, reply, communeId, parsed.errors, kept(request.body), form, 400);
          await setTarget(ctx, request.access, request.auditContext, communeId, parsed.data);
        }
      } catch (err) {
        if (err instanceof AppError && err.fields.length) return render(request, reply, communeId, err.fields, kept(request.body), form, 400);
        throw err;
      }
      setFlash(reply, form === 'value' ? 'teams.flash.indicator_saved' : 'teams.flash.target_saved');
      return reply.redirect(`${INDICATORS_PATH}/${communeId}`, 303);
    });
  post('so-lieu', 'value');
  post('chi-tieu', 'target');
}
