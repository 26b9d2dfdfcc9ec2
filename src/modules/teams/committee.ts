import crypto from 'node:crypto';
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import type { Access } from '../../platform/auth/access.ts';
import { writeAudit, type AuditContext } from '../../platform/audit/audit.ts';
import { AppError, fieldProblem, notFound } from '../../platform/errors.ts';
import { checkUpload, storeFile, type UploadedFile } from '../../platform/files/files.ts';
import { localToday } from '../../platform/i18n/index.ts';
import { normalizePhone } from '../../platform/notify/channels.ts';
import { unitRepository } from '../../platform/units/repository.ts';
import { leaveInput, memberInput, notFuture } from './commands.ts';

/**
 * The digital-transformation steering committee (Ban chỉ đạo chuyển đổi số) of a commune or the
 * province: its members (one serving head, usually the chairman), its establishing decision and its
 * regulation (PDF files, newest in force), and its yearly plans with tasks — each owned by a serving
 * member, with a deadline and a status; a task past its deadline and not done is overdue.
 */
export const COMMITTEE_ROLES = ['head', 'deputy', 'member', 'secretary'] as const;
export const DOCUMENT_KINDS = ['decision', 'regulation'] as const;
export const TASK_STATUSES = ['todo', 'doing', 'done'] as const;

export const committeeMemberInput = memberInput.omit({ role: true }).extend({
  position: z.string().trim().min(2).max(120),
  committee_role: z.enum(COMMITTEE_ROLES),
});
export { leaveInput as committeeLeaveInput };

export const committeeDocumentInput = z.object({
  kind: z.enum(DOCUMENT_KINDS),
  number: z.string().trim().min(1).max(60),
  issued_on: z.iso.date().refine(notFuture, { message: 'teams.error.future_date' }),
  title: z.string().trim().min(3).max(300),
});

export const planInput = z.object({
  year: z.coerce.number().int().min(2020).max(2100),
  number: z.string().trim().min(1).max(60),
  title: z.string().trim().min(3).max(300),
  issued_on: z.iso.date().refine(notFuture, { message: 'teams.error.future_date' }),
});

export const taskInput = z.object({
  title: z.string().trim().min(3).max(300),
  owner_id: z.string().min(1).max(60),
  deadline: z.iso.date(),
});

export const taskStatusInput = z.object({
  status: z.enum(TASK_STATUSES),
  note: z.string().trim().max(1000).optional().default(''),
});

/** A current commune or the province whose committee the actor may read or manage, else 404. */
export async function committeeUnitFor(ctx: AppContext, access: Access, unitId: string, action: 'committee.read' | 'committee.manage') {
  const unit = await unitRepository(ctx.database).byId(unitId);
  if (!unit || (unit.level !== 'commune' && unit.level !== 'province') || unit.valid_to !== null) throw notFound();
  await access.authorize(action, { unitId: unit.id });
  return unit;
}

export function committeeRepository(ctx: AppContext) {
  const { db } = ctx.database;
  return {
    members: (unitId: string) => db.selectFrom('sc_member').selectAll().where('unit_id', '=', unitId).orderBy('left_on', 'desc').orderBy('joined_on').execute(),
    documents: (unitId: string) => db.selectFrom('sc_document').selectAll().where('unit_id', '=', unitId).orderBy('issued_on', 'desc').execute(),
    document: (unitId: string, id: string) => db.selectFrom('sc_document').selectAll().where('unit_id', '=', unitId).where('id', '=', id).executeTakeFirst(),
    plan: (unitId: string, id: string) => db.selectFrom('sc_plan').selectAll().where('unit_id', '=', unitId).where('id', '=', id).executeTakeFirst(),
    /** Plans, newest year first, with their tasks counted: all, done and overdue today. */
    plans: async (unitId: string) => {
      const today = localToday();
      return db
        .selectFrom('sc_plan as p')
        .leftJoin('sc_task as t', 't.plan_id', 'p.id')
        .select((eb) => [
          'p.id',
          'p.year',
          'p.number',
          'p.title',
          'p.issued_on',
          eb.fn.count<number>('t.id').as('tasks'),
          eb.fn.sum<number>(eb.case().when('t.status', '=', 'done').then(1).else(0).end()).as('done'),
          eb.fn.sum<number>(eb.case().when(eb.and([eb('t.status', '!=', 'done'), eb('t.deadline', '<', today)])).then(1).else(0).end()).as('overdue'),
        ])
        .where('p.unit_id', '=', unitId)
        .groupBy(['p.id', 'p.year', 'p.number', 'p.title', 'p.issued_on'])
        .orderBy('p.year', 'desc')
        .orderBy('p.issued_on', 'desc')
        .execute();
    },
    tasks: (planId: string) =>
      db
        .selectFrom('sc_task as t')
        .innerJoin('sc_member as m', 'm.id', 't.owner_id')
        .select(['t.id', 't.title', 't.deadline', 't.status', 't.note', 't.done_on', 't.updated_at', 't.owner_id', 'm.full_name as owner_name', 'm.position as owner_position'])
        .where('t.plan_id', '=', planId)
        .orderBy('t.deadline')
        .execute(),
  };
}

