import crypto from 'node:crypto';
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import { localToday } from '../../platform/i18n/index.ts';
import type { Access } from '../../platform/auth/access.ts';
import { writeAudit, type AuditContext } from '../../platform/audit/audit.ts';
import { AppError, fieldProblem, notFound } from '../../platform/errors.ts';
import { checkUpload, storeFile, type UploadedFile } from '../../platform/files/files.ts';
import { normalizePhone } from '../../platform/notify/channels.ts';
import { foldVietnamese } from '../../platform/search.ts';
import { unitRepository } from '../../platform/units/repository.ts';
import { teamsRepository } from './repository.ts';

/** The roles a team member holds (guidance 793/BTTTT-THH): the village head leads the team. */
export const MEMBER_ROLES = ['village_head', 'youth_union', 'women_union', 'police', 'teacher', 'telecom', 'other'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];

/** A date of business meaning that has already come (today or before, in Vietnam). */
export const notFuture = (d: string) => d <= localToday();
const flag = z.preprocess((v) => v === 'on' || v === 'yes' || v === true || v === '1' || v === 1, z.boolean());

export const teamInput = z.object({
  decision_number: z.string().trim().min(1).max(60),
  decision_date: z.iso.date().refine(notFuture, { message: 'teams.error.future_date' }),
  zalo_link: z
    .string()
    .trim()
    .max(300)
    .refine((v) => v === '' || /^https:\/\/zalo\.me\/[\w/?=&.-]+$/.test(v), { message: 'teams.error.zalo_link' })
    .optional()
    .default(''),
});

export const memberInput = z.object({
  full_name: z.string().trim().min(2).max(100),
  role: z.enum(MEMBER_ROLES),
  phone: z
    .string()
    .trim()
    .max(20)
    .refine((v) => v === '' || normalizePhone(v) !== null, { message: 'teams.error.phone' })
    .optional()
    .default(''),
  joined_on: z.iso.date().refine(notFuture, { message: 'teams.error.future_date' }),
});

export const leaveInput = z.object({
  left_on: z.iso.date().refine(notFuture, { message: 'teams.error.future_date' }),
  confirm: z.literal('on'),
});

export const householdInput = z.object({
  head_name: z.string().trim().min(2).max(100),
  address: z.string().trim().min(2).max(200),
  fibre: flag,
  digital_address: flag,
  pays_utilities_online: flag,
});

export const residentInput = z.object({
  full_name: z.string().trim().min(2).max(100),
  birth_year: z.coerce
    .number()
    .int()
    .min(1900)
    .refine((y) => y <= Number(localToday().slice(0, 4)), { message: 'teams.error.future_year' }),
  smartphone: flag,
  vneid_level2: flag,
  online_services_account: flag,
  payment_account: flag,
  zalo_group: flag,
});

/** A current village within the actor's scope for `action`, else 404 (audited by the error handler). */
export async function villageFor(ctx: AppContext, access: Access, villageId: string, action: string) {
  const village = await unitRepository(ctx.database).byId(villageId);
  if (!village || village.level !== 'village' || village.valid_to !== null) throw notFound();
  await access.authorize(action, { unitId: village.id });
  return village;
}

/** Establishes the village's team, or updates its decision and Zalo link; the decision PDF is optional. */
export async function saveTeam(ctx: AppContext, access: Access, audit: AuditContext, villageId: string, input: z.output<typeof teamInput>, file?: UploadedFile) {
  const village = await villageFor(ctx, access, villageId, 'team.manage');
  const mime = file ? (await checkUpload(ctx, 'decision_file', file, ['application/pdf'])).mime : null;
  const at = new Date().toISOString();
  const existing = await teamsRepository(ctx.database).teamOf(village.id);
  await ctx.database.db.transaction().execute(async (trx) => {
    const fileId = file && mime ? await storeFile(ctx, trx, file, { mime, unitId: village.id, ownerId: null }) : (existing?.decision_file_id ?? null);
    const values = { decision_number: input.decision_number, decision_date: input.decision_date, zalo_link: input.zalo_link || null, decision_file_id: fileId, updated_at: at };
    if (existing) await trx.updateTable('cdt_team').set(values).where('id', '=', existing.id).execute();
    else await trx.insertInto('cdt_team').values({ id: crypto.randomUUID(), unit_id: village.id, origin_unit_id: village.id, created_at: at, ...values }).execute();
    await writeAudit(ctx.database, trx, audit, {
      action: existing ? 'teams.team.update' : 'teams.team.establish',
      entity: 'cdt_team',
      entityId: existing?.id ?? village.id,
      unitId: village.id,
      detail: { decision: input.decision_number, date: input.decision_date, file: Boolean(file) },
    });
  });
}

