import crypto from 'node:crypto';
import { z } from 'zod';
import type { Kysely } from 'kysely';
import type { AppContext } from '../../platform/context.ts';
import type { Access, Actor } from '../../platform/auth/access.ts';
import type { DB } from '../../platform/db/schema.ts';
import { systemContext, writeAudit, type AuditContext } from '../../platform/audit/audit.ts';
import { AppError, fieldProblem } from '../../platform/errors.ts';
import { formatDate, localToday, translator } from '../../platform/i18n/index.ts';
import { incomingFor } from './incoming.ts';
import { indexStatus } from './search.ts';

/**
 * Handling an incoming document (Decree 30): the leader instructs — the official who leads, those who
 * co-ordinate, a deadline, a comment; the lead reports progress, may hand it to another official, and
 * closes it with the result (and the reply's number when one was issued). Everything is in the
 * document's history (`doc_event`) and audited; the people concerned get a notice in their inbox.
 */
const multi = z.preprocess((v): unknown[] => (v === undefined || v === '' ? [] : Array.isArray(v) ? (v as unknown[]) : [v]), z.array(z.string().max(60)).max(30));

export const instructInput = z.object({
  lead_id: z.string().min(1).max(60),
  co_ids: multi,
  deadline: z.iso.date().refine((d) => d >= localToday(), { message: 'documents.error.past_due' }),
  comment: z.string().trim().max(1000).optional().default(''),
});
export const progressInput = z.object({ note: z.string().trim().min(3).max(1000) });
export const delegateInput = z.object({ lead_id: z.string().min(1).max(60), note: z.string().trim().max(1000).optional().default('') });
export const closeInput = z.object({ result_note: z.string().trim().min(3).max(1000), reply_code: z.string().trim().max(60).optional().default('') });

export async function recordEvent(trx: Kysely<DB>, documentId: string, actor: Pick<Actor, 'id' | 'displayName'>, event: string, note: string | null = null) {
  await trx.insertInto('doc_event').values({ id: crypto.randomUUID(), document_id: documentId, event, actor_id: actor.id, actor_label: actor.displayName, note, at: new Date().toISOString() }).execute();
}

/** Officials of the commune who can take a document in hand. */
export const handlersOf = (ctx: AppContext, unitId: string) =>
  ctx.database.db
    .selectFrom('auth_role_grant as g')
    .innerJoin('auth_account as a', 'a.id', 'g.account_id')
    .select(['a.id', 'a.display_name'])
    .where('g.unit_id', '=', unitId)
    .where('g.role', 'in', ['commune_official', 'commune_leader'])
    .where('a.disabled_at', 'is', null)
    .distinct()
    .orderBy('a.display_name')
    .execute();

async function notify(ctx: AppContext, trx: Kysely<DB>, unitId: string, accountId: string, doc: { id: string; code_number: string; code_notation: string; subject: string }, key: 'assigned' | 'co' | 'reminder', deadline: string, dedupe?: string) {
  const t = translator('vi');
  return ctx.notifier.enqueue(
    trx,
    { unitId, accountId },
    {
      subject: t(`documents.notice.${key}_subject`, { code: `${doc.code_number}/${doc.code_notation}` }),
      body: t(`documents.notice.${key}`, { subject: doc.subject, deadline: formatDate(deadline) }),
      link: `${ctx.config.publicUrl}/van-ban/den/${doc.id}`,
      source: 'documents.handling',
      sourceId: doc.id,
      ...(dedupe ? { dedupeKey: dedupe } : {}),
    },
  );
}

/** An incoming document's handling status, in its register and in the search index. */
async function setStatus(trx: Kysely<DB>, id: string, status: string) {
  await trx.updateTable('doc_incoming').set({ status }).where('id', '=', id).execute();
  await indexStatus(trx, 'incoming', id, status);
}

