import crypto from 'node:crypto';
import { z } from 'zod';
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { AppContext } from '../../platform/context.ts';
import type { Access } from '../../platform/auth/access.ts';
import { writeAudit, type AuditContext } from '../../platform/audit/audit.ts';
import { AppError, fieldProblem, notFound } from '../../platform/errors.ts';
import { checkUpload, storeFile, type UploadedFile } from '../../platform/files/files.ts';
import { localToday } from '../../platform/i18n/index.ts';
import { nextNumber } from '../../platform/db/sequence.ts';
import { foldVietnamese } from '../../platform/search.ts';
import { DOC_TYPES, SECRECY, URGENCIES, docTypeByCode } from './types.ts';
import { authorizeOwn, registerUnitFor } from './incoming.ts';
import { indexDocument, indexStatus, kickIndexer, unindexDocument } from './search.ts';
import { recordEvent } from './handling.ts';
import { readStoredFile } from '../../platform/files/files.ts';
import { localTestSigner, SignError, type PdfSigner } from '../../platform/pdf/sign.ts';
import { translator } from '../../platform/i18n/index.ts';

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

export const outgoingInput = z.object({
  type_code: z.enum(DOC_TYPES.map((t) => t.code) as [string, ...string[]]),
  subject: z.string().trim().min(5).max(1000),
  drafting_dept: z
    .string()
    .trim()
    .max(10)
    .refine((v) => v === '' || /^[A-ZĐ]{1,10}$/.test(v), { message: 'documents.error.dept' })
    .optional()
    .default(''),
  urgency: z.enum(URGENCIES),
  secrecy: z.enum(SECRECY),
  signer_id: z.string().min(1).max(60),
  recipient_units: z.preprocess((v): unknown[] => (v === undefined ? [] : Array.isArray(v) ? (v as unknown[]) : [v]), z.array(z.string().max(60)).max(500)),
  outside_recipients: z.string().trim().max(2000).optional().default(''),
  /** An issued document of the commune this one replaces (when issued, the old one is marked replaced). */
  replaces_id: z.string().max(60).optional().default(''),
});
export type OutgoingInput = z.output<typeof outgoingInput>;

/**
 * Number and symbol (Decree 30, Appendix III): `15/QĐ-UBND` — the kind's abbreviation and the issuer;
 * an official letter has no kind abbreviation but the drafting unit's: `12/UBND-VX`.
 */
export function symbolOf(number: number, typeCode: string, dept: string, issuer = 'UBND') {
  const abbreviation = docTypeByCode(typeCode)?.abbreviation ?? '';
  const n = String(number).padStart(2, '0');
  return abbreviation ? `${n}/${abbreviation}-${issuer}` : `${n}/${issuer}${dept ? `-${dept}` : ''}`;
}