/** Adds a member to the village's team; one serving village head leads it. */
export async function addMember(ctx: AppContext, access: Access, audit: AuditContext, villageId: string, input: z.output<typeof memberInput>) {
  const village = await villageFor(ctx, access, villageId, 'team.manage');
  const repo = teamsRepository(ctx.database);
  const team = await repo.teamOf(village.id);
  if (!team) throw new AppError('no_team', 409, 'teams.error.no_team');
  if (input.role === 'village_head' && (await repo.members(team.id)).some((m) => m.role === 'village_head' && !m.left_on)) {
    throw fieldProblem('second_head', 409, 'role', 'teams.error.second_head');
  }
  const id = crypto.randomUUID();
  await ctx.database.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('cdt_member')
      .values({ id, team_id: team.id, full_name: input.full_name, role: input.role, phone: input.phone ? normalizePhone(input.phone) : null, joined_on: input.joined_on, left_on: null, created_at: new Date().toISOString() })
      .execute();
    await writeAudit(ctx.database, trx, audit, { action: 'teams.member.add', entity: 'cdt_member', entityId: id, unitId: village.id, detail: { role: input.role, joined_on: input.joined_on } });
  });
  return id;
}

/** Ends a membership (kept as history); the date cannot precede the joining date. */
export async function endMembership(ctx: AppContext, access: Access, audit: AuditContext, villageId: string, memberId: string, leftOn: string) {
  const village = await villageFor(ctx, access, villageId, 'team.manage');
  const repo = teamsRepository(ctx.database);
  const team = await repo.teamOf(village.id);
  const member = team ? (await repo.members(team.id)).find((m) => m.id === memberId) : undefined;
  if (!team || !member) throw notFound();
  if (member.left_on) throw new AppError('already_left', 409, 'teams.error.already_left');
  if (leftOn < member.joined_on) throw fieldProblem('left_before_joined', 400, 'left_on', 'teams.error.left_before_joined');
  await ctx.database.db.transaction().execute(async (trx) => {
    await trx.updateTable('cdt_member').set({ left_on: leftOn }).where('id', '=', member.id).where('left_on', 'is', null).execute();
    await writeAudit(ctx.database, trx, audit, { action: 'teams.member.leave', entity: 'cdt_member', entityId: member.id, unitId: village.id, detail: { left_on: leftOn } });
  });
}

const householdColumns = (input: z.output<typeof householdInput>, at: string) => ({
  head_name: input.head_name,
  address: input.address,
  fibre: input.fibre ? 1 : 0,
  digital_address: input.digital_address ? 1 : 0,
  pays_utilities_online: input.pays_utilities_online ? 1 : 0,
  search_text: foldVietnamese(`${input.head_name} ${input.address}`),
  updated_at: at,
});

export async function createHousehold(ctx: AppContext, access: Access, audit: AuditContext, villageId: string, input: z.output<typeof householdInput>) {
  const village = await villageFor(ctx, access, villageId, 'household.manage');
  const id = crypto.randomUUID();
  const at = new Date().toISOString();
  await ctx.database.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('cdt_household')
      .values({ id, unit_id: village.id, origin_unit_id: village.id, created_at: at, ...householdColumns(input, at) })
      .execute();
    await writeAudit(ctx.database, trx, audit, { action: 'teams.household.create', entity: 'cdt_household', entityId: id, unitId: village.id });
  });
  return id;
}

