import crypto from 'node:crypto';
import type { AppContext } from '../../platform/context.ts';
import type { Database } from '../../platform/db/connect.ts';
import type { DeviceHubLink } from '../../platform/modules/define-module.ts';
import { PROTOCOL_VERSION, topics } from './protocol.ts';
import type { StationSlot } from './schedules.ts';

/** How the module reaches devices: the platform's MQTT client, when the device hub runs in this process. */
export type DeviceLink = DeviceHubLink;

// Keyed by the database: the hub and the HTTP app share it (tests build the hub on a copy of the context).
const links = new WeakMap<Database, DeviceLink>();
export const attachLink = (ctx: AppContext, link: DeviceLink | null) => (link ? links.set(ctx.database, link) : links.delete(ctx.database));
export const linkFor = (ctx: AppContext) => links.get(ctx.database);

/** What this process remembers about its devices, per platform (keyed like the link). */
export interface DeviceMemory {
  /** When each device's heartbeat was last heard here. */
  lastHeard: Map<string, number>;
  /** When each device was last sent its schedule from here. */
  lastSync: Map<string, number>;
  /** The station's schedule version as last read (`at`), per commune, and when it was raised. */
  versions: Map<string, { version: number; at: number; raisedAt: number }>;
  /** Malformed messages dropped, by reason (shown on the station page). */
  dropped: Map<string, number>;
  /** Refusals logged per device in the current minute (rate-limited logging). */
  refusals: Map<string, { start: number; count: number; suppressed: number }>;
  /** Live dashboards listening for clusters' new state (Server-Sent Events). */
  listeners: Set<(state: LiveState) => void>;
  /** Each station's computed schedule, per version and day (see `stationSchedule`). */
  schedules: Map<string, { key: string; at: number; slots: Promise<StationSlot[]> }>;
}

/** A cluster's state as the live dashboard shows it. */
export interface LiveState {
  id: string;
  unit_id: string;
  online: boolean;
  last_seen_at: string | null;
  playing: string | null;
  playing_priority: string | null;
  volume: number | null;
  power_now: string | null;
  signal: number | null;
}
const memories = new WeakMap<Database, DeviceMemory>();
export function memoryOf(ctx: AppContext): DeviceMemory {
  let m = memories.get(ctx.database);
  if (!m) memories.set(ctx.database, (m = { lastHeard: new Map(), lastSync: new Map(), versions: new Map(), dropped: new Map(), refusals: new Map(), listeners: new Set(), schedules: new Map() }));
  return m;
}

export interface Command {
  deviceId: string;
  op: 'play' | 'stop' | 'volume' | 'sync' | 'reboot';
  /** What the command says beyond `v`, `id` and `op`. */
  body: Record<string, unknown>;
  /** Its gist for the command history (a schedule version, an item, a volume). */
  detail: string;
  /** The broadcast it carries (acknowledgements count per broadcast). */
  broadcastId?: string;
}

/**
 * Records the commands, then publishes each to its device's command topic (QoS 1). A command is
 * recorded as sent when it is handed to the broker, in the same row (a publication the broker refuses
 * is then marked unsent: one small update instead of one per command sent). Without a link (the hub
 * is not running here) they stay recorded and unsent; a schedule reaches its devices anyway at their
 * next heartbeat. Returns the command ids in order.
 */
export async function sendCommands(ctx: AppContext, unitId: string, commands: readonly Command[]): Promise<string[]> {
  const link = linkFor(ctx);
  const now = new Date().toISOString();
  const rows = commands.map((c) => ({ id: crypto.randomUUID(), unit_id: unitId, device_id: c.deviceId, op: c.op, detail: c.detail.slice(0, 300), broadcast_id: c.broadcastId ?? null, created_at: now, sent_at: link ? now : null }));
  const { db } = ctx.database;
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < rows.length; i += 500) await trx.insertInto('radio_command').values(rows.slice(i, i + 500)).execute();
  });
  if (!link) return rows.map((r) => r.id);
  const unsent: string[] = [];
  await Promise.all(
    commands.map(async (c, i) => {
      const id = rows[i]!.id;
      try {
        await link.publish(topics.command(c.deviceId), JSON.stringify({ v: PROTOCOL_VERSION, id, op: c.op, ...c.body }), { qos: 1 });
      } catch {
        unsent.push(id);
      }
    }),
  );
  // Shown as unsent in the command history.
  for (let i = 0; i < unsent.length; i += 500) await db.updateTable('radio_command').set({ sent_at: null }).where('id', 'in', unsent.slice(i, i + 500)).execute();
  return rows.map((r) => r.id);
}