/** A draft of the commune's: the file (DOCX or PDF, checked by content), the signer (a leader of the commune), the recipients. */
export async function draftOutgoing(ctx: AppContext, access: Access, audit: AuditContext, unitId: string, input: OutgoingInput, file: UploadedFile | undefined) {
  const unit = await registerUnitFor(ctx, access, unitId, 'document.draft');
  if (!file) throw fieldProblem('no_file', 400, 'file', 'documents.error.no_draft_file');
  const { mime } = await checkUpload(ctx, 'file', file, ['application/pdf', DOCX]);
  if (input.type_code === 'official_letter' && !input.drafting_dept) throw fieldProblem('no_dept', 400, 'drafting_dept', 'documents.error.dept_required');
  const signer = await ctx.database.db.selectFrom('auth_role_grant').select('account_id').where('account_id', '=', input.signer_id).where('unit_id', '=', unit.id).where('role', '=', 'commune_leader').executeTakeFirst();
  if (!signer) throw fieldProblem('bad_signer', 400, 'signer_id', 'documents.error.signer');
  const units = input.recipient_units.length ? await ctx.database.db.selectFrom('unit').select('id').where('id', 'in', input.recipient_units).where('valid_to', 'is', null).where('id', '!=', unit.id).execute() : [];
  if (units.length !== new Set(input.recipient_units).size) throw fieldProblem('bad_recipient', 400, 'recipient_units', 'documents.error.recipient');
  if (!units.length && !input.outside_recipients) throw fieldProblem('no_recipient', 400, 'outside_recipients', 'documents.error.no_recipient');
  if (input.replaces_id && !(await replaceable(ctx, unit.id)).some((d) => d.id === input.replaces_id)) throw fieldProblem('bad_replaces', 400, 'replaces_id', 'documents.error.replaces');
  const id = crypto.randomUUID();
  const at = new Date().toISOString();
  await ctx.database.db.transaction().execute(async (trx) => {
    const fileId = await storeFile(ctx, trx, file, { mime, unitId: unit.id, ownerId: access.actor!.id });
    await trx
      .insertInto('doc_outgoing')
      .values({
        id,
        unit_id: unit.id,
        origin_unit_id: unit.id,
        type_code: input.type_code,
        subject: input.subject,
        drafting_dept: input.drafting_dept,
        urgency: input.urgency,
        secrecy: input.secrecy,
        signer_id: signer.account_id,
        status: 'draft',
        series: input.secrecy === 'normal' ? 'regular' : 'classified',
        year: null,
        number: null,
        code: null,
        signed_date: null,
        outside_recipients: input.outside_recipients,
        file_id: fileId,
        replaces_id: input.replaces_id || null,
        search_text: foldVietnamese(input.subject),
        created_by: access.actor!.id,
        created_at: at,
        updated_at: at,
      })
      .execute();
    if (units.length) await trx.insertInto('doc_outgoing_recipient').values(units.map((u) => ({ document_id: id, unit_id: u.id, incoming_id: null }))).execute();
    await trx.insertInto('doc_outgoing_version').values({ document_id: id, version: 1, file_id: fileId, uploaded_by: access.actor!.id, note: '', at }).execute();
    await recordEvent(trx, id, access.actor!, 'drafted');
    // A classified draft is read by its drafter and its signer (and the clerks, by their role).
    if (input.secrecy !== 'normal') await trx.insertInto('doc_reader').values([...new Set([access.actor!.id, signer.account_id])].map((account_id) => ({ document_id: id, account_id, granted_by: access.actor!.id, granted_at: at }))).execute();
    await indexDocument(trx, ctx.database, 'outgoing', id);
    await writeAudit(ctx.database, trx, audit, { action: 'documents.outgoing.draft', entity: 'doc_outgoing', entityId: id, unitId: unit.id, detail: { type: input.type_code, recipients: units.length } });
  });
  void kickIndexer(ctx).catch(() => undefined);
  return id;
}

/** An outgoing document in the actor's scope for `action`; a classified one only for its drafter, its signer and the clerks. */
export async function outgoingFor(ctx: AppContext, access: Access, id: string, action: 'document.read' | 'document.sign' | 'document.issue' | 'document.draft') {
  const doc = await ctx.database.db.selectFrom('doc_outgoing').selectAll().where('id', '=', id).executeTakeFirst();
  if (!doc) throw notFound();
  await authorizeOwn(access, action, doc.unit_id);
  const actor = access.actor!;
  if (doc.secrecy !== 'normal' && actor.id !== doc.created_by && actor.id !== doc.signer_id && !(await access.can('document.issue', { unitId: doc.unit_id }))) throw notFound();
  return doc;
}

/** The outgoing register of a year (signed and issued) and the drafts in progress, classified ones for their people only. */
export function outgoingList(ctx: AppContext, actorId: string, unitId: string, clerk: boolean) {
  let q = ctx.database.db
    .selectFrom('doc_outgoing')
    .select(['id', 'code', 'signed_date', 'type_code', 'subject', 'status', 'urgency', 'secrecy', 'outside_recipients', 'updated_at'])
    .where('unit_id', '=', unitId);
  if (!clerk) q = q.where((eb) => eb.or([eb('secrecy', '=', 'normal'), eb('created_by', '=', actorId), eb('signer_id', '=', actorId)]));
  return q.orderBy('updated_at', 'desc').limit(200).execute();
}

