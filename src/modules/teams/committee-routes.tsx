import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import { AppError, type FieldError } from '../../platform/errors.ts';
import { pageContext, parseInput, sendPage, setFlash, signedIn, formStrings } from '../../platform/http/kernel.ts';
import { formatDate, localToday, type MessageKey } from '../../platform/i18n/index.ts';
import { Layout } from '../../platform/ui/layout.tsx';
import { Button, Checkbox, ErrorSummary, FileInput, Form, SelectInput, Table, TextArea, TextInput } from '../../platform/ui/components.tsx';
import { isUpload, readStoredFile } from '../../platform/files/files.ts';
import {
  COMMITTEE_ROLES,
  DOCUMENT_KINDS,
  TASK_STATUSES,
  addCommitteeDocument,
  addCommitteeMember,
  addTask,
  committeeDocumentInput,
  committeeLeaveInput,
  committeeMemberInput,
  committeePlanFor,
  committeeRepository,
  committeeUnitFor,
  createPlan,
  endCommitteeMembership,
  isOverdue,
  planInput,
  taskInput,
  taskStatusInput,
  updateTaskStatus,
} from './committee.ts';
import { INDICATORS_PATH } from './indicator-routes.tsx';

export const COMMITTEE = '/ban-chi-dao';
type Values = Record<string, string>;

const LABELS = {
  full_name: 'committee.member_name',
  position: 'committee.position',
  committee_role: 'committee.role',
  phone: 'teams.phone',
  joined_on: 'teams.joined_on',
  left_on: 'teams.left_on',
  confirm: 'teams.confirm',
  kind: 'committee.doc_kind',
  number: 'committee.number',
  issued_on: 'committee.issued_on',
  title: 'committee.doc_title',
  year: 'teams.ind.year',
  owner_id: 'committee.owner',
  deadline: 'committee.deadline',
  status: 'committee.status',
  note: 'committee.note',
} as const;

const roleLabel = (r: string): MessageKey => `committee.role.${r as (typeof COMMITTEE_ROLES)[number]}`;
const kindLabel = (k: string): MessageKey => `committee.kind.${k as (typeof DOCUMENT_KINDS)[number]}`;
const statusLabel = (s: string): MessageKey => `committee.status.${s as (typeof TASK_STATUSES)[number]}`;

