import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import type { Access } from '../../platform/auth/access.ts';
import { writeAudit, type AuditContext } from '../../platform/audit/audit.ts';
import { AppError, fieldProblem, invalidInput, notFound, type FieldError } from '../../platform/errors.ts';
import { localToday } from '../../platform/i18n/index.ts';
import { stationFor, villagesOf } from './fleet.ts';
import { mediaPath } from './content.ts';
import { memoryOf, sendCommands, type Command } from './link.ts';
import { DAY_S, endS, formatClock, formatEnd, isoWeekday, overlap, parseClock, type Airing } from './timing.ts';

/** How many items a programme may hold (the form shows this many choices). */
export const MAX_ITEMS = 8;
export const SCHEDULE_KINDS = ['once', 'daily', 'weekly'] as const;
export const TARGET_KINDS = ['all', 'villages', 'clusters'] as const;

/** A form field posted once per ticked box: always a list. */
export const list = z.union([z.string(), z.array(z.string())]).optional().transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));

/** Where something airs, as posted: all clusters, chosen villages or chosen clusters. */
export interface TargetInput {
  target_kind: (typeof TARGET_KINDS)[number];
  village: string[];
  cluster: string[];
}

/**
 * The targets (village or cluster ids) and the clusters they reach now, checked against the commune:
 * chosen villages must be its own, chosen clusters must exist there, and they must reach a cluster.
 * Problems are named by field (schedules and broadcasts alike).
 */
export async function resolveTargets(ctx: AppContext, communeId: string, input: TargetInput) {
  const errors: FieldError[] = [];
  const villages = new Set((await villagesOf(ctx, communeId)).map((v) => v.id));
  const targets = input.target_kind === 'villages' ? [...new Set(input.village)] : input.target_kind === 'clusters' ? [...new Set(input.cluster)] : [];
  if (input.target_kind === 'villages' && (!targets.length || targets.some((v) => !villages.has(v)))) errors.push({ field: 'village', key: 'radio.error.targets_villages' });
  const clusters = await clustersOf(ctx.database.db, communeId, input.target_kind, targets);
  if (input.target_kind === 'clusters' && (!targets.length || clusters.length !== targets.length)) errors.push({ field: 'cluster', key: 'radio.error.targets_clusters' });
  else if (!clusters.length && !errors.length) errors.push({ field: 'target_kind', key: 'radio.error.no_clusters' });
  return { targets, clusters, errors };
}
const optionalDate = z.preprocess((v) => (v === '' ? undefined : v), z.iso.date().optional());
export const scheduleInput = z.object({
  name: z.string().trim().min(3).max(200),
  kind: z.enum(SCHEDULE_KINDS),
  date_from: z.iso.date(),
  date_to: optionalDate,
  weekday: list.pipe(z.array(z.enum(['1', '2', '3', '4', '5', '6', '7']))),
  start: z.string().refine((v) => parseClock(v) !== undefined, { message: 'radio.error.clock' }),
  target_kind: z.enum(TARGET_KINDS),
  village: list,
  cluster: list,
  ...Object.fromEntries(Array.from({ length: MAX_ITEMS }, (_, i) => [`item_${i + 1}`, z.string().max(60).optional()])),
});
export type ScheduleInput = z.output<typeof scheduleInput>;

const airingOf = (s: { date_from: string; date_to: string | null; weekdays: string; start_s: number; duration_ms: number }): Airing => ({
  from: s.date_from,
  to: s.date_to,
  weekdays: [...s.weekdays].map(Number),
  startS: s.start_s,
  durationMs: s.duration_ms,
});

/** The clusters (ids) a schedule's targets stand for, now. */
export async function clustersOf(db: Kysely<DB>, unitId: string, targetKind: string, targets: readonly string[]): Promise<string[]> {
  let q = db.selectFrom('radio_cluster').select('id').where('unit_id', '=', unitId);
  if (targetKind === 'villages') q = q.where('village_id', 'in', targets.length ? targets : ['']);
  if (targetKind === 'clusters') q = q.where('id', 'in', targets.length ? targets : ['']);
  return (await q.execute()).map((r) => r.id);
}

export async function scheduleFor(ctx: AppContext, access: Access, id: string, action: 'radio.read' | 'radio.manage' | 'radio.approve') {
  const s = await ctx.database.db.selectFrom('radio_schedule').selectAll().where('id', '=', id).executeTakeFirst();
  if (!s) throw notFound();
  await access.authorize(action, { unitId: s.unit_id });
  return s;
}