/** Issued documents of the commune that a new one may replace (not recalled, not already replaced). */
export const replaceable = (ctx: AppContext, unitId: string) =>
  ctx.database.db.selectFrom('doc_outgoing').select(['id', 'code', 'subject']).where('unit_id', '=', unitId).where('status', '=', 'issued').orderBy('signed_date', 'desc').limit(200).execute();

const signers = new WeakMap<AppContext, Promise<PdfSigner>>();
/** The platform's PDF signer: the local signer with its test certificate (a CA's signer plugs in behind the same interface). */
export function signerFor(ctx: AppContext): Promise<PdfSigner> {
  let s = signers.get(ctx);
  if (!s) signers.set(ctx, (s = localTestSigner(ctx.config.dataDir)));
  return s;
}

const uploadOf = (data: Buffer, filename: string, mime: string): UploadedFile => ({ kind: 'upload', filename, declaredType: mime, data, tooLarge: false });

/** A comment on a draft (review before signing): anyone of the commune who may read it; the drafter is told. */
export async function commentDraft(ctx: AppContext, access: Access, audit: AuditContext, id: string, note: string) {
  const doc = await outgoingFor(ctx, access, id, 'document.read');
  if (doc.status !== 'draft') throw new AppError('bad_transition', 409, 'documents.error.not_draft');
  const actor = access.actor!;
  const t = translator('vi');
  await ctx.database.db.transaction().execute(async (trx) => {
    await recordEvent(trx, doc.id, actor, 'comment', note);
    for (const to of new Set([doc.created_by, doc.signer_id])) {
      if (to === actor.id) continue;
      await ctx.notifier.enqueue(trx, { unitId: doc.unit_id, accountId: to }, { subject: t('documents.notice.comment_subject'), body: t('documents.notice.comment', { who: actor.displayName, subject: doc.subject, note }), link: `${ctx.config.publicUrl}/van-ban/di/${doc.id}`, source: 'documents.review', sourceId: doc.id });
    }
    await writeAudit(ctx.database, trx, audit, { action: 'documents.outgoing.comment', entity: 'doc_outgoing', entityId: doc.id, unitId: doc.unit_id });
  });
}

/** A revised draft (DOCX or PDF, checked by content), by its drafter or its signer: the next version; earlier ones are kept. */
export async function reviseDraft(ctx: AppContext, access: Access, audit: AuditContext, id: string, note: string, file: UploadedFile | undefined) {
  const doc = await outgoingFor(ctx, access, id, 'document.draft');
  if (doc.status !== 'draft') throw new AppError('bad_transition', 409, 'documents.error.not_draft');
  if (access.actor!.id !== doc.created_by && access.actor!.id !== doc.signer_id) throw new AppError('not_drafter', 409, 'documents.error.not_drafter');
  if (!file) throw fieldProblem('no_file', 400, 'file', 'documents.error.no_draft_file');
  const { mime } = await checkUpload(ctx, 'file', file, ['application/pdf', DOCX]);
  const at = new Date().toISOString();
  await ctx.database.db.transaction().execute(async (trx) => {
    const last = await trx.selectFrom('doc_outgoing_version').select((eb) => eb.fn.max('version').as('v')).where('document_id', '=', doc.id).executeTakeFirst();
    const version = Number(last?.v ?? 0) + 1;
    const fileId = await storeFile(ctx, trx, file, { mime, unitId: doc.unit_id, ownerId: access.actor!.id });
    await trx.insertInto('doc_outgoing_version').values({ document_id: doc.id, version, file_id: fileId, uploaded_by: access.actor!.id, note, at }).execute();
    await trx.updateTable('doc_outgoing').set({ file_id: fileId, updated_at: at }).where('id', '=', doc.id).execute();
    await recordEvent(trx, doc.id, access.actor!, 'revised', note ? `v${version}: ${note}` : `v${version}`);
    await indexDocument(trx, ctx.database, 'outgoing', doc.id);
    await writeAudit(ctx.database, trx, audit, { action: 'documents.outgoing.revise', entity: 'doc_outgoing', entityId: doc.id, unitId: doc.unit_id, detail: { version } });
  });
  void kickIndexer(ctx).catch(() => undefined);
}

