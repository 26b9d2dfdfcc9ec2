import crypto from 'node:crypto';
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import type { Access } from '../../platform/auth/access.ts';
import { writeAudit, type AuditContext } from '../../platform/audit/audit.ts';
import { AppError, fieldProblem, notFound } from '../../platform/errors.ts';
import { checkUpload, storeFile, type UploadedFile } from '../../platform/files/files.ts';
import { formatDate, localToday, translator } from '../../platform/i18n/index.ts';
import { unitRepository } from '../../platform/units/repository.ts';

/**
 * Report requests (Decree 30: plans and reports flow between commune and province inside the
 * platform): the province asks its communes for a report with a template and a deadline; each commune
 * submits its file (a later one replaces the earlier, both audited); the province sees who has
 * submitted, who was late, who has not yet.
 */
const REPORT_TYPES = [
  'application/pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
];

export const requestInput = z.object({
  title: z.string().trim().min(5).max(300),
  description: z.string().trim().max(2000).optional().default(''),
  deadline: z.iso.date().refine((d) => d >= localToday(), { message: 'documents.error.past_due' }),
});
export const submissionInput = z.object({ note: z.string().trim().max(1000).optional().default('') });

/** The actor's province (for a province role) or the province of their commune. */
export async function provinceOf(ctx: AppContext, unitId: string) {
  const units = unitRepository(ctx.database);
  const unit = await units.byId(unitId);
  if (!unit) throw notFound();
  if (unit.level === 'province') return unit;
  const parent = unit.parent_id ? await units.byId(unit.parent_id) : undefined;
  if (!parent || parent.level !== 'province') throw notFound();
  return parent;
}

export async function createRequest(ctx: AppContext, access: Access, audit: AuditContext, input: z.output<typeof requestInput>, template: UploadedFile | undefined) {
  const province = await provinceOf(ctx, access.actor!.unitId);
  await access.authorize('report.request', { unitId: province.id });
  const mime = template ? (await checkUpload(ctx, 'template', template, REPORT_TYPES)).mime : null;
  const id = crypto.randomUUID();
  const communes = await ctx.database.db.selectFrom('unit').select('id').where('parent_id', '=', province.id).where('level', '=', 'commune').where('valid_to', 'is', null).execute();
  const t = translator('vi');
  await ctx.database.db.transaction().execute(async (trx) => {
    const fileId = template && mime ? await storeFile(ctx, trx, template, { mime, unitId: province.id, ownerId: access.actor!.id }) : null;
    await trx.insertInto('doc_report_request').values({ id, unit_id: province.id, title: input.title, description: input.description, template_file_id: fileId, deadline: input.deadline, created_by: access.actor!.id, created_at: new Date().toISOString() }).execute();
    // Each commune's leaders are told (inbox, and e-mail/SMS/Zalo when configured).
    const leaders = communes.length ? await trx.selectFrom('auth_role_grant').select(['account_id', 'unit_id']).where('unit_id', 'in', communes.map((c) => c.id)).where('role', '=', 'commune_leader').execute() : [];
    for (const l of leaders) {
      await ctx.notifier.enqueue(trx, { unitId: l.unit_id, accountId: l.account_id }, { subject: t('documents.notice.report_subject', { title: input.title }), body: t('documents.notice.report', { deadline: formatDate(input.deadline) }), link: `${ctx.config.publicUrl}/bao-cao-dinh-ky/${id}`, source: 'documents.report', sourceId: id });
    }
    await writeAudit(ctx.database, trx, audit, { action: 'documents.report.request', entity: 'doc_report_request', entityId: id, unitId: province.id, detail: { deadline: input.deadline, communes: communes.length } });
  });
  return id;
}

/** A request of the actor's province (province staff and its communes' people may open it). */
export async function requestFor(ctx: AppContext, access: Access, id: string) {
  const request = await ctx.database.db.selectFrom('doc_report_request').selectAll().where('id', '=', id).executeTakeFirst();
  if (!request) throw notFound();
  const province = await provinceOf(ctx, access.actor!.unitId);
  if (province.id !== request.unit_id) throw notFound();
  return request;
}

