import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { AppError, type FieldError } from '../../platform/errors.ts';
import { pageContext, parseInput, sendPage, setFlash, signedIn, formStrings } from '../../platform/http/kernel.ts';
import { formatDate, formatDateTime, type MessageKey } from '../../platform/i18n/index.ts';
import { Layout } from '../../platform/ui/layout.tsx';
import { Button, ErrorSummary, FileInput, Form, Table, TextArea, TextInput } from '../../platform/ui/components.tsx';
import { isUpload, readStoredFile } from '../../platform/files/files.ts';
import { createRequest, provinceOf, requestFor, requestInput, requestsOf, submissionFile, submissionInput, submissionTracking, submitReport } from './reports.ts';

export const REPORTS = '/bao-cao-dinh-ky';
type Values = Record<string, string>;
const LABELS = { title: 'documents.report_title', description: 'documents.report_description', deadline: 'documents.deadline', note: 'documents.progress_note', template: 'documents.report_template', file: 'documents.report_file' } as const;
const stateLabel = (s: string): MessageKey => `documents.report_state.${s as 'on_time'}`;

/** Reports the province asks of its communes: requests with a template and a deadline, submissions, who is late. */
export function registerReportRoutes(app: FastifyInstance, ctx: AppContext) {
  const sendFile = async (reply: FastifyReply, fileId: string, name: string) => {
    const file = await readStoredFile(ctx, fileId);
    if (!file) throw new AppError('not_found', 404, 'error.not_found');
    const ext = file.row.mime === 'application/pdf' ? 'pdf' : file.row.mime.includes('spreadsheet') ? 'xlsx' : 'docx';
    return reply.type(file.row.mime).header('cache-control', 'private, no-store').header('content-disposition', `attachment; filename="${name}.${ext}"`).send(file.data);
  };

  const renderList = async (request: FastifyRequest, reply: FastifyReply, errors: FieldError[] = [], values: Values = {}, status = 200) => {
    const province = await provinceOf(ctx, request.actor!.unitId);
    request.access.require('report.read');
    const canRequest = await request.access.can('report.request', { unitId: province.id });
    const rows = await requestsOf(ctx, province.id);
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    return sendPage(
      reply,
      <Layout ctx={page} title={t('documents.reports_of', { unit: province.name })} shell="admin">
        <h1>{t('documents.reports_of', { unit: province.name })}</h1>
        <ErrorSummary ctx={page} errors={errors} />
        {rows.length ? (
          <Table
            rows={rows}
            columns={[
              { label: t('documents.report_title'), cell: (r) => <a href={`${REPORTS}/${r.id}`}>{r.title}</a> },
              { label: t('documents.deadline'), cell: (r) => formatDate(r.deadline) },
              { label: t('documents.report_submitted'), cell: (r) => String(Number(r.submitted)) },
            ]}
          />
        ) : (
          <p>{t('documents.none')}</p>
        )}
        {canRequest ? (
          <Form ctx={page} action={REPORTS} label={t('documents.new_report_request')} files>
            <fieldset>
              <legend>{t('documents.new_report_request')}</legend>
              <TextInput ctx={page} name="title" label={t('documents.report_title')} errors={errors} value={values.title} required />
              <TextArea ctx={page} name="description" label={t('documents.report_description')} errors={errors} value={values.description} rows={3} />
              <TextInput ctx={page} name="deadline" type="date" label={t('documents.deadline')} errors={errors} value={values.deadline} required />
              <FileInput ctx={page} name="template" label={t('documents.report_template')} errors={errors} accept=".docx,.xlsx,application/pdf" />
              <Button>{t('documents.send_request')}</Button>
            </fieldset>
          </Form>
        ) : null}
      </Layout>,
      status,
    );
  };

  app.get(REPORTS, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    return renderList(request, reply);
  });

  app.post(REPORTS, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const body = (request.body ?? {}) as Record<string, unknown>;
    const parsed = parseInput(request, requestInput, { labels: LABELS });
    if (!parsed.ok) return renderList(request, reply, parsed.errors, formStrings(body), 400);
    let id: string;
    try {
      id = await createRequest(ctx, request.access, request.auditContext, parsed.data, isUpload(body.template) ? body.template : undefined);
    } catch (err) {
      if (err instanceof AppError && err.fields.length) return renderList(request, reply, err.fields, formStrings(body), 400);
      throw err;
    }
    setFlash(reply, 'documents.flash.requested');
    return reply.redirect(`${REPORTS}/${id}`, 303);
  });

  const renderRequest = async (request: FastifyRequest, reply: FastifyReply, id: string, errors: FieldError[] = [], status = 200) => {
    const req = await requestFor(ctx, request.access, id);
    const tracking = await submissionTracking(ctx, req);
    const mine = tracking.find((r) => r.unitId === request.actor!.unitId);
    const isProvince = request.actor!.unitId === req.unit_id;
    const canSubmit = Boolean(mine) && (await request.access.can('report.submit', { unitId: request.actor!.unitId }));
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    const counts = { on_time: 0, late: 0, missing: 0, missing_late: 0 } as Record<string, number>;
    for (const r of tracking) counts[r.state] = (counts[r.state] ?? 0) + 1;
    return sendPage(
      reply,
      <Layout ctx={page} title={req.title} shell="admin">
        <p>
          <a href={REPORTS}>← {t('documents.reports')}</a>
        </p>
        <h1>{req.title}</h1>
        <p>{t('documents.report_deadline', { date: formatDate(req.deadline) })}</p>
        {req.description ? <p>{req.description}</p> : null}
        {req.template_file_id ? (
          <p>
            <a href={`${REPORTS}/${req.id}/mau`}>{t('documents.download_template')}</a>
          </p>
        ) : null}
        <ErrorSummary ctx={page} errors={errors} />
        {isProvince ? (
          <>
            <p>{t('documents.report_counts', { on_time: counts.on_time ?? 0, late: counts.late ?? 0, missing: (counts.missing ?? 0) + (counts.missing_late ?? 0), total: tracking.length })}</p>
            <Table
              rows={tracking}
              columns={[
                { label: t('documents.commune'), cell: (r) => r.name },
                { label: t('documents.status'), cell: (r) => (r.state === 'late' || r.state === 'missing_late' ? <strong>{t(stateLabel(r.state))}</strong> : t(stateLabel(r.state))) },
                { label: t('documents.submitted_at'), cell: (r) => (r.submittedAt ? formatDateTime(r.submittedAt) : '—') },
                { label: t('documents.report_file'), cell: (r) => (r.fileId ? <a href={`${REPORTS}/${req.id}/nop/${r.unitId}`}>{t('documents.download')}</a> : '') },
              ]}
            />
          </>
        ) : null}
        {mine ? (
          <section aria-labelledby="my-report">
            <h2 id="my-report">{t('documents.my_report')}</h2>
            <p>{mine.submittedAt ? t('documents.my_report_sent', { at: formatDateTime(mine.submittedAt), state: t(stateLabel(mine.state)) }) : t(stateLabel(mine.state))}</p>
            {canSubmit ? (
              <Form ctx={page} action={`${REPORTS}/${req.id}/nop`} label={t('documents.submit_report')} files>
                <FileInput ctx={page} name="file" label={t('documents.report_file')} errors={errors} accept=".docx,.xlsx,application/pdf" required />
                <TextArea ctx={page} name="note" label={t('documents.progress_note')} errors={errors} value="" rows={2} />
                <Button>{t(mine.submittedAt ? 'documents.resubmit_report' : 'documents.submit_report')}</Button>
              </Form>
            ) : null}
          </section>
        ) : null}
      </Layout>,
      status,
    );
  };

  app.get(`${REPORTS}/:id`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    request.access.require('report.read');
    return renderRequest(request, reply, (request.params as { id: string }).id);
  });

  app.post(`${REPORTS}/:id/nop`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const { id } = request.params as { id: string };
    const body = (request.body ?? {}) as Record<string, unknown>;
    const parsed = parseInput(request, submissionInput, { labels: LABELS });
    if (!parsed.ok) return renderRequest(request, reply, id, parsed.errors, 400);
    try {
      await submitReport(ctx, request.access, request.auditContext, id, parsed.data, isUpload(body.file) ? body.file : undefined);
    } catch (err) {
      if (err instanceof AppError && err.fields.length) return renderRequest(request, reply, id, err.fields, 400);
      throw err;
    }
    setFlash(reply, 'documents.flash.report_submitted');
    return reply.redirect(`${REPORTS}/${id}`, 303);
  });

  app.get(`${REPORTS}/:id/mau`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const req = await requestFor(ctx, request.access, (request.params as { id: string }).id);
    if (!req.template_file_id) throw new AppError('not_found', 404, 'error.not_found');
    return sendFile(reply, req.template_file_id, 'mau-bao-cao');
  });

  app.get(`${REPORTS}/:id/nop/:unitId`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const { id, unitId } = request.params as { id: string; unitId: string };
    return sendFile(reply, await submissionFile(ctx, request.access, id, unitId), `bao-cao-${unitId}`);
  });
}
