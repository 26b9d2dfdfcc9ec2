import crypto from 'node:crypto';
import type { Kysely, Selectable, Updateable } from 'kysely';
import type { AppContext } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import { readCache } from '../../platform/db/cache.ts';
import { unitReadCache } from '../../platform/auth/access.ts';
import { atCommit, atCommitExpectingOne, RowExpectationFailed, type Database } from '../../platform/db/connect.ts';
import type { Access, Actor } from '../../platform/auth/access.ts';
import { writeAudit, type AuditContext } from '../../platform/audit/audit.ts';
import { AppError, fieldProblem, invalidInput, notFound } from '../../platform/errors.ts';
import type { Lang, MessageKey } from '../../platform/i18n/index.ts';
import { foldVietnamese } from '../../platform/search.ts';
import { localTime, WorkCalendar } from './calendar.ts';
import { validateForm } from './forms.ts';
import { checkUpload, storeFile, type UploadedFile } from '../../platform/files/files.ts';
import type { FieldError } from '../../platform/errors.ts';
import { nextSequence, servicesRepository, specialistsOf, type ProcedureRow } from './repository.ts';
import { catalogueSchema, computeFee, procedureSchema, type Channel, type Procedure } from './schemas.ts';
import { ACTIONS, NATIONAL_STATUS, decide, type DossierAction, type DossierState, type WorkflowRole } from './workflow.ts';
import type { DossierTable } from './schema.ts';
import { notifiesApplicant, notifyApplicant } from './notify.ts';

type Dossier = DossierTable;
export type DossierRow = Selectable<DossierTable>;

const now = () => new Date();

/**
 * The working calendar with this installation's announced days off and make-up days. Read on every
 * reception, kept for a minute; the calendar commands below drop it after their commit.
 */
const calendars = readCache(60_000, async (database, _key: 'calendar') => new WorkCalendar(await servicesRepository(database).calendarOverrides()));

export function workCalendar(ctx: AppContext): Promise<WorkCalendar> {
  return calendars.get(ctx.database, 'calendar');
}

/** Replaces or adds the procedures of a province's catalogue (JSON import), all or nothing. */
export async function importCatalogue(ctx: AppContext, audit: AuditContext, provinceId: string, input: unknown): Promise<number> {
  const parsed = catalogueSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw fieldProblem('invalid_catalogue', 400, 'file', 'services.error.catalogue', { path: issue.path.join('.'), message: issue.message });
  }
  const at = now().toISOString();
  await ctx.database.db.transaction().execute(async (trx) => {
    for (const p of parsed.data) await upsertProcedure(trx, provinceId, p, at);
    await writeAudit(ctx.database, trx, audit, {
      action: 'services.catalogue.import',
      entity: 'svc_procedure',
      unitId: provinceId,
      detail: { codes: parsed.data.map((p) => p.code) },
    });
  });
  procedures.invalidate(ctx.database);
  return parsed.data.length;
}

/** Per-channel time limit and fee of a catalogue entry, as a province admin edits them. */
export interface ChannelEdit {
  channel: Channel;
  days: number;
  fee: Procedure['channels'][number]['fee'];
}

/**
 * Edits the time limits and fees of one catalogue entry of the province (the rest of an entry is
 * edited through the JSON export/import); the entry is validated whole and the change audited.
 */
export async function editProcedureChannels(ctx: AppContext, audit: AuditContext, provinceId: string, procedureId: string, edits: readonly ChannelEdit[]): Promise<void> {
  const row = await servicesRepository(ctx.database).procedureById(procedureId);
  if (!row || row.provinceId !== provinceId) throw notFound();
  const byChannel = new Map(edits.map((e) => [e.channel, e]));
  const next = { ...row.procedure, channels: row.procedure.channels.map((c) => ({ ...c, ...(byChannel.get(c.channel) ?? {}) })) };
  const parsed = procedureSchema.safeParse(next);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw fieldProblem('invalid_input', 400, issue.path.join('_'), 'services.error.catalogue', { path: issue.path.join('.'), message: issue.message });
  }
  const at = now().toISOString();
  await ctx.database.db.transaction().execute(async (trx) => {
    await upsertProcedure(trx, provinceId, parsed.data, at);
    await writeAudit(ctx.database, trx, audit, {
      action: 'services.catalogue.edit',
      entity: 'svc_procedure',
      entityId: procedureId,
      unitId: provinceId,
      detail: { code: parsed.data.code, before: row.procedure.channels, after: parsed.data.channels },
    });
  });
  procedures.invalidate(ctx.database);
}