export async function submitReport(ctx: AppContext, access: Access, audit: AuditContext, requestId: string, input: z.output<typeof submissionInput>, file: UploadedFile | undefined) {
  const request = await requestFor(ctx, access, requestId);
  const commune = await unitRepository(ctx.database).byId(access.actor!.unitId);
  if (!commune || commune.level !== 'commune' || commune.parent_id !== request.unit_id) throw notFound();
  await access.authorize('report.submit', { unitId: commune.id });
  if (!file) throw fieldProblem('no_file', 400, 'file', 'documents.error.report_file');
  const { mime } = await checkUpload(ctx, 'file', file, REPORT_TYPES);
  const at = new Date().toISOString();
  await ctx.database.db.transaction().execute(async (trx) => {
    const fileId = await storeFile(ctx, trx, file, { mime, unitId: commune.id, ownerId: access.actor!.id });
    const values = { file_id: fileId, note: input.note, submitted_by: access.actor!.id, submitted_at: at };
    await trx
      .insertInto('doc_report_submission')
      .values({ request_id: request.id, unit_id: commune.id, ...values })
      .onConflict((oc) => oc.columns(['request_id', 'unit_id']).doUpdateSet(values))
      .execute();
    await writeAudit(ctx.database, trx, audit, { action: 'documents.report.submit', entity: 'doc_report_request', entityId: request.id, unitId: commune.id, detail: { late: localToday() > request.deadline } });
  });
}

/** Each commune of the province against the request: submitted (on time or late), or not yet. */
export async function submissionTracking(ctx: AppContext, request: { id: string; unit_id: string; deadline: string }) {
  const { db } = ctx.database;
  const communes = await db.selectFrom('unit').select(['id', 'name']).where('parent_id', '=', request.unit_id).where('level', '=', 'commune').where('valid_to', 'is', null).orderBy('name').execute();
  const submissions = await db.selectFrom('doc_report_submission').select(['unit_id', 'submitted_at', 'file_id', 'note']).where('request_id', '=', request.id).execute();
  const byUnit = new Map(submissions.map((s) => [s.unit_id, s]));
  const deadlineEnd = new Date(`${request.deadline}T23:59:59+07:00`).toISOString();
  const today = localToday();
  return communes.map((c) => {
    const s = byUnit.get(c.id);
    const state = s ? (s.submitted_at <= deadlineEnd ? 'on_time' : 'late') : today > request.deadline ? 'missing_late' : 'missing';
    return { unitId: c.id, name: c.name, state, submittedAt: s?.submitted_at ?? null, fileId: s?.file_id ?? null, note: s?.note ?? '' };
  });
}

export const requestsOf = (ctx: AppContext, provinceId: string) =>
  ctx.database.db
    .selectFrom('doc_report_request as r')
    .leftJoin('doc_report_submission as s', 's.request_id', 'r.id')
    .select((eb) => ['r.id', 'r.title', 'r.deadline', 'r.created_at', eb.fn.count<number>('s.unit_id').as('submitted')])
    .where('r.unit_id', '=', provinceId)
    .groupBy(['r.id', 'r.title', 'r.deadline', 'r.created_at'])
    .orderBy('r.deadline', 'desc')
    .execute();

export async function submissionFile(ctx: AppContext, access: Access, requestId: string, unitId: string) {
  const request = await requestFor(ctx, access, requestId);
  // The province's staff see every commune's; a commune sees its own.
  if (access.actor!.unitId !== request.unit_id && access.actor!.unitId !== unitId) throw notFound();
  const s = await ctx.database.db.selectFrom('doc_report_submission').select('file_id').where('request_id', '=', request.id).where('unit_id', '=', unitId).executeTakeFirst();
  if (!s) throw new AppError('not_found', 404, 'error.not_found');
  return s.file_id;
}
