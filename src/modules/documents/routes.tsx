import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import { AppError, type FieldError } from '../../platform/errors.ts';
import { pageContext, parseInput, sendPage, setFlash, signedIn, formStrings } from '../../platform/http/kernel.ts';
import { formatDate, formatDateTime, localToday, type MessageKey } from '../../platform/i18n/index.ts';
import { Layout } from '../../platform/ui/layout.tsx';
import { Button, Checkbox, ErrorSummary, FileInput, Form, SelectInput, Table, TextArea, TextInput } from '../../platform/ui/components.tsx';
import { isUpload, readStoredFile } from '../../platform/files/files.ts';
import { DOC_TYPES, SECRECY, URGENCIES, docTypeByCode } from './types.ts';
import { incomingFor, incomingInput, incomingRegister, logDocumentUse, registerIncoming, registerUnitFor } from './incoming.ts';
import { FilingBox, filingOf } from './files-routes.tsx';
import { addReader, readerCandidates, readerInput, readersOf, removeReader, removeReaderInput } from './readers.ts';
import { closeHandling, closeInput, delegate, delegateInput, handlersOf, inbox, instruct, instructInput, progressInput, reportProgress } from './handling.ts';
import { yearOf } from '../../platform/http/query.ts';

export const INCOMING = '/van-ban/den';
type Values = Record<string, string>;
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
const HANDLING_LABELS = { account_id: 'documents.reader', confirm: 'documents.reader_remove', lead_id: 'documents.lead', co_ids: 'documents.co', deadline: 'documents.deadline', comment: 'documents.instruction', note: 'documents.progress_note', result_note: 'documents.result', reply_code: 'documents.reply_code' } as const;
const typeLabel = (c: string): MessageKey => `documents.type.${c as (typeof DOC_TYPES)[number]['code']}`;
const urgencyLabel = (u: string): MessageKey => `documents.urgency.${u as (typeof URGENCIES)[number]}`;
const secrecyLabel = (s: string): MessageKey => `documents.secrecy.${s as (typeof SECRECY)[number]}`;