/** The stored columns of a catalogue entry (shared by the seed and the import). */
export const procedureColumns = (p: Procedure, at: string) => ({
  name: p.name,
  sector: p.sector,
  search_text: foldVietnamese(`${p.name} ${p.code} ${p.sector}`),
  data: JSON.stringify(p),
  active: 1,
  updated_at: at,
});

async function upsertProcedure(trx: Kysely<DB>, provinceId: string, p: Procedure, at: string) {
  const row = procedureColumns(p, at);
  await trx
    .insertInto('svc_procedure')
    .values({ id: crypto.randomUUID(), province_id: provinceId, code: p.code, ...row })
    .onConflict((oc) => oc.columns(['province_id', 'code']).doUpdateSet(row))
    .execute();
}

const channelOf = (p: Procedure, channel: Channel) => p.channels.find((c) => c.channel === channel);

/**
 * Catalogue entries by id, read on every filing: kept for a minute, dropped at once by this process's
 * catalogue commands (other processes see an edit within the minute). Shared: never mutate one.
 */
const procedures = readCache(60_000, (database, id: string) => servicesRepository(database).procedureById(id));

/** What a filing needs of a commune: its place in the unit tree and its agency code. */
const filingUnits = unitReadCache(30_000, async (database, unitId) => {
  const row = await database.db
    .selectFrom('unit')
    .leftJoin('svc_agency', 'svc_agency.unit_id', 'unit.id')
    .select(['unit.id', 'unit.parent_id', 'unit.level', 'unit.valid_to', 'svc_agency.agency_code'])
    .where('unit.id', '=', unitId)
    .executeTakeFirst();
  return row ?? null;
});

/** Call after committing a change to a commune's agency code. */
export const agencyChanged = (database: Database) => filingUnits.invalidate(database);

/** The agency code the commune's dossier codes start with (refused when the commune has none). */
async function agencyCodeOf(database: Database, unitId: string): Promise<string> {
  const agency = (await filingUnits.get(database, unitId))?.agency_code;
  if (!agency) throw new AppError('no_agency_code', 409, 'services.error.no_agency');
  return agency;
}

/**
 * A new dossier code, `<agency>-<YYMMDD>-<NNNN>`, from the agency's daily sequence (DOMAIN.md §2). The
 * sequence row stays locked until the commit, so every other submission to the same agency waits
 * from here on: take it first, and let the transaction's other writes travel with the COMMIT
 * (`atCommit`), so on PostgreSQL the row is held for one round trip and the commit.
 */
async function takeCode(trx: Kysely<DB>, agency: string, at: Date): Promise<string> {
  const day = localTime(at).date.replaceAll('-', '').slice(2);
  return `${agency}-${day}-${String(await nextSequence(trx, agency, day)).padStart(4, '0')}`;
}

/** Adds a line to the dossier's history (form 05); written with the transaction's commit. */
export async function addEvent(trx: Kysely<DB>, d: { id: string }, actor: AuditContext, action: string, from: string | null, to: string, note?: string | null, form?: string | null) {
  await atCommit(
    trx,
    trx.insertInto('svc_dossier_event').values({ dossier_id: d.id, at: now().toISOString(), actor_id: actor.actorId, actor_label: actor.actorLabel, action, from_state: from, to_state: to, note: note ?? null, form: form ?? null }),
  );
}