/**
 * A new schedule, awaiting the leader: its items must be approved content of the commune (emergencies
 * are sent, not scheduled), it must end by midnight, and it must not overlap — on any day, in any
 * cluster it reaches — another schedule that is approved or awaiting approval (the conflict is named).
 */
export async function createSchedule(ctx: AppContext, access: Access, audit: AuditContext, input: ScheduleInput) {
  const station = await stationFor(ctx, access, 'radio.manage');
  const { db } = ctx.database;
  const errors: FieldError[] = [];
  const itemIds = Array.from({ length: MAX_ITEMS }, (_, i) => (input as unknown as Record<string, string | undefined>)[`item_${i + 1}`]).filter((v): v is string => !!v);
  if (!itemIds.length) errors.push({ field: 'item_1', key: 'radio.error.no_items' });
  const contents = itemIds.length ? await db.selectFrom('radio_content').select(['id', 'title', 'status', 'priority', 'duration_ms', 'unit_id']).where('id', 'in', itemIds).execute() : [];
  const byId = new Map(contents.map((c) => [c.id, c]));
  itemIds.forEach((id, i) => {
    const c = byId.get(id);
    const field = `item_${i + 1}`;
    if (!c || c.unit_id !== station.id) errors.push({ field, key: 'radio.error.item_unknown', params: { n: i + 1 } });
    else if (c.status !== 'approved') errors.push({ field, key: 'radio.error.item_unapproved', params: { n: i + 1, title: c.title } });
    else if (c.priority === 'emergency') errors.push({ field, key: 'radio.error.item_emergency', params: { n: i + 1, title: c.title } });
  });
  const today = localToday();
  const once = input.kind === 'once';
  const dateTo = once ? input.date_from : (input.date_to ?? null);
  if (input.date_from < today) errors.push({ field: 'date_from', key: 'radio.error.past' });
  if (dateTo && dateTo < input.date_from) errors.push({ field: 'date_to', key: 'radio.error.date_order' });
  const weekdays = input.kind === 'weekly' ? [...new Set(input.weekday)].sort().join('') : once ? String(isoWeekday(input.date_from)) : '1234567';
  if (input.kind === 'weekly' && !weekdays) errors.push({ field: 'weekday', key: 'radio.error.weekdays' });
  const { targets, clusters, errors: targetErrors } = await resolveTargets(ctx, station.id, input);
  errors.push(...targetErrors);
  const startS = parseClock(input.start)!;
  const durationMs = itemIds.reduce((sum, id) => sum + (byId.get(id)?.duration_ms ?? 0), 0);
  const airing: Airing = { from: input.date_from, to: dateTo, weekdays: [...weekdays].map(Number), startS, durationMs };
  if (durationMs && endS(airing) > DAY_S) errors.push({ field: 'start', key: 'radio.error.past_midnight', params: { end: formatEnd(endS(airing) % DAY_S) } });
  if (errors.length) throw invalidInput(errors);

  const id = crypto.randomUUID();
  const actor = access.actor!;
  await db.transaction().execute(async (trx) => {
    // One writer per station at a time (the station row is the lock), so two overlapping schedules
    // saved at once cannot both pass the check.
    await lockStation(trx, station.id);
    const conflict = await findConflict(trx, station.id, airing, new Set(clusters));
    if (conflict) throw fieldProblem('schedule_conflict', 409, 'start', 'radio.error.conflict', conflict);
    await trx
      .insertInto('radio_schedule')
      .values({
        id,
        unit_id: station.id,
        origin_unit_id: station.id,
        name: input.name,
        kind: input.kind,
        date_from: input.date_from,
        date_to: dateTo,
        weekdays,
        start_s: startS,
        duration_ms: durationMs,
        target_kind: input.target_kind,
        status: 'pending',
        created_by: actor.id,
        created_by_label: actor.displayName,
        created_at: new Date().toISOString(),
      })
      .execute();
    await trx.insertInto('radio_schedule_item').values(itemIds.map((content_id, i) => ({ schedule_id: id, position: i + 1, content_id }))).execute();
    if (targets.length) await trx.insertInto('radio_schedule_target').values(targets.map((target_id) => ({ schedule_id: id, target_id }))).execute();
    await writeAudit(ctx.database, trx, audit, { action: 'radio.schedule.create', entity: 'radio_schedule', entityId: id, unitId: station.id, detail: { name: input.name, kind: input.kind, start: input.start, items: itemIds.length } });
  });
  return id;
}

