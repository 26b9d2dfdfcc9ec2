import crypto from 'node:crypto';
import type { AppContext } from '../../platform/context.ts';
import { CompiledQuery, type Kysely } from 'kysely';
import type { Database } from '../../platform/db/connect.ts';
import type { DB } from '../../platform/db/schema.ts';
import { OFFLINE_AFTER_MS, logDevice } from './fleet.ts';
import { memoryOf, type LiveState } from './link.ts';
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
  /** Arrival order of the batch's messages (a heartbeat and playback events of one device are merged in it). */
  n: number;
  beats: Map<string, { h: Heartbeat; at: string; n: number }>;
  acks: { deviceId: string; a: Ack; at: string }[];
  logs: { deviceId: string; l: PlayLog; at: string; n: number }[];
  done: Promise<void>;
}
const batches = new WeakMap<Database, { open?: Batch; writing: Promise<void> }>();

function batchFor(ctx: AppContext): Batch {
  let state = batches.get(ctx.database);
  if (!state) batches.set(ctx.database, (state = { writing: Promise.resolve() }));
  if (state.open) return state.open;
  const s = state;
  const batch: Batch = { n: 0, beats: new Map(), acks: [], logs: [], done: Promise.resolve() };
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

/** A cluster's live state as the dashboard shows it (see `listeners`). */
const STATE_COLUMNS = ['id', 'unit_id', 'online', 'last_seen_at', 'playing', 'playing_priority', 'volume', 'power_now', 'signal'] as const;

type ClusterState = Omit<LiveState, 'online'> & { online: number };

/** Rows per statement: each batch's rows travel as one JSON parameter, the statement text stays the same. */
const ROWS_PER_STATEMENT = 2000;

/**
 * The batch's writes as set-based statements, one per kind (and per 2,000 rows), each with its rows as
 * one JSON array: the same text every time (prepared once), no per-row statement to build or run.
 * A device's rows are matched to its own records in the statement itself: an acknowledgement closes
 * only a command sent to the device that acknowledges it, a playback event is logged only for a
 * registered cluster, a revoked cluster's heartbeat is ignored.
 */
const STATEMENTS = {
  sqlite: {
    acks: `update radio_command set acked_at = j.value ->> 'at', ok = j.value ->> 'ok', error = j.value ->> 'error'
      from json_each(?) as j
      where radio_command.id = j.value ->> 'id' and radio_command.device_id = j.value ->> 'device' and radio_command.acked_at is null`,
    beats: `update radio_cluster set online = j.value ->> 'online', last_seen_at = j.value ->> 'at', playing = j.value ->> 'playing',
        playing_priority = j.value ->> 'priority', volume = j.value ->> 'volume', power_now = j.value ->> 'power',
        signal = j.value ->> 'signal', schedule_version = j.value ->> 'schedule', firmware = j.value ->> 'firmware'
      from json_each(?) as j
      where radio_cluster.device_id = j.value ->> 'device' and radio_cluster.revoked_at is null
      returning radio_cluster.id, radio_cluster.unit_id, radio_cluster.village_id, radio_cluster.device_id`,
    logs: `insert into radio_play_log (id, unit_id, device_id, item, event, priority, at, seq, received_at)
      select j.value ->> 'id', c.unit_id, c.device_id, j.value ->> 'item', j.value ->> 'event', j.value ->> 'priority',
        j.value ->> 'at', j.value ->> 'seq', j.value ->> 'received'
      from json_each(?) as j join radio_cluster as c on c.device_id = j.value ->> 'device'`,
    playing: `update radio_cluster set playing = j.value ->> 'item', playing_priority = j.value ->> 'priority'
      from json_each(?) as j
      where radio_cluster.device_id = j.value ->> 'device' and radio_cluster.revoked_at is null
      returning ${STATE_COLUMNS.map((c) => `radio_cluster.${c}`).join(', ')}`,
  },
  postgres: {
    acks: `update radio_command as c set acked_at = j.at::timestamptz, ok = j.ok, error = j.error
      from jsonb_to_recordset($1::jsonb) as j(id text, device text, ok integer, error text, at text)
      where c.id = j.id and c.device_id = j.device and c.acked_at is null`,
    beats: `update radio_cluster as c set online = j.online, last_seen_at = j.at::timestamptz, playing = j.playing,
        playing_priority = j.priority, volume = j.volume, power_now = j.power, signal = j.signal,
        schedule_version = j.schedule, firmware = j.firmware
      from jsonb_to_recordset($1::jsonb) as j(device text, online integer, at text, playing text, priority text, volume integer,
        power text, signal integer, schedule integer, firmware text)
      where c.device_id = j.device and c.revoked_at is null
      returning c.id, c.unit_id, c.village_id, c.device_id`,
    logs: `insert into radio_play_log (id, unit_id, device_id, item, event, priority, at, seq, received_at)
      select j.id, c.unit_id, c.device_id, j.item, j.event, j.priority, j.at::timestamptz, j.seq, j.received::timestamptz
      from jsonb_to_recordset($1::jsonb) as j(id text, device text, item text, event text, priority text, at text, seq integer, received text)
      join radio_cluster as c on c.device_id = j.device`,
    playing: `update radio_cluster as c set playing = j.item, playing_priority = j.priority
      from jsonb_to_recordset($1::jsonb) as j(device text, item text, priority text)
      where c.device_id = j.device and c.revoked_at is null
      returning ${STATE_COLUMNS.map((c) => `c.${c}`).join(', ')}`,
  },
};

/** Runs `text` (its one parameter the rows as JSON) for the rows, 2,000 at a time; returns what it returns. */
async function forRows<R>(trx: Kysely<DB>, text: string, rows: readonly object[]): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    const r = await trx.executeQuery<R>(CompiledQuery.raw(text, [JSON.stringify(rows.slice(i, i + ROWS_PER_STATEMENT))]));
    out.push(...r.rows);
  }
  return out;
}