/**
 * The signer signs: the final PDF is signed digitally (the signer's name, the commune as place), then
 * the system gives the next number of the year in the document's series (regular or classified, from
 * 01 each 1 January) and builds its symbol. Only the named signer may sign, and only a PDF: a DOCX
 * draft needs its final PDF first. A PDF that cannot take a signature changes nothing.
 */
export async function signOutgoing(ctx: AppContext, access: Access, audit: AuditContext, id: string) {
  const doc = await outgoingFor(ctx, access, id, 'document.sign');
  if (doc.signer_id !== access.actor!.id) throw new AppError('not_signer', 409, 'documents.error.not_signer');
  if (doc.status !== 'draft') throw new AppError('bad_transition', 409, 'documents.error.transition');
  const stored = await readStoredFile(ctx, doc.file_id);
  if (!stored || stored.row.mime !== 'application/pdf') throw new AppError('needs_pdf', 409, 'documents.error.sign_needs_pdf');
  const unit = await ctx.database.db.selectFrom('unit').select('name').where('id', '=', doc.unit_id).executeTakeFirstOrThrow();
  const signer = await signerFor(ctx);
  let signed: Buffer;
  try {
    signed = await signer.sign(stored.data, { name: access.actor!.displayName, reason: `Ky ban hanh: ${doc.subject.slice(0, 120)}`, location: unit.name });
  } catch (err) {
    if (err instanceof SignError) throw new AppError('unsignable', 409, 'documents.error.unsignable');
    throw err;
  }
  const today = localToday();
  const year = Number(today.slice(0, 4));
  return ctx.database.db.transaction().execute(async (trx) => {
    const n = await nextNumber(trx, `doc.outgoing.${doc.series}:${doc.origin_unit_id}`, String(year));
    const code = symbolOf(n, doc.type_code, doc.drafting_dept);
    const fileId = await storeFile(ctx, trx, uploadOf(signed, 'van-ban-da-ky.pdf', 'application/pdf'), { mime: 'application/pdf', unitId: doc.unit_id, ownerId: access.actor!.id });
    const r = await trx.updateTable('doc_outgoing').set({ status: 'signed', year, number: n, code, signed_date: today, signed_file_id: fileId, signature_kind: signer.kind, updated_at: new Date().toISOString() }).where('id', '=', doc.id).where('status', '=', 'draft').executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw new AppError('bad_transition', 409, 'documents.error.transition');
    await recordEvent(trx, doc.id, access.actor!, 'signed', code);
    await indexDocument(trx, ctx.database, 'outgoing', doc.id);
    await writeAudit(ctx.database, trx, audit, { action: 'documents.outgoing.sign', entity: 'doc_outgoing', entityId: doc.id, unitId: doc.unit_id, detail: { code, year, signature: signer.kind } });
    return code;
  });
}

/** Tells a unit's leaders and clerks (in-app, and by e-mail/SMS/Zalo when configured). */
async function noticeUnit(ctx: AppContext, trx: Kysely<DB>, unitId: string, notice: { subject: string; body: string; link: string; sourceId: string }) {
  const people = await trx.selectFrom('auth_role_grant').select('account_id').distinct().where('unit_id', '=', unitId).where('role', 'in', ['commune_leader', 'document_clerk']).execute();
  for (const p of people) await ctx.notifier.enqueue(trx, { unitId, accountId: p.account_id }, { ...notice, source: 'documents.exchange' });
}

/**
 * The clerk issues a signed document: each recipient unit on the platform receives it in its incoming
 * register at once (next arrival number, the signed PDF) — that moment is the receipt acknowledged to
 * the issuer; outside recipients are listed on it. Issuing a replacement marks the replaced document
 * (at the issuer and at its recipients) as replaced.
 */
