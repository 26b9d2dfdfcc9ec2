/** A speaker cluster (cụm loa) of a commune's radio station: where it is, and its device's last word. */
export interface RadioClusterTable {
  id: string;
  /** The commune (its station: one per commune). */
  unit_id: string;
  origin_unit_id: string;
  village_id: string;
  name: string;
  latitude: number | null;
  longitude: number | null;
  speakers: number;
  /** What the device signs in with (MQTT user name). */
  device_id: string;
  firmware: string;
  /** `mains` or `dc` (battery backup), as installed. */
  power_source: string;
  /** SHA-256 of the device's secret (random, 24 bytes: a fast hash suffices), null before one is issued. */
  secret_hash: string | null;
  secret_issued_at: string | null;
  revoked_at: string | null;
  /** From the last heartbeat. */
  online: number;
  last_seen_at: string | null;
  playing: string | null;
  playing_priority: string | null;
  volume: number | null;
  power_now: string | null;
  signal: number | null;
  schedule_version: number | null;
  created_at: string;
  updated_at: string;
}

/** What happened at the edge: refused connections or topics, malformed messages. */
export interface RadioDeviceLogTable {
  id: string;
  device_id: string;
  kind: string;
  detail: string;
  at: string;
}

/** Something to air: an uploaded or recorded sound, speech made from text, or a relayed stream. */
export interface RadioContentTable {
  id: string;
  unit_id: string;
  origin_unit_id: string;
  title: string;
  /** `upload`, `recording`, `speech` or `relay`. */
  kind: string;
  /** `normal`, `priority` or `emergency` (Circular 39/2020: exactly these three). */
  priority: string;
  /** The sound (null for a relay). */
  file_id: string | null;
  mime: string | null;
  /** A relay: the higher station's stream. */
  stream_url: string | null;
  /** Speech: the text, the voice and words per minute, and which engine spoke it. */
  speech_text: string | null;
  voice: string | null;
  speed: number | null;
  engine: string | null;
  /** Measured from the sound; for a relay, as long as it was declared to last. */
  duration_ms: number;
  /** `pending` (awaiting the leader), `approved` or `rejected`. */
  status: string;
  created_by: string;
  created_by_label: string;
  created_at: string;
  decided_by: string | null;
  decided_by_label: string | null;
  decided_at: string | null;
  /** Why it was rejected (or a remark on approval). */
  decision_note: string | null;
}

/** The commune's station: the version of the schedule its devices must hold (raised on every change). */
export interface RadioStationTable {
  unit_id: string;
  schedule_version: number;
  updated_at: string;
}

/** A schedule (lịch phát): an ordered programme of approved items, when it airs, and where. */
export interface RadioScheduleTable {
  id: string;
  unit_id: string;
  origin_unit_id: string;
  name: string;
  /** `once`, `daily` or `weekly`. */
  kind: string;
  /** Local dates (Vietnam time), YYYY-MM-DD; `date_to` null: no end. */
  date_from: string;
  date_to: string | null;
  /** ISO weekdays it airs on, as digits: `1234567` every day, `135` Mon/Wed/Fri. */
  weekdays: string;
  /** Start, in seconds after local midnight. */
  start_s: number;
  /** The programme's length: its items played whole, one after another. */
  duration_ms: number;
  /** `all` clusters of the commune, chosen `villages`, or chosen `clusters`. */
  target_kind: string;
  /** `pending`, `approved`, `rejected`, `cancelled`. */
  status: string;
  created_by: string;
  created_by_label: string;
  created_at: string;
  decided_by: string | null;
  decided_by_label: string | null;
  decided_at: string | null;
  decision_note: string | null;
  cancelled_by_label: string | null;
  cancelled_at: string | null;
}

export interface RadioScheduleItemTable {
  schedule_id: string;
  position: number;
  content_id: string;
}

/** A village or cluster a schedule airs in (none for `all`). */
export interface RadioScheduleTargetTable {
  schedule_id: string;
  target_id: string;
}

/** A command sent to a device, and its acknowledgement. */
export interface RadioCommandTable {
  id: string;
  unit_id: string;
  device_id: string;
  op: string;
  /** What it said, in short (the schedule version, the item, the volume). */
  detail: string;
  created_at: string;
  sent_at: string | null;
  acked_at: string | null;
  ok: number | null;
  error: string | null;
  broadcast_id: string | null;
}

/** An item sent now, outside the schedule (an emergency above all). */
export interface RadioBroadcastTable {
  id: string;
  unit_id: string;
  origin_unit_id: string;
  content_id: string;
  priority: string;
  target_kind: string;
  /** Village or cluster ids, comma-separated ('' for all). */
  targets: string;
  repeat: number;
  /** `awaiting_confirmation` (an official's emergency, until a second official confirms) or `sent`. */
  status: string;
  requested_by: string;
  requested_by_label: string;
  requested_at: string;
  confirmed_by_label: string | null;
  confirmed_at: string | null;
  sent_at: string | null;
  /** Clusters it was sent to. */
  devices: number;
}

/** What a device played: started, finished, interrupted (the protocol's `log`). */
export interface RadioPlayLogTable {
  id: string;
  unit_id: string;
  device_id: string;
  item: string;
  event: string;
  priority: string;
  /** Device time. */
  at: string;
  /** The device's own counter of log events: orders events of the same millisecond. */
  seq: number | null;
  received_at: string;
}

/** Something wrong with a cluster: `offline` beyond the threshold, or `silent` while its schedule says it should air. */
export interface RadioAlertTable {
  id: string;
  unit_id: string;
  cluster_id: string;
  kind: string;
  opened_at: string;
  /** When the cluster came back (or played again); null while the alert stands. */
  resolved_at: string | null;
}

/** Minutes a cluster was online, per local day (counted each minute by the `radio.minute` job). */
export interface RadioUptimeTable {
  cluster_id: string;
  day: string;
  minutes: number;
}

declare module '../../platform/db/schema.ts' {
  interface DB {
    radio_cluster: RadioClusterTable;
    radio_device_log: RadioDeviceLogTable;
    radio_content: RadioContentTable;
    radio_station: RadioStationTable;
    radio_schedule: RadioScheduleTable;
    radio_schedule_item: RadioScheduleItemTable;
    radio_schedule_target: RadioScheduleTargetTable;
    radio_command: RadioCommandTable;
    radio_play_log: RadioPlayLogTable;
    radio_broadcast: RadioBroadcastTable;
    radio_alert: RadioAlertTable;
    radio_uptime: RadioUptimeTable;
  }
}
