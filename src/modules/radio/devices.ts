import crypto from 'node:crypto';
import type { AppContext } from '../../platform/context.ts';
import { OFFLINE_AFTER_MS, logDevice } from './fleet.ts';
import { memoryOf } from './link.ts';
import { ack, heartbeat, parseTopic, playLog, readMessage } from './protocol.ts';
import { mayResync, stationVersion, syncCluster } from './schedules.ts';

const drop = async (ctx: AppContext, deviceId: string, reason: string) => {
  const { dropped } = memoryOf(ctx);
  dropped.set(reason, (dropped.get(reason) ?? 0) + 1);
  await logDevice(ctx, deviceId, 'malformed', reason);
};

/**
 * A message from a device. A heartbeat updates its cluster's state — and when it holds an older
 * schedule than the station's, the device is sent the current one (at once when it has just come
 * back, otherwise at most once a minute, so a slow device is not flooded); an
 * acknowledgement closes its command; a playback event is logged. Anything malformed is dropped,
 * counted and written in the device's log, never acted on.
 */
export async function onDeviceMessage(ctx: AppContext, topic: string, payload: Buffer) {
  const t = parseTopic(topic);
  if (!t || t.channel === 'cmd') return;
  const { db } = ctx.database;
  if (t.channel === 'status') {
    const r = readMessage(payload, heartbeat);
    if (!r.ok) return drop(ctx, t.deviceId, r.reason);
    const h = r.value;
    const cluster = await db
      .updateTable('radio_cluster')
      .set({ online: h.online ? 1 : 0, last_seen_at: new Date().toISOString(), playing: h.playing?.item ?? null, playing_priority: h.playing?.priority ?? null, volume: h.volume, power_now: h.power, signal: h.signal, schedule_version: h.schedule, firmware: h.firmware })
      .where('device_id', '=', t.deviceId)
      .where('revoked_at', 'is', null)
      .returning(['id', 'unit_id', 'village_id', 'device_id'])
      .executeTakeFirst();
    const { listeners } = memoryOf(ctx);
    if (cluster && listeners.size) {
      const state = { id: cluster.id, unit_id: cluster.unit_id, online: h.online, last_seen_at: new Date().toISOString(), playing: h.playing?.item ?? null, playing_priority: h.playing?.priority ?? null, volume: h.volume, power_now: h.power, signal: h.signal };
      for (const listen of listeners) listen(state);
    }
    const now = Date.now();
    const { lastHeard } = memoryOf(ctx);
    const previous = lastHeard.get(t.deviceId);
    lastHeard.set(t.deviceId, now);
    const back = previous === undefined || now - previous > OFFLINE_AFTER_MS;
    if (cluster && h.online && h.schedule < (await stationVersion(ctx, cluster.unit_id)) && (back || mayResync(ctx, t.deviceId))) await syncCluster(ctx, cluster);
    return;
  }
  if (t.channel === 'ack') {
    const r = readMessage(payload, ack);
    if (!r.ok) return drop(ctx, t.deviceId, r.reason);
    await db
      .updateTable('radio_command')
      .set({ acked_at: new Date().toISOString(), ok: r.value.ok ? 1 : 0, error: r.value.error ?? null })
      .where('id', '=', r.value.id)
      .where('device_id', '=', t.deviceId)
      .where('acked_at', 'is', null)
      .execute();
    return;
  }
  const r = readMessage(payload, playLog);
  if (!r.ok) return drop(ctx, t.deviceId, r.reason);
  const cluster = await db.selectFrom('radio_cluster').select('unit_id').where('device_id', '=', t.deviceId).executeTakeFirst();
  if (!cluster) return;
  await db.insertInto('radio_play_log').values({ id: crypto.randomUUID(), unit_id: cluster.unit_id, device_id: t.deviceId, item: r.value.item, event: r.value.event, priority: r.value.priority, at: r.value.at, seq: r.value.seq ?? null, received_at: new Date().toISOString() }).execute();
}
