/** The notification outbox (one row per message and channel); also the in-app inbox. */
export interface NotificationTable {
  id: string;
  /** The unit whose officials see the message's delivery state (a merge re-homes it). */
  unit_id: string;
  /** The recipient's account, when known (the in-app inbox is per account). */
  account_id: string | null;
  channel: 'inbox' | 'email' | 'sms' | 'zalo';
  /** E-mail address or phone number; null for the inbox. */
  address: string | null;
  subject: string;
  body: string;
  /** An absolute link to the page the message is about. */
  link: string | null;
  /** Who raised it, e.g. `services.dossier`, and the record's id. */
  source: string;
  source_id: string | null;
  /** A message with the same key is queued once (e.g. one warning per dossier and day). */
  dedupe_key: string | null;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
  read_at: string | null;
}

declare module '../db/schema.ts' {
  interface DB {
    platform_notification: NotificationTable;
  }
}
