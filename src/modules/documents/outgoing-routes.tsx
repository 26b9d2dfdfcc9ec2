import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { AppError, type FieldError } from '../../platform/errors.ts';
import { pageContext, parseInput, sendPage, setFlash, signedIn, formStrings } from '../../platform/http/kernel.ts';
import { formatDate, formatDateTime, type MessageKey } from '../../platform/i18n/index.ts';
import { Layout } from '../../platform/ui/layout.tsx';
import { Button, Checkbox, ErrorSummary, FileInput, Form, SelectInput, Table, TextArea, TextInput } from '../../platform/ui/components.tsx';
import { isUpload, readStoredFile } from '../../platform/files/files.ts';
import { DOC_TYPES, SECRECY, URGENCIES } from './types.ts';
import { registerUnitFor } from './incoming.ts';
import { FilingBox, filingOf } from './files-routes.tsx';
import { commentDraft, draftOutgoing, issueOutgoing, outgoingFor, outgoingInput, outgoingList, recallInput, recallOutgoing, replaceable, reviseDraft, signOutgoing } from './outgoing.ts';
import { verifyPdfSignature } from '../../platform/pdf/sign.ts';
import { SIGNATURE_RULES } from './signature-rules.ts';
import { writeAudit } from '../../platform/audit/audit.ts';
import { z } from 'zod';

export const OUTGOING = '/van-ban/di';
type Values = Record<string, string>;
const LABELS = {
  type_code: 'documents.type',
  subject: 'documents.subject',
  drafting_dept: 'documents.drafting_dept',
  urgency: 'documents.urgency',
  secrecy: 'documents.secrecy',
  signer_id: 'documents.signer',
  recipient_units: 'documents.recipient_units',
  outside_recipients: 'documents.outside_recipients',
  file: 'documents.draft_file',
  replaces_id: 'documents.replaces',
  note: 'documents.comment',
  reason: 'documents.recall_reason',
  confirm: 'documents.recall',
} as const;
const typeLabel = (c: string): MessageKey => `documents.type.${c as (typeof DOC_TYPES)[number]['code']}`;
const statusLabel = (s: string): MessageKey => `documents.out_status.${s as 'draft'}`;

