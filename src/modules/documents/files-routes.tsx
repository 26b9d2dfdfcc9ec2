import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { AppError, type FieldError } from '../../platform/errors.ts';
import { pageContext, parseInput, sendPage, setFlash, signedIn, formStrings } from '../../platform/http/kernel.ts';
import { formatDate, localToday } from '../../platform/i18n/index.ts';
import { writeAudit } from '../../platform/audit/audit.ts';
import { Layout } from '../../platform/ui/layout.tsx';
import { Button, ErrorSummary, Form, SelectInput, Table, TextInput } from '../../platform/ui/components.tsx';
import type { PageContext } from '../../platform/ui/context.ts';
import { registerUnitFor, incomingFor } from './incoming.ts';
import { outgoingFor } from './outgoing.ts';
import { createFile, fileDocument, fileEntries, fileFor, fileInput, fileItemInput, filePdf, filesOf, fileXml } from './files.ts';
import { yearOf } from '../../platform/http/query.ts';

export const FILES = '/van-ban/ho-so';

/** What a document's page shows of filing: the unit's files of the year, and where the document already is. */
export async function filingOf(ctx: AppContext, unitId: string, kind: 'incoming' | 'outgoing', documentId: string) {
  const [files, filed] = await Promise.all([
    filesOf(ctx, unitId, Number(localToday().slice(0, 4))),
    ctx.database.db.selectFrom('doc_file_item as i').innerJoin('doc_file as f', 'f.id', 'i.file_id').select(['f.id', 'f.code', 'f.year', 'f.title']).where('i.document_kind', '=', kind).where('i.document_id', '=', documentId).execute(),
  ]);
  return { files, filed, kind, documentId };
}

/** On a document's page: where it is filed, and a form to file it into one of the unit's files of the year. */
export function FilingBox({ page, filing, canFile }: { page: PageContext; filing: Awaited<ReturnType<typeof filingOf>>; canFile: boolean }) {
  const { t } = page;
  return (
    <section aria-labelledby="filing">
      <h2 id="filing">{t('documents.filed_in')}</h2>
      <p>{filing.filed.length ? filing.filed.map((f) => `${f.code}/${f.year} — ${f.title}`).join('; ') : t('documents.not_filed')}</p>
      {canFile && filing.files.length ? (
        <Form ctx={page} action={`/van-ban/${filing.kind === 'incoming' ? 'den' : 'di'}/${filing.documentId}/ho-so`} label={t('documents.file_into')}>
          <SelectInput ctx={page} scope="filing" name="file_id" label={t('documents.file_into')} options={filing.files.map((f) => ({ value: f.id, label: `${f.code} — ${f.title}` }))} placeholder="" required />
          <Button kind="secondary">{t('documents.file_into')}</Button>
        </Form>
      ) : null}
    </section>
  );
}

type Values = Record<string, string>;
const LABELS = { year: 'documents.year', code: 'documents.file_code', title: 'documents.file_title', keeper: 'documents.file_keeper', retention: 'documents.file_retention', file_id: 'documents.file_select' } as const;