/** Makes sure the station row exists and holds it for this transaction (a row lock on PostgreSQL; SQLite has one writer). */
async function lockStation(trx: Kysely<DB>, unitId: string) {
  await trx.insertInto('radio_station').values({ unit_id: unitId, schedule_version: 0, updated_at: new Date().toISOString() }).onConflict((oc) => oc.column('unit_id').doNothing()).execute();
  await trx.updateTable('radio_station').set({ updated_at: new Date().toISOString() }).where('unit_id', '=', unitId).execute();
}

/** The first live schedule that would air at the same time in one of these clusters: its name, hours, day and cluster. */
async function findConflict(trx: Kysely<DB>, unitId: string, airing: Airing, clusters: ReadonlySet<string>, except?: string) {
  const live = await trx
    .selectFrom('radio_schedule')
    .selectAll()
    .where('unit_id', '=', unitId)
    .where('status', 'in', ['pending', 'approved'])
    .where((eb) => eb.or([eb('date_to', 'is', null), eb('date_to', '>=', airing.from)]))
    .execute();
  for (const other of live) {
    if (other.id === except) continue;
    const day = overlap(airing, airingOf(other));
    if (!day) continue;
    const targets = (await trx.selectFrom('radio_schedule_target').select('target_id').where('schedule_id', '=', other.id).execute()).map((r) => r.target_id);
    const shared = (await clustersOf(trx, unitId, other.target_kind, targets)).find((c) => clusters.has(c));
    if (!shared) continue;
    const cluster = await trx.selectFrom('radio_cluster').select('name').where('id', '=', shared).executeTakeFirstOrThrow();
    const a = airingOf(other);
    return { name: other.name, from: formatClock(a.startS), to: formatEnd(endS(a) % DAY_S), day: day.split('-').reverse().join('/'), cluster: cluster.name };
  }
  return undefined;
}

/** Raises the station's schedule version (the devices' copy is then stale) and returns it. */
async function bumpVersion(trx: Kysely<DB>, unitId: string): Promise<number> {
  await lockStation(trx, unitId);
  const row = await trx.selectFrom('radio_station').select('schedule_version').where('unit_id', '=', unitId).executeTakeFirstOrThrow();
  const version = row.schedule_version + 1;
  await trx.updateTable('radio_station').set({ schedule_version: version, updated_at: new Date().toISOString() }).where('unit_id', '=', unitId).execute();
  return version;
}

/**
 * The leader's decision on a schedule. Approving checks its items are still approved and it still
 * conflicts with nothing approved, raises the station's version and sends every cluster its new schedule.
 */
export async function decideSchedule(ctx: AppContext, access: Access, audit: AuditContext, id: string, decision: { approve: boolean; note: string }) {
  access.require('radio.approve');
  const s = await scheduleFor(ctx, access, id, 'radio.approve');
  if (!decision.approve && decision.note.trim().length < 5) throw fieldProblem('reason_required', 400, 'note', 'radio.error.reason');
  const actor = access.actor!;
  let version: number | undefined;
  await ctx.database.db.transaction().execute(async (trx) => {
    const r = await trx
      .updateTable('radio_schedule')
      .set({ status: decision.approve ? 'approved' : 'rejected', decided_by: actor.id, decided_by_label: actor.displayName, decided_at: new Date().toISOString(), decision_note: decision.note.trim() || null })
      .where('id', '=', s.id)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw new AppError('already_decided', 409, 'radio.error.already_decided');
    if (decision.approve) {
      const unapproved = await trx
        .selectFrom('radio_schedule_item as i')
        .innerJoin('radio_content as c', 'c.id', 'i.content_id')
        .select('c.title')
        .where('i.schedule_id', '=', s.id)
        .where('c.status', '!=', 'approved')
        .executeTakeFirst();
      if (unapproved) throw new AppError('item_unapproved', 409, 'radio.error.schedule_item_unapproved', { title: unapproved.title });
      version = await bumpVersion(trx, s.unit_id);
    }
    await writeAudit(ctx.database, trx, audit, { action: decision.approve ? 'radio.schedule.approve' : 'radio.schedule.reject', entity: 'radio_schedule', entityId: s.id, unitId: s.unit_id, detail: { name: s.name, note: decision.note.trim() } });
  });
  if (version !== undefined) await syncStation(ctx, s.unit_id, version);
}