export interface FileInput {
  procedureId: string;
  /** The competent commune. */
  unitId: string;
  values: Record<string, unknown>;
  idempotencyKey?: string | undefined;
  /** Online filing: save without submitting (no code yet). */
  draft?: boolean;
  /** An existing draft of the citizen to update or submit. */
  draftId?: string | undefined;
  /** Counter filing: the channel the papers came by. */
  channel?: Channel;
  /** Scans or photos of the procedure's papers, by form field `paper_<n>`. */
  files?: Record<string, UploadedFile>;
  lang: Lang;
}

interface CheckedPaper {
  label: string;
  file: UploadedFile;
  mime: string;
}

/** Checks every attached paper by content; all problems are reported together with the form's. */
async function checkPapers(ctx: AppContext, proc: ProcedureRow, files: Record<string, UploadedFile> | undefined) {
  const checked: CheckedPaper[] = [];
  const errors: FieldError[] = [];
  for (const [i, paper] of proc.procedure.papers.entries()) {
    const file = files?.[`paper_${i}`];
    if (!file) continue;
    try {
      checked.push({ label: paper.name, file, ...(await checkUpload(ctx, `paper_${i}`, file)) });
    } catch (err) {
      if (err instanceof AppError) errors.push(...err.fields);
      else throw err;
    }
  }
  return { checked, errors };
}

/** Stores checked papers and links them to the dossier, in the caller's transaction. */
async function attachPapers(ctx: AppContext, trx: Kysely<DB>, dossierId: string, unitId: string, ownerId: string | null, papers: CheckedPaper[], kind: 'paper' | 'result' = 'paper') {
  for (const p of papers) {
    const fileId = await storeFile(ctx, trx, p.file, { mime: p.mime, unitId, ownerId });
    // At commit, after the dossier's own row (which may travel with the commit too).
    await atCommit(trx, trx.insertInto('svc_attachment').values({ id: crypto.randomUUID(), dossier_id: dossierId, file_id: fileId, kind, label: p.label, created_at: new Date().toISOString() }));
  }
}

async function loadFiling(ctx: AppContext, input: FileInput, channel: Channel): Promise<{ proc: ProcedureRow; values: Record<string, string>; papers: CheckedPaper[] }> {
  const proc = await procedures.get(ctx.database, input.procedureId);
  if (!proc) throw notFound();
  if (!channelOf(proc.procedure, channel)) throw fieldProblem('channel_not_offered', 400, 'channel', 'services.error.channel');
  const unit = await filingUnits.get(ctx.database, input.unitId);
  // The competent commune must be a current commune of the procedure's province.
  if (!unit || unit.level !== 'commune' || unit.valid_to !== null || unit.parent_id !== proc.provinceId) {
    throw fieldProblem('bad_unit', 400, 'unit_id', 'services.error.unit');
  }
  const form = validateForm(proc.procedure.form, input.values, input.lang);
  const papers = await checkPapers(ctx, proc, input.files);
  const errors = [...(form.ok ? [] : form.errors), ...papers.errors];
  if (errors.length || !form.ok) throw invalidInput(errors);
  return { proc, values: form.data, papers: papers.checked };
}

function dossierRow(proc: ProcedureRow, values: Record<string, string>, channel: Channel, unitId: string, receivingUnitId: string, at: string) {
  const ch = channelOf(proc.procedure, channel)!;
  const fee = computeFee(ch.fee, values);
  return {
    procedure_id: proc.id,
    procedure_code: proc.procedure.code,
    procedure_name: proc.procedure.name,
    unit_id: unitId,
    origin_unit_id: unitId,
    receiving_unit_id: receivingUnitId,
    channel,
    applicant_name: values.applicant_name ?? '',
    applicant_id_number: values.applicant_id ?? null,
    applicant_phone: values.applicant_phone ?? null,
    applicant_email: values.applicant_email ?? null,
    form_data: JSON.stringify(values),
    days: ch.days,
    cutoff_1500: proc.procedure.cutoff1500 ? 1 : 0,
    fee_amount: fee,
    // A fee set by the provincial council but not entered yet is set by the desk (null until then).
    payment_status: fee === null ? null : fee > 0 ? 'unpaid' : 'none',
    updated_at: at,
  };
}