async function write(ctx: AppContext, batch: Batch) {
  const statements = STATEMENTS[ctx.database.dialect];
  const beats = new Map(batch.beats);
  let updated: { id: string; unit_id: string; village_id: string; device_id: string }[] = [];
  let playing: ClusterState[] = [];
  // One transaction, one durable commit per batch; acknowledgements first: they are what an official
  // (or an emergency) waits for. Each is recorded at the millisecond it arrived.
  await ctx.database.db.transaction().execute(async (trx) => {
    if (batch.acks.length) await forRows(trx, statements.acks, batch.acks.map(({ deviceId, a, at }) => ({ id: a.id, device: deviceId, ok: a.ok ? 1 : 0, error: a.error ?? null, at })));
    if (beats.size) {
      const rows = [...beats].map(([device, { h, at }]) => ({
        device,
        online: h.online ? 1 : 0,
        at,
        playing: h.playing?.item ?? null,
        priority: h.playing?.priority ?? null,
        volume: h.volume,
        power: h.power,
        signal: h.signal,
        schedule: h.schedule,
        firmware: h.firmware,
      }));
      updated = await forRows(trx, statements.beats, rows);
    }
    if (batch.logs.length) {
      const rows = batch.logs.map(({ deviceId, l, at }) => ({ id: crypto.randomUUID(), device: deviceId, item: l.item, event: l.event, priority: l.priority, at: new Date(l.at).toISOString(), seq: l.seq ?? null, received: at }));
      await forRows(trx, statements.logs, rows);
      // A playback event says what plays now (devices need not repeat it in a heartbeat): a device's
      // last event of the batch, unless a heartbeat came after it.
      const now = new Map<string, { device: string; item: string | null; priority: string | null }>();
      for (const { deviceId, l, n } of batch.logs) {
        if ((beats.get(deviceId)?.n ?? -1) > n) continue;
        now.set(deviceId, { device: deviceId, ...(l.event === 'started' ? { item: l.item, priority: l.priority } : { item: null, priority: null }) });
      }
      playing = await forRows(trx, statements.playing, [...now.values()]);
    }
  });
  const { listeners, lastHeard } = memoryOf(ctx);
  for (const state of playing) for (const listen of listeners) listen({ ...state, online: !!state.online });
  for (const row of updated) {
    const c = { ...row, ...beats.get(row.device_id)! };
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
    batch.beats.set(t.deviceId, { h: r.value, at, n: batch.n++ });
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
  batch.logs.push({ deviceId: t.deviceId, l: r.value, at, n: batch.n++ });
  return batch.done;
}
