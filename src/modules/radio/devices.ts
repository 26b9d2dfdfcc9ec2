import crypto from 'node:crypto';
import type { AppContext } from '../../platform/context.ts';
import type { Database } from '../../platform/db/connect.ts';
import { OFFLINE_AFTER_MS, logDevice } from './fleet.ts';
import { memoryOf } from './link.ts';
import { ack, heartbeat, parseTopic, playLog, readMessage, type Ack, type Heartbeat, type PlayLog } from './protocol.ts';
import { mayResync, stationVersion, syncCluster } from './schedules.ts';

const drop = async (ctx: AppContext, deviceId: string, reason: string) => {
  const { dropped } = memoryOf(ctx);
  dropped.set(reason, (dropped.get(reason) ?? 0) + 1);
  await logDevice(ctx, deviceId, 'malformed', reason);
};

/**
 * Devices' messages are written in batches: what arrives within `FLUSH_MS` is written in one
 * transaction (one durable commit instead of one per message — 10,000 clusters acknowledging an
 * emergency at once would otherwise queue 10,000 commits). A device's heartbeats within a batch
 * collapse to its latest.
 */
const FLUSH_MS = 20;

interface Batch {
  beats: Map<string, { h: Heartbeat; at: string }>;
  acks: { deviceId: string; a: Ack; at: string }[];
  logs: { deviceId: string; l: PlayLog; at: string }[];
  done: Promise<void>;
}
const batches = new WeakMap<Database, { open?: Batch; writing: Promise<void> }>();

function batchFor(ctx: AppContext): Batch {
  let state = batches.get(ctx.database);
  if (!state) batches.set(ctx.database, (state = { writing: Promise.resolve() }));
  if (state.open) return state.open;
  const s = state;
  const batch: Batch = { beats: new Map(), acks: [], logs: [], done: Promise.resolve() };
  // Written after the previous batch (one writer), at least FLUSH_MS after the first message.
  batch.done = new Promise<void>((resolve) => setTimeout(resolve, FLUSH_MS)).then(() => {
    s.open = undefined;
    const written = s.writing.then(() => write(ctx, batch));
    // A failed batch is reported to its messages' handlers; the next one is written all the same.
    s.writing = written.catch(() => undefined);
    return written;
  });
  s.open = batch;
  return batch;
}