/**
 * A citizen files online: saves a draft, or submits (status 1 "new", with its code). A repeated
 * submit with the same idempotency key returns the dossier made the first time.
 */
export async function fileOnline(ctx: AppContext, actor: Actor, audit: AuditContext, input: FileInput): Promise<{ id: string; code: string | null; created: boolean }> {
  const repo = servicesRepository(ctx.database);
  if (input.idempotencyKey) {
    const existing = await repo.dossierByIdempotencyKey(input.idempotencyKey);
    if (existing && existing.citizen_id === actor.id && existing.state !== 'draft') return { id: existing.id, code: existing.code, created: false };
  }
  const draft = input.draftId ? await repo.dossierById(input.draftId) : undefined;
  if (input.draftId && (!draft || draft.citizen_id !== actor.id || draft.state !== 'draft')) throw notFound();
  const { proc, values, papers } = input.draft ? await loadDraft(ctx, input) : await loadFiling(ctx, input, 'online');
  const submitting = !input.draft;
  const agency = submitting ? await agencyCodeOf(ctx.database, input.unitId) : null;
  const at = now();
  const iso = at.toISOString();
  try {
    return await ctx.database.db.transaction().execute(async (trx) => {
      const id = draft?.id ?? crypto.randomUUID();
      const code = submitting ? await takeCode(trx, agency!, at) : null;
      const row = dossierRow(proc, values, 'online', input.unitId, input.unitId, iso);
      const state = submitting ? 'new' : 'draft';
      const fields = { ...row, code, state, national_status: submitting ? NATIONAL_STATUS.new : 0, submitted_at: submitting ? iso : null, idempotency_key: submitting ? (input.idempotencyKey ?? null) : null };
      if (draft) await atCommit(trx, trx.updateTable('svc_dossier').set(fields).where('id', '=', id));
      else await atCommit(trx, trx.insertInto('svc_dossier').values({ id, ...fields, citizen_id: actor.id, created_by: actor.id, created_at: iso }));
      await attachPapers(ctx, trx, id, input.unitId, actor.id, papers);
      if (submitting) {
        await addEvent(trx, { id }, audit, 'submit', null, 'new');
        await notifyApplicant(ctx, trx, { id, code, unit_id: input.unitId, procedure_name: proc.procedure.name, citizen_id: actor.id, applicant_email: row.applicant_email, applicant_phone: row.applicant_phone, due_date: null }, 'new');
      }
      await writeAudit(ctx.database, trx, audit, {
        action: submitting ? 'services.dossier.submit' : 'services.dossier.draft',
        entity: 'svc_dossier',
        entityId: id,
        unitId: input.unitId,
        detail: { code, procedure: proc.procedure.code },
      });
      return { id, code, created: true };
    }).finally(() => ctx.notifier.kick());
  } catch (err) {
    // Two submits with the same key at once: the unique key lets one through; answer the other with it.
    const existing = input.idempotencyKey ? await repo.dossierByIdempotencyKey(input.idempotencyKey) : undefined;
    if (existing && existing.citizen_id === actor.id) return { id: existing.id, code: existing.code, created: false };
    throw err;
  }
}

/** A draft keeps whatever was typed; only the procedure, the commune and the field lengths are checked. */
async function loadDraft(ctx: AppContext, input: FileInput) {
  const proc = await procedures.get(ctx.database, input.procedureId);
  if (!proc) throw notFound();
  const unit = await filingUnits.get(ctx.database, input.unitId);
  if (!unit || unit.level !== 'commune' || unit.parent_id !== proc.provinceId) throw fieldProblem('bad_unit', 400, 'unit_id', 'services.error.unit');
  const values: Record<string, string> = {};
  for (const f of proc.procedure.form) {
    const v = input.values[f.name];
    if (typeof v === 'string' && v.trim()) values[f.name] = v.trim().slice(0, f.maxLength ?? 500);
  }
  const papers = await checkPapers(ctx, proc, input.files);
  if (papers.errors.length) throw invalidInput(papers.errors);
  return { proc, values, papers: papers.checked };
}