export async function instruct(ctx: AppContext, access: Access, audit: AuditContext, documentId: string, input: z.output<typeof instructInput>) {
  const doc = await incomingFor(ctx, access, audit, documentId);
  await access.authorize('document.instruct', { unitId: doc.unit_id });
  if (doc.status !== 'registered') throw new AppError('bad_transition', 409, 'documents.error.transition');
  const handlers = new Set((await handlersOf(ctx, doc.unit_id)).map((h) => h.id));
  if (!handlers.has(input.lead_id)) throw fieldProblem('bad_lead', 400, 'lead_id', 'documents.error.handler');
  const co = [...new Set(input.co_ids)].filter((id) => id !== input.lead_id);
  if (co.some((id) => !handlers.has(id))) throw fieldProblem('bad_co', 400, 'co_ids', 'documents.error.handler');
  const id = crypto.randomUUID();
  await ctx.database.db.transaction().execute(async (trx) => {
    const r = await trx.updateTable('doc_incoming').set({ status: 'assigned', due_date: input.deadline }).where('id', '=', doc.id).where('status', '=', 'registered').executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw new AppError('bad_transition', 409, 'documents.error.transition');
    await indexStatus(trx, 'incoming', doc.id, 'assigned');
    await trx.insertInto('doc_assignment').values({ id, document_id: doc.id, unit_id: doc.unit_id, instructed_by: access.actor!.id, lead_id: input.lead_id, deadline: input.deadline, comment: input.comment, status: 'open', result_note: null, reply_code: null, done_at: null, created_at: new Date().toISOString() }).execute();
    await trx.insertInto('doc_assignee').values([{ assignment_id: id, account_id: input.lead_id, role: 'lead' }, ...co.map((account_id) => ({ assignment_id: id, account_id, role: 'co' }))]).execute();
    await recordEvent(trx, doc.id, access.actor!, 'instructed', input.comment || null);
    await notify(ctx, trx, doc.unit_id, input.lead_id, doc, 'assigned', input.deadline);
    for (const c of co) await notify(ctx, trx, doc.unit_id, c, doc, 'co', input.deadline);
    await writeAudit(ctx.database, trx, audit, { action: 'documents.incoming.instruct', entity: 'doc_incoming', entityId: doc.id, unitId: doc.unit_id, detail: { lead: input.lead_id, co: co.length, deadline: input.deadline } });
  });
}

/** The open assignment of a document, for its lead (or the leader who instructed). */
async function openAssignment(ctx: AppContext, access: Access, audit: AuditContext, documentId: string) {
  const doc = await incomingFor(ctx, access, audit, documentId);
  const a = await ctx.database.db.selectFrom('doc_assignment').selectAll().where('document_id', '=', doc.id).executeTakeFirst();
  if (!a || a.status !== 'open') throw new AppError('bad_transition', 409, 'documents.error.transition');
  if (a.lead_id !== access.actor!.id && a.instructed_by !== access.actor!.id) throw new AppError('not_lead', 409, 'documents.error.not_lead');
  return { doc, a };
}

export async function reportProgress(ctx: AppContext, access: Access, audit: AuditContext, documentId: string, note: string) {
  const { doc } = await openAssignment(ctx, access, audit, documentId);
  await ctx.database.db.transaction().execute(async (trx) => {
    await setStatus(trx, doc.id, 'in_progress');
    await recordEvent(trx, doc.id, access.actor!, 'progress', note);
    await writeAudit(ctx.database, trx, audit, { action: 'documents.incoming.progress', entity: 'doc_incoming', entityId: doc.id, unitId: doc.unit_id });
  });
}

export async function delegate(ctx: AppContext, access: Access, audit: AuditContext, documentId: string, input: z.output<typeof delegateInput>) {
  const { doc, a } = await openAssignment(ctx, access, audit, documentId);
  if (!(await handlersOf(ctx, doc.unit_id)).some((h) => h.id === input.lead_id) || input.lead_id === a.lead_id) throw fieldProblem('bad_lead', 400, 'lead_id', 'documents.error.handler');
  await ctx.database.db.transaction().execute(async (trx) => {
    await trx.updateTable('doc_assignment').set({ lead_id: input.lead_id }).where('id', '=', a.id).execute();
    await trx.deleteFrom('doc_assignee').where('assignment_id', '=', a.id).where('account_id', '=', input.lead_id).execute();
    await trx.updateTable('doc_assignee').set({ account_id: input.lead_id }).where('assignment_id', '=', a.id).where('role', '=', 'lead').execute();
    await recordEvent(trx, doc.id, access.actor!, 'delegated', input.note || null);
    await notify(ctx, trx, doc.unit_id, input.lead_id, doc, 'assigned', a.deadline);
    await writeAudit(ctx.database, trx, audit, { action: 'documents.incoming.delegate', entity: 'doc_incoming', entityId: doc.id, unitId: doc.unit_id, detail: { from: a.lead_id, to: input.lead_id } });
  });
}