/** Takes a schedule off the air (approved or awaiting): devices get their new schedule at once. */
export async function cancelSchedule(ctx: AppContext, access: Access, audit: AuditContext, id: string) {
  const s = await scheduleFor(ctx, access, id, 'radio.manage');
  const actor = access.actor!;
  let version: number | undefined;
  await ctx.database.db.transaction().execute(async (trx) => {
    const r = await trx
      .updateTable('radio_schedule')
      .set({ status: 'cancelled', cancelled_by_label: actor.displayName, cancelled_at: new Date().toISOString() })
      .where('id', '=', s.id)
      .where('status', 'in', ['pending', 'approved'])
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw new AppError('not_live', 409, 'radio.error.not_live');
    if (s.status === 'approved') version = await bumpVersion(trx, s.unit_id);
    await writeAudit(ctx.database, trx, audit, { action: 'radio.schedule.cancel', entity: 'radio_schedule', entityId: s.id, unitId: s.unit_id, detail: { name: s.name } });
  });
  if (version !== undefined) await syncStation(ctx, s.unit_id, version);
}

/** The station's version as last seen here (read again after 10 s: another process may have raised it). */
export async function stationVersion(ctx: AppContext, unitId: string): Promise<{ version: number; raisedAt: number }> {
  const known = memoryOf(ctx).versions.get(unitId);
  if (known && Date.now() - known.at < 10_000) return known;
  const row = await ctx.database.db.selectFrom('radio_station').select(['schedule_version', 'updated_at']).where('unit_id', '=', unitId).executeTakeFirst();
  return rememberVersion(ctx, unitId, row?.schedule_version ?? 0, row ? Date.parse(row.updated_at) : 0);
}

/** Versions only grow: a read that raced a raise (and saw the old one) never replaces the newer one. */
function rememberVersion(ctx: AppContext, unitId: string, version: number, raisedAt: number) {
  const versions = memoryOf(ctx).versions;
  const known = versions.get(unitId);
  const v = known && known.version >= version ? { ...known, at: Date.now() } : { version, raisedAt, at: Date.now() };
  versions.set(unitId, v);
  return v;
}

/** One slot of a device's schedule, as the protocol's `sync` carries it. */
export interface SyncSlot {
  id: string;
  from: string;
  to: string | null;
  weekdays: number[];
  start: string;
  items: { item: string; url: string; ms: number; priority: string; stream?: boolean }[];
}

/** One approved programme of a station, as every device's `sync` carries it, with whom it targets. */
export interface StationSlot {
  slot: SyncSlot;
  target: string;
  targets: ReadonlySet<string>;
}

/** How long a station's computed schedule serves the syncs of one version (content read again after it). */
const STATION_SCHEDULE_MS = 10_000;

/**
 * Everything approved that the station airs from today on, at schedule `version`: computed once and
 * shared by the syncs of its clusters for ten seconds (a schedule change raises the version; 10,000
 * devices coming back after an outage do not run 20,000 queries). Concurrent callers share one read.
 * `version` must be a committed one (read from the station, or just committed by the caller): a read
 * for it then sees that version's schedules or later ones.
 */
export function stationSchedule(ctx: AppContext, unitId: string, version: number): Promise<StationSlot[]> {
  const memo = memoryOf(ctx).schedules;
  const key = `${version}|${localToday()}`;
  const known = memo.get(unitId);
  if (known && known.key === key && Date.now() - known.at < STATION_SCHEDULE_MS) return known.slots;
  const slots = readStationSchedule(ctx, unitId);
  memo.set(unitId, { key, at: Date.now(), slots });
  slots.catch(() => memo.get(unitId)?.slots === slots && memo.delete(unitId));
  return slots;
}