/**
 * An official at the one-stop desk files a walk-in citizen's dossier: received at once (status 2),
 * coded by the receiving desk's agency, routed to the competent commune of the province.
 */
export async function fileAtCounter(ctx: AppContext, access: Access, audit: AuditContext, input: FileInput): Promise<{ id: string; code: string }> {
  const actor = access.actor!;
  const receivingUnitId = await deskUnit(access);
  const channel = input.channel ?? 'in_person';
  if (channel === 'online') throw fieldProblem('channel_not_offered', 400, 'channel', 'services.error.channel');
  const { proc, values, papers } = await loadFiling(ctx, input, channel);
  const calendar = await workCalendar(ctx);
  const agency = await agencyCodeOf(ctx.database, receivingUnitId);
  const at = now();
  const iso = at.toISOString();
  const result = await ctx.database.db.transaction().execute(async (trx) => {
    const id = crypto.randomUUID();
    const code = await takeCode(trx, agency, at);
    const row = dossierRow(proc, values, channel, input.unitId, receivingUnitId, iso);
    const dueDate = calendar.dueDate(at, row.days, row.cutoff_1500 === 1);
    await atCommit(
      trx,
      trx.insertInto('svc_dossier').values({
        id,
        ...row,
        code,
        state: 'received',
        national_status: NATIONAL_STATUS.received,
        submitted_at: iso,
        received_at: iso,
        due_date: dueDate,
        citizen_id: null,
        idempotency_key: input.idempotencyKey ?? null,
        created_by: actor.id,
        created_at: iso,
      }),
    );
    await attachPapers(ctx, trx, id, input.unitId, null, papers);
    await addEvent(trx, { id }, audit, 'receive', null, 'received', null, '01');
    await notifyApplicant(ctx, trx, { id, code, unit_id: input.unitId, procedure_name: proc.procedure.name, citizen_id: null, applicant_email: row.applicant_email, applicant_phone: row.applicant_phone, due_date: dueDate }, 'received');
    await writeAudit(ctx.database, trx, audit, {
      action: 'services.dossier.counter',
      entity: 'svc_dossier',
      entityId: id,
      unitId: input.unitId,
      detail: { code, procedure: proc.procedure.code, receivingUnitId },
    });
    return { id, code };
  });
  ctx.notifier.kick();
  return result;
}

/** The commune whose desk the official works at. */
async function deskUnit(access: Access): Promise<string> {
  const grant = access.actor?.grants.find((g) => g.role === 'commune_official' || g.role === 'commune_leader');
  if (!grant) throw new AppError('forbidden', 403, 'error.forbidden');
  return grant.unitId;
}

/** The workflow roles the actor holds on this dossier for this action. */
export async function workflowRoles(access: Access, d: Pick<Dossier, 'unit_id' | 'receiving_unit_id' | 'citizen_id'>, action?: DossierAction): Promise<WorkflowRole[]> {
  const actor = access.actor;
  if (!actor) return [];
  const roles: WorkflowRole[] = [];
  if (d.citizen_id && d.citizen_id === actor.id) roles.push('applicant');
  if (actor.kind !== 'official') return roles;
  // The receiving desk of another commune may take the desk's steps of reception and return.
  const deskActions: DossierAction[] = ['receive', 'refuse', 'request_supplement', 'provide_supplement', 'return_result', 'withdraw'];
  if ((await access.can('dossier.desk', { unitId: d.unit_id })) || ((!action || deskActions.includes(action)) && d.receiving_unit_id !== d.unit_id && (await access.can('dossier.desk', { unitId: d.receiving_unit_id })))) roles.push('desk');
  if (await access.can('dossier.process', { unitId: d.unit_id })) roles.push('specialist');
  if (await access.can('dossier.approve', { unitId: d.unit_id })) roles.push('leader');
  return roles;
}

