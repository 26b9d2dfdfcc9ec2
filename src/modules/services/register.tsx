import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { pageContext, sendPage, signedIn } from '../../platform/http/kernel.ts';
import { formatDate, formatDateTime, type Translate } from '../../platform/i18n/index.ts';
import { Layout } from '../../platform/ui/layout.tsx';
import { TextInput } from '../../platform/ui/components.tsx';
import { addDays, localToday } from './calendar.ts';
import { stateLabel } from './presenters.tsx';
import { servicesRepository } from './repository.ts';

/** A period from the query (`tu`, `den`, local dates): by default from the start of this month (or year). */
export function periodOf(q: { tu?: string; den?: string }, since: 'month' | 'year' = 'month', today = localToday()) {
  const isDate = (v: string | undefined): v is string => !!v && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v));
  const from = isDate(q.tu) ? q.tu : since === 'month' ? `${today.slice(0, 8)}01` : `${today.slice(0, 4)}-01-01`;
  const to = isDate(q.den) && q.den >= from ? q.den : today;
  return { from, to, fromIso: new Date(`${from}T00:00:00+07:00`).toISOString(), toIso: new Date(`${addDays(to, 1)}T00:00:00+07:00`).toISOString() };
}

/** The columns of form 06 (sổ theo dõi hồ sơ). */
const columns = (t: Translate) => [
  t('services.register.no'),
  t('services.dossier_code'),
  t('services.procedure'),
  t('services.register.sets'),
  t('services.register.applicant'),
  t('services.register.contact'),
  t('services.register.agency'),
  t('services.register.received'),
  t('services.register.due'),
  t('services.register.handed_over'),
  t('services.register.result_in'),
  t('services.register.returned'),
  t('services.register.note'),
];

/** The tracking register (form 06) as a printable page and as XLSX, for the desk of the actor's communes. */
export function registerRegisterRoutes(app: FastifyInstance, ctx: AppContext, base: string) {
  const repo = servicesRepository(ctx.database);

  const load = async (request: FastifyRequest) => {
    request.access.require('dossier.read');
    const period = periodOf(request.query as { tu?: string; den?: string });
    const scope = await request.access.unitsFor('dossier.read');
    const rows = await repo.registerRows(scope, period.fromIso, period.toIso);
    const unitNames = new Map((await ctx.database.db.selectFrom('unit').select(['id', 'name']).where('level', '=', 'commune').execute()).map((u) => [u.id, u.name]));
    const t = request.t;
    const dt = (v: string | null | undefined) => (v ? formatDateTime(v) : '');
    const cells = rows.map((r, i) => {
      const address = (JSON.parse(r.form_data) as Record<string, string>).applicant_address ?? '';
      const note = [t(stateLabel(r.state)), r.appointment_date ? `${t('services.appointment_date')}: ${formatDate(r.appointment_date)}` : ''].filter(Boolean).join('; ');
      return [i + 1, r.code ?? '', r.procedure_name, 1, r.applicant_name, [address, r.applicant_phone].filter(Boolean).join(' — '), unitNames.get(r.unit_id) ?? '', dt(r.received_at ?? r.submitted_at), r.due_date ? formatDate(r.due_date) : '', dt(r.assigned_at), dt(r.finished_at), dt(r.returned_at), note] as (string | number)[];
    });
    return { period, cells, header: columns(t), truncated: rows.length >= 5000 };
  };

  app.get(`${base}/so-theo-doi`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const { period, cells, header, truncated } = await load(request);
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    const query = new URLSearchParams({ tu: period.from, den: period.to });
    return sendPage(
      reply,
      <Layout ctx={page} title={t('services.register.title')} shell="admin">
        <h1>{t('services.register.title')}</h1>
        <form method="get" action={`${base}/so-theo-doi`} class="filter-form no-print">
          <TextInput ctx={page} name="tu" label={t('services.stats.from')} type="date" value={period.from} />
          <TextInput ctx={page} name="den" label={t('services.stats.to')} type="date" value={period.to} />
          <button type="submit" class="button button-secondary">
            {t('common.filter')}
          </button>
        </form>
        <p class="no-print">
          <a href={`${base}/so-theo-doi.xlsx?${query}`}>{t('services.stats.xlsx')}</a> — {t('services.register.print_hint')}
        </p>
        {truncated ? <p class="notice">{t('services.register.truncated')}</p> : null}
        <div class="register">
          <table tabindex={0} data-testid="register">
            <caption>{t('services.register.caption', { from: formatDate(period.from), to: formatDate(period.to) })}</caption>
            <thead>
              <tr>
                {header.map((h) => (
                  <th scope="col">{h}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {cells.map((r) => (
                <tr>
                  {r.map((c) => (
                    <td>{String(c)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Layout>,
    );
  });

  app.get(`${base}/so-theo-doi.xlsx`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const { period, cells, header } = await load(request);
    const t = request.t;
    const { writeXlsx, XLSX_TYPE } = await import('../../platform/xlsx.ts');
    const body = await writeXlsx([
      { name: t('services.register.sheet'), title: t('services.register.caption', { from: formatDate(period.from), to: formatDate(period.to) }), header, rows: cells, widths: [6, 30, 36, 8, 24, 36, 24, 18, 12, 18, 18, 18, 30] },
    ]);
    return reply
      .type(XLSX_TYPE)
      .header('content-disposition', `attachment; filename="so-theo-doi-ho-so-${period.from}-${period.to}.xlsx"`)
      .header('cache-control', 'private, no-store')
      .send(body);
  });
}
