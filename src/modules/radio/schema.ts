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

declare module '../../platform/db/schema.ts' {
  interface DB {
    radio_cluster: RadioClusterTable;
    radio_device_log: RadioDeviceLogTable;
  }
}
