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

declare module '../../platform/db/schema.ts' {
  interface DB {
    radio_cluster: RadioClusterTable;
    radio_device_log: RadioDeviceLogTable;
    radio_content: RadioContentTable;
  }
}