/** The outgoing side: drafts, signing with the system's number, issue to the platform's units and outside recipients. */
export function registerOutgoingRoutes(app: FastifyInstance, ctx: AppContext) {
  const { db } = ctx.database;

  app.get(OUTGOING, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const unit = await registerUnitFor(ctx, request.access, request.actor!.unitId, 'document.read');
    const clerk = await request.access.can('document.issue', { unitId: unit.id });
    const rows = await outgoingList(ctx, request.actor!.id, unit.id, clerk);
    const canDraft = await request.access.can('document.draft', { unitId: unit.id });
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    return sendPage(
      reply,
      <Layout ctx={page} title={t('documents.outgoing_of', { unit: unit.name })} shell="admin">
        <h1>{t('documents.outgoing_of', { unit: unit.name })}</h1>
        <p class="button-row">
          {canDraft ? (
            <a class="button" href={`${OUTGOING}/moi`}>
              {t('documents.new_draft')}
            </a>
          ) : null}
          <a href={`${OUTGOING}/so.xlsx`}>{t('documents.export_register')}</a>
          <a href={`${OUTGOING}/so.pdf`}>{t('documents.print_register')}</a>
        </p>
        {rows.length ? (
          <Table
            rows={rows}
            columns={[
              { label: t('documents.number_symbol'), cell: (d) => <a href={`${OUTGOING}/${d.id}`}>{d.code ?? t('documents.not_numbered')}</a> },
              { label: t('documents.signed_date'), cell: (d) => (d.signed_date ? formatDate(d.signed_date) : '—') },
              { label: t('documents.type_subject'), cell: (d) => `${t(typeLabel(d.type_code))}: ${d.subject}` },
              { label: t('documents.status'), cell: (d) => t(statusLabel(d.status)) },
              { label: t('documents.updated_at'), cell: (d) => formatDateTime(d.updated_at) },
            ]}
          />
        ) : (
          <p>{t('documents.none')}</p>
        )}
      </Layout>,
    );
  });

  const renderNew = async (request: FastifyRequest, reply: FastifyReply, errors: FieldError[] = [], values: Values = {}, chosen: string[] = [], status = 200) => {
    const unit = await registerUnitFor(ctx, request.access, request.actor!.unitId, 'document.draft');
    const [signers, communes, replaceableDocs] = await Promise.all([
      db.selectFrom('auth_role_grant as g').innerJoin('auth_account as a', 'a.id', 'g.account_id').select(['a.id', 'a.display_name']).where('g.unit_id', '=', unit.id).where('g.role', '=', 'commune_leader').execute(),
      db.selectFrom('unit').select(['id', 'name']).where('level', 'in', ['commune', 'province']).where('valid_to', 'is', null).where('id', '!=', unit.id).orderBy('level', 'desc').orderBy('name').execute(),
      replaceable(ctx, unit.id),
    ]);
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    return sendPage(
      reply,
      <Layout ctx={page} title={t('documents.new_draft')} shell="admin">
        <p>
          <a href={OUTGOING}>← {t('documents.outgoing_of', { unit: unit.name })}</a>
        </p>
        <h1>{t('documents.new_draft')}</h1>
        <ErrorSummary ctx={page} errors={errors} />
        <Form ctx={page} action={OUTGOING} label={t('documents.new_draft')} files>
          <SelectInput ctx={page} name="type_code" label={t('documents.type')} errors={errors} value={values.type_code} options={DOC_TYPES.map((d) => ({ value: d.code, label: `${t(typeLabel(d.code))}${d.abbreviation ? ` (${d.abbreviation})` : ''}` }))} placeholder="" required />
          <TextArea ctx={page} name="subject" label={t('documents.subject')} errors={errors} value={values.subject} rows={3} required />
          <TextInput ctx={page} name="drafting_dept" label={t('documents.drafting_dept')} hint={t('documents.drafting_dept_hint')} errors={errors} value={values.drafting_dept} />
          <SelectInput ctx={page} name="urgency" label={t('documents.urgency')} errors={errors} value={values.urgency ?? 'normal'} options={URGENCIES.map((u) => ({ value: u, label: t(`documents.urgency.${u}`) }))} required />
          <SelectInput ctx={page} name="secrecy" label={t('documents.secrecy')} errors={errors} value={values.secrecy ?? 'normal'} options={SECRECY.map((s) => ({ value: s, label: t(`documents.secrecy.${s}`) }))} required />
          <SelectInput ctx={page} name="signer_id" label={t('documents.signer')} errors={errors} value={values.signer_id} options={signers.map((s) => ({ value: s.id, label: s.display_name }))} placeholder="" required />
          <fieldset>
            <legend>{t('documents.recipient_units')}</legend>
            {communes.map((c) => (
              <Checkbox name="recipient_units" label={c.name} value={c.id} checked={chosen.includes(c.id)} />
            ))}
          </fieldset>
          <TextArea ctx={page} name="outside_recipients" label={t('documents.outside_recipients')} hint={t('documents.outside_recipients_hint')} errors={errors} value={values.outside_recipients} rows={3} />
          <SelectInput ctx={page} name="replaces_id" label={t('documents.replaces')} hint={t('documents.replaces_hint')} errors={errors} value={values.replaces_id ?? ''} options={replaceableDocs.map((d) => ({ value: d.id, label: `${d.code ?? ''} — ${d.subject}` }))} placeholder={t('documents.none_option')} />
          <FileInput ctx={page} name="file" label={t('documents.draft_file')} errors={errors} accept=".docx,application/pdf" required />
          <Button>{t('documents.save_draft')}</Button>
        </Form>
      </Layout>,
      status,
    );
  };

  app.get(`${OUTGOING}/moi`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    return renderNew(request, reply);
  });

  app.post(OUTGOING, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const body = (request.body ?? {}) as Record<string, unknown>;
    const chosen = ([] as unknown[]).concat(body.recipient_units ?? []).filter((v): v is string => typeof v === 'string');
    const parsed = parseInput(request, outgoingInput, { labels: LABELS });
    if (!parsed.ok) return renderNew(request, reply, parsed.errors, formStrings(body), chosen, 400);
    let id: string;
    try {
      id = await draftOutgoing(ctx, request.access, request.auditContext, request.actor!.unitId, parsed.data, isUpload(body.file) ? body.file : undefined);
    } catch (err) {
      if (err instanceof AppError && err.fields.length) return renderNew(request, reply, err.fields, formStrings(body), chosen, 400);
      throw err;
    }
    setFlash(reply, 'documents.flash.drafted');
    return reply.redirect(`${OUTGOING}/${id}`, 303);
  });

  const renderDoc = async (request: FastifyRequest, reply: FastifyReply, id: string, errors: FieldError[] = [], status = 200, values: Values = {}, form = '') => {
    const doc = await outgoingFor(ctx, request.access, id, 'document.read');
    const [recipients, signer, versions, events, replaces, replacedBy] = await Promise.all([
      // The sender sees when each recipient received it (the acknowledgement) and how far it has got (Decree 30, Appendix VI).
      db
        .selectFrom('doc_outgoing_recipient as r')
        .innerJoin('unit as u', 'u.id', 'r.unit_id')
        .leftJoin('doc_incoming as i', 'i.id', 'r.incoming_id')
        .select(['u.name', 'r.incoming_id', 'r.received_at', 'i.status as handling', 'i.arrival_number', 'i.year'])
        .where('r.document_id', '=', doc.id)
        .orderBy('u.name')
        .execute(),
      db.selectFrom('auth_account').select('display_name').where('id', '=', doc.signer_id).executeTakeFirst(),
      db.selectFrom('doc_outgoing_version as v').innerJoin('auth_account as a', 'a.id', 'v.uploaded_by').select(['v.version', 'v.note', 'v.at', 'a.display_name']).where('v.document_id', '=', doc.id).orderBy('v.version').execute(),
      db.selectFrom('doc_event').select(['event', 'actor_label', 'note', 'at']).where('document_id', '=', doc.id).orderBy('at').execute(),
      doc.replaces_id ? db.selectFrom('doc_outgoing').select(['id', 'code']).where('id', '=', doc.replaces_id).executeTakeFirst() : undefined,
      doc.status === 'replaced' ? db.selectFrom('doc_outgoing').select(['id', 'code']).where('replaces_id', '=', doc.id).where('status', '=', 'issued').executeTakeFirst() : undefined,
    ]);
    const signedFile = doc.signed_file_id ? await readStoredFile(ctx, doc.signed_file_id) : undefined;
    const check = signedFile ? verifyPdfSignature(signedFile.data) : undefined;
    const actorId = request.actor!.id;
    const canSign = doc.status === 'draft' && doc.signer_id === actorId && (await request.access.can('document.sign', { unitId: doc.unit_id }));
    const canIssue = doc.status === 'signed' && (await request.access.can('document.issue', { unitId: doc.unit_id }));
    const canRevise = doc.status === 'draft' && (actorId === doc.created_by || actorId === doc.signer_id);
    const canRecall = doc.status === 'issued' && (await request.access.can('document.sign', { unitId: doc.unit_id }));
    const filing = await filingOf(ctx, doc.unit_id, 'outgoing', doc.id);
    const canFile = await request.access.can('document.file', { unitId: doc.unit_id });
    const errs = (f: string) => (form === f ? errors : []);
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    return sendPage(
      reply,
      <Layout ctx={page} title={doc.code ?? doc.subject} shell="admin">
        <p>
          <a href={OUTGOING}>← {t('documents.outgoing')}</a>
        </p>
        <h1>{doc.subject}</h1>
        {doc.status === 'recalled' ? <p class="notice notice-error">{t('documents.recalled_notice', { reason: doc.recall_reason ?? '' })}</p> : null}
        {replacedBy ? <p class="notice">{t('documents.replaced_notice', { code: replacedBy.code ?? '' })}</p> : null}
        <ErrorSummary ctx={page} errors={form ? [] : errors} />
        <dl class="facts">
          <dt>{t('documents.number_symbol')}</dt>
          <dd>{doc.code ?? t('documents.not_numbered')}</dd>
          <dt>{t('documents.status')}</dt>
          <dd>{t(statusLabel(doc.status))}</dd>
          <dt>{t('documents.type')}</dt>
          <dd>{t(typeLabel(doc.type_code))}</dd>
          <dt>{t('documents.signer')}</dt>
          <dd>{signer?.display_name ?? ''}</dd>
          {replaces ? (
            <>
              <dt>{t('documents.replaces')}</dt>
              <dd>
                <a href={`${OUTGOING}/${replaces.id}`}>{replaces.code}</a>
              </dd>
            </>
          ) : null}
          <dt>{t('documents.recipient_units')}</dt>
          <dd>
            {recipients.length
              ? recipients
                  .map((r) => `${r.name}${r.incoming_id ? ` (${t('documents.acknowledged', { at: r.received_at ? formatDateTime(r.received_at) : '', number: r.arrival_number ?? '', year: r.year ?? '' })}: ${t(`documents.in_status.${(r.handling ?? 'registered') as 'registered'}`)})` : ''}`)
                  .join('; ')
              : '—'}
          </dd>
          <dt>{t('documents.outside_recipients')}</dt>
          <dd>{doc.outside_recipients || '—'}</dd>
          {check ? (
            <>
              <dt>{t('documents.signature')}</dt>
              <dd>
                {check.valid ? t('documents.signature_valid', { signer: check.signer, at: check.signedAt ? formatDateTime(check.signedAt) : '' }) : <strong>{t('documents.signature_invalid')}</strong>}
                {doc.signature_kind === 'test' ? <p class="hint">{t('documents.signature_test')}</p> : null}
              </dd>
            </>
          ) : null}
        </dl>
        <p class="button-row">
          {doc.signed_file_id ? (
            <a class="button" href={`${OUTGOING}/${doc.id}/tep`}>
              {t('documents.open_signed')}
            </a>
          ) : null}
          <a href={`${OUTGOING}/${doc.id}/tep?ban=du-thao`}>{doc.signed_file_id ? t('documents.open_draft') : t('documents.open_file')}</a>
        </p>
        {canSign ? (
          <Form ctx={page} action={`${OUTGOING}/${doc.id}/ky`} label={t('documents.sign')}>
            <p class="hint">{t('documents.sign_hint')}</p>
            <details>
              <summary>{t('documents.signature_rules')}</summary>
              <dl class="facts">
                {SIGNATURE_RULES.map((r) => (
                  <>
                    <dt>{r.who}</dt>
                    <dd>
                      {r.position}. {r.image}. {r.information}.
                    </dd>
                  </>
                ))}
              </dl>
            </details>
            <Button>{t('documents.sign')}</Button>
          </Form>
        ) : null}
        {canIssue ? (
          <Form ctx={page} action={`${OUTGOING}/${doc.id}/phat-hanh`} label={t('documents.issue')}>
            <p class="hint">{t('documents.issue_hint', { count: recipients.length })}</p>
            <Button>{t('documents.issue')}</Button>
          </Form>
        ) : null}
        {doc.status === 'draft' ? (
          <section aria-labelledby="review">
            <h2 id="review">{t('documents.review')}</h2>
            <ErrorSummary ctx={page} errors={errs('comment')} scope="comment" />
            <Form ctx={page} action={`${OUTGOING}/${doc.id}/y-kien`} label={t('documents.review')}>
              <TextArea ctx={page} name="note" label={t('documents.comment')} errors={errs('comment')} value={form === 'comment' ? values.note : ''} rows={3} scope="comment" required />
              <Button kind="secondary">{t('documents.add_comment')}</Button>
            </Form>
            {canRevise ? (
              <>
                <h3>{t('documents.revise')}</h3>
                <ErrorSummary ctx={page} errors={errs('revise')} scope="revise" />
                <Form ctx={page} action={`${OUTGOING}/${doc.id}/sua`} label={t('documents.revise')} files>
                  <TextInput ctx={page} name="note" label={t('documents.revise_note')} errors={errs('revise')} value={form === 'revise' ? values.note : ''} scope="revise" />
                  <FileInput ctx={page} name="file" label={t('documents.draft_file')} hint={t('documents.revise_hint')} errors={errs('revise')} accept=".docx,application/pdf" scope="revise" required />
                  <Button kind="secondary">{t('documents.revise')}</Button>
                </Form>
              </>
            ) : null}
          </section>
        ) : null}
        {canRecall ? (
          <section aria-labelledby="recall">
            <h2 id="recall">{t('documents.recall')}</h2>
            <ErrorSummary ctx={page} errors={errs('recall')} scope="recall" />
            <Form ctx={page} action={`${OUTGOING}/${doc.id}/thu-hoi`} label={t('documents.recall')}>
              <TextArea ctx={page} name="reason" label={t('documents.recall_reason')} errors={errs('recall')} value={form === 'recall' ? values.reason : ''} rows={2} scope="recall" required />
              <Checkbox name="confirm" label={t('documents.recall_confirm')} required />
              <Button kind="danger">{t('documents.recall')}</Button>
            </Form>
          </section>
        ) : null}
        <FilingBox page={page} filing={filing} canFile={canFile} />
        {versions.length > 1 ? (
          <Table
            caption={t('documents.versions')}
            rows={versions}
            columns={[
              { label: t('documents.versions'), cell: (v) => <a href={`${OUTGOING}/${doc.id}/tep?ban=${v.version}`}>{t('documents.version', { n: v.version })}</a> },
              { label: t('documents.uploaded_by'), cell: (v) => v.display_name },
              { label: t('documents.revise_note'), cell: (v) => v.note },
              { label: t('documents.at'), cell: (v) => formatDateTime(v.at) },
            ]}
          />
        ) : null}
        <h2>{t('documents.history')}</h2>
        <ol class="history">
          {events.map((e) => (
            <li>
              <strong>{t(`documents.event.${e.event}` as MessageKey)}</strong> — {e.actor_label}, {formatDateTime(e.at)}
              {e.note ? `: ${e.note}` : ''}
            </li>
          ))}
        </ol>
      </Layout>,
      status,
    );
  };

  const logUse = (request: FastifyRequest, doc: { id: string; unit_id: string }, action: 'documents.outgoing.view' | 'documents.outgoing.download', detail?: Record<string, unknown>) =>
    db.transaction().execute((trx) => writeAudit(ctx.database, trx, request.auditContext, { action, entity: 'doc_outgoing', entityId: doc.id, unitId: doc.unit_id, ...(detail ? { detail } : {}) }));

  app.get(`${OUTGOING}/:id`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const { id } = request.params as { id: string };
    const doc = await outgoingFor(ctx, request.access, id, 'document.read');
    await logUse(request, doc, 'documents.outgoing.view');
    return renderDoc(request, reply, id);
  });

  // The signed PDF (or, before signing, the draft); `?ban=du-thao` the current draft, `?ban=N` version N.
  app.get(`${OUTGOING}/:id/tep`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const doc = await outgoingFor(ctx, request.access, (request.params as { id: string }).id, 'document.read');
    const which = (request.query as { ban?: string }).ban ?? '';
    let fileId = doc.signed_file_id ?? doc.file_id;
    if (which === 'du-thao') fileId = doc.file_id;
    else if (/^\d{1,4}$/.test(which)) {
      const v = await db.selectFrom('doc_outgoing_version').select('file_id').where('document_id', '=', doc.id).where('version', '=', Number(which)).executeTakeFirst();
      if (!v) throw new AppError('not_found', 404, 'error.not_found');
      fileId = v.file_id;
    }
    const file = await readStoredFile(ctx, fileId);
    if (!file) throw new AppError('not_found', 404, 'error.not_found');
    await logUse(request, doc, 'documents.outgoing.download', { version: which || 'current' });
    const ext = file.row.mime === 'application/pdf' ? 'pdf' : 'docx';
    return reply.type(file.row.mime).header('cache-control', 'private, no-store').header('content-disposition', `attachment; filename="van-ban-di.${ext}"`).send(file.data);
  });

  app.post(`${OUTGOING}/:id/y-kien`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const { id } = request.params as { id: string };
    const body = formStrings((request.body ?? {}));
    const parsed = parseInput(request, z.object({ note: z.string().trim().min(2).max(2000) }), { labels: LABELS });
    if (!parsed.ok) return renderDoc(request, reply, id, parsed.errors, 400, body, 'comment');
    try {
      await commentDraft(ctx, request.access, request.auditContext, id, parsed.data.note);
    } catch (err) {
      if (err instanceof AppError && err.status === 409) return renderDoc(request, reply, id, [{ field: '', key: err.messageKey }], 409);
      throw err;
    }
    setFlash(reply, 'documents.flash.commented');
    return reply.redirect(`${OUTGOING}/${id}`, 303);
  });

  app.post(`${OUTGOING}/:id/sua`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const { id } = request.params as { id: string };
    const body = (request.body ?? {}) as Record<string, unknown>;
    const parsed = parseInput(request, z.object({ note: z.string().trim().max(500).optional().default('') }), { labels: { note: 'documents.revise_note' } });
    if (!parsed.ok) return renderDoc(request, reply, id, parsed.errors, 400, formStrings(body), 'revise');
    try {
      await reviseDraft(ctx, request.access, request.auditContext, id, parsed.data.note, isUpload(body.file) ? body.file : undefined);
    } catch (err) {
      if (err instanceof AppError && err.fields.length) return renderDoc(request, reply, id, err.fields, 400, formStrings(body), 'revise');
      if (err instanceof AppError && err.status === 409) return renderDoc(request, reply, id, [{ field: '', key: err.messageKey }], 409);
      throw err;
    }
    setFlash(reply, 'documents.flash.revised');
    return reply.redirect(`${OUTGOING}/${id}`, 303);
  });

  app.post(`${OUTGOING}/:id/thu-hoi`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const { id } = request.params as { id: string };
    const body = formStrings((request.body ?? {}));
    const parsed = parseInput(request, recallInput, { labels: LABELS });
    if (!parsed.ok) return renderDoc(request, reply, id, parsed.errors, 400, body, 'recall');
    try {
      await recallOutgoing(ctx, request.access, request.auditContext, id, parsed.data.reason);
    } catch (err) {
      if (err instanceof AppError && err.status === 409) return renderDoc(request, reply, id, [{ field: '', key: err.messageKey }], 409);
      throw err;
    }
    setFlash(reply, 'documents.flash.recalled');
    return reply.redirect(`${OUTGOING}/${id}`, 303);
  });

  const step = (suffix: string, run: (request: FastifyRequest, id: string) => Promise<unknown>, flash: MessageKey) =>
    app.post(`${OUTGOING}/:id/${suffix}`, async (request, reply) => {
      if (!signedIn(request, reply, 'official')) return reply;
      const { id } = request.params as { id: string };
      try {
        await run(request, id);
      } catch (err) {
        if (err instanceof AppError && err.status === 409) return renderDoc(request, reply, id, [{ field: '', key: err.messageKey }], 409);
        throw err;
      }
      setFlash(reply, flash);
      return reply.redirect(`${OUTGOING}/${id}`, 303);
    });
  step('ky', (r, id) => signOutgoing(ctx, r.access, r.auditContext, id), 'documents.flash.signed');
  step('phat-hanh', (r, id) => issueOutgoing(ctx, r.access, r.auditContext, id), 'documents.flash.issued');
}
