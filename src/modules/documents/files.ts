import crypto from 'node:crypto';
import { z } from 'zod';
import { XMLBuilder } from 'fast-xml-parser';
import type { AppContext } from '../../platform/context.ts';
import type { Access } from '../../platform/auth/access.ts';
import { writeAudit, type AuditContext } from '../../platform/audit/audit.ts';
import { fieldProblem, notFound } from '../../platform/errors.ts';
import { formatDate, localToday, translator } from '../../platform/i18n/index.ts';
import { newPdf, pdfBytes } from '../../platform/pdf/document.ts';
import { authorizeOwn, registerUnitFor } from './incoming.ts';
import type { DOC_TYPES } from './types.ts';

/**
 * Files (hồ sơ) of the year's file plan: a code, a title, a keeper and a retention period; documents —
 * incoming or outgoing, one document possibly in several files — are filed into them. A file is
 * exported with its documents' metadata in date order, as XML (the metadata names of Decree 30's
 * Appendix VI: CodeNumber, CodeNotation, IssuedDate, OrganName, Subject, ArrivalNumber, ArrivalDate…)
 * and as a PDF table of contents.
 */
export const fileInput = z.object({
  year: z.coerce.number().int().min(2000).max(2100),
  code: z
    .string()
    .trim()
    .min(1)
    .max(20)
    .refine((v) => /^[0-9A-ZĐa-z.\-/]+$/.test(v), { message: 'documents.error.file_code' }),
  title: z.string().trim().min(5).max(300),
  keeper: z.string().trim().min(2).max(100),
  retention: z.string().trim().min(2).max(40),
});
export const fileItemInput = z.object({ file_id: z.string().min(1).max(60) });

export async function createFile(ctx: AppContext, access: Access, audit: AuditContext, unitId: string, input: z.output<typeof fileInput>) {
  const unit = await registerUnitFor(ctx, access, unitId, 'document.file');
  const taken = await ctx.database.db.selectFrom('doc_file').select('id').where('origin_unit_id', '=', unit.id).where('year', '=', input.year).where('code', '=', input.code).executeTakeFirst();
  if (taken) throw fieldProblem('code_taken', 409, 'code', 'documents.error.file_code_taken');
  const id = crypto.randomUUID();
  await ctx.database.db.transaction().execute(async (trx) => {
    await trx.insertInto('doc_file').values({ id, unit_id: unit.id, origin_unit_id: unit.id, ...input, created_at: new Date().toISOString() }).execute();
    await writeAudit(ctx.database, trx, audit, { action: 'documents.file.create', entity: 'doc_file', entityId: id, unitId: unit.id, detail: { year: input.year, code: input.code } });
  });
  return id;
}

/** Files a document the actor may see into one of its unit's files (once). */
export async function fileDocument(ctx: AppContext, access: Access, audit: AuditContext, kind: 'incoming' | 'outgoing', document: { id: string; unit_id: string }, fileId: string) {
  await access.authorize('document.file', { unitId: document.unit_id });
  const file = await ctx.database.db.selectFrom('doc_file').select(['id', 'code']).where('id', '=', fileId).where('unit_id', '=', document.unit_id).executeTakeFirst();
  if (!file) throw fieldProblem('bad_file', 400, 'file_id', 'documents.error.file');
  await ctx.database.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('doc_file_item')
      .values({ file_id: file.id, document_kind: kind, document_id: document.id, added_by: access.actor!.id, added_at: new Date().toISOString() })
      .onConflict((oc) => oc.columns(['file_id', 'document_kind', 'document_id']).doNothing())
      .execute();
    await writeAudit(ctx.database, trx, audit, { action: 'documents.file.add', entity: 'doc_file', entityId: file.id, unitId: document.unit_id, detail: { kind, document: document.id } });
  });
}

export async function fileFor(ctx: AppContext, access: Access, id: string) {
  const file = await ctx.database.db.selectFrom('doc_file').selectAll().where('id', '=', id).executeTakeFirst();
  if (!file) throw notFound();
  await authorizeOwn(access, 'document.read', file.unit_id);
  return file;
}

export const filesOf = (ctx: AppContext, unitId: string, year?: number) => {
  let q = ctx.database.db
    .selectFrom('doc_file as f')
    .leftJoin('doc_file_item as i', 'i.file_id', 'f.id')
    .select((eb) => ['f.id', 'f.year', 'f.code', 'f.title', 'f.keeper', 'f.retention', eb.fn.count<number>('i.document_id').as('documents')])
    .where('f.unit_id', '=', unitId)
    .groupBy(['f.id', 'f.year', 'f.code', 'f.title', 'f.keeper', 'f.retention']);
  if (year) q = q.where('f.year', '=', year);
  return q.orderBy('f.year', 'desc').orderBy('f.code').execute();
};

export interface FileEntry {
  kind: 'incoming' | 'outgoing';
  id: string;
  date: string;
  codeNumber: string;
  codeNotation: string;
  organName: string;
  typeCode: string;
  subject: string;
  arrivalNumber: number | null;
  arrivalDate: string | null;
}