export const isOverdue = (task: { status: string; deadline: string }, today = localToday()) => task.status !== 'done' && task.deadline < today;

export async function addCommitteeMember(ctx: AppContext, access: Access, audit: AuditContext, unitId: string, input: z.output<typeof committeeMemberInput>) {
  const unit = await committeeUnitFor(ctx, access, unitId, 'committee.manage');
  const members = await committeeRepository(ctx).members(unit.id);
  if (input.committee_role === 'head' && members.some((m) => m.committee_role === 'head' && !m.left_on)) throw fieldProblem('second_head', 409, 'committee_role', 'committee.error.second_head');
  const id = crypto.randomUUID();
  await ctx.database.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('sc_member')
      .values({ id, unit_id: unit.id, full_name: input.full_name, position: input.position, committee_role: input.committee_role, phone: input.phone ? normalizePhone(input.phone) : null, joined_on: input.joined_on, left_on: null, created_at: new Date().toISOString() })
      .execute();
    await writeAudit(ctx.database, trx, audit, { action: 'committee.member.add', entity: 'sc_member', entityId: id, unitId: unit.id, detail: { role: input.committee_role, joined_on: input.joined_on } });
  });
  return id;
}

/** Ends a membership, kept as history. A member who still owns open tasks must hand them over first. */
export async function endCommitteeMembership(ctx: AppContext, access: Access, audit: AuditContext, unitId: string, memberId: string, leftOn: string) {
  const unit = await committeeUnitFor(ctx, access, unitId, 'committee.manage');
  const { db } = ctx.database;
  const member = await db.selectFrom('sc_member').selectAll().where('id', '=', memberId).where('unit_id', '=', unit.id).executeTakeFirst();
  if (!member) throw notFound();
  if (member.left_on) throw new AppError('already_left', 409, 'teams.error.already_left');
  if (leftOn < member.joined_on) throw fieldProblem('left_before_joined', 400, 'left_on', 'teams.error.left_before_joined');
  const open = await db.selectFrom('sc_task').select((eb) => eb.fn.countAll<number>().as('n')).where('owner_id', '=', member.id).where('status', '!=', 'done').executeTakeFirst();
  if (Number(open?.n ?? 0) > 0) throw fieldProblem('owns_open_tasks', 409, 'left_on', 'committee.error.owns_open_tasks', { count: Number(open!.n) });
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('sc_member').set({ left_on: leftOn }).where('id', '=', member.id).where('left_on', 'is', null).execute();
    await writeAudit(ctx.database, trx, audit, { action: 'committee.member.leave', entity: 'sc_member', entityId: member.id, unitId: unit.id, detail: { left_on: leftOn } });
  });
}

