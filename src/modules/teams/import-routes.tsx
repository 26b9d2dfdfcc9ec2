import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import { AppError, type FieldError } from '../../platform/errors.ts';
import { pageContext, parseInput, sendPage, setFlash, signedIn } from '../../platform/http/kernel.ts';
import { Layout } from '../../platform/ui/layout.tsx';
import { Button, Checkbox, ErrorSummary, FileInput, Form, Table } from '../../platform/ui/components.tsx';
import { checkUpload, isUpload, storeFile } from '../../platform/files/files.ts';
import { writeAudit } from '../../platform/audit/audit.ts';
import { CSV_TYPE, XLSX_TYPE, writeCsv, writeXlsx } from '../../platform/xlsx.ts';
import { villageFor } from './commands.ts';
import { COLUMNS, checkHouseholdFile, householdTable, importHouseholds, type Problem } from './households-io.ts';
import { TEAMS } from './routes.tsx';
import type { MessageKey, Translate } from '../../platform/i18n/index.ts';
import type { PageContext } from '../../platform/ui/context.ts';

export const SPREADSHEET_TYPES = [XLSX_TYPE, 'text/csv'];

/** The export links (XLSX, CSV) and the upload form that previews a spreadsheet at `${base}/nhap`. */
export function SpreadsheetForm({ page, base, exportName, exportLabels, errors }: { page: PageContext; base: string; exportName: string; exportLabels: [MessageKey, MessageKey]; errors: FieldError[] }) {
  const { t } = page;
  return (
    <>
      <p>
        <a href={`${base}/${exportName}.xlsx`}>{t(exportLabels[0])}</a> · <a href={`${base}/${exportName}.csv`}>{t(exportLabels[1])}</a>
      </p>
      <Form ctx={page} action={`${base}/nhap`} label={t('teams.import.preview')} files>
        <FileInput ctx={page} name="file" label={t('teams.import.file')} errors={errors} accept=".xlsx,.csv,text/csv" required />
        <Button>{t('teams.import.preview')}</Button>
      </Form>
    </>
  );
}

/** A file's problems row by row (as Excel numbers rows), nothing saved; the first 500 are shown. */
export function ImportProblems({ t, problems }: { t: Translate; problems: readonly Problem[] }) {
  if (!problems.length) return null;
  return (
    <>
      <p class="error-message" role="alert">
        {t('teams.import.problems', { count: problems.length })}
      </p>
      <Table
        rows={problems.slice(0, 500)}
        columns={[
          { label: t('teams.import.row'), cell: (p) => String(p.row) },
          { label: t('teams.import.column'), cell: (p) => p.column || '—' },
          { label: t('teams.import.message'), cell: (p) => t(p.key, p.params) },
        ]}
      />
    </>
  );
}

/**
 * Receives an uploaded spreadsheet (XLSX or CSV, told apart by content) and checks it with `check`.
 * A clean file is stored, with the `action` audit event, until its import is confirmed; otherwise the
 * field errors or the row-by-row problems come back and nothing is kept.
 */
export async function receiveSpreadsheet<C extends { problems: Problem[] }>(
  ctx: AppContext,
  request: FastifyRequest,
  unitId: string,
  action: string,
  check: (data: Buffer) => Promise<C>,
  detail: (checked: C) => Record<string, unknown>,
): Promise<{ errors: FieldError[] } | { problems: Problem[] } | { fileId: string; checked: C }> {
  const file = (request.body as Record<string, unknown> | undefined)?.file;
  if (!isUpload(file)) return { errors: [{ field: 'file', key: 'teams.import.no_file' }] };
  let mime: string;
  try {
    mime = (await checkUpload(ctx, 'file', file, SPREADSHEET_TYPES)).mime;
  } catch (err) {
    if (err instanceof AppError && err.code === 'file_type') return { errors: [{ field: 'file', key: 'teams.import.bad_type', params: { name: file.filename } }] };
    if (err instanceof AppError) return { errors: err.fields };
    throw err;
  }
  const checked = await check(file.data);
  if (checked.problems.length) return { problems: checked.problems };
  const fileId = await ctx.database.db.transaction().execute(async (trx) => {
    const id = await storeFile(ctx, trx, file, { mime, unitId, ownerId: request.actor!.id });
    await writeAudit(ctx.database, trx, request.auditContext, { action, entity: 'platform_file', entityId: id, unitId, detail: detail(checked) });
    return id;
  });
  return { fileId, checked };
}