export async function issueOutgoing(ctx: AppContext, access: Access, audit: AuditContext, id: string) {
  const doc = await outgoingFor(ctx, access, id, 'document.issue');
  if (doc.status !== 'signed') throw new AppError('bad_transition', 409, 'documents.error.transition');
  const issuer = await ctx.database.db.selectFrom('unit').select('name').where('id', '=', doc.unit_id).executeTakeFirstOrThrow();
  const today = localToday();
  const year = Number(today.slice(0, 4));
  const [number, notation] = [doc.code!.split('/')[0]!, doc.code!.split('/').slice(1).join('/')];
  const t = translator('vi');
  await ctx.database.db.transaction().execute(async (trx) => {
    const r = await trx.updateTable('doc_outgoing').set({ status: 'issued', updated_at: new Date().toISOString() }).where('id', '=', doc.id).where('status', '=', 'signed').executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw new AppError('bad_transition', 409, 'documents.error.transition');
    const recipients = await trx.selectFrom('doc_outgoing_recipient').select('unit_id').where('document_id', '=', doc.id).execute();
    for (const rec of recipients) {
      const incomingId = crypto.randomUUID();
      const n = await nextNumber(trx, `doc.incoming:${rec.unit_id}`, String(year));
      const at = new Date().toISOString();
      await trx
        .insertInto('doc_incoming')
        .values({
          id: incomingId,
          unit_id: rec.unit_id,
          origin_unit_id: rec.unit_id,
          year,
          arrival_number: n,
          arrival_date: today,
          author_org: issuer.name,
          code_number: number,
          code_notation: notation,
          issued_date: doc.signed_date ?? today,
          type_code: doc.type_code,
          subject: doc.subject,
          urgency: doc.urgency,
          secrecy: doc.secrecy,
          file_id: doc.signed_file_id ?? doc.file_id,
          due_date: null,
          status: 'registered',
          search_text: foldVietnamese(`${doc.code} ${issuer.name} ${doc.subject}`),
          registered_by: access.actor!.id,
          created_at: at,
        })
        .execute();
      if (doc.secrecy !== 'normal') {
        // Classified: readable at the recipient by its leaders (the province's staff at the province) only, until they name others.
        const leaders = await trx.selectFrom('auth_role_grant').select('account_id').distinct().where('unit_id', '=', rec.unit_id).where('role', 'in', ['commune_leader', 'province_admin']).execute();
        if (leaders.length) await trx.insertInto('doc_reader').values(leaders.map((l) => ({ document_id: incomingId, account_id: l.account_id, granted_by: access.actor!.id, granted_at: at }))).execute();
      }
      await indexDocument(trx, ctx.database, 'incoming', incomingId);
      await trx.updateTable('doc_outgoing_recipient').set({ incoming_id: incomingId, received_at: at }).where('document_id', '=', doc.id).where('unit_id', '=', rec.unit_id).execute();
      await noticeUnit(ctx, trx, rec.unit_id, { subject: t('documents.notice.arrived_subject', { code: doc.code! }), body: t('documents.notice.arrived', { from: issuer.name, subject: doc.subject, number: n }), link: `${ctx.config.publicUrl}/van-ban/den/${incomingId}`, sourceId: incomingId });
      await writeAudit(ctx.database, trx, audit, { action: 'documents.incoming.received', entity: 'doc_incoming', entityId: incomingId, unitId: rec.unit_id, detail: { from: doc.unit_id, code: doc.code, number: n } });
    }
    await recordEvent(trx, doc.id, access.actor!, 'issued', doc.code);
    await indexStatus(trx, 'outgoing', doc.id, 'issued');
    if (doc.replaces_id) await markReplaced(ctx, trx, access, doc.replaces_id, doc.code!);
    await writeAudit(ctx.database, trx, audit, { action: 'documents.outgoing.issue', entity: 'doc_outgoing', entityId: doc.id, unitId: doc.unit_id, detail: { code: doc.code, units: recipients.length, replaces: doc.replaces_id } });
  });
}