/** A household in the actor's scope for `action` (404 otherwise, audited by the error handler). */
export async function householdFor(ctx: AppContext, access: Access, id: string, action: 'household.read' | 'household.manage') {
  const h = await teamsRepository(ctx.database).household(id);
  if (!h) throw notFound();
  await access.authorize(action, { unitId: h.unit_id });
  return h;
}

/** Opening a household's record is a look-up of personal data: it is audited with who and when. */
export async function viewHousehold(ctx: AppContext, access: Access, audit: AuditContext, id: string) {
  const h = await householdFor(ctx, access, id, 'household.read');
  const residents = await teamsRepository(ctx.database).residents(h.id);
  await ctx.database.db.transaction().execute((trx) =>
    writeAudit(ctx.database, trx, audit, { action: 'teams.household.view', entity: 'cdt_household', entityId: h.id, unitId: h.unit_id }),
  );
  return { household: h, residents };
}

/** Listing a village's households is a look-up too. */
export async function listHouseholds(ctx: AppContext, access: Access, audit: AuditContext, villageId: string, opts: { q?: string; offset?: number; limit?: number }) {
  const village = await villageFor(ctx, access, villageId, 'household.read');
  const rows = await teamsRepository(ctx.database).households(village.id, opts);
  await ctx.database.db.transaction().execute((trx) =>
    writeAudit(ctx.database, trx, audit, { action: 'teams.household.list', entity: 'cdt_household', unitId: village.id, detail: { q: opts.q ?? '', offset: opts.offset ?? 0 } }),
  );
  return { village, rows };
}

export async function updateHousehold(ctx: AppContext, access: Access, audit: AuditContext, id: string, input: z.output<typeof householdInput>) {
  const h = await householdFor(ctx, access, id, 'household.manage');
  await ctx.database.db.transaction().execute(async (trx) => {
    await trx.updateTable('cdt_household').set(householdColumns(input, new Date().toISOString())).where('id', '=', h.id).execute();
    await writeAudit(ctx.database, trx, audit, { action: 'teams.household.update', entity: 'cdt_household', entityId: h.id, unitId: h.unit_id });
  });
}

const residentColumns = (input: z.output<typeof residentInput>) => ({
  full_name: input.full_name,
  birth_year: input.birth_year,
  smartphone: input.smartphone ? 1 : 0,
  vneid_level2: input.vneid_level2 ? 1 : 0,
  online_services_account: input.online_services_account ? 1 : 0,
  payment_account: input.payment_account ? 1 : 0,
  zalo_group: input.zalo_group ? 1 : 0,
  updated_at: new Date().toISOString(),
});

/** Adds a resident (`residentId` absent) or updates one of the household's residents. */
export async function saveResident(ctx: AppContext, access: Access, audit: AuditContext, householdId: string, residentId: string | null, input: z.output<typeof residentInput>) {
  const h = await householdFor(ctx, access, householdId, 'household.manage');
  const id = residentId ?? crypto.randomUUID();
  await ctx.database.db.transaction().execute(async (trx) => {
    if (residentId) {
      const r = await trx.updateTable('cdt_resident').set(residentColumns(input)).where('id', '=', residentId).where('household_id', '=', h.id).executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) throw notFound();
    } else {
      await trx.insertInto('cdt_resident').values({ id, household_id: h.id, ...residentColumns(input) }).execute();
    }
    await writeAudit(ctx.database, trx, audit, { action: residentId ? 'teams.resident.update' : 'teams.resident.add', entity: 'cdt_resident', entityId: id, unitId: h.unit_id, detail: { household: h.id } });
  });
  return id;
}

export async function removeResident(ctx: AppContext, access: Access, audit: AuditContext, householdId: string, residentId: string) {
  const h = await householdFor(ctx, access, householdId, 'household.manage');
  await ctx.database.db.transaction().execute(async (trx) => {
    const r = await trx.deleteFrom('cdt_resident').where('id', '=', residentId).where('household_id', '=', h.id).executeTakeFirst();
    if (Number(r.numDeletedRows) !== 1) throw notFound();
    await writeAudit(ctx.database, trx, audit, { action: 'teams.resident.remove', entity: 'cdt_resident', entityId: residentId, unitId: h.unit_id, detail: { household: h.id } });
  });
}
