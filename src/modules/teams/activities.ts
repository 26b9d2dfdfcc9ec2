import crypto from 'node:crypto';
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import type { Access } from '../../platform/auth/access.ts';
import { writeAudit, type AuditContext } from '../../platform/audit/audit.ts';
import { fieldProblem } from '../../platform/errors.ts';
import { checkUpload, storeFile, type UploadedFile } from '../../platform/files/files.ts';
import { householdFor, notFuture, villageFor } from './commands.ts';

/**
 * What a support session was about, and the resident's fact it establishes when a person was helped
 * through it (guidance 793/BTTTT-THH: VNeID, public-service accounts, cashless payment, e-commerce,
 * safe internet use). Data: a topic without a fact changes no record.
 */
export const ACTIVITY_TOPICS = {
  vneid: 'vneid_level2',
  public_service_account: 'online_services_account',
  cashless_payment: 'payment_account',
  smartphone: 'smartphone',
  zalo_group: 'zalo_group',
  online_dossier: null,
  ecommerce: null,
  safe_internet: null,
  meeting: null,
} as const;
export type ActivityTopic = keyof typeof ACTIVITY_TOPICS;
const TOPICS = Object.keys(ACTIVITY_TOPICS) as [ActivityTopic, ...ActivityTopic[]];


export const activityInput = z.object({
  date: z.iso.date().refine(notFuture, { message: 'teams.error.future_date' }),
  topic: z.enum(TOPICS),
  people_helped: z.coerce.number().int().min(0).max(10_000),
  notes: z.string().trim().max(1000).optional().default(''),
});

/** A session with a household: the residents helped (ids of that household) get the topic's fact. */
export const householdActivityInput = activityInput.omit({ people_helped: true }).extend({
  resident: z.union([z.string(), z.array(z.string())]).optional().transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v])),
});

interface Recorded {
  villageId: string;
  input: { date: string; topic: ActivityTopic; people_helped: number; notes: string };
  photo?: UploadedFile | undefined;
  household?: { id: string; residentIds: string[] };
}

async function record(ctx: AppContext, access: Access, audit: AuditContext, r: Recorded) {
  const mime = r.photo ? (await checkUpload(ctx, 'photo', r.photo, ['image/jpeg', 'image/png'])).mime : null;
  const id = crypto.randomUUID();
  const fact = ACTIVITY_TOPICS[r.input.topic];
  let updated = 0;
  await ctx.database.db.transaction().execute(async (trx) => {
    const photoId = r.photo && mime ? await storeFile(ctx, trx, r.photo, { mime, unitId: r.villageId, ownerId: access.actor!.id }) : null;
    await trx
      .insertInto('cdt_activity')
      .values({
        id,
        unit_id: r.villageId,
        origin_unit_id: r.villageId,
        date: r.input.date,
        topic: r.input.topic,
        people_helped: r.input.people_helped,
        households_touched: r.household ? 1 : 0,
        notes: r.input.notes || null,
        photo_file_id: photoId,
        recorded_by: access.actor!.id,
        recorded_by_label: access.actor!.displayName,
        created_at: new Date().toISOString(),
      })
      .execute();
    if (r.household) {
      await trx.insertInto('cdt_activity_household').values({ activity_id: id, household_id: r.household.id }).execute();
      if (fact && r.household.residentIds.length) {
        const res = await trx
          .updateTable('cdt_resident')
          .set({ [fact]: 1, updated_at: new Date().toISOString() })
          .where('household_id', '=', r.household.id)
          .where('id', 'in', r.household.residentIds)
          .executeTakeFirst();
        updated = Number(res.numUpdatedRows);
      }
    }
    await writeAudit(ctx.database, trx, audit, {
      action: 'teams.activity.record',
      entity: 'cdt_activity',
      entityId: id,
      unitId: r.villageId,
      detail: { topic: r.input.topic, people: r.input.people_helped, household: r.household?.id ?? null, factsSet: updated },
    });
  });
  return { id, updated };
}

/** A session of the village's team (a meeting, a day at the cultural house…). */
export async function recordActivity(ctx: AppContext, access: Access, audit: AuditContext, villageId: string, input: z.output<typeof activityInput>, photo?: UploadedFile) {
  const village = await villageFor(ctx, access, villageId, 'activity.record');
  return record(ctx, access, audit, { villageId: village.id, input, photo });
}

/** A session with one household: the residents ticked get the topic's fact (e.g. VNeID level 2 activated). */
export async function recordHouseholdActivity(ctx: AppContext, access: Access, audit: AuditContext, householdId: string, input: z.output<typeof householdActivityInput>) {
  const h = await householdFor(ctx, access, householdId, 'household.manage');
  await access.authorize('activity.record', { unitId: h.unit_id });
  const residents = new Set((await ctx.database.db.selectFrom('cdt_resident').select('id').where('household_id', '=', h.id).execute()).map((r) => r.id));
  if (input.resident.some((r) => !residents.has(r))) throw fieldProblem('bad_resident', 400, 'resident', 'teams.error.bad_resident');
  if (input.resident.length === 0) throw fieldProblem('no_resident', 400, 'resident', 'teams.error.no_resident');
  return record(ctx, access, audit, { villageId: h.unit_id, input: { ...input, people_helped: input.resident.length }, household: { id: h.id, residentIds: input.resident } });
}

export function activities(ctx: AppContext, villageId: string, limit = 20) {
  return ctx.database.db.selectFrom('cdt_activity').selectAll().where('unit_id', '=', villageId).orderBy('date', 'desc').orderBy('created_at', 'desc').limit(limit).execute();
}