export interface ActionOptions {
  note?: string | undefined;
  assigneeId?: string | undefined;
}

/** Takes a workflow action on a dossier: decided by the pure machine, applied and audited in one transaction. */
/**
 * The dossier and the actor's workflow roles on it. Someone with no part in it (or none of `needed`)
 * learns nothing: 404, and the attempt on another unit's record is audited by the error handler.
 */
export async function dossierForActor(ctx: AppContext, access: Access, dossierId: string, action?: DossierAction, needed?: readonly WorkflowRole[]): Promise<{ d: DossierRow; roles: WorkflowRole[] }> {
  const d = await servicesRepository(ctx.database).dossierById(dossierId);
  if (!d || d.state === 'draft') throw notFound();
  const roles = await workflowRoles(access, d, action);
  if (roles.length === 0 || (needed && !needed.some((r) => roles.includes(r)))) {
    await access.authorize('dossier.read', { unitId: d.unit_id, ownerId: d.citizen_id });
    throw notFound();
  }
  return { d, roles };
}

export async function applyAction(ctx: AppContext, access: Access, audit: AuditContext, dossierId: string, action: DossierAction, opts: ActionOptions = {}): Promise<DossierState> {
  const repo = servicesRepository(ctx.database);
  const { d, roles } = await dossierForActor(ctx, access, dossierId, action);
  const decision = decide(
    { state: d.state as DossierState, pausedFrom: (d.paused_from as DossierState | null) ?? null, supplementRequests: d.supplement_requests, assigneeId: d.assignee_id },
    action,
    { roles, actorId: access.actor!.id, note: opts.note, assigneeId: opts.assigneeId },
  );
  if (!decision.ok) {
    const key: MessageKey = `services.refusal.${decision.reason}`;
    throw new AppError('transition_refused', 409, key, { state: d.state, action });
  }
  const calendar = await workCalendar(ctx);
  const at = now();
  const iso = at.toISOString();
  const rule = ACTIONS[action];
  const set: Updateable<Dossier> = { state: decision.to, national_status: NATIONAL_STATUS[decision.to], paused_from: decision.pausedFrom, updated_at: iso };
  if ('clock' in rule) {
    if (rule.clock === 'start') {
      set.received_at = iso;
      set.due_date = calendar.dueDate(at, d.days, d.cutoff_1500 === 1);
    } else if (rule.clock === 'pause') {
      set.paused_at = iso;
      set.supplement_requests = d.supplement_requests + 1;
    } else if (rule.clock === 'resume') {
      set.paused_at = null;
      if (d.due_date && d.paused_at) set.due_date = calendar.extendForPause(d.due_date, new Date(d.paused_at), at);
    } else if (rule.clock === 'stop') {
      set.finished_at = iso;
    }
  }
  if (action === 'assign') set.assignee_id = opts.assigneeId!;
  if (action === 'return_result') set.returned_at = iso;
  await ctx.database.db.transaction().execute(async (trx) => {
    // Optimistic check: the state read above must still hold, so two clicks cannot both apply; an
    // assignee must be an active official of the dossier's commune. Both are conditions of the update,
    // checked with the commit (one round trip for the whole step on PostgreSQL); a failure is told apart below.
    let update = trx.updateTable('svc_dossier').set(set).where('id', '=', d.id).where('state', '=', d.state);
    if (opts.assigneeId) {
      const assignee = opts.assigneeId;
      update = update.where((eb) => eb.exists(specialistsOf(trx, d.unit_id).select('a.id').where('a.id', '=', assignee)));
    }
    await atCommitExpectingOne(trx, update);
    await addEvent(trx, d, audit, action, d.state, decision.to, opts.note?.trim() || null, 'form' in rule ? rule.form : null);
    if (action !== 'provide_supplement' && decision.to !== d.state && notifiesApplicant(decision.to)) await notifyApplicant(ctx, trx, { ...d, due_date: set.due_date ?? d.due_date }, decision.to, { note: opts.note?.trim() || null });
    // Last: the audit chain is written under a lock held until the commit.
    await writeAudit(ctx.database, trx, audit, {
      action: `services.dossier.${action}`,
      entity: 'svc_dossier',
      entityId: d.id,
      unitId: d.unit_id,
      detail: { code: d.code, from: d.state, to: decision.to, ...(opts.assigneeId ? { assignee: opts.assigneeId } : {}) },
    });
  }).catch(async (err: unknown) => {
    if (!(err instanceof RowExpectationFailed)) throw err;
    const current = await repo.dossierById(d.id);
    if (opts.assigneeId && current?.state === d.state && !(await repo.specialists(d.unit_id)).some((s) => s.id === opts.assigneeId)) {
      throw fieldProblem('bad_assignee', 400, 'assignee_id', 'services.error.assignee');
    }
    throw new AppError('transition_refused', 409, 'services.refusal.not_allowed_from_state', { state: d.state, action });
  });
  ctx.notifier.kick();
  return decision.to;
}

