import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import { callAtCommit, type Database } from '../db/connect.ts';
import type { DB } from '../db/schema.ts';

/** Who did something, and from where; travels from the request down to every command. */
export interface AuditContext {
  actorId: string | null;
  actorLabel: string;
  ip: string | null;
  requestId: string | null;
}

export interface AuditEntry {
  action: string;
  entity: string;
  entityId?: string | null;
  unitId?: string | null;
  detail?: Record<string, unknown>;
}

export const systemContext = (label = 'system'): AuditContext => ({
  actorId: null,
  actorLabel: label,
  ip: null,
  requestId: null,
});

const GENESIS = '0'.repeat(64);
const AUDIT_LOCK_KEY = 7_100_001;

type Row = Omit<DB['audit_event'], 'seq' | 'hash'>;

/** Every column but the hash and the link, in the order the hash covers them. */
const fieldsOf = (row: Row) => [row.at, row.actor_id, row.actor_label, row.action, row.entity, row.entity_id, row.unit_id, row.ip, row.request_id, row.detail];

/** The hash covers every column but itself, in a fixed order, chained to the previous row's hash. */
export function hashRow(row: Row): string {
  return crypto
    .createHash('sha256')
    .update(JSON.stringify([row.prev_hash, ...fieldsOf(row)]))
    .digest('hex');
}

/**
 * Appends one event to the hash-chained log. Call it with the transaction that makes the change, so
 * the change and its record commit or fail together.
 *
 * The chain is written under a lock held until the commit. On PostgreSQL the lock, the read of the last
 * hash and the insert are one function (`audit_event_write` computes the same SHA-256 over the same
 * text: the previous hash, then the JSON written here) sent with the COMMIT itself (`callAtCommit`):
 * the lock is held only while the server commits, so concurrent writers barely queue on it. The row
 * is therefore not readable inside its own transaction on PostgreSQL.
 */
export async function writeAudit(
  database: Database,
  trx: Kysely<DB>,
  ctx: AuditContext,
  entry: AuditEntry,
): Promise<void> {
  const fields: Omit<Row, 'prev_hash'> = {
    at: new Date().toISOString(),
    actor_id: ctx.actorId,
    actor_label: ctx.actorLabel,
    action: entry.action,
    entity: entry.entity,
    entity_id: entry.entityId ?? null,
    unit_id: entry.unitId ?? null,
    ip: ctx.ip,
    request_id: ctx.requestId,
    detail: JSON.stringify(entry.detail ?? {}),
  };
  if (database.dialect === 'postgres') {
    // JSON.stringify([prev, ...fields]) is '["' + prev + '",' followed by this (a hash needs no escaping).
    const tail = JSON.stringify(fieldsOf({ ...fields, prev_hash: '' })).slice(1);
    const f = fields;
    await callAtCommit(trx, 'audit_event_write', [AUDIT_LOCK_KEY, f.at, f.actor_id, f.actor_label, f.action, f.entity, f.entity_id, f.unit_id, f.ip, f.request_id, f.detail, tail]);
    return;
  }
  await database.lockInTransaction(trx, AUDIT_LOCK_KEY);
  const last = await trx.selectFrom('audit_event').select('hash').orderBy('seq', 'desc').limit(1).executeTakeFirst();
  const row: Row = { prev_hash: last?.hash ?? GENESIS, ...fields };
  await trx
    .insertInto('audit_event')
    .values({ ...row, hash: hashRow(row) })
    .execute();
}

export interface VerifyReport {
  checked: number;
  /** `changed`: the row no longer matches its hash; `broken_link`: a row before it was removed or changed. */
  problems: { seq: number; problem: 'changed' | 'broken_link' }[];
}

/** Walks the chain in order; reports rows whose content no longer matches their hash, and broken links. */
export async function verifyAudit(database: Database): Promise<VerifyReport> {
  const problems: VerifyReport['problems'] = [];
  let prevHash = GENESIS;
  let prevSeq = 0;
  let checked = 0;
  const pageSize = 5000;
  for (;;) {
    const rows = await database.db
      .selectFrom('audit_event')
      .selectAll()
      .where('seq', '>', prevSeq)
      .orderBy('seq')
      .limit(pageSize)
      .execute();
    for (const r of rows) {
      checked++;
      // Sequence numbers may skip (a rolled-back transaction consumes one on PostgreSQL), so removal
      // is detected by the chain: the next row's prev_hash no longer matches.
      if (r.prev_hash !== prevHash) problems.push({ seq: r.seq, problem: 'broken_link' });
      if (hashRow(r) !== r.hash) problems.push({ seq: r.seq, problem: 'changed' });
      prevHash = r.hash;
      prevSeq = r.seq;
    }
    if (rows.length < pageSize) break;
  }
  return { checked, problems };
}
