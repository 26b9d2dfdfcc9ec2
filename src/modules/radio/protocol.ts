import { z } from 'zod';

/**
 * The device protocol, version 1 (docs/RADIO-PROTOCOL.md): topics, who may use which, and the payloads
 * a speaker cluster sends. One place, used by the broker's policy, the platform's client and the
 * simulator alike.
 */
export const PROTOCOL_VERSION = 1;
const ROOT = 'xaso/v1/dev';
/** A device id: what its certificate-less credentials sign in with (letters, digits, dash). */
export const DEVICE_ID = /^[a-z0-9][a-z0-9-]{2,62}$/;

export const topics = {
  /** Platform → device: commands (QoS 1). The device subscribes to its own only. */
  command: (deviceId: string) => `${ROOT}/${deviceId}/cmd`,
  /** Device → platform: heartbeat / status (QoS 0, retained: the last one is the device's state). */
  status: (deviceId: string) => `${ROOT}/${deviceId}/status`,
  /** Device → platform: acknowledgement of a command (QoS 1). */
  ack: (deviceId: string) => `${ROOT}/${deviceId}/ack`,
  /** Device → platform: playback log (QoS 1). */
  log: (deviceId: string) => `${ROOT}/${deviceId}/log`,
  /** What the platform subscribes to, for every device. */
  allStatus: `${ROOT}/+/status`,
  allAcks: `${ROOT}/+/ack`,
  allLogs: `${ROOT}/+/log`,
};

/** The device a topic belongs to, and which of its channels it is (or undefined: not a device topic). */
export function parseTopic(topic: string): { deviceId: string; channel: 'cmd' | 'status' | 'ack' | 'log' } | undefined {
  const m = /^xaso\/v1\/dev\/([a-z0-9-]+)\/(cmd|status|ack|log)$/.exec(topic);
  return m && DEVICE_ID.test(m[1]!) ? { deviceId: m[1]!, channel: m[2] as 'cmd' | 'status' | 'ack' | 'log' } : undefined;
}

/** ACL: a device subscribes to its own command topic and nothing else (no wildcards). */
export const deviceMaySubscribe = (deviceId: string, topic: string) => topic === topics.command(deviceId);
/** ACL: a device publishes its own status, acknowledgements and playback log, nothing else. */
export const deviceMayPublish = (deviceId: string, topic: string) => {
  const t = parseTopic(topic);
  return !!t && t.deviceId === deviceId && t.channel !== 'cmd';
};

export const heartbeat = z.object({
  v: z.literal(PROTOCOL_VERSION),
  /** Device time, ISO 8601. */
  at: z.iso.datetime({ offset: true }),
  online: z.boolean(),
  /** What plays now: an item id and the priority it plays at, or null when silent. */
  playing: z.object({ item: z.string().max(100), priority: z.enum(['normal', 'priority', 'emergency']) }).nullable(),
  volume: z.number().int().min(0).max(100),
  power: z.enum(['mains', 'dc']),
  /** Signal quality, 0–100 (unknown: null). */
  signal: z.number().int().min(0).max(100).nullable(),
  /** The schedule version the device holds. */
  schedule: z.number().int().min(0),
  firmware: z.string().max(40),
});
export type Heartbeat = z.infer<typeof heartbeat>;

const priority = z.enum(['normal', 'priority', 'emergency']);

/** A device's acknowledgement of a command, sent at once on receipt. */
export const ack = z.object({
  v: z.literal(PROTOCOL_VERSION),
  id: z.string().min(1).max(64),
  ok: z.boolean(),
  at: z.iso.datetime({ offset: true }),
  error: z.string().max(300).optional(),
});
export type Ack = z.infer<typeof ack>;

/** A playback event: an item started, finished or was interrupted (by an emergency, a stop). */
export const playLog = z.object({
  v: z.literal(PROTOCOL_VERSION),
  item: z.string().min(1).max(100),
  event: z.enum(['started', 'finished', 'interrupted']),
  at: z.iso.datetime({ offset: true }),
  priority,
  /** The device's running count of log events (optional): orders events within one millisecond. */
  seq: z.number().int().min(0).optional(),
});
export type PlayLog = z.infer<typeof playLog>;

/** A message from a device, checked: its JSON parsed and validated against the channel's shape, or why not (malformed messages are dropped and counted). */
export function readMessage<S extends z.ZodType>(payload: Buffer, schema: S): { ok: true; value: z.output<S> } | { ok: false; reason: string } {
  if (payload.length > 4096) return { ok: false, reason: 'too_large' };
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch {
    return { ok: false, reason: 'not_json' };
  }
  const r = schema.safeParse(json);
  return r.success ? { ok: true, value: r.data } : { ok: false, reason: 'invalid' };
}

export const readHeartbeat = (payload: Buffer) => readMessage(payload, heartbeat);
