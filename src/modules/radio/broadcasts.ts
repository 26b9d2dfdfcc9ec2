import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import type { Access } from '../../platform/auth/access.ts';
import { writeAudit, type AuditContext } from '../../platform/audit/audit.ts';
import { AppError, invalidInput, notFound } from '../../platform/errors.ts';
import { translator } from '../../platform/i18n/index.ts';
import { stationFor } from './fleet.ts';
import { contentFor, mediaPath } from './content.ts';
import { sendCommands } from './link.ts';
import { TARGET_KINDS, clustersOf, list, resolveTargets } from './schedules.ts';

export const broadcastInput = z.object({
  target_kind: z.enum(TARGET_KINDS),
  village: list,
  cluster: list,
  repeat: z.coerce.number().int().min(1).max(5),
});

/**
 * Sending an item now, outside the schedule. Normal and priority items must be approved and are sent
 * by any official of the station. An **emergency** (DOMAIN.md §4: disaster, fire, epidemic) goes out
 * at once when the leader sends it — the leader's send is also its approval — or, sent by an official,
 * when a second official confirms it; either way it is logged prominently and the leaders are told.
 */
export async function requestBroadcast(ctx: AppContext, access: Access, audit: AuditContext, contentId: string, input: z.output<typeof broadcastInput>) {
  const station = await stationFor(ctx, access, 'radio.manage');
  const c = await contentFor(ctx, access, contentId, 'radio.manage');
  const emergency = c.priority === 'emergency';
  if (c.status === 'rejected' || (!emergency && c.status !== 'approved')) throw new AppError('not_approved', 409, 'radio.error.broadcast_unapproved');
  const { targets, clusters, errors } = await resolveTargets(ctx, station.id, input);
  if (errors.length) throw invalidInput(errors);
  const leader = await access.can('radio.approve', { unitId: station.id });
  const actor = access.actor!;
  const id = crypto.randomUUID();
  const now = new Date().toISOString();
  const goesNow = !emergency || leader;
  await ctx.database.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('radio_broadcast')
      .values({ id, unit_id: station.id, origin_unit_id: station.id, content_id: c.id, priority: c.priority, target_kind: input.target_kind, targets: targets.join(','), repeat: input.repeat, status: goesNow ? 'sent' : 'awaiting_confirmation', requested_by: actor.id, requested_by_label: actor.displayName, requested_at: now, confirmed_by_label: null, confirmed_at: null, sent_at: goesNow ? now : null, devices: goesNow ? clusters.length : 0 })
      .execute();
    if (emergency && leader && c.status !== 'approved') await approveForEmergency(trx, c.id, actor);
    await writeAudit(ctx.database, trx, audit, { action: emergency ? (goesNow ? 'radio.emergency.send' : 'radio.emergency.request') : 'radio.broadcast.send', entity: 'radio_broadcast', entityId: id, unitId: station.id, detail: { title: c.title, priority: c.priority, clusters: clusters.length, repeat: input.repeat } });
    if (emergency) await tellLeaders(ctx, trx, station.id, id, c.title, goesNow);
  });
  if (goesNow) await fanOut(ctx, id);
  return { id, sent: goesNow };
}

/** A second official confirms an emergency another official asked for: it goes out now. */
export async function confirmBroadcast(ctx: AppContext, access: Access, audit: AuditContext, id: string) {
  const b = await broadcastFor(ctx, access, id, 'radio.manage');
  const actor = access.actor!;
  if (b.status !== 'awaiting_confirmation') throw new AppError('not_waiting', 409, 'radio.error.not_waiting');
  if (b.requested_by === actor.id) throw new AppError('same_person', 409, 'radio.error.second_official');
  const c = await contentFor(ctx, access, b.content_id, 'radio.manage');
  const now = new Date().toISOString();
  const clusters = await clustersOf(ctx.database.db, b.unit_id, b.target_kind, b.targets ? b.targets.split(',') : []);
  await ctx.database.db.transaction().execute(async (trx) => {
    const r = await trx
      .updateTable('radio_broadcast')
      .set({ status: 'sent', confirmed_by_label: actor.displayName, confirmed_at: now, sent_at: now, devices: clusters.length })
      .where('id', '=', b.id)
      .where('status', '=', 'awaiting_confirmation')
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw new AppError('not_waiting', 409, 'radio.error.not_waiting');
    if (c.status !== 'approved') await approveForEmergency(trx, c.id, actor);
    await writeAudit(ctx.database, trx, audit, { action: 'radio.emergency.send', entity: 'radio_broadcast', entityId: b.id, unitId: b.unit_id, detail: { title: c.title, requested_by: b.requested_by_label, clusters: clusters.length, repeat: b.repeat } });
    await tellLeaders(ctx, trx, b.unit_id, b.id, c.title, true);
  });
  await fanOut(ctx, b.id);
}

