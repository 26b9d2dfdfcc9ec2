import crypto from 'node:crypto';
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import type { Access } from '../../platform/auth/access.ts';
import { writeAudit, type AuditContext } from '../../platform/audit/audit.ts';
import { AppError, fieldProblem, notFound } from '../../platform/errors.ts';
import { checkUpload, storeFile, type UploadedFile } from '../../platform/files/files.ts';
import { formatDate, localToday } from '../../platform/i18n/index.ts';
import { nextNumber } from '../../platform/db/sequence.ts';
import { foldVietnamese } from '../../platform/search.ts';
import { unitRepository } from '../../platform/units/repository.ts';
import { DOC_TYPES, SECRECY, URGENCIES } from './types.ts';
import { indexDocument, kickIndexer } from './search.ts';

const notFuture = (d: string) => d <= localToday();

export const incomingInput = z.object({
  author_org: z.string().trim().min(3).max(200),
  code_number: z.string().trim().min(1).max(20),
  code_notation: z.string().trim().min(2).max(40),
  issued_date: z.iso.date().refine(notFuture, { message: 'documents.error.future_date' }),
  type_code: z.enum(DOC_TYPES.map((t) => t.code) as [string, ...string[]]),
  subject: z.string().trim().min(5).max(1000),
  urgency: z.enum(URGENCIES),
  secrecy: z.enum(SECRECY),
  due_date: z.iso.date().optional().or(z.literal('')).default(''),
  /** Ticked after the duplicate warning: register it all the same. */
  confirm_duplicate: z.string().optional(),
});
export type IncomingInput = z.output<typeof incomingInput>;

/** A current commune (or the province, for its own register) the actor keeps documents for, else 404. */
export async function registerUnitFor(ctx: AppContext, access: Access, unitId: string, action: string) {
  const unit = await unitRepository(ctx.database).byId(unitId);
  if (!unit || (unit.level !== 'commune' && unit.level !== 'province') || unit.valid_to !== null) throw notFound();
  await access.authorize(action, { unitId: unit.id });
  return unit;
}

/** Documents already registered with the same number, symbol and issuer (Appendix VI: warn on a duplicate). */
export function duplicatesOf(ctx: AppContext, unitId: string, input: Pick<IncomingInput, 'code_number' | 'code_notation' | 'author_org'>) {
  return ctx.database.db
    .selectFrom('doc_incoming')
    .select(['id', 'year', 'arrival_number', 'arrival_date'])
    .where('unit_id', '=', unitId)
    .where('code_number', '=', input.code_number)
    .where('code_notation', '=', input.code_notation)
    .where('author_org', '=', input.author_org)
    .execute();
}

/**
 * Registers an arriving document: the PDF checked by content, the next arrival number of the year
 * (safe under concurrent registrations), readers for a classified document (the clerk and the
 * commune's leaders). A duplicate (same number, symbol and issuer) is refused with a warning unless
 * the clerk confirms it.
 */
export async function registerIncoming(ctx: AppContext, access: Access, audit: AuditContext, unitId: string, input: IncomingInput, file: UploadedFile | undefined) {
  const unit = await registerUnitFor(ctx, access, unitId, 'document.register');
  if (!file) throw fieldProblem('no_file', 400, 'file', 'documents.error.no_file');
  const { mime } = await checkUpload(ctx, 'file', file, ['application/pdf']);
  if (input.due_date && input.due_date < localToday()) throw fieldProblem('past_due', 400, 'due_date', 'documents.error.past_due');
  const duplicates = await duplicatesOf(ctx, unit.id, input);
  if (duplicates.length && input.confirm_duplicate !== 'on') {
    const d = duplicates[0]!;
    throw new AppError('duplicate', 409, 'documents.error.duplicate', { number: d.arrival_number, year: d.year, date: formatDate(d.arrival_date) });
  }
  const today = localToday();
  const year = Number(today.slice(0, 4));
  const id = crypto.randomUUID();
  const actor = access.actor!;
  const number = await ctx.database.db.transaction().execute(async (trx) => {
    const n = await nextNumber(trx, `doc.incoming:${unit.id}`, String(year));
    const fileId = await storeFile(ctx, trx, file, { mime, unitId: unit.id, ownerId: actor.id });
    await trx
      .insertInto('doc_incoming')
      .values({
        id,
        unit_id: unit.id,
        origin_unit_id: unit.id,
        year,
        arrival_number: n,
        arrival_date: today,
        author_org: input.author_org,
        code_number: input.code_number,
        code_notation: input.code_notation,
        issued_date: input.issued_date,
        type_code: input.type_code,
        subject: input.subject,
        urgency: input.urgency,
        secrecy: input.secrecy,
        file_id: fileId,
        due_date: input.due_date || null,
        status: 'registered',
        search_text: foldVietnamese(`${input.code_number}/${input.code_notation} ${input.author_org} ${input.subject}`),
        registered_by: actor.id,
        created_at: new Date().toISOString(),
      })
      .execute();
    if (input.secrecy !== 'normal') {
      const leaders = await trx.selectFrom('auth_role_grant').select('account_id').where('unit_id', '=', unit.id).where('role', '=', 'commune_leader').execute();
      const readers = [...new Set([actor.id, ...leaders.map((l) => l.account_id)])];
      await trx.insertInto('doc_reader').values(readers.map((account_id) => ({ document_id: id, account_id, granted_by: actor.id, granted_at: new Date().toISOString() }))).execute();
    }
    await indexDocument(trx, ctx.database, 'incoming', id);
    await writeAudit(ctx.database, trx, audit, { action: 'documents.incoming.register', entity: 'doc_incoming', entityId: id, unitId: unit.id, detail: { number: n, year, duplicate: duplicates.length > 0, secrecy: input.secrecy } });
    return n;
  });
  // The text inside the PDF joins the index just after (the response does not wait for it).
  void kickIndexer(ctx).catch(() => undefined);
  return { id, number, year };
}

