import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { AppError, type FieldError } from '../../platform/errors.ts';
import { pageContext, parseInput, sendPage, setFlash, signedIn } from '../../platform/http/kernel.ts';
import { formatDate, localToday, type MessageKey } from '../../platform/i18n/index.ts';
import { Layout } from '../../platform/ui/layout.tsx';
import { Button, Checkbox, ErrorSummary, FileInput, Form, SelectInput, Table, TextArea, TextInput } from '../../platform/ui/components.tsx';
import { isUpload, readStoredFile } from '../../platform/files/files.ts';
import { DOC_TYPES, SECRECY, URGENCIES, docTypeByCode } from './types.ts';
import { incomingFor, incomingInput, incomingRegister, logDocumentUse, registerIncoming, registerUnitFor } from './incoming.ts';

export const INCOMING = '/van-ban/den';
type Values = Record<string, string>;
const kept = (body: unknown): Values => Object.fromEntries(Object.entries((body ?? {}) as Record<string, unknown>).filter(([, v]) => typeof v === 'string')) as Values;
const LABELS = {
  author_org: 'documents.author_org',
  code_number: 'documents.code_number',
  code_notation: 'documents.code_notation',
  issued_date: 'documents.issued_date',
  type_code: 'documents.type',
  subject: 'documents.subject',
  urgency: 'documents.urgency',
  secrecy: 'documents.secrecy',
  due_date: 'documents.due_date',
  file: 'documents.file',
} as const;
const typeLabel = (c: string): MessageKey => `documents.type.${c as (typeof DOC_TYPES)[number]['code']}`;
const urgencyLabel = (u: string): MessageKey => `documents.urgency.${u as (typeof URGENCIES)[number]}`;
const secrecyLabel = (s: string): MessageKey => `documents.secrecy.${s as (typeof SECRECY)[number]}`;