/** Households to and from the spreadsheets village heads keep: export, preview with row-by-row problems, all-or-nothing import. */
export function registerHouseholdImportRoutes(app: FastifyInstance, ctx: AppContext) {
  const render = async (request: FastifyRequest, reply: FastifyReply, villageId: string, opts: { errors?: FieldError[]; problems?: Problem[]; ready?: { fileId: string; rows: number; households: number; created: number; residents: number } } = {}, status = 200) => {
    const village = await villageFor(ctx, request.access, villageId, 'household.manage');
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    const base = `${TEAMS}/${village.id}`;
    return sendPage(
      reply,
      <Layout ctx={page} title={t('teams.import.title', { village: village.name })} shell="admin">
        <p>
          <a href={`${base}/ho`}>← {t('teams.households_of', { village: village.name })}</a>
        </p>
        <h1>{t('teams.import.title', { village: village.name })}</h1>
        <ErrorSummary ctx={page} errors={opts.errors ?? []} />
        <ImportProblems t={t} problems={opts.problems ?? []} />
        {opts.ready ? (
          <Form ctx={page} action={`${base}/nhap/${opts.ready.fileId}`} label={t('teams.import.commit')}>
            <p role="status">{t('teams.import.ready', { rows: opts.ready.rows, households: opts.ready.households, created: opts.ready.created, updated: opts.ready.households - opts.ready.created, residents: opts.ready.residents })}</p>
            <p>{t('teams.import.replace_note')}</p>
            <Checkbox name="confirm" label={t('teams.import.confirm')} required />
            <Button>{t('teams.import.commit')}</Button>
          </Form>
        ) : null}
        <p>{t('teams.import.help')}</p>
        <SpreadsheetForm page={page} base={base} exportName="ho" exportLabels={['teams.import.export_xlsx', 'teams.import.export_csv']} errors={opts.errors ?? []} />
      </Layout>,
      status,
    );
  };

  app.get(`${TEAMS}/:villageId/nhap`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    return render(request, reply, (request.params as { villageId: string }).villageId);
  });

  app.post(`${TEAMS}/:villageId/nhap`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const { villageId } = request.params as { villageId: string };
    const village = await villageFor(ctx, request.access, villageId, 'household.manage');
    const received = await receiveSpreadsheet(ctx, request, village.id, 'teams.household.import_checked', (data) => checkHouseholdFile(ctx, village.id, data), (c) => ({ rows: c.rows }));
    if (!('fileId' in received)) return render(request, reply, village.id, received, 400);
    const { fileId, checked } = received;
    const created = checked.households.filter((h) => !h.id).length;
    const residents = checked.households.reduce((n, h) => n + h.residents.length, 0);
    return render(request, reply, village.id, { ready: { fileId, rows: checked.rows, households: checked.households.length, created, residents } });
  });

  app.post(`${TEAMS}/:villageId/nhap/:fileId`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const { villageId, fileId } = request.params as { villageId: string; fileId: string };
    const parsed = parseInput(request, z.object({ confirm: z.literal('on') }), { labels: { confirm: 'teams.confirm' } });
    if (!parsed.ok) return render(request, reply, villageId, { errors: parsed.errors }, 400);
    try {
      await importHouseholds(ctx, request.access, request.auditContext, villageId, fileId);
    } catch (err) {
      if (err instanceof AppError && (err.code === 'import_invalid' || err.code === 'already_imported')) return render(request, reply, villageId, { errors: [{ field: 'file', key: err.messageKey }] }, 409);
      throw err;
    }
    setFlash(reply, 'teams.flash.imported');
    return reply.redirect(`${TEAMS}/${villageId}/ho`, 303);
  });

  const exportTable = async (request: FastifyRequest, villageId: string, format: 'xlsx' | 'csv') => {
    const village = await villageFor(ctx, request.access, villageId, 'household.read');
    const rows = await householdTable(ctx, village.id);
    await ctx.database.db.transaction().execute((trx) =>
      writeAudit(ctx.database, trx, request.auditContext, { action: 'teams.household.export', entity: 'cdt_household', unitId: village.id, detail: { format, rows: rows.length } }),
    );
    const header = COLUMNS.map((c) => c.header);
    return { village, data: format === 'xlsx' ? await writeXlsx([{ name: village.name, header, rows, widths: [38, 24, 24, 10, 10, 14, 24, 10, 12, 12, 14, 14, 10] }]) : await writeCsv(header, rows) };
  };

  for (const format of ['xlsx', 'csv'] as const) {
    app.get(`${TEAMS}/:villageId/ho.${format}`, async (request, reply) => {
      if (!signedIn(request, reply, 'official')) return reply;
      const { village, data } = await exportTable(request, (request.params as { villageId: string }).villageId, format);
      return reply
        .type(format === 'xlsx' ? XLSX_TYPE : CSV_TYPE)
        .header('cache-control', 'private, no-store')
        .header('content-disposition', `attachment; filename="ho-gia-dinh-${village.code}.${format}"`)
        .send(data);
    });
  }
}