async function write(ctx: AppContext, batch: Batch) {
  const { db } = ctx.database;
  const updated: { id: string; unit_id: string; village_id: string; device_id: string; h: Heartbeat; at: string }[] = [];
  // Acknowledgements first, in their own commit: they are what an official (or an emergency) waits for.
  if (batch.acks.length) {
    await db.transaction().execute(async (trx) => {
      // A device acknowledges only its own commands: ids are checked against their device first.
      const owners = new Map<string, string>();
      const ids = batch.acks.map((a) => a.a.id);
      for (let i = 0; i < ids.length; i += 500) {
        for (const r of await trx.selectFrom('radio_command').select(['id', 'device_id']).where('id', 'in', ids.slice(i, i + 500)).where('acked_at', 'is', null).execute()) owners.set(r.id, r.device_id);
      }
      // Each acknowledgement is recorded at the millisecond it arrived: those of one millisecond (and
      // outcome) share one update.
      const groups = new Map<string, { ok: number; error: string | null; at: string; ids: string[] }>();
      for (const { deviceId, a, at } of batch.acks) {
        if (owners.get(a.id) !== deviceId) continue;
        const key = `${a.ok}|${a.error ?? ''}|${at}`;
        const g = groups.get(key) ?? { ok: a.ok ? 1 : 0, error: a.error ?? null, at, ids: [] };
        g.ids.push(a.id);
        groups.set(key, g);
      }
      for (const g of groups.values()) {
        for (let i = 0; i < g.ids.length; i += 500) await trx.updateTable('radio_command').set({ acked_at: g.at, ok: g.ok, error: g.error }).where('id', 'in', g.ids.slice(i, i + 500)).where('acked_at', 'is', null).execute();
      }
    });
  }
  await db.transaction().execute(async (trx) => {
    for (const [deviceId, { h, at }] of batch.beats) {
      const c = await trx
        .updateTable('radio_cluster')
        .set({ online: h.online ? 1 : 0, last_seen_at: at, playing: h.playing?.item ?? null, playing_priority: h.playing?.priority ?? null, volume: h.volume, power_now: h.power, signal: h.signal, schedule_version: h.schedule, firmware: h.firmware })
        .where('device_id', '=', deviceId)
        .where('revoked_at', 'is', null)
        .returning(['id', 'unit_id', 'village_id', 'device_id'])
        .executeTakeFirst();
      if (c) updated.push({ ...c, h, at });
    }
    if (batch.logs.length) {
      const devices = [...new Set(batch.logs.map((l) => l.deviceId))];
      const units = new Map((await trx.selectFrom('radio_cluster').select(['device_id', 'unit_id']).where('device_id', 'in', devices).execute()).map((r) => [r.device_id, r.unit_id]));
      const rows = batch.logs
        .filter((l) => units.has(l.deviceId))
        .map(({ deviceId, l, at }) => ({ id: crypto.randomUUID(), unit_id: units.get(deviceId)!, device_id: deviceId, item: l.item, event: l.event, priority: l.priority, at: new Date(l.at).toISOString(), seq: l.seq ?? null, received_at: at }));
      for (let i = 0; i < rows.length; i += 500) await trx.insertInto('radio_play_log').values(rows.slice(i, i + 500)).execute();
    }
  });
  const { listeners, lastHeard } = memoryOf(ctx);
  for (const c of updated) {
    if (listeners.size) {
      const state = { id: c.id, unit_id: c.unit_id, online: c.h.online, last_seen_at: c.at, playing: c.h.playing?.item ?? null, playing_priority: c.h.playing?.priority ?? null, volume: c.h.volume, power_now: c.h.power, signal: c.h.signal };
      for (const listen of listeners) listen(state);
    }
    const now = Date.parse(c.at);
    const previous = lastHeard.get(c.device_id);
    lastHeard.set(c.device_id, now);
    // Holding an older schedule: sent the current one — at once when just back, else at most once a minute.
    const back = previous === undefined || now - previous > OFFLINE_AFTER_MS;
    if (!c.h.online) continue;
    const station = await stationVersion(ctx, c.unit_id);
    if (c.h.schedule < station.version && mayResync(ctx, c.device_id, now, back, station.raisedAt)) await syncCluster(ctx, c);
  }
}

/**
 * A message from a device. A heartbeat updates its cluster's state (and a device holding an older
 * schedule than the station's is sent the current one); an acknowledgement closes its command; a
 * playback event is logged. Anything malformed is dropped, counted and written in the device's log,
 * never acted on. Resolves once the message is written (in its batch).
 */
export async function onDeviceMessage(ctx: AppContext, topic: string, payload: Buffer) {
  const t = parseTopic(topic);
  if (!t || t.channel === 'cmd') return;
  const at = new Date().toISOString();
  if (t.channel === 'status') {
    const r = readMessage(payload, heartbeat);
    if (!r.ok) return drop(ctx, t.deviceId, r.reason);
    const batch = batchFor(ctx);
    batch.beats.set(t.deviceId, { h: r.value, at });
    return batch.done;
  }
  if (t.channel === 'ack') {
    const r = readMessage(payload, ack);
    if (!r.ok) return drop(ctx, t.deviceId, r.reason);
    const batch = batchFor(ctx);
    batch.acks.push({ deviceId: t.deviceId, a: r.value, at });
    return batch.done;
  }
  const r = readMessage(payload, playLog);
  if (!r.ok) return drop(ctx, t.deviceId, r.reason);
  const batch = batchFor(ctx);
  batch.logs.push({ deviceId: t.deviceId, l: r.value, at });
  return batch.done;
}