/** A file's documents in date order (classified ones only for their readers — the export is what the actor may see). */
export async function fileEntries(ctx: AppContext, actorId: string, fileId: string): Promise<FileEntry[]> {
  const { db } = ctx.database;
  const incoming = await db
    .selectFrom('doc_file_item as i')
    .innerJoin('doc_incoming as d', 'd.id', 'i.document_id')
    .select(['d.id', 'd.issued_date', 'd.code_number', 'd.code_notation', 'd.author_org', 'd.type_code', 'd.subject', 'd.arrival_number', 'd.arrival_date'])
    .where('i.file_id', '=', fileId)
    .where('i.document_kind', '=', 'incoming')
    .where((eb) => eb.or([eb('d.secrecy', '=', 'normal'), eb.exists(eb.selectFrom('doc_reader as r').select('r.account_id').whereRef('r.document_id', '=', 'd.id').where('r.account_id', '=', actorId))]))
    .execute();
  const outgoing = await db
    .selectFrom('doc_file_item as i')
    .innerJoin('doc_outgoing as d', 'd.id', 'i.document_id')
    .innerJoin('unit as u', 'u.id', 'd.unit_id')
    .select(['d.id', 'd.signed_date', 'd.code', 'd.type_code', 'd.subject', 'u.name as organ'])
    .where('i.file_id', '=', fileId)
    .where('i.document_kind', '=', 'outgoing')
    .where((eb) => eb.or([eb('d.secrecy', '=', 'normal'), eb('d.created_by', '=', actorId), eb('d.signer_id', '=', actorId)]))
    .execute();
  const entries: FileEntry[] = [
    ...incoming.map((d) => ({ kind: 'incoming' as const, id: d.id, date: d.issued_date, codeNumber: d.code_number, codeNotation: d.code_notation, organName: d.author_org, typeCode: d.type_code, subject: d.subject, arrivalNumber: d.arrival_number, arrivalDate: d.arrival_date })),
    ...outgoing.map((d) => ({ kind: 'outgoing' as const, id: d.id, date: d.signed_date ?? '', codeNumber: (d.code ?? '').split('/')[0] ?? '', codeNotation: (d.code ?? '').split('/').slice(1).join('/'), organName: d.organ, typeCode: d.type_code, subject: d.subject, arrivalNumber: null, arrivalDate: null })),
  ];
  return entries.sort((a, b) => a.date.localeCompare(b.date) || a.codeNumber.localeCompare(b.codeNumber));
}

const typeName = (code: string) => translator('vi')(`documents.type.${code as (typeof DOC_TYPES)[number]['code']}`);

/** The file and its documents' metadata as XML (Appendix VI names), in date order. */
export function fileXml(file: { code: string; year: number; title: string; keeper: string; retention: string }, organ: string, entries: FileEntry[]) {
  const builder = new XMLBuilder({ format: true, ignoreAttributes: false, suppressEmptyNode: true });
  return builder.build({
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    File: {
      FileCode: file.code,
      Year: file.year,
      Title: file.title,
      OrganName: organ,
      Keeper: file.keeper,
      Retention: file.retention,
      ExportedDate: localToday(),
      Document: entries.map((e, i) => ({
        '@_order': i + 1,
        '@_direction': e.kind,
        CodeNumber: e.codeNumber,
        CodeNotation: e.codeNotation,
        IssuedDate: e.date,
        OrganName: e.organName,
        TypeName: typeName(e.typeCode),
        Subject: e.subject,
        ...(e.arrivalNumber !== null ? { ArrivalNumber: e.arrivalNumber, ArrivalDate: e.arrivalDate } : {}),
      })),
    },
  });
}

/** The file's table of contents as a PDF (mục lục văn bản), in date order. */
export async function filePdf(file: { code: string; year: number; title: string; keeper: string; retention: string }, organ: string, entries: FileEntry[]) {
  const doc = newPdf({ title: `${file.code} — ${file.title}` });
  doc.font('bold').fontSize(13).text(organ.toUpperCase(), { align: 'center' }).moveDown(0.5);
  doc.fontSize(14).text(`MỤC LỤC VĂN BẢN — HỒ SƠ ${file.code}/${file.year}`, { align: 'center' }).moveDown(0.3);
  doc.font('regular').fontSize(12).text(file.title, { align: 'center' }).moveDown(0.3);
  doc.fontSize(10).text(`Người giữ: ${file.keeper} · Thời hạn bảo quản: ${file.retention} · Số văn bản: ${entries.length}`, { align: 'center' }).moveDown();
  entries.forEach((e, i) => {
    doc.font('bold').fontSize(10).text(`${i + 1}. ${e.codeNumber}/${e.codeNotation} — ${formatDate(e.date)} — ${e.organName}`);
    doc.font('regular').text(`${typeName(e.typeCode)}: ${e.subject}${e.arrivalNumber !== null ? ` (số đến ${e.arrivalNumber}, ngày ${formatDate(e.arrivalDate ?? '')})` : ''}`, { indent: 14 }).moveDown(0.4);
  });
  return pdfBytes(doc);
}
