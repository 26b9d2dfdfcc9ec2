import crypto from 'node:crypto';
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import type { Access } from '../../platform/auth/access.ts';
import { writeAudit, type AuditContext } from '../../platform/audit/audit.ts';
import { AppError, fieldProblem, notFound } from '../../platform/errors.ts';
import { checkUpload, storeFile, type UploadedFile } from '../../platform/files/files.ts';
import { localToday } from '../../platform/i18n/index.ts';
import { nextNumber } from '../../platform/db/sequence.ts';
import { foldVietnamese } from '../../platform/search.ts';
import { DOC_TYPES, SECRECY, URGENCIES, docTypeByCode } from './types.ts';
import { registerUnitFor } from './incoming.ts';
import { indexDocument, indexStatus, kickIndexer } from './search.ts';

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
        search_text: foldVietnamese(input.subject),
        created_by: access.actor!.id,
        created_at: at,
        updated_at: at,
      })
      .execute();
    if (units.length) await trx.insertInto('doc_outgoing_recipient').values(units.map((u) => ({ document_id: id, unit_id: u.id, incoming_id: null }))).execute();
    // A classified draft is read by its drafter and its signer (and the clerks, by their role).
    if (input.secrecy !== 'normal') await trx.insertInto('doc_reader').values([...new Set([access.actor!.id, signer.account_id])].map((account_id) => ({ document_id: id, account_id, granted_by: access.actor!.id, granted_at: at }))).execute();
    await indexDocument(trx, ctx.database, 'outgoing', id);
    await writeAudit(ctx.database, trx, audit, { action: 'documents.outgoing.draft', entity: 'doc_outgoing', entityId: id, unitId: unit.id, detail: { type: input.type_code, recipients: units.length } });
  });
  void kickIndexer(ctx).catch(() => undefined);
  return id;
}

/** An outgoing document in the actor's scope for `action`; a classified one only for its drafter, its signer and the clerks. */
export async function outgoingFor(ctx: AppContext, access: Access, id: string, action: 'document.read' | 'document.sign' | 'document.issue') {
  const doc = await ctx.database.db.selectFrom('doc_outgoing').selectAll().where('id', '=', id).executeTakeFirst();
  if (!doc) throw notFound();
  await access.authorize(action, { unitId: doc.unit_id });
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

/**
 * The signer signs: the system gives the next number of the year in the document's series (regular or
 * classified, from 01 each 1 January) and builds its symbol. Only the named signer may sign.
 */
export async function signOutgoing(ctx: AppContext, access: Access, audit: AuditContext, id: string) {
  const doc = await outgoingFor(ctx, access, id, 'document.sign');
  if (doc.signer_id !== access.actor!.id) throw new AppError('not_signer', 409, 'documents.error.not_signer');
  if (doc.status !== 'draft') throw new AppError('bad_transition', 409, 'documents.error.transition');
  const today = localToday();
  const year = Number(today.slice(0, 4));
  return ctx.database.db.transaction().execute(async (trx) => {
    const n = await nextNumber(trx, `doc.outgoing.${doc.series}:${doc.origin_unit_id}`, String(year));
    const code = symbolOf(n, doc.type_code, doc.drafting_dept);
    const r = await trx.updateTable('doc_outgoing').set({ status: 'signed', year, number: n, code, signed_date: today, updated_at: new Date().toISOString() }).where('id', '=', doc.id).where('status', '=', 'draft').executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw new AppError('bad_transition', 409, 'documents.error.transition');
    await indexDocument(trx, ctx.database, 'outgoing', doc.id);
    await writeAudit(ctx.database, trx, audit, { action: 'documents.outgoing.sign', entity: 'doc_outgoing', entityId: doc.id, unitId: doc.unit_id, detail: { code, year } });
    return code;
  });
}

/**
 * The clerk issues a signed document: each recipient unit on the platform receives it in its incoming
 * register at once (next arrival number, the same file); outside recipients are listed on it.
 */
export async function issueOutgoing(ctx: AppContext, access: Access, audit: AuditContext, id: string) {
  const doc = await outgoingFor(ctx, access, id, 'document.issue');
  if (doc.status !== 'signed') throw new AppError('bad_transition', 409, 'documents.error.transition');
  const issuer = await ctx.database.db.selectFrom('unit').select('name').where('id', '=', doc.unit_id).executeTakeFirstOrThrow();
  const today = localToday();
  const year = Number(today.slice(0, 4));
  const [number, notation] = [doc.code!.split('/')[0]!, doc.code!.split('/').slice(1).join('/')];
  await ctx.database.db.transaction().execute(async (trx) => {
    const r = await trx.updateTable('doc_outgoing').set({ status: 'issued', updated_at: new Date().toISOString() }).where('id', '=', doc.id).where('status', '=', 'signed').executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw new AppError('bad_transition', 409, 'documents.error.transition');
    const recipients = await trx.selectFrom('doc_outgoing_recipient').select('unit_id').where('document_id', '=', doc.id).execute();
    for (const rec of recipients) {
      const incomingId = crypto.randomUUID();
      const n = await nextNumber(trx, `doc.incoming:${rec.unit_id}`, String(year));
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
          file_id: doc.file_id,
          due_date: null,
          status: 'registered',
          search_text: foldVietnamese(`${doc.code} ${issuer.name} ${doc.subject}`),
          registered_by: access.actor!.id,
          created_at: new Date().toISOString(),
        })
        .execute();
      if (doc.secrecy !== 'normal') {
        // Classified: readable at the recipient by its leaders only, until they name others.
        const leaders = await trx.selectFrom('auth_role_grant').select('account_id').where('unit_id', '=', rec.unit_id).where('role', '=', 'commune_leader').execute();
        if (leaders.length) await trx.insertInto('doc_reader').values(leaders.map((l) => ({ document_id: incomingId, account_id: l.account_id, granted_by: access.actor!.id, granted_at: new Date().toISOString() }))).execute();
      }
      await indexDocument(trx, ctx.database, 'incoming', incomingId);
      await trx.updateTable('doc_outgoing_recipient').set({ incoming_id: incomingId }).where('document_id', '=', doc.id).where('unit_id', '=', rec.unit_id).execute();
      await writeAudit(ctx.database, trx, audit, { action: 'documents.incoming.received', entity: 'doc_incoming', entityId: incomingId, unitId: rec.unit_id, detail: { from: doc.unit_id, code: doc.code, number: n } });
    }
    await indexStatus(trx, 'outgoing', doc.id, 'issued');
    await writeAudit(ctx.database, trx, audit, { action: 'documents.outgoing.issue', entity: 'doc_outgoing', entityId: doc.id, unitId: doc.unit_id, detail: { code: doc.code, units: recipients.length } });
  });
}
