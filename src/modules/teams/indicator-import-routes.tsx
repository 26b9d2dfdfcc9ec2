import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import { AppError, notFound, type FieldError } from '../../platform/errors.ts';
import { pageContext, parseInput, sendPage, setFlash, signedIn } from '../../platform/http/kernel.ts';
import { formatDate } from '../../platform/i18n/index.ts';
import { Layout } from '../../platform/ui/layout.tsx';
import { Button, Checkbox, ErrorSummary, Form, Table } from '../../platform/ui/components.tsx';
import { writeAudit } from '../../platform/audit/audit.ts';
import { CSV_TYPE, XLSX_TYPE, writeCsv, writeXlsx } from '../../platform/xlsx.ts';
import { INDICATORS, indicatorByCode, managedUnitFor } from './indicators.ts';
import { VALUE_COLUMNS, checkValueFile, importValues, valueTable, type ImportedValue } from './indicator-io.ts';
import { ImportProblems, SpreadsheetForm, receiveSpreadsheet } from './import-routes.tsx';
import type { Problem } from './households-io.ts';
import { INDICATORS_PATH } from './indicator-routes.tsx';

/** A commune's entered indicator values to and from spreadsheets: export, preview with row-by-row problems, all-or-nothing import. */
export function registerIndicatorImportRoutes(app: FastifyInstance, ctx: AppContext) {
  const communeFor = async (request: FastifyRequest, unitId: string) => {
    const unit = await managedUnitFor(ctx, request.access, unitId);
    if (unit.level !== 'commune') throw notFound();
    return unit;
  };

  const render = async (request: FastifyRequest, reply: FastifyReply, unitId: string, opts: { errors?: FieldError[]; problems?: Problem[]; ready?: { fileId: string; values: ImportedValue[] } } = {}, status = 200) => {
    const commune = await communeFor(request, unitId);
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    const base = `${INDICATORS_PATH}/${commune.id}`;
    return sendPage(
      reply,
      <Layout ctx={page} title={t('teams.ind.import.title', { unit: commune.name })} shell="admin">
        <p>
          <a href={base}>← {t('teams.ind.title_of', { unit: commune.name })}</a>
        </p>
        <h1>{t('teams.ind.import.title', { unit: commune.name })}</h1>
        <ErrorSummary ctx={page} errors={opts.errors ?? []} />
        <ImportProblems t={t} problems={opts.problems ?? []} />
        {opts.ready ? (
          <>
            <p role="status">{t('teams.ind.import.ready', { rows: opts.ready.values.length })}</p>
            <Table
              rows={opts.ready.values}
              columns={[
                { label: t('teams.ind.indicator'), cell: (v) => t(indicatorByCode(v.indicator)!.label) },
                { label: t('teams.ind.import.month'), cell: (v) => `${v.month.slice(5)}/${v.month.slice(0, 4)}` },
                { label: t('teams.ind.numerator'), cell: (v) => String(v.numerator) },
                { label: t('teams.ind.denominator'), cell: (v) => String(v.denominator) },
                { label: t('teams.ind.source_name'), cell: (v) => v.source },
                { label: t('teams.ind.source_date'), cell: (v) => formatDate(v.source_date) },
              ]}
            />
            <Form ctx={page} action={`${base}/nhap/${opts.ready.fileId}`} label={t('teams.import.commit')}>
              <Checkbox name="confirm" label={t('teams.import.confirm')} required />
              <Button>{t('teams.import.commit')}</Button>
            </Form>
          </>
        ) : null}
        <p>{t('teams.ind.import.help')}</p>
        <p>{t('teams.ind.import.codes', { codes: INDICATORS.filter((i) => !i.fromRecords).map((i) => `${i.code} (${t(i.label)})`).join('; ') })}</p>
        <SpreadsheetForm page={page} base={base} exportName="so-lieu" exportLabels={['teams.ind.import.export_xlsx', 'teams.ind.import.export_csv']} errors={opts.errors ?? []} />
      </Layout>,
      status,
    );
  };

  app.get(`${INDICATORS_PATH}/:unitId/nhap`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    return render(request, reply, (request.params as { unitId: string }).unitId);
  });

  app.post(`${INDICATORS_PATH}/:unitId/nhap`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const commune = await communeFor(request, (request.params as { unitId: string }).unitId);
    const received = await receiveSpreadsheet(ctx, request, commune.id, 'teams.indicator.import_checked', checkValueFile, (c) => ({ rows: c.values.length }));
    if (!('fileId' in received)) return render(request, reply, commune.id, received, 400);
    return render(request, reply, commune.id, { ready: { fileId: received.fileId, values: received.checked.values } });
  });

  app.post(`${INDICATORS_PATH}/:unitId/nhap/:fileId`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const { unitId, fileId } = request.params as { unitId: string; fileId: string };
    const parsed = parseInput(request, z.object({ confirm: z.literal('on') }), { labels: { confirm: 'teams.confirm' } });
    if (!parsed.ok) return render(request, reply, unitId, { errors: parsed.errors }, 400);
    try {
      await importValues(ctx, request.access, request.auditContext, unitId, fileId);
    } catch (err) {
      if (err instanceof AppError && err.code === 'import_invalid') return render(request, reply, unitId, { errors: [{ field: 'file', key: err.messageKey }] }, 409);
      throw err;
    }
    setFlash(reply, 'teams.flash.values_imported');
    return reply.redirect(`${INDICATORS_PATH}/${unitId}`, 303);
  });

  for (const format of ['xlsx', 'csv'] as const) {
    app.get(`${INDICATORS_PATH}/:unitId/so-lieu.${format}`, async (request, reply) => {
      if (!signedIn(request, reply, 'official')) return reply;
      const commune = await communeFor(request, (request.params as { unitId: string }).unitId);
      const rows = await valueTable(ctx, commune.id);
      await ctx.database.db.transaction().execute((trx) =>
        writeAudit(ctx.database, trx, request.auditContext, { action: 'teams.indicator.export', entity: 'cdt_snapshot', unitId: commune.id, detail: { format, rows: rows.length } }),
      );
      const header = VALUE_COLUMNS.map((c) => c.header);
      const data = format === 'xlsx' ? await writeXlsx([{ name: 'Số liệu chỉ số', header, rows, widths: [22, 48, 10, 10, 36, 16] }]) : await writeCsv(header, rows);
      return reply
        .type(format === 'xlsx' ? XLSX_TYPE : CSV_TYPE)
        .header('cache-control', 'private, no-store')
        .header('content-disposition', `attachment; filename="so-lieu-chi-so-${commune.code}.${format}"`)
        .send(data);
    });
  }
}