export async function closeHandling(ctx: AppContext, access: Access, audit: AuditContext, documentId: string, input: z.output<typeof closeInput>) {
  const { doc, a } = await openAssignment(ctx, access, audit, documentId);
  await ctx.database.db.transaction().execute(async (trx) => {
    await trx.updateTable('doc_assignment').set({ status: 'done', result_note: input.result_note, reply_code: input.reply_code || null, done_at: new Date().toISOString() }).where('id', '=', a.id).execute();
    await setStatus(trx, doc.id, 'done');
    await recordEvent(trx, doc.id, access.actor!, 'done', input.reply_code ? `${input.result_note} (${input.reply_code})` : input.result_note);
    await writeAudit(ctx.database, trx, audit, { action: 'documents.incoming.done', entity: 'doc_incoming', entityId: doc.id, unitId: doc.unit_id, detail: { late: localToday() > a.deadline } });
  });
}

/** What is on one person's desk: to lead, to co-ordinate, to instruct (leaders), waiting on others. */
export async function inbox(ctx: AppContext, access: Access, unitId: string) {
  const { db } = ctx.database;
  const me = access.actor!.id;
  const base = () =>
    db
      .selectFrom('doc_assignment as a')
      .innerJoin('doc_incoming as d', 'd.id', 'a.document_id')
      .innerJoin('auth_account as l', 'l.id', 'a.lead_id')
      .select(['d.id', 'd.code_number', 'd.code_notation', 'd.subject', 'd.urgency', 'a.deadline', 'l.display_name as lead'])
      .where('a.unit_id', '=', unitId)
      .where('a.status', '=', 'open')
      .orderBy('a.deadline');
  const [lead, co, waiting] = await Promise.all([
    base().where('a.lead_id', '=', me).execute(),
    base()
      .innerJoin('doc_assignee as s', 's.assignment_id', 'a.id')
      .where('s.account_id', '=', me)
      .where('s.role', '=', 'co')
      .execute(),
    base().where('a.instructed_by', '=', me).where('a.lead_id', '!=', me).execute(),
  ]);
  const toInstruct = (await access.can('document.instruct', { unitId }))
    ? await db.selectFrom('doc_incoming').select(['id', 'code_number', 'code_notation', 'subject', 'urgency', 'arrival_date', 'author_org']).where('unit_id', '=', unitId).where('status', '=', 'registered').orderBy('arrival_date').limit(100).execute()
    : [];
  return { lead, co, waiting, toInstruct };
}

/**
 * Reminders (a module job): the lead of every open assignment due tomorrow or today, or overdue, gets one
 * notice a day until it is done.
 */
export async function remindDue(ctx: AppContext, now = new Date()) {
  const today = new Date(now.getTime() + 7 * 3600_000).toISOString().slice(0, 10);
  const tomorrow = new Date(now.getTime() + 31 * 3600_000).toISOString().slice(0, 10);
  const due = await ctx.database.db
    .selectFrom('doc_assignment as a')
    .innerJoin('doc_incoming as d', 'd.id', 'a.document_id')
    .select(['a.id', 'a.unit_id', 'a.lead_id', 'a.deadline', 'd.id as document_id', 'd.code_number', 'd.code_notation', 'd.subject'])
    .where('a.status', '=', 'open')
    .where('a.deadline', '<=', tomorrow)
    .execute();
  if (!due.length) return 0;
  let queued = 0;
  await ctx.database.db.transaction().execute(async (trx) => {
    for (const a of due) queued += await enqueueReminder(ctx, trx, a, today);
    await writeAudit(ctx.database, trx, systemContext('documents.reminders'), { action: 'documents.reminders', entity: 'doc_assignment', detail: { due: due.length, queued } });
  });
  return queued;
}

const enqueueReminder = (ctx: AppContext, trx: Kysely<DB>, a: { unit_id: string; lead_id: string; deadline: string; document_id: string; code_number: string; code_notation: string; subject: string; id: string }, today: string) =>
  // One a day: the key makes a second run of the same day queue nothing.
  notify(ctx, trx, a.unit_id, a.lead_id, { id: a.document_id, code_number: a.code_number, code_notation: a.code_notation, subject: a.subject }, 'reminder', a.deadline, `doc-reminder:${a.id}:${today}`);