/** The steering committee of a commune or the province: members, decision and regulation, plans and tasks. */
export function registerCommitteeRoutes(app: FastifyInstance, ctx: AppContext) {
  const repo = committeeRepository(ctx);

  app.get(COMMITTEE, async (request, reply) => {
    const actor = signedIn(request, reply, 'official');
    if (!actor) return reply;
    request.access.require('committee.read');
    const unit = await ctx.database.db.selectFrom('unit').select(['id', 'level']).where('id', '=', actor.unitId).executeTakeFirst();
    if (!unit || (unit.level !== 'commune' && unit.level !== 'province')) throw new AppError('not_found', 404, 'error.not_found');
    return reply.redirect(`${COMMITTEE}/${unit.id}`, 303);
  });

  const renderCommittee = async (request: FastifyRequest, reply: FastifyReply, unitId: string, errors: FieldError[] = [], values: Values = {}, form = '', status = 200) => {
    const unit = await committeeUnitFor(ctx, request.access, unitId, 'committee.read');
    const [members, documents, plans] = await Promise.all([repo.members(unit.id), repo.documents(unit.id), repo.plans(unit.id)]);
    const canManage = await request.access.can('committee.manage', { unitId: unit.id });
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    const errs = (f: string) => (form === f ? errors : []);
    const val = (f: string, name: string, fallback = '') => (form === f ? (values[name] ?? '') : fallback);
    const serving = members.filter((m) => !m.left_on);
    const former = members.filter((m) => m.left_on);
    const base = `${COMMITTEE}/${unit.id}`;
    return sendPage(
      reply,
      <Layout ctx={page} title={t('committee.title_of', { unit: unit.name })} shell="admin">
        <h1>{t('committee.title_of', { unit: unit.name })}</h1>
        <p>
          <a href={`${INDICATORS_PATH}/${unit.id}`}>{t('teams.ind.title_of', { unit: unit.name })}</a>
        </p>
        <ErrorSummary ctx={page} errors={errors} scope={form.startsWith('leave-') || form.startsWith('task-') ? form : undefined} />
        <h2>{t('committee.plans')}</h2>
        {plans.length ? (
          <Table
            rows={plans}
            columns={[
              { label: t('teams.ind.year'), cell: (p) => String(p.year) },
              { label: t('committee.plan'), cell: (p) => <a href={`${base}/ke-hoach/${p.id}`}>{`${p.number} — ${p.title}`}</a> },
              { label: t('committee.issued_on'), cell: (p) => formatDate(p.issued_on) },
              {
                label: t('committee.progress'),
                cell: (p) => (
                  <>
                    {t('committee.progress_of', { done: Number(p.done ?? 0), tasks: Number(p.tasks) })}
                    {Number(p.overdue ?? 0) > 0 ? (
                      <>
                        {' · '}
                        <strong>{t('committee.overdue_count', { count: Number(p.overdue) })}</strong>
                      </>
                    ) : null}
                  </>
                ),
              },
            ]}
          />
        ) : (
          <p>{t('committee.no_plans')}</p>
        )}
        {canManage ? (
          <Form ctx={page} action={`${base}/ke-hoach`} label={t('committee.add_plan')}>
            <fieldset>
              <legend>{t('committee.add_plan')}</legend>
              <TextInput ctx={page} name="year" type="number" inputmode="numeric" label={t('teams.ind.year')} errors={errs('plan')} value={val('plan', 'year', localToday().slice(0, 4))} required />
              <TextInput ctx={page} name="number" label={t('committee.number')} hint={t('committee.number_hint')} errors={errs('plan')} value={val('plan', 'number')} required />
              <TextInput ctx={page} name="title" label={t('committee.doc_title')} errors={errs('plan')} value={val('plan', 'title')} required />
              <TextInput ctx={page} name="issued_on" type="date" label={t('committee.issued_on')} errors={errs('plan')} value={val('plan', 'issued_on')} required />
              <Button>{t('committee.add_plan')}</Button>
            </fieldset>
          </Form>
        ) : null}
        <h2>{t('committee.members')}</h2>
        {serving.length ? (
          <Table
            rows={serving}
            columns={[
              { label: t('committee.member_name'), cell: (m) => m.full_name },
              { label: t('committee.position'), cell: (m) => m.position },
              { label: t('committee.role'), cell: (m) => t(roleLabel(m.committee_role)) },
              { label: t('teams.phone'), cell: (m) => (m.phone ? <a href={`tel:${m.phone}`}>{m.phone}</a> : '—') },
              { label: t('teams.joined_on'), cell: (m) => formatDate(m.joined_on) },
              ...(canManage
                ? [
                    {
                      label: t('teams.leave'),
                      cell: (m: (typeof serving)[number]) => (
                        <Form ctx={page} action={`${base}/thanh-vien/${m.id}/roi`} label={t('teams.leave')}>
                          <TextInput ctx={page} scope={`leave-${m.id}`} name="left_on" type="date" label={t('teams.left_on')} errors={errs(`leave-${m.id}`)} value={val(`leave-${m.id}`, 'left_on')} required />
                          <Checkbox name="confirm" label={t('teams.confirm_leave', { name: m.full_name })} required />
                          <Button kind="danger">{t('teams.leave')}</Button>
                        </Form>
                      ),
                    },
                  ]
                : []),
            ]}
          />
        ) : (
          <p>{t('committee.no_members')}</p>
        )}
        {former.length ? (
          <>
            <h3>{t('committee.history')}</h3>
            <Table
              rows={former}
              columns={[
                { label: t('committee.member_name'), cell: (m) => m.full_name },
                { label: t('committee.position'), cell: (m) => m.position },
                { label: t('committee.role'), cell: (m) => t(roleLabel(m.committee_role)) },
                { label: t('teams.joined_on'), cell: (m) => formatDate(m.joined_on) },
                { label: t('teams.left_on'), cell: (m) => formatDate(m.left_on ?? '') },
              ]}
            />
          </>
        ) : null}
        {canManage ? (
          <Form ctx={page} action={`${base}/thanh-vien`} label={t('committee.add_member')}>
            <fieldset>
              <legend>{t('committee.add_member')}</legend>
              <TextInput ctx={page} name="full_name" label={t('committee.member_name')} errors={errs('member')} value={val('member', 'full_name')} required />
              <TextInput ctx={page} name="position" label={t('committee.position')} hint={t('committee.position_hint')} errors={errs('member')} value={val('member', 'position')} required />
              <SelectInput ctx={page} name="committee_role" label={t('committee.role')} errors={errs('member')} value={val('member', 'committee_role')} options={COMMITTEE_ROLES.map((r) => ({ value: r, label: t(roleLabel(r)) }))} placeholder="" required />
              <TextInput ctx={page} name="phone" type="tel" label={t('teams.phone')} hint={t('teams.phone_hint')} errors={errs('member')} value={val('member', 'phone')} />
              <TextInput ctx={page} name="joined_on" type="date" label={t('teams.joined_on')} errors={errs('member')} value={val('member', 'joined_on')} required />
              <Button>{t('committee.add_member')}</Button>
            </fieldset>
          </Form>
        ) : null}
        <h2>{t('committee.documents')}</h2>
        {documents.length ? (
          <Table
            rows={documents}
            columns={[
              { label: t('committee.doc_kind'), cell: (d) => t(kindLabel(d.kind)) },
              { label: t('committee.number'), cell: (d) => d.number },
              { label: t('committee.issued_on'), cell: (d) => formatDate(d.issued_on) },
              { label: t('committee.doc_title'), cell: (d) => <a href={`${base}/van-ban/${d.id}`}>{d.title}</a> },
            ]}
          />
        ) : (
          <p>{t('committee.no_documents')}</p>
        )}
        {canManage ? (
          <Form ctx={page} action={`${base}/van-ban`} label={t('committee.add_document')} files>
            <fieldset>
              <legend>{t('committee.add_document')}</legend>
              <SelectInput ctx={page} name="kind" label={t('committee.doc_kind')} errors={errs('document')} value={val('document', 'kind')} options={DOCUMENT_KINDS.map((k) => ({ value: k, label: t(kindLabel(k)) }))} placeholder="" required />
              <TextInput ctx={page} name="number" label={t('committee.number')} hint={t('committee.number_hint')} errors={errs('document')} value={val('document', 'number')} required />
              <TextInput ctx={page} name="issued_on" type="date" label={t('committee.issued_on')} errors={errs('document')} value={val('document', 'issued_on')} required />
              <TextInput ctx={page} name="title" label={t('committee.doc_title')} errors={errs('document')} value={val('document', 'title')} required />
              <FileInput ctx={page} name="file" label={t('committee.doc_file')} errors={errs('document')} accept="application/pdf" required />
              <Button>{t('committee.add_document')}</Button>
            </fieldset>
          </Form>
        ) : null}
      </Layout>,
      status,
    );
  };

  const renderPlan = async (request: FastifyRequest, reply: FastifyReply, unitId: string, planId: string, errors: FieldError[] = [], values: Values = {}, form = '', status = 200) => {
    const { unit, plan } = await committeePlanFor(ctx, request.access, unitId, planId, 'committee.read');
    const [tasks, members] = await Promise.all([repo.tasks(plan.id), repo.members(unit.id)]);
    const canManage = await request.access.can('committee.manage', { unitId: unit.id });
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    const errs = (f: string) => (form === f ? errors : []);
    const val = (f: string, name: string, fallback = '') => (form === f ? (values[name] ?? '') : fallback);
    const today = localToday();
    const base = `${COMMITTEE}/${unit.id}/ke-hoach/${plan.id}`;
    const overdue = tasks.filter((x) => isOverdue(x, today)).length;
    return sendPage(
      reply,
      <Layout ctx={page} title={`${plan.number} — ${plan.title}`} shell="admin">
        <p>
          <a href={`${COMMITTEE}/${unit.id}`}>← {t('committee.title_of', { unit: unit.name })}</a>
        </p>
        <h1>{`${plan.number} — ${plan.title}`}</h1>
        <p>
          {t('committee.plan_summary', { year: plan.year, date: formatDate(plan.issued_on), done: tasks.filter((x) => x.status === 'done').length, tasks: tasks.length })}
          {overdue ? (
            <>
              {' '}
              <strong>{t('committee.overdue_count', { count: overdue })}</strong>
            </>
          ) : null}
        </p>
        <ErrorSummary ctx={page} errors={errors} scope={form.startsWith('leave-') || form.startsWith('task-') ? form : undefined} />
        {tasks.length ? (
          <Table
            rows={tasks}
            columns={[
              { label: t('committee.task'), cell: (x) => x.title },
              { label: t('committee.owner'), cell: (x) => `${x.owner_name} (${x.owner_position})` },
              { label: t('committee.deadline'), cell: (x) => formatDate(x.deadline) },
              {
                label: t('committee.status'),
                cell: (x) => (
                  <>
                    {t(statusLabel(x.status))}
                    {x.done_on ? ` (${formatDate(x.done_on)})` : null}
                    {isOverdue(x, today) ? (
                      <>
                        {' · '}
                        <strong>{t('committee.overdue')}</strong>
                      </>
                    ) : null}
                  </>
                ),
              },
              { label: t('committee.note'), cell: (x) => x.note ?? '' },
              ...(canManage
                ? [
                    {
                      label: t('committee.update'),
                      cell: (x: (typeof tasks)[number]) => (
                        <Form ctx={page} action={`${base}/nhiem-vu/${x.id}`} label={t('committee.update')}>
                          <SelectInput ctx={page} scope={`task-${x.id}`} name="status" label={t('committee.status')} errors={errs(`task-${x.id}`)} value={val(`task-${x.id}`, 'status', x.status)} options={TASK_STATUSES.map((s) => ({ value: s, label: t(statusLabel(s)) }))} required />
                          <TextArea ctx={page} scope={`task-${x.id}`} name="note" label={t('committee.note')} errors={errs(`task-${x.id}`)} value={val(`task-${x.id}`, 'note', x.note ?? '')} rows={2} />
                          <Button kind="secondary">{t('committee.update')}</Button>
                        </Form>
                      ),
                    },
                  ]
                : []),
            ]}
          />
        ) : (
          <p>{t('committee.no_tasks')}</p>
        )}
        {canManage ? (
          <Form ctx={page} action={`${base}/nhiem-vu`} label={t('committee.add_task')}>
            <fieldset>
              <legend>{t('committee.add_task')}</legend>
              <TextInput ctx={page} name="title" label={t('committee.task')} errors={errs('task')} value={val('task', 'title')} required />
              <SelectInput
                ctx={page}
                name="owner_id"
                label={t('committee.owner')}
                errors={errs('task')}
                value={val('task', 'owner_id')}
                options={members.filter((m) => !m.left_on).map((m) => ({ value: m.id, label: `${m.full_name} — ${m.position}` }))}
                placeholder=""
                required
              />
              <TextInput ctx={page} name="deadline" type="date" label={t('committee.deadline')} errors={errs('task')} value={val('task', 'deadline')} required />
              <Button>{t('committee.add_task')}</Button>
            </fieldset>
          </Form>
        ) : null}
      </Layout>,
      status,
    );
  };

  app.get(`${COMMITTEE}/:unitId`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    return renderCommittee(request, reply, (request.params as { unitId: string }).unitId);
  });

  app.get(`${COMMITTEE}/:unitId/ke-hoach/:planId`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const { unitId, planId } = request.params as { unitId: string; planId: string };
    return renderPlan(request, reply, unitId, planId);
  });

  app.get(`${COMMITTEE}/:unitId/van-ban/:docId`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const { unitId, docId } = request.params as { unitId: string; docId: string };
    const unit = await committeeUnitFor(ctx, request.access, unitId, 'committee.read');
    const doc = await repo.document(unit.id, docId);
    const file = doc ? await readStoredFile(ctx, doc.file_id) : undefined;
    if (!file) throw new AppError('not_found', 404, 'error.not_found');
    return reply.type('application/pdf').header('cache-control', 'private, no-store').header('content-disposition', `inline; filename="${doc!.kind === 'decision' ? 'quyet-dinh' : 'quy-che'}.pdf"`).send(file.data);
  });

  /**
   * A form post: parse with `schema`, run `command`, then flash and go back; a bad value shows the
   * page again with the field named (400, or 409 for a conflict), nothing saved.
   */
  const post = <S extends z.ZodType>(
    path: string,
    schema: S,
    form: (params: Record<string, string>) => string,
    command: (request: FastifyRequest, params: Record<string, string>, data: z.output<S>) => Promise<unknown>,
    flash: MessageKey,
  ) =>
    app.post(path, async (request, reply) => {
      if (!signedIn(request, reply, 'official')) return reply;
      const params = request.params as Record<string, string>;
      const again = (errors: FieldError[], status: number) =>
        params.planId ? renderPlan(request, reply, params.unitId!, params.planId, errors, formStrings(request.body), form(params), status) : renderCommittee(request, reply, params.unitId!, errors, formStrings(request.body), form(params), status);
      const parsed = parseInput(request, schema, { labels: LABELS });
      if (!parsed.ok) return again(parsed.errors, 400);
      try {
        await command(request, params, parsed.data);
      } catch (err) {
        if (err instanceof AppError && err.fields.length) return again(err.fields, err.status === 409 ? 409 : 400);
        throw err;
      }
      setFlash(reply, flash);
      return reply.redirect(params.planId ? `${COMMITTEE}/${params.unitId}/ke-hoach/${params.planId}` : `${COMMITTEE}/${params.unitId}`, 303);
    });

  post(`${COMMITTEE}/:unitId/thanh-vien`, committeeMemberInput, () => 'member', (r, p, d) => addCommitteeMember(ctx, r.access, r.auditContext, p.unitId!, d), 'committee.flash.member_added');
  post(`${COMMITTEE}/:unitId/thanh-vien/:memberId/roi`, committeeLeaveInput, (p) => `leave-${p.memberId}`, (r, p, d) => endCommitteeMembership(ctx, r.access, r.auditContext, p.unitId!, p.memberId!, d.left_on), 'committee.flash.member_left');
  post(
    `${COMMITTEE}/:unitId/van-ban`,
    committeeDocumentInput,
    () => 'document',
    (r, p, d) => {
      const file = (r.body as Record<string, unknown> | undefined)?.file;
      return addCommitteeDocument(ctx, r.access, r.auditContext, p.unitId!, d, isUpload(file) ? file : undefined);
    },
    'committee.flash.document_added',
  );
  post(`${COMMITTEE}/:unitId/ke-hoach`, planInput, () => 'plan', (r, p, d) => createPlan(ctx, r.access, r.auditContext, p.unitId!, d), 'committee.flash.plan_created');
  post(`${COMMITTEE}/:unitId/ke-hoach/:planId/nhiem-vu`, taskInput, () => 'task', (r, p, d) => addTask(ctx, r.access, r.auditContext, p.unitId!, p.planId!, d), 'committee.flash.task_added');
  post(`${COMMITTEE}/:unitId/ke-hoach/:planId/nhiem-vu/:taskId`, taskStatusInput, (p) => `task-${p.taskId}`, (r, p, d) => updateTaskStatus(ctx, r.access, r.auditContext, p.unitId!, p.planId!, p.taskId!, d), 'committee.flash.task_updated');
}