export async function broadcastFor(ctx: AppContext, access: Access, id: string, action: 'radio.read' | 'radio.manage') {
  const b = await ctx.database.db.selectFrom('radio_broadcast').selectAll().where('id', '=', id).executeTakeFirst();
  if (!b) throw notFound();
  await access.authorize(action, { unitId: b.unit_id });
  return b;
}

async function approveForEmergency(trx: Kysely<DB>, contentId: string, actor: { id: string; displayName: string }) {
  await trx.updateTable('radio_content').set({ status: 'approved', decided_by: actor.id, decided_by_label: actor.displayName, decided_at: new Date().toISOString(), decision_note: translator('vi')('radio.broadcast.approved_by_sending') }).where('id', '=', contentId).where('status', '=', 'pending').execute();
}

/** The commune's leaders and officials hear of every emergency (in their inbox, and by e-mail when they have one). */
async function tellLeaders(ctx: AppContext, trx: Kysely<DB>, unitId: string, broadcastId: string, title: string, sent: boolean) {
  const staff = await trx
    .selectFrom('auth_role_grant as g')
    .innerJoin('auth_account as a', 'a.id', 'g.account_id')
    .select(['a.id', 'a.email'])
    .where('g.unit_id', '=', unitId)
    .where('g.role', 'in', ['commune_leader', 'commune_official'])
    .where('a.disabled_at', 'is', null)
    .distinct()
    .execute();
  const t = translator('vi');
  for (const s of staff) {
    await ctx.notifier.enqueue(trx, { unitId, accountId: s.id, email: s.email }, { subject: t(sent ? 'radio.emergency.sent_subject' : 'radio.emergency.request_subject', { title }), body: t(sent ? 'radio.emergency.sent_body' : 'radio.emergency.request_body', { title }), link: `${ctx.config.publicUrl}/truyen-thanh/phat-ngay/${broadcastId}`, source: 'radio.emergency', sourceId: broadcastId, dedupeKey: `radio-emergency:${broadcastId}:${sent ? 'sent' : 'asked'}:${s.id}` });
  }
  ctx.notifier.kick();
}

/** The play command to every targeted cluster, at the broadcast's priority. */
async function fanOut(ctx: AppContext, broadcastId: string) {
  const { db } = ctx.database;
  const b = await db.selectFrom('radio_broadcast as b').innerJoin('radio_content as c', 'c.id', 'b.content_id').select(['b.id', 'b.unit_id', 'b.target_kind', 'b.targets', 'b.repeat', 'b.priority', 'c.id as content_id', 'c.kind', 'c.stream_url', 'c.duration_ms']).where('b.id', '=', broadcastId).executeTakeFirstOrThrow();
  const ids = await clustersOf(db, b.unit_id, b.target_kind, b.targets ? b.targets.split(',') : []);
  const devices: string[] = [];
  for (let i = 0; i < ids.length; i += 500) devices.push(...(await db.selectFrom('radio_cluster').select('device_id').where('id', 'in', ids.slice(i, i + 500)).execute()).map((r) => r.device_id));
  const url = b.kind === 'relay' ? b.stream_url! : `${ctx.config.publicUrl}${mediaPath(ctx, b.content_id)}`;
  const body = { item: b.content_id, url, ms: b.duration_ms, priority: b.priority, repeat: b.repeat, ...(b.kind === 'relay' ? { stream: true } : {}) };
  await sendCommands(ctx, b.unit_id, devices.map((deviceId) => ({ deviceId, op: 'play' as const, body, detail: `${b.priority}: ${b.content_id}`, broadcastId: b.id })));
}