async function readStationSchedule(ctx: AppContext, unitId: string): Promise<StationSlot[]> {
  const { db } = ctx.database;
  const schedules = await db
    .selectFrom('radio_schedule')
    .selectAll()
    .where('unit_id', '=', unitId)
    .where('status', '=', 'approved')
    .where((eb) => eb.or([eb('date_to', 'is', null), eb('date_to', '>=', localToday())]))
    .orderBy('start_s')
    .execute();
  if (!schedules.length) return [];
  const ids = schedules.map((s) => s.id);
  const [items, targets] = await Promise.all([
    db
      .selectFrom('radio_schedule_item as i')
      .innerJoin('radio_content as c', 'c.id', 'i.content_id')
      .select(['i.schedule_id', 'i.position', 'c.id', 'c.kind', 'c.stream_url', 'c.duration_ms', 'c.priority'])
      .where('i.schedule_id', 'in', ids)
      .orderBy('i.position')
      .execute(),
    db.selectFrom('radio_schedule_target').select(['schedule_id', 'target_id']).where('schedule_id', 'in', ids).execute(),
  ]);
  return schedules.map((s) => ({
    target: s.target_kind,
    targets: new Set(targets.filter((t) => t.schedule_id === s.id).map((t) => t.target_id)),
    slot: {
      id: s.id,
      from: s.date_from,
      to: s.date_to,
      weekdays: [...s.weekdays].map(Number),
      start: formatClock(s.start_s),
      items: items
        .filter((i) => i.schedule_id === s.id)
        .map((i) => (i.kind === 'relay' ? { item: i.id, url: i.stream_url!, ms: i.duration_ms, priority: i.priority, stream: true } : { item: i.id, url: `${ctx.config.publicUrl}${mediaPath(ctx, i.id)}`, ms: i.duration_ms, priority: i.priority })),
    },
  }));
}

/** Everything approved that a cluster must air from today on: the body of its `sync` command at `version`. */
export async function deviceSchedule(ctx: AppContext, cluster: { id: string; unit_id: string; village_id: string }, version: number): Promise<SyncSlot[]> {
  const station = await stationSchedule(ctx, cluster.unit_id, version);
  return station
    .filter((s) => s.target === 'all' || (s.target === 'villages' && s.targets.has(cluster.village_id)) || (s.target === 'clusters' && s.targets.has(cluster.id)))
    .map((s) => s.slot);
}

type SyncTarget = { id: string; unit_id: string; village_id: string; device_id: string };

/** Sends a cluster its whole schedule at the station's version (devices keep the highest version they got). */
export async function syncCluster(ctx: AppContext, cluster: SyncTarget, version?: number) {
  await syncClusters(ctx, cluster.unit_id, [cluster], version ?? (await stationVersion(ctx, cluster.unit_id)).version);
}

/** Sends every cluster of the station its schedule at `version` (just committed: remembered first). */
export async function syncStation(ctx: AppContext, unitId: string, committed: number) {
  const { version } = rememberVersion(ctx, unitId, committed, Date.now());
  const clusters = await ctx.database.db.selectFrom('radio_cluster').select(['id', 'unit_id', 'village_id', 'device_id']).where('unit_id', '=', unitId).where('revoked_at', 'is', null).where('secret_hash', 'is not', null).execute();
  await syncClusters(ctx, unitId, clusters, version);
}

/** The clusters' `sync` commands at `version`, sent together (one write of their command rows). */
async function syncClusters(ctx: AppContext, unitId: string, clusters: readonly SyncTarget[], version: number) {
  const { lastSync } = memoryOf(ctx);
  const commands: Command[] = [];
  for (const c of clusters) {
    const slots = await deviceSchedule(ctx, c, version);
    lastSync.set(c.device_id, Date.now());
    commands.push({ deviceId: c.device_id, op: 'sync', body: { schedule: version, tz: '+07:00', slots }, detail: `v${version}, ${slots.length}` });
  }
  if (commands.length) await sendCommands(ctx, unitId, commands);
}

/** A device that keeps reporting an old schedule is sent it again at most once a minute. */
export const RESYNC_AFTER_MS = 60_000;
/**
 * Should a heartbeat reporting an older schedule (arrived at `arrivedAt`) bring the device its schedule
 * again? Not if it left the device before the version was raised or the last sync was sent (it could
 * not know yet: that sync is on its way); yes at once if the device has just come back (what was sent
 * while it was away is lost); otherwise at most once a minute.
 */
export function mayResync(ctx: AppContext, deviceId: string, arrivedAt: number, back: boolean, raisedAt: number) {
  const last = memoryOf(ctx).lastSync.get(deviceId) ?? 0;
  return arrivedAt > Math.max(last, raisedAt) && (back || arrivedAt - last >= RESYNC_AFTER_MS);
}