/** States in which the handling officials may attach (or replace) the result document. */
const RESULT_STATES: readonly string[] = ['processing', 'awaiting_approval', 'done'];

/** The specialist or the desk attaches the result (PDF); the citizen downloads it from their account. */
export async function attachResult(ctx: AppContext, access: Access, audit: AuditContext, dossierId: string, file: UploadedFile | undefined): Promise<void> {
  const { d } = await dossierForActor(ctx, access, dossierId, undefined, ['specialist', 'desk']);
  if (!RESULT_STATES.includes(d.state)) throw new AppError('transition_refused', 409, 'services.refusal.not_allowed_from_state', { state: d.state, action: 'attach_result' });
  if (!file) throw fieldProblem('file_missing', 400, 'result', 'services.error.result_missing');
  const { mime } = await checkUpload(ctx, 'result', file, ['application/pdf']);
  await ctx.database.db.transaction().execute(async (trx) => {
    await attachPapers(ctx, trx, d.id, d.unit_id, null, [{ label: 'Kết quả giải quyết', file, mime }], 'result');
    await addEvent(trx, d, audit, 'attach_result', d.state, d.state);
    await writeAudit(ctx.database, trx, audit, { action: 'services.dossier.attach_result', entity: 'svc_dossier', entityId: d.id, unitId: d.unit_id, detail: { code: d.code, size: file.data.length } });
  });
}

/** Adds or changes an entry of the working calendar (an announced day off or make-up working day). */
export async function setCalendarDay(ctx: AppContext, audit: AuditContext, entry: { date: string; kind: 'off' | 'work'; name: string }): Promise<void> {
  const at = now().toISOString();
  await ctx.database.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('svc_calendar_day')
      .values({ ...entry, updated_at: at })
      .onConflict((oc) => oc.column('date').doUpdateSet({ kind: entry.kind, name: entry.name, updated_at: at }))
      .execute();
    await writeAudit(ctx.database, trx, audit, { action: 'services.calendar.set', entity: 'svc_calendar_day', entityId: entry.date, detail: entry });
  });
  calendars.invalidate(ctx.database);
}

/** Removes an entry of the working calendar; the day falls back to the rules. */
export async function removeCalendarDay(ctx: AppContext, audit: AuditContext, date: string): Promise<void> {
  await ctx.database.db.transaction().execute(async (trx) => {
    const gone = await trx.deleteFrom('svc_calendar_day').where('date', '=', date).executeTakeFirst();
    if (Number(gone.numDeletedRows) !== 1) throw notFound();
    await writeAudit(ctx.database, trx, audit, { action: 'services.calendar.remove', entity: 'svc_calendar_day', entityId: date });
  });
  calendars.invalidate(ctx.database);
}