/** Files the committee's decision or regulation (PDF, checked by content). */
export async function addCommitteeDocument(ctx: AppContext, access: Access, audit: AuditContext, unitId: string, input: z.output<typeof committeeDocumentInput>, file: UploadedFile | undefined) {
  const unit = await committeeUnitFor(ctx, access, unitId, 'committee.manage');
  if (!file) throw fieldProblem('no_file', 400, 'file', 'committee.error.no_file');
  const { mime } = await checkUpload(ctx, 'file', file, ['application/pdf']);
  const id = crypto.randomUUID();
  await ctx.database.db.transaction().execute(async (trx) => {
    const fileId = await storeFile(ctx, trx, file, { mime, unitId: unit.id, ownerId: null });
    await trx.insertInto('sc_document').values({ id, unit_id: unit.id, kind: input.kind, number: input.number, issued_on: input.issued_on, title: input.title, file_id: fileId, created_at: new Date().toISOString() }).execute();
    await writeAudit(ctx.database, trx, audit, { action: 'committee.document.add', entity: 'sc_document', entityId: id, unitId: unit.id, detail: { kind: input.kind, number: input.number } });
  });
  return id;
}

export async function createPlan(ctx: AppContext, access: Access, audit: AuditContext, unitId: string, input: z.output<typeof planInput>) {
  const unit = await committeeUnitFor(ctx, access, unitId, 'committee.manage');
  const id = crypto.randomUUID();
  await ctx.database.db.transaction().execute(async (trx) => {
    await trx.insertInto('sc_plan').values({ id, unit_id: unit.id, ...input, created_at: new Date().toISOString() }).execute();
    await writeAudit(ctx.database, trx, audit, { action: 'committee.plan.create', entity: 'sc_plan', entityId: id, unitId: unit.id, detail: { year: input.year, number: input.number } });
  });
  return id;
}

async function planFor(ctx: AppContext, access: Access, unitId: string, planId: string, action: 'committee.read' | 'committee.manage') {
  const unit = await committeeUnitFor(ctx, access, unitId, action);
  const plan = await committeeRepository(ctx).plan(unit.id, planId);
  if (!plan) throw notFound();
  return { unit, plan };
}
export { planFor as committeePlanFor };

/** Adds a task owned by a serving member of the same committee. */
export async function addTask(ctx: AppContext, access: Access, audit: AuditContext, unitId: string, planId: string, input: z.output<typeof taskInput>) {
  const { unit, plan } = await planFor(ctx, access, unitId, planId, 'committee.manage');
  const owner = await ctx.database.db.selectFrom('sc_member').select(['id', 'left_on']).where('id', '=', input.owner_id).where('unit_id', '=', unit.id).executeTakeFirst();
  if (!owner || owner.left_on) throw fieldProblem('bad_owner', 400, 'owner_id', 'committee.error.owner');
  const id = crypto.randomUUID();
  await ctx.database.db.transaction().execute(async (trx) => {
    await trx.insertInto('sc_task').values({ id, plan_id: plan.id, title: input.title, owner_id: owner.id, deadline: input.deadline, status: 'todo', note: null, done_on: null, updated_at: new Date().toISOString() }).execute();
    await writeAudit(ctx.database, trx, audit, { action: 'committee.task.add', entity: 'sc_task', entityId: id, unitId: unit.id, detail: { plan: plan.id, deadline: input.deadline } });
  });
  return id;
}

/** Records a task's progress; `done` dates it today, reopening clears that date. */
export async function updateTaskStatus(ctx: AppContext, access: Access, audit: AuditContext, unitId: string, planId: string, taskId: string, input: z.output<typeof taskStatusInput>) {
  const { unit, plan } = await planFor(ctx, access, unitId, planId, 'committee.manage');
  const task = await ctx.database.db.selectFrom('sc_task').selectAll().where('id', '=', taskId).where('plan_id', '=', plan.id).executeTakeFirst();
  if (!task) throw notFound();
  const doneOn = input.status === 'done' ? (task.done_on ?? localToday()) : null;
  await ctx.database.db.transaction().execute(async (trx) => {
    await trx.updateTable('sc_task').set({ status: input.status, note: input.note || null, done_on: doneOn, updated_at: new Date().toISOString() }).where('id', '=', task.id).execute();
    await writeAudit(ctx.database, trx, audit, { action: 'committee.task.update', entity: 'sc_task', entityId: task.id, unitId: unit.id, detail: { from: task.status, to: input.status } });
  });
}