/** The replaced document, at the issuer and in every recipient's register, reads as replaced by `code`. */
async function markReplaced(ctx: AppContext, trx: Kysely<DB>, access: Access, oldId: string, code: string) {
  const r = await trx.updateTable('doc_outgoing').set({ status: 'replaced', updated_at: new Date().toISOString() }).where('id', '=', oldId).where('status', '=', 'issued').executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) throw new AppError('bad_transition', 409, 'documents.error.replaced_gone');
  await recordEvent(trx, oldId, access.actor!, 'replaced', code);
  await indexStatus(trx, 'outgoing', oldId, 'replaced');
  const copies = await trx.selectFrom('doc_outgoing_recipient').select('incoming_id').where('document_id', '=', oldId).where('incoming_id', 'is not', null).execute();
  for (const c of copies) {
    await trx.updateTable('doc_incoming').set({ status: 'replaced' }).where('id', '=', c.incoming_id!).execute();
    await indexStatus(trx, 'incoming', c.incoming_id!, 'replaced');
    await recordEvent(trx, c.incoming_id!, access.actor!, 'replaced', code);
  }
}

export const recallInput = z.object({ reason: z.string().trim().min(5).max(1000), confirm: z.literal('on') });

/**
 * Recall (thu hồi, Decree 30 Appendix VI): the issuer's copy is frozen as recalled with the reason; each
 * recipient's copy is deleted from its register, search, desk and files — kept only as a recalled
 * record (who, when, why) so its arrival number's gap is explained — and its people are told. The
 * commune's leader decides it.
 */
export async function recallOutgoing(ctx: AppContext, access: Access, audit: AuditContext, id: string, reason: string) {
  const doc = await outgoingFor(ctx, access, id, 'document.sign');
  if (doc.status !== 'issued') throw new AppError('bad_transition', 409, 'documents.error.not_issued');
  const issuer = await ctx.database.db.selectFrom('unit').select('name').where('id', '=', doc.unit_id).executeTakeFirstOrThrow();
  const t = translator('vi');
  await ctx.database.db.transaction().execute(async (trx) => {
    const r = await trx.updateTable('doc_outgoing').set({ status: 'recalled', recall_reason: reason, updated_at: new Date().toISOString() }).where('id', '=', doc.id).where('status', '=', 'issued').executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw new AppError('bad_transition', 409, 'documents.error.not_issued');
    await recordEvent(trx, doc.id, access.actor!, 'recalled', reason);
    await indexStatus(trx, 'outgoing', doc.id, 'recalled');
    const copies = await trx.selectFrom('doc_outgoing_recipient').select(['incoming_id', 'unit_id']).where('document_id', '=', doc.id).where('incoming_id', 'is not', null).execute();
    for (const c of copies) {
      const incomingId = c.incoming_id!;
      await trx.updateTable('doc_incoming').set({ status: 'recalled' }).where('id', '=', incomingId).execute();
      await trx.updateTable('doc_assignment').set({ status: 'recalled' }).where('document_id', '=', incomingId).where('status', '=', 'open').execute();
      await trx.deleteFrom('doc_file_item').where('document_kind', '=', 'incoming').where('document_id', '=', incomingId).execute();
      await unindexDocument(trx, ctx.database, 'incoming', incomingId);
      await recordEvent(trx, incomingId, access.actor!, 'recalled', reason);
      await noticeUnit(ctx, trx, c.unit_id, { subject: t('documents.notice.recalled_subject', { code: doc.code! }), body: t('documents.notice.recalled', { from: issuer.name, subject: doc.subject, reason }), link: `${ctx.config.publicUrl}/van-ban/den/${incomingId}`, sourceId: incomingId });
      await writeAudit(ctx.database, trx, audit, { action: 'documents.incoming.recalled', entity: 'doc_incoming', entityId: incomingId, unitId: c.unit_id, detail: { from: doc.unit_id, code: doc.code } });
    }
    await writeAudit(ctx.database, trx, audit, { action: 'documents.outgoing.recall', entity: 'doc_outgoing', entityId: doc.id, unitId: doc.unit_id, detail: { code: doc.code, copies: copies.length } });
  });
}