/** The incoming register (sổ văn bản đến) of the actor's commune: list with search, registration, a document's page. */
export function registerDocumentRoutes(app: FastifyInstance, ctx: AppContext) {
  const renderRegister = async (request: FastifyRequest, reply: FastifyReply) => {
    const unit = await registerUnitFor(ctx, request.access, request.actor!.unitId, 'document.read');
    const f = request.query as { q?: string; loai?: string; do_khan?: string; nam?: string };
    const year = yearOf(f.nam);
    const rows = await incomingRegister(ctx, request.actor!.id, unit.id, { year, q: (f.q ?? '').slice(0, 100), type: DOC_TYPES.some((t) => t.code === f.loai) ? f.loai : undefined, urgency: (URGENCIES as readonly string[]).includes(f.do_khan ?? '') ? f.do_khan : undefined });
    const canRegister = await request.access.can('document.register', { unitId: unit.id });
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    return sendPage(
      reply,
      <Layout ctx={page} title={t('documents.incoming_of', { unit: unit.name, year })} shell="admin">
        <h1>{t('documents.incoming_of', { unit: unit.name, year })}</h1>
        <p class="button-row">
          {canRegister ? (
            <a class="button" href={`${INCOMING}/moi`}>
              {t('documents.register_new')}
            </a>
          ) : null}
          <a href={`${INCOMING}/so.xlsx?nam=${year}`}>{t('documents.export_register')}</a>
          <a href={`${INCOMING}/so.pdf?nam=${year}`}>{t('documents.print_register')}</a>
          <a href={`${INCOMING}/theo-doi.xlsx?nam=${year}`}>{t('documents.export_tracker')}</a>
          <a href={`${INCOMING}/theo-doi.pdf?nam=${year}`}>{t('documents.print_tracker')}</a>
        </p>
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
    if (!parsed.ok) return renderNew(request, reply, parsed.errors, formStrings(body), 400);
    let registered: { id: string; number: number };
    try {
      registered = await registerIncoming(ctx, request.access, request.auditContext, request.actor!.unitId, parsed.data, isUpload(body.file) ? body.file : undefined);
    } catch (err) {
      if (err instanceof AppError && err.code === 'duplicate') return renderNew(request, reply, [{ field: '', key: err.messageKey, params: err.params }], formStrings(body), 409, true);
      if (err instanceof AppError && err.fields.length) return renderNew(request, reply, err.fields, formStrings(body), 400);
      throw err;
    }
    setFlash(reply, 'documents.flash.registered');
    return reply.redirect(`${INCOMING}/${registered.id}`, 303);
  });

  app.get(`${INCOMING}/:id`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const doc = await incomingFor(ctx, request.access, request.auditContext, (request.params as { id: string }).id);
    await logDocumentUse(ctx, request.auditContext, doc, 'documents.incoming.view');
    if (doc.status === 'recalled') return renderRecalled(request, reply, doc);
    return renderDocument(request, reply, doc);
  });

  // A copy its issuer recalled: deleted from the register; only the record explaining its arrival number remains.
  const renderRecalled = async (request: FastifyRequest, reply: FastifyReply, doc: Awaited<ReturnType<typeof incomingFor>>) => {
    const event = await ctx.database.db.selectFrom('doc_event').select(['actor_label', 'note', 'at']).where('document_id', '=', doc.id).where('event', '=', 'recalled').executeTakeFirst();
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    return sendPage(
      reply,
      <Layout ctx={page} title={`${doc.code_number}/${doc.code_notation}`} shell="admin">
        <p>
          <a href={INCOMING}>← {t('documents.incoming')}</a>
        </p>
        <h1>
          {t('documents.arrival_number')} {doc.arrival_number}/{doc.year}: {doc.code_number}/{doc.code_notation}
        </h1>
        <p class="notice notice-error">{t('documents.recalled_copy')}</p>
        {event ? (
          <p>
            {t('documents.event.recalled')} — {event.actor_label} ({doc.author_org}), {formatDateTime(event.at)}: {event.note}
          </p>
        ) : null}
      </Layout>,
      410,
    );
  };

  const renderDocument = async (request: FastifyRequest, reply: FastifyReply, doc: Awaited<ReturnType<typeof incomingFor>>, errors: FieldError[] = [], values: Values = {}, form = '', status = 200) => {
    const [assignment, events, handlers] = await Promise.all([
      ctx.database.db
        .selectFrom('doc_assignment as a')
        .innerJoin('auth_account as l', 'l.id', 'a.lead_id')
        .select(['a.id', 'a.lead_id', 'a.instructed_by', 'a.deadline', 'a.comment', 'a.status', 'a.result_note', 'a.reply_code', 'l.display_name as lead'])
        .where('a.document_id', '=', doc.id)
        .executeTakeFirst(),
      ctx.database.db.selectFrom('doc_event').select(['event', 'actor_label', 'note', 'at']).where('document_id', '=', doc.id).orderBy('at').execute(),
      handlersOf(ctx, doc.unit_id),
    ]);
    const co = assignment ? await ctx.database.db.selectFrom('doc_assignee as s').innerJoin('auth_account as a', 'a.id', 's.account_id').select('a.display_name').where('s.assignment_id', '=', assignment.id).where('s.role', '=', 'co').execute() : [];
    const canInstruct = doc.status === 'registered' && (await request.access.can('document.instruct', { unitId: doc.unit_id }));
    const filing = await filingOf(ctx, doc.unit_id, 'incoming', doc.id);
    const canFile = await request.access.can('document.file', { unitId: doc.unit_id });
    const classified = doc.secrecy !== 'normal';
    const canManageReaders = classified && (await request.access.can('document.instruct', { unitId: doc.unit_id }));
    const [readers, candidates] = classified ? await Promise.all([readersOf(ctx, doc.id), canManageReaders ? readerCandidates(ctx, doc.unit_id, doc.id) : []]) : [[], []];
    const handling = assignment?.status === 'open' && (assignment.lead_id === request.actor!.id || assignment.instructed_by === request.actor!.id);
    const errs = (f: string) => (form === f ? errors : []);
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
        {doc.status === 'replaced' ? <p class="notice">{t('documents.replaced_notice', { code: events.find((e) => e.event === 'replaced')?.note ?? '' })}</p> : null}
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
        <ErrorSummary ctx={page} errors={errors} />
        {classified ? (
          <section aria-labelledby="readers">
            <h2 id="readers">{t('documents.readers')}</h2>
            <p class="hint">{t('documents.readers_hint')}</p>
            <Table
              rows={readers}
              columns={[
                { label: t('documents.reader'), cell: (r) => r.display_name },
                { label: t('documents.granted_by'), cell: (r) => `${r.granted_by ?? ''}, ${formatDateTime(r.granted_at)}` },
                ...(canManageReaders
                  ? [
                      {
                        label: t('documents.reader_remove'),
                        cell: (r: (typeof readers)[number]) =>
                          r.account_id === request.actor!.id ? (
                            ''
                          ) : (
                            <Form ctx={page} action={`${INCOMING}/${doc.id}/nguoi-doc/bo`} label={t('documents.reader_remove')}>
                              <input type="hidden" name="account_id" value={r.account_id} />
                              <Checkbox name="confirm" label={t('documents.reader_remove_confirm', { name: r.display_name })} required />
                              <Button kind="danger">{t('documents.reader_remove')}</Button>
                            </Form>
                          ),
                      },
                    ]
                  : []),
              ]}
            />
            {canManageReaders && candidates.length ? (
              <Form ctx={page} action={`${INCOMING}/${doc.id}/nguoi-doc`} label={t('documents.reader_add')}>
                <SelectInput ctx={page} name="account_id" label={t('documents.reader_add')} errors={errs('readers')} options={candidates.map((c) => ({ value: c.id, label: c.display_name }))} placeholder="" required scope="readers" />
                <Button kind="secondary">{t('documents.reader_add')}</Button>
              </Form>
            ) : null}
          </section>
        ) : null}
        {assignment ? (
          <section aria-labelledby="handling">
            <h2 id="handling">{t('documents.handling')}</h2>
            <dl class="facts">
              <dt>{t('documents.lead')}</dt>
              <dd>{assignment.lead}</dd>
              <dt>{t('documents.co')}</dt>
              <dd>{co.map((c) => c.display_name).join(', ') || '—'}</dd>
              <dt>{t('documents.deadline')}</dt>
              <dd>
                {formatDate(assignment.deadline)}
                {assignment.status === 'open' && assignment.deadline < localToday() ? (
                  <>
                    {' '}
                    <strong>{t('documents.overdue')}</strong>
                  </>
                ) : null}
              </dd>
              <dt>{t('documents.instruction')}</dt>
              <dd>{assignment.comment || '—'}</dd>
              {assignment.status === 'done' ? (
                <>
                  <dt>{t('documents.result')}</dt>
                  <dd>{`${assignment.result_note ?? ''}${assignment.reply_code ? ` (${assignment.reply_code})` : ''}`}</dd>
                </>
              ) : null}
            </dl>
          </section>
        ) : null}
        {canInstruct ? (
          <Form ctx={page} action={`${INCOMING}/${doc.id}/chi-dao`} label={t('documents.instruct')}>
            <fieldset>
              <legend>{t('documents.instruct')}</legend>
              <SelectInput ctx={page} name="lead_id" label={t('documents.lead')} errors={errs('instruct')} value={values.lead_id} options={handlers.map((h) => ({ value: h.id, label: h.display_name }))} placeholder="" required />
              <fieldset>
                <legend>{t('documents.co')}</legend>
                {handlers.map((h) => (
                  <Checkbox name="co_ids" value={h.id} label={h.display_name} />
                ))}
              </fieldset>
              <TextInput ctx={page} name="deadline" type="date" label={t('documents.deadline')} errors={errs('instruct')} value={values.deadline ?? doc.due_date ?? ''} required />
              <TextArea ctx={page} name="comment" label={t('documents.instruction')} errors={errs('instruct')} value={values.comment} rows={2} />
              <Button>{t('documents.instruct')}</Button>
            </fieldset>
          </Form>
        ) : null}
        {handling ? (
          <>
            <Form ctx={page} action={`${INCOMING}/${doc.id}/tien-do`} label={t('documents.report_progress')}>
              <fieldset>
                <legend>{t('documents.report_progress')}</legend>
                <TextArea ctx={page} scope="progress" name="note" label={t('documents.progress_note')} errors={errs('progress')} value={form === 'progress' ? values.note : ''} rows={2} required />
                <Button kind="secondary">{t('documents.report_progress')}</Button>
              </fieldset>
            </Form>
            <Form ctx={page} action={`${INCOMING}/${doc.id}/chuyen-xu-ly`} label={t('documents.delegate')}>
              <fieldset>
                <legend>{t('documents.delegate')}</legend>
                <SelectInput ctx={page} scope="delegate" name="lead_id" label={t('documents.new_lead')} errors={errs('delegate')} value="" options={handlers.filter((h) => h.id !== assignment.lead_id).map((h) => ({ value: h.id, label: h.display_name }))} placeholder="" required />
                <TextArea ctx={page} scope="delegate" name="note" label={t('documents.progress_note')} errors={errs('delegate')} value="" rows={2} />
                <Button kind="secondary">{t('documents.delegate')}</Button>
              </fieldset>
            </Form>
            <Form ctx={page} action={`${INCOMING}/${doc.id}/hoan-thanh`} label={t('documents.close')}>
              <fieldset>
                <legend>{t('documents.close')}</legend>
                <TextArea ctx={page} name="result_note" label={t('documents.result')} errors={errs('close')} value={form === 'close' ? values.result_note : ''} rows={2} required />
                <TextInput ctx={page} name="reply_code" label={t('documents.reply_code')} hint={t('documents.reply_code_hint')} errors={errs('close')} value={form === 'close' ? values.reply_code : ''} />
                <Button>{t('documents.close')}</Button>
              </fieldset>
            </Form>
          </>
        ) : null}
        <FilingBox page={page} filing={filing} canFile={canFile} />
        {events.length ? (
          <>
            <h2>{t('documents.history')}</h2>
            <Table
              rows={events}
              columns={[
                { label: t('documents.history_at'), cell: (e) => formatDateTime(e.at) },
                { label: t('documents.history_event'), cell: (e) => t(`documents.event.${e.event as 'instructed'}`) },
                { label: t('documents.history_by'), cell: (e) => e.actor_label },
                { label: t('documents.progress_note'), cell: (e) => e.note ?? '' },
              ]}
            />
          </>
        ) : null}
      </Layout>,
      status,
    );
  };

  /** A step of handling: parse, run, back to the document; a bad value shows it again, nothing saved. */
  const step = <S extends z.ZodType>(suffix: string, schema: S, form: string, run: (request: FastifyRequest, id: string, data: z.output<S>) => Promise<unknown>, flash: MessageKey) =>
    app.post(`${INCOMING}/:id/${suffix}`, async (request, reply) => {
      if (!signedIn(request, reply, 'official')) return reply;
      const { id } = request.params as { id: string };
      const again = async (errors: FieldError[], status: number) => renderDocument(request, reply, await incomingFor(ctx, request.access, request.auditContext, id), errors, formStrings(request.body), form, status);
      const parsed = parseInput(request, schema, { labels: HANDLING_LABELS });
      if (!parsed.ok) return again(parsed.errors, 400);
      try {
        await run(request, id, parsed.data);
      } catch (err) {
        if (err instanceof AppError && err.fields.length) return again(err.fields, 400);
        if (err instanceof AppError && err.status === 409) return again([{ field: '', key: err.messageKey }], 409);
        throw err;
      }
      setFlash(reply, flash);
      return reply.redirect(`${INCOMING}/${id}`, 303);
    });
  step('chi-dao', instructInput, 'instruct', (r, id, d) => instruct(ctx, r.access, r.auditContext, id, d), 'documents.flash.instructed');
  step('tien-do', progressInput, 'progress', (r, id, d) => reportProgress(ctx, r.access, r.auditContext, id, d.note), 'documents.flash.progress');
  step('chuyen-xu-ly', delegateInput, 'delegate', (r, id, d) => delegate(ctx, r.access, r.auditContext, id, d), 'documents.flash.delegated');
  step('hoan-thanh', closeInput, 'close', (r, id, d) => closeHandling(ctx, r.access, r.auditContext, id, d), 'documents.flash.done');
  step('nguoi-doc', readerInput, 'readers', (r, id, d) => addReader(ctx, r.access, r.auditContext, id, d.account_id), 'documents.flash.reader_added');
  step('nguoi-doc/bo', removeReaderInput, 'readers', (r, id, d) => removeReader(ctx, r.access, r.auditContext, id, d.account_id), 'documents.flash.reader_removed');

  app.get('/van-ban/viec-cua-toi', async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const unit = await registerUnitFor(ctx, request.access, request.actor!.unitId, 'document.read');
    const desk = await inbox(ctx, request.access, unit.id);
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    const today = localToday();
    type Row = (typeof desk.lead)[number];
    const table = (rows: Row[]) => (
      <Table
        rows={rows}
        columns={[
          { label: t('documents.number_symbol'), cell: (d: Row) => <a href={`${INCOMING}/${d.id}`}>{`${d.code_number}/${d.code_notation}`}</a> },
          { label: t('documents.subject'), cell: (d: Row) => d.subject },
          { label: t('documents.lead'), cell: (d: Row) => d.lead },
          { label: t('documents.deadline'), cell: (d: Row) => (d.deadline < today ? <strong>{`${formatDate(d.deadline)} — ${t('documents.overdue')}`}</strong> : formatDate(d.deadline)) },
        ]}
      />
    );
    const overdue = desk.lead.filter((d) => d.deadline < today);
    return sendPage(
      reply,
      <Layout ctx={page} title={t('documents.desk')} shell="admin">
        <h1>{t('documents.desk')}</h1>
        <p>{t('documents.desk_summary', { lead: desk.lead.length, overdue: overdue.length, co: desk.co.length, waiting: desk.waiting.length })}</p>
        {desk.toInstruct.length ? (
          <>
            <h2>{t('documents.to_instruct')}</h2>
            <Table
              rows={desk.toInstruct}
              columns={[
                { label: t('documents.number_symbol'), cell: (d) => <a href={`${INCOMING}/${d.id}`}>{`${d.code_number}/${d.code_notation}`}</a> },
                { label: t('documents.author_org'), cell: (d) => d.author_org },
                { label: t('documents.subject'), cell: (d) => d.subject },
                { label: t('documents.arrival_date'), cell: (d) => formatDate(d.arrival_date) },
              ]}
            />
          </>
        ) : null}
        <h2>{t('documents.my_lead')}</h2>
        {desk.lead.length ? table(desk.lead) : <p>{t('documents.none')}</p>}
        <h2>{t('documents.my_co')}</h2>
        {desk.co.length ? table(desk.co) : <p>{t('documents.none')}</p>}
        <h2>{t('documents.waiting_others')}</h2>
        {desk.waiting.length ? table(desk.waiting) : <p>{t('documents.none')}</p>}
      </Layout>,
    );
  });

  app.get(`${INCOMING}/:id/van-ban.pdf`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const doc = await incomingFor(ctx, request.access, request.auditContext, (request.params as { id: string }).id);
    if (doc.status === 'recalled') throw new AppError('gone', 410, 'documents.recalled_copy');
    const file = await readStoredFile(ctx, doc.file_id);
    if (!file) throw new AppError('not_found', 404, 'error.not_found');
    await logDocumentUse(ctx, request.auditContext, doc, 'documents.incoming.download');
    return reply.type('application/pdf').header('cache-control', 'private, no-store').header('content-disposition', `inline; filename="van-ban-den-${doc.year}-${doc.arrival_number}.pdf"`).send(file.data);
  });
}