/**
 * A unit's documents are its own people's: beyond the role's permission, the actor's own unit must be
 * the document's (a province's staff, whose roles reach every commune, see the province's register, not
 * the communes'). Anything else is the 404 of a record out of scope (audited as such).
 */
export async function authorizeOwn(access: Access, action: string, unitId: string) {
  await access.authorize(action, { unitId });
  if (access.actor!.unitId !== unitId) throw new AppError('out_of_scope', 404, 'error.not_found', { action, unitId });
}

/**
 * A registered document the actor may open: in their unit's scope and, when classified, among its
 * named readers. Anything else is a 404, and the attempt is logged (`access.denied`).
 */
export async function incomingFor(ctx: AppContext, access: Access, audit: AuditContext, id: string) {
  const doc = await ctx.database.db.selectFrom('doc_incoming').selectAll().where('id', '=', id).executeTakeFirst();
  if (!doc) throw notFound();
  await authorizeOwn(access, 'document.read', doc.unit_id);
  if (doc.secrecy !== 'normal') {
    const reader = await ctx.database.db.selectFrom('doc_reader').select('account_id').where('document_id', '=', doc.id).where('account_id', '=', access.actor!.id).executeTakeFirst();
    if (!reader) {
      await ctx.database.db.transaction().execute((trx) =>
        writeAudit(ctx.database, trx, audit, { action: 'access.denied', entity: 'doc_incoming', entityId: doc.id, unitId: doc.unit_id, detail: { reason: 'not_a_reader', secrecy: doc.secrecy } }),
      );
      throw notFound();
    }
  }
  return doc;
}

/** Every opening and download of a document is recorded (who, when, what). */
export const logDocumentUse = (ctx: AppContext, audit: AuditContext, doc: { id: string; unit_id: string }, action: 'documents.incoming.view' | 'documents.incoming.download') =>
  ctx.database.db.transaction().execute((trx) => writeAudit(ctx.database, trx, audit, { action, entity: 'doc_incoming', entityId: doc.id, unitId: doc.unit_id }));

/** The register: a unit's incoming documents of a year, newest first; search without diacritics; classified ones only for their readers. */
export async function incomingRegister(ctx: AppContext, actorId: string, unitId: string, opts: { year: number; q?: string; type?: string; urgency?: string; offset?: number; limit?: number }) {
  let q = ctx.database.db
    .selectFrom('doc_incoming as d')
    .select(['d.id', 'd.arrival_number', 'd.arrival_date', 'd.author_org', 'd.code_number', 'd.code_notation', 'd.issued_date', 'd.type_code', 'd.subject', 'd.urgency', 'd.secrecy', 'd.due_date', 'd.status'])
    .where('d.unit_id', '=', unitId)
    .where('d.year', '=', opts.year)
    .where('d.status', '!=', 'recalled')
    .where((eb) => eb.or([eb('d.secrecy', '=', 'normal'), eb.exists(eb.selectFrom('doc_reader as r').select('r.account_id').whereRef('r.document_id', '=', 'd.id').where('r.account_id', '=', actorId))]));
  for (const w of foldVietnamese(opts.q ?? '').split(/\s+/).filter(Boolean).slice(0, 8)) q = q.where('d.search_text', 'like', `%${w.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  if (opts.type) q = q.where('d.type_code', '=', opts.type);
  if (opts.urgency) q = q.where('d.urgency', '=', opts.urgency);
  return q
    .orderBy('d.arrival_number', 'desc')
    .offset(opts.offset ?? 0)
    .limit(opts.limit ?? 50)
    .execute();
}