/** The file plan (danh mục hồ sơ) of the year, a file's documents in date order, its exports; filing a document. */
export function registerFileRoutes(app: FastifyInstance, ctx: AppContext) {
  const renderList = async (request: FastifyRequest, reply: FastifyReply, errors: FieldError[] = [], values: Values = {}, status = 200) => {
    const unit = await registerUnitFor(ctx, request.access, request.actor!.unitId, 'document.read');
    const year = yearOf((request.query as { nam?: string }).nam);
    const files = await filesOf(ctx, unit.id, year);
    const canFile = await request.access.can('document.file', { unitId: unit.id });
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    return sendPage(
      reply,
      <Layout ctx={page} title={t('documents.files_of', { unit: unit.name, year })} shell="admin">
        <h1>{t('documents.files_of', { unit: unit.name, year })}</h1>
        <ErrorSummary ctx={page} errors={errors} />
        {files.length ? (
          <Table
            rows={files}
            columns={[
              { label: t('documents.file_code'), cell: (f) => <a href={`${FILES}/${f.id}`}>{f.code}</a> },
              { label: t('documents.file_title'), cell: (f) => f.title },
              { label: t('documents.file_keeper'), cell: (f) => f.keeper },
              { label: t('documents.file_retention'), cell: (f) => f.retention },
              { label: t('documents.file_count'), cell: (f) => String(Number(f.documents)) },
            ]}
          />
        ) : (
          <p>{t('documents.no_files')}</p>
        )}
        {canFile ? (
          <Form ctx={page} action={FILES} label={t('documents.new_file')}>
            <fieldset>
              <legend>{t('documents.new_file')}</legend>
              <TextInput ctx={page} name="year" type="number" inputmode="numeric" label={t('documents.year')} errors={errors} value={values.year ?? String(year)} required />
              <TextInput ctx={page} name="code" label={t('documents.file_code')} hint={t('documents.file_code_hint')} errors={errors} value={values.code} required />
              <TextInput ctx={page} name="title" label={t('documents.file_title')} errors={errors} value={values.title} required />
              <TextInput ctx={page} name="keeper" label={t('documents.file_keeper')} errors={errors} value={values.keeper} required />
              <TextInput ctx={page} name="retention" label={t('documents.file_retention')} hint={t('documents.file_retention_hint')} errors={errors} value={values.retention} required />
              <Button>{t('documents.new_file')}</Button>
            </fieldset>
          </Form>
        ) : null}
      </Layout>,
      status,
    );
  };

  app.get(FILES, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    return renderList(request, reply);
  });

  app.post(FILES, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const parsed = parseInput(request, fileInput, { labels: LABELS });
    if (!parsed.ok) return renderList(request, reply, parsed.errors, formStrings(request.body), 400);
    try {
      await createFile(ctx, request.access, request.auditContext, request.actor!.unitId, parsed.data);
    } catch (err) {
      if (err instanceof AppError && err.fields.length) return renderList(request, reply, err.fields, formStrings(request.body), 409);
      throw err;
    }
    setFlash(reply, 'documents.flash.file_created');
    return reply.redirect(`${FILES}?nam=${parsed.data.year}`, 303);
  });

  app.get(`${FILES}/:id`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const file = await fileFor(ctx, request.access, (request.params as { id: string }).id);
    const entries = await fileEntries(ctx, request.actor!.id, file.id);
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    return sendPage(
      reply,
      <Layout ctx={page} title={`${file.code} — ${file.title}`} shell="admin">
        <p>
          <a href={`${FILES}?nam=${file.year}`}>← {t('documents.files')}</a>
        </p>
        <h1>{`${file.code}/${file.year} — ${file.title}`}</h1>
        <p>{t('documents.file_meta', { keeper: file.keeper, retention: file.retention, count: entries.length })}</p>
        <p class="button-row">
          <a href={`${FILES}/${file.id}/ho-so.pdf`}>{t('documents.export_pdf')}</a>
          <a href={`${FILES}/${file.id}/ho-so.xml`}>{t('documents.export_xml')}</a>
        </p>
        {entries.length ? (
          <Table
            rows={entries}
            columns={[
              { label: '#', cell: (e) => String(entries.indexOf(e) + 1) },
              { label: t('documents.number_symbol'), cell: (e) => <a href={`/van-ban/${e.kind === 'incoming' ? 'den' : 'di'}/${e.id}`}>{`${e.codeNumber}/${e.codeNotation}`}</a> },
              { label: t('documents.issued_date'), cell: (e) => formatDate(e.date) },
              { label: t('documents.author_org'), cell: (e) => e.organName },
              { label: t('documents.subject'), cell: (e) => e.subject },
            ]}
          />
        ) : (
          <p>{t('documents.none')}</p>
        )}
      </Layout>,
    );
  });

  for (const format of ['xml', 'pdf'] as const) {
    app.get(`${FILES}/:id/ho-so.${format}`, async (request, reply) => {
      if (!signedIn(request, reply, 'official')) return reply;
      const file = await fileFor(ctx, request.access, (request.params as { id: string }).id);
      const [entries, unit] = await Promise.all([fileEntries(ctx, request.actor!.id, file.id), ctx.database.db.selectFrom('unit').select('name').where('id', '=', file.unit_id).executeTakeFirstOrThrow()]);
      await ctx.database.db.transaction().execute((trx) => writeAudit(ctx.database, trx, request.auditContext, { action: 'documents.file.export', entity: 'doc_file', entityId: file.id, unitId: file.unit_id, detail: { format, documents: entries.length } }));
      const name = `ho-so-${file.year}-${file.code.replace(/[^0-9A-Za-z.-]/g, '_')}.${format}`;
      const data = format === 'xml' ? fileXml(file, unit.name, entries) : await filePdf(file, unit.name, entries);
      return reply
        .type(format === 'xml' ? 'application/xml; charset=utf-8' : 'application/pdf')
        .header('cache-control', 'private, no-store')
        .header('content-disposition', `attachment; filename="${name}"`)
        .send(data);
    });
  }

  for (const kind of ['incoming', 'outgoing'] as const) {
    app.post(`/van-ban/${kind === 'incoming' ? 'den' : 'di'}/:id/ho-so`, async (request, reply) => {
      if (!signedIn(request, reply, 'official')) return reply;
      const { id } = request.params as { id: string };
      const document = kind === 'incoming' ? await incomingFor(ctx, request.access, request.auditContext, id) : await outgoingFor(ctx, request.access, id, 'document.read');
      const parsed = parseInput(request, fileItemInput, { labels: LABELS });
      if (!parsed.ok) throw new AppError('invalid_input', 400, 'error.invalid_input', {}, parsed.errors);
      await fileDocument(ctx, request.access, request.auditContext, kind, document, parsed.data.file_id);
      setFlash(reply, 'documents.flash.filed');
      return reply.redirect(`/van-ban/${kind === 'incoming' ? 'den' : 'di'}/${id}`, 303);
    });
  }
}