/** The incoming register (sổ văn bản đến) of the actor's commune: list with search, registration, a document's page. */
export function registerDocumentRoutes(app: FastifyInstance, ctx: AppContext) {
  const renderRegister = async (request: FastifyRequest, reply: FastifyReply) => {
    const unit = await registerUnitFor(ctx, request.access, request.actor!.unitId, 'document.read');
    const f = request.query as { q?: string; loai?: string; do_khan?: string; nam?: string };
    const year = Number(f.nam) >= 2000 && Number(f.nam) <= 2100 ? Number(f.nam) : Number(localToday().slice(0, 4));
    const rows = await incomingRegister(ctx, request.actor!.id, unit.id, { year, q: (f.q ?? '').slice(0, 100), type: DOC_TYPES.some((t) => t.code === f.loai) ? f.loai : undefined, urgency: (URGENCIES as readonly string[]).includes(f.do_khan ?? '') ? f.do_khan : undefined });
    const canRegister = await request.access.can('document.register', { unitId: unit.id });
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    return sendPage(
      reply,
      <Layout ctx={page} title={t('documents.incoming_of', { unit: unit.name, year })} shell="admin">
        <h1>{t('documents.incoming_of', { unit: unit.name, year })}</h1>
        {canRegister ? (
          <p>
            <a class="button" href={`${INCOMING}/moi`}>
              {t('documents.register_new')}
            </a>
          </p>
        ) : null}
        <form method="get" action={INCOMING} class="filter-form" role="search">
          <TextInput ctx={page} name="q" type="search" label={t('documents.search')} value={f.q ?? ''} />
          <SelectInput ctx={page} name="loai" label={t('documents.type')} value={f.loai ?? ''} options={DOC_TYPES.map((d) => ({ value: d.code, label: t(typeLabel(d.code)) }))} placeholder={t('documents.all')} />
          <SelectInput ctx={page} name="do_khan" label={t('documents.urgency')} value={f.do_khan ?? ''} options={URGENCIES.map((u) => ({ value: u, label: t(urgencyLabel(u)) }))} placeholder={t('documents.all')} />
          <TextInput ctx={page} name="nam" type="number" inputmode="numeric" label={t('documents.year')} value={String(year)} />
          <Button kind="secondary">{t('documents.filter')}</Button>
        </form>
        {rows.length ? (
          <Table
            rows={rows}
            columns={[
              { label: t('documents.arrival_number'), cell: (d) => <a href={`${INCOMING}/${d.id}`}>{String(d.arrival_number)}</a> },
              { label: t('documents.arrival_date'), cell: (d) => formatDate(d.arrival_date) },
              { label: t('documents.author_org'), cell: (d) => d.author_org },
              { label: t('documents.number_symbol'), cell: (d) => `${d.code_number}/${d.code_notation}` },
              { label: t('documents.issued_date'), cell: (d) => formatDate(d.issued_date) },
              { label: t('documents.type_subject'), cell: (d) => `${t(typeLabel(d.type_code))}: ${d.subject}` },
              { label: t('documents.urgency'), cell: (d) => (d.urgency === 'normal' ? '' : <strong>{t(urgencyLabel(d.urgency))}</strong>) },
              { label: t('documents.due_date'), cell: (d) => (d.due_date ? formatDate(d.due_date) : '') },
            ]}
          />
        ) : (
          <p>{t('documents.none')}</p>
        )}
      </Layout>,
    );
  };

  const renderNew = async (request: FastifyRequest, reply: FastifyReply, errors: FieldError[] = [], values: Values = {}, status = 200, duplicate = false) => {
    const unit = await registerUnitFor(ctx, request.access, request.actor!.unitId, 'document.register');
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    return sendPage(
      reply,
      <Layout ctx={page} title={t('documents.register_new')} shell="admin">
        <p>
          <a href={INCOMING}>← {t('documents.incoming_of', { unit: unit.name, year: Number(localToday().slice(0, 4)) })}</a>
        </p>
        <h1>{t('documents.register_new')}</h1>
        <ErrorSummary ctx={page} errors={errors} />
        <Form ctx={page} action={INCOMING} label={t('documents.register_new')} files>
          <TextInput ctx={page} name="author_org" label={t('documents.author_org')} hint={t('documents.author_org_hint')} errors={errors} value={values.author_org} required />
          <TextInput ctx={page} name="code_number" label={t('documents.code_number')} errors={errors} value={values.code_number} required />
          <TextInput ctx={page} name="code_notation" label={t('documents.code_notation')} hint={t('documents.code_notation_hint')} errors={errors} value={values.code_notation} required />
          <TextInput ctx={page} name="issued_date" type="date" label={t('documents.issued_date')} errors={errors} value={values.issued_date} required />
          <SelectInput ctx={page} name="type_code" label={t('documents.type')} errors={errors} value={values.type_code} options={DOC_TYPES.map((d) => ({ value: d.code, label: `${t(typeLabel(d.code))}${d.abbreviation ? ` (${d.abbreviation})` : ''}` }))} placeholder="" required />
          <TextArea ctx={page} name="subject" label={t('documents.subject')} errors={errors} value={values.subject} rows={3} required />
          <SelectInput ctx={page} name="urgency" label={t('documents.urgency')} errors={errors} value={values.urgency ?? 'normal'} options={URGENCIES.map((u) => ({ value: u, label: t(urgencyLabel(u)) }))} required />
          <SelectInput ctx={page} name="secrecy" label={t('documents.secrecy')} hint={t('documents.secrecy_hint')} errors={errors} value={values.secrecy ?? 'normal'} options={SECRECY.map((s) => ({ value: s, label: t(secrecyLabel(s)) }))} required />
          <TextInput ctx={page} name="due_date" type="date" label={t('documents.due_date')} hint={t('documents.due_date_hint')} errors={errors} value={values.due_date} />
          <FileInput ctx={page} name="file" label={t('documents.file')} errors={errors} accept="application/pdf" required />
          {duplicate ? <Checkbox name="confirm_duplicate" label={t('documents.confirm_duplicate')} /> : null}
          <Button>{t('documents.register')}</Button>
        </Form>
      </Layout>,
      status,
    );
  };

  app.get(INCOMING, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    return renderRegister(request, reply);
  });

  app.get(`${INCOMING}/moi`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    return renderNew(request, reply);
  });

  app.post(INCOMING, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const body = (request.body ?? {}) as Record<string, unknown>;
    const parsed = parseInput(request, incomingInput, { labels: LABELS });
    if (!parsed.ok) return renderNew(request, reply, parsed.errors, kept(body), 400);
    let registered: { id: string; number: number };
    try {
      registered = await registerIncoming(ctx, request.access, request.auditContext, request.actor!.unitId, parsed.data, isUpload(body.file) ? body.file : undefined);
    } catch (err) {
      if (err instanceof AppError && err.code === 'duplicate') return renderNew(request, reply, [{ field: '', key: err.messageKey, params: err.params }], kept(body), 409, true);
      if (err instanceof AppError && err.fields.length) return renderNew(request, reply, err.fields, kept(body), 400);
      throw err;
    }
    setFlash(reply, 'documents.flash.registered');
    return reply.redirect(`${INCOMING}/${registered.id}`, 303);
  });

  app.get(`${INCOMING}/:id`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const doc = await incomingFor(ctx, request.access, request.auditContext, (request.params as { id: string }).id);
    await logDocumentUse(ctx, request.auditContext, doc, 'documents.incoming.view');
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    const type = docTypeByCode(doc.type_code);
    const facts: [MessageKey, string][] = [
      ['documents.arrival_number', `${doc.arrival_number}/${doc.year}`],
      ['documents.arrival_date', formatDate(doc.arrival_date)],
      ['documents.author_org', doc.author_org],
      ['documents.number_symbol', `${doc.code_number}/${doc.code_notation}`],
      ['documents.issued_date', formatDate(doc.issued_date)],
      ['documents.type', type ? t(typeLabel(type.code)) : doc.type_code],
      ['documents.urgency', t(urgencyLabel(doc.urgency))],
      ['documents.secrecy', t(secrecyLabel(doc.secrecy))],
      ['documents.due_date', doc.due_date ? formatDate(doc.due_date) : '—'],
    ];
    return sendPage(
      reply,
      <Layout ctx={page} title={`${doc.code_number}/${doc.code_notation}`} shell="admin">
        <p>
          <a href={INCOMING}>← {t('documents.incoming')}</a>
        </p>
        <h1>{doc.subject}</h1>
        <dl class="facts">
          {facts.map(([k, v]) => (
            <>
              <dt>{t(k)}</dt>
              <dd>{v}</dd>
            </>
          ))}
        </dl>
        <p>
          <a class="button" href={`${INCOMING}/${doc.id}/van-ban.pdf`}>
            {t('documents.open_pdf')}
          </a>
        </p>
      </Layout>,
    );
  });

  app.get(`${INCOMING}/:id/van-ban.pdf`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const doc = await incomingFor(ctx, request.access, request.auditContext, (request.params as { id: string }).id);
    const file = await readStoredFile(ctx, doc.file_id);
    if (!file) throw new AppError('not_found', 404, 'error.not_found');
    await logDocumentUse(ctx, request.auditContext, doc, 'documents.incoming.download');
    return reply.type('application/pdf').header('cache-control', 'private, no-store').header('content-disposition', `inline; filename="van-ban-den-${doc.year}-${doc.arrival_number}.pdf"`).send(file.data);
  });
}
