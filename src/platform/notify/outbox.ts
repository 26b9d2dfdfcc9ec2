import crypto from 'node:crypto';
import type { Insertable, Kysely } from 'kysely';
import { atCommit, type Database } from '../db/connect.ts';
import type { DB } from '../db/schema.ts';
import { writeAudit, type AuditContext } from '../audit/audit.ts';
import { notFound } from '../errors.ts';
import { scopeToUnits, type UnitScope } from '../auth/access.ts';
import type { ChannelName, NotificationChannel } from './channels.ts';
import './schema.ts';

/** Whom to tell: the inbox of an account, and the addresses the configured channels reach. */
export interface Recipient {
  /** The unit whose officials follow the delivery (e.g. the dossier's commune). */
  unitId: string;
  accountId?: string | null;
  email?: string | null;
  phone?: string | null;
}

export interface Notice {
  subject: string;
  body: string;
  /** An absolute URL. */
  link?: string | null;
  source: string;
  sourceId?: string | null;
  /** The same key is queued once per channel, however often it is raised. */
  dedupeKey?: string | null;
}

/** Attempts before a message is marked failed (it can still be sent again by hand). */
export const MAX_ATTEMPTS = 6;
/** Wait before attempt n+1 after n failures: 30 s, 2 min, 8 min, 32 min, ~2 h. */
export const backoffMs = (failures: number) => 30_000 * 4 ** (failures - 1);
/** A claimed message not finished within this time is taken again (its process died). */
const LEASE_MS = 5 * 60_000;

export interface DispatchReport {
  sent: number;
  retrying: number;
  failed: number;
}

interface Logger {
  error(obj: unknown, msg: string): void;
}

/**
 * The notification outbox. Messages are written in the same transaction as the change they report,
 * so none is lost if the process stops; a dispatcher sends them after the commit through the
 * configured channels, retries failures with back-off and leaves the last error for officials to see.
 * The in-app inbox is a channel delivered at once.
 */
/** Rows per INSERT statement: 18 values each, well under both databases' limits on bound values. */
const ROWS_PER_INSERT = 500;
type NotificationRow = Insertable<DB['platform_notification']>;

export class Notifier {
  private readonly byName: Map<string, NotificationChannel>;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<DispatchReport> | undefined;
  private again = false;
  /**
   * Set when a message to send (not an inbox notice, which is delivered as written) was queued since
   * the last dispatch began, so that a kick after a commit that queued only inbox notices costs no
   * query. A message queued before a dispatch began but committed only after that dispatch read the
   * outbox waits for the timer.
   */
  private queuedToSend = false;

  constructor(
    private readonly database: Database,
    channels: readonly NotificationChannel[],
    private readonly log: Logger = { error: (obj, msg) => console.error(msg, obj) },
  ) {
    this.byName = new Map(channels.map((c) => [c.name, c]));
  }

  /** The channels that send (the inbox always works). */
  get channels(): ChannelName[] {
    return ['inbox', ...this.byName.keys()] as ChannelName[];
  }

  /** Queues a notice inside the caller's transaction; returns the number of messages queued. */
  enqueue(trx: Kysely<DB>, to: Recipient, notice: Notice, at = new Date()): Promise<number> {
    return this.enqueueMany(trx, [{ to, notice }], at);
  }

  /**
   * Queues many notices inside the caller's transaction in a few statements (a job warning about
   * thousands of dossiers is not thousands of round trips); returns the number of messages queued —
   * those whose de-duplication key was already taken are not.
   */
  async enqueueMany(trx: Kysely<DB>, notices: readonly { to: Recipient; notice: Notice }[], at = new Date()): Promise<number> {
    const iso = at.toISOString();
    const fresh: NotificationRow[] = [];
    const keyed: NotificationRow[] = [];
    for (const { to, notice } of notices) {
      const targets: { channel: ChannelName; address: string | null }[] = [];
      if (to.accountId) targets.push({ channel: 'inbox', address: null });
      if (to.email && this.byName.has('email')) targets.push({ channel: 'email', address: to.email });
      if (to.phone && this.byName.has('sms')) targets.push({ channel: 'sms', address: to.phone });
      if (to.phone && this.byName.has('zalo')) targets.push({ channel: 'zalo', address: to.phone });
      if (targets.some((t) => t.channel !== 'inbox')) this.queuedToSend = true;
      for (const t of targets) {
        (notice.dedupeKey ? keyed : fresh).push({
          id: crypto.randomUUID(),
          unit_id: to.unitId,
          account_id: to.accountId ?? null,
          channel: t.channel,
          address: t.address,
          subject: notice.subject,
          body: notice.body,
          link: notice.link ?? null,
          source: notice.source,
          source_id: notice.sourceId ?? null,
          dedupe_key: notice.dedupeKey ? `${notice.dedupeKey}:${t.channel}` : null,
          status: t.channel === 'inbox' ? 'sent' : 'pending',
          attempts: 0,
          next_attempt_at: iso,
          last_error: null,
          created_at: iso,
          sent_at: t.channel === 'inbox' ? iso : null,
          read_at: null,
        });
      }
    }
    let queued = fresh.length;
    // Without a de-duplication key every row is new: the insert travels with the commit.
    for (let i = 0; i < fresh.length; i += ROWS_PER_INSERT) await atCommit(trx, trx.insertInto('platform_notification').values(fresh.slice(i, i + ROWS_PER_INSERT)));
    for (let i = 0; i < keyed.length; i += ROWS_PER_INSERT) {
      const inserted = await trx
        .insertInto('platform_notification')
        .values(keyed.slice(i, i + ROWS_PER_INSERT))
        .onConflict((oc) => oc.column('dedupe_key').doNothing())
        .returning('id')
        .execute();
      queued += inserted.length;
    }
    return queued;
  }

  /** Sends what is due now (soon after a commit, and on the timer). Concurrent calls share one run. */
  dispatch(now?: Date): Promise<DispatchReport> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.dispatchDue(now).finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        void this.dispatch();
      }
    });
    return this.running;
  }

  /** Asks for a dispatch soon, without waiting (call after the transaction that queued messages). */
  kick(): void {
    if (this.timer && this.queuedToSend) setImmediate(() => void this.dispatch().catch((err: unknown) => this.log.error({ err }, 'notification dispatch failed')));
  }

  /** Dispatches every `intervalMs` (retries come due on their own) until {@link stop}. */
  start(intervalMs = 5000): void {
    this.timer = setInterval(() => void this.dispatch().catch((err: unknown) => this.log.error({ err }, 'notification dispatch failed')), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
    for (const c of this.byName.values()) await c.close?.();
  }

  private async dispatchDue(now = new Date()): Promise<DispatchReport> {
    const db = this.database.db;
    const report: DispatchReport = { sent: 0, retrying: 0, failed: 0 };
    this.queuedToSend = false;
    const due = await db
      .selectFrom('platform_notification')
      .selectAll()
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now.toISOString())
      .orderBy('next_attempt_at')
      .limit(100)
      .execute();
    for (const m of due) {
      // Claim it (another process may be dispatching too): the row must be as read.
      const claimed = await db
        .updateTable('platform_notification')
        .set({ next_attempt_at: new Date(now.getTime() + LEASE_MS).toISOString() })
        .where('id', '=', m.id)
        .where('status', '=', 'pending')
        .where('next_attempt_at', '=', m.next_attempt_at)
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) !== 1) continue;
      const channel = this.byName.get(m.channel);
      try {
        if (!channel) throw new Error(`channel ${m.channel} is not configured`);
        await channel.send({ id: m.id, address: m.address ?? '', subject: m.subject, body: m.body, link: m.link });
        await db.updateTable('platform_notification').set({ status: 'sent', sent_at: new Date().toISOString(), attempts: m.attempts + 1, last_error: null }).where('id', '=', m.id).execute();
        report.sent++;
      } catch (err) {
        const attempts = m.attempts + 1;
        const failed = attempts >= MAX_ATTEMPTS || !channel;
        await db
          .updateTable('platform_notification')
          .set({
            attempts,
            status: failed ? 'failed' : 'pending',
            next_attempt_at: new Date(now.getTime() + (failed ? 0 : backoffMs(attempts))).toISOString(),
            last_error: (err instanceof Error ? err.message : String(err)).slice(0, 500),
          })
          .where('id', '=', m.id)
          .execute();
        if (failed) report.failed++;
        else report.retrying++;
      }
    }
    return report;
  }

  /** An official sends a pending or failed message again now. */
  async retry(audit: AuditContext, id: string, unitScope: UnitScope): Promise<void> {
    const m = await this.database.db.selectFrom('platform_notification').select(['id', 'unit_id', 'status', 'channel']).where('id', '=', id).executeTakeFirst();
    if (!m || m.channel === 'inbox' || (unitScope !== 'all' && !unitScope.includes(m.unit_id))) throw notFound();
    await this.database.db.transaction().execute(async (trx) => {
      await trx.updateTable('platform_notification').set({ status: 'pending', next_attempt_at: new Date().toISOString() }).where('id', '=', id).execute();
      await writeAudit(this.database, trx, audit, { action: 'notification.retry', entity: 'platform_notification', entityId: id, unitId: m.unit_id, detail: { channel: m.channel, was: m.status } });
    });
    this.kick();
  }
}

/** The in-app inbox of an account, newest first. */
export function inbox(database: Database, accountId: string, limit = 50) {
  return database.db
    .selectFrom('platform_notification')
    .select(['id', 'subject', 'body', 'link', 'created_at', 'read_at'])
    .where('account_id', '=', accountId)
    .where('channel', '=', 'inbox')
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
}

export async function markInboxRead(database: Database, accountId: string, at = new Date()): Promise<void> {
  await database.db.updateTable('platform_notification').set({ read_at: at.toISOString() }).where('account_id', '=', accountId).where('channel', '=', 'inbox').where('read_at', 'is', null).execute();
}

/** Delivery state for officials: messages of their units, problems first. */
export function outboxFor(database: Database, unitScope: UnitScope, status: 'pending' | 'failed' | 'sent' | 'all', limit = 100) {
  let q = database.db
    .selectFrom('platform_notification')
    .select(['id', 'unit_id', 'channel', 'address', 'subject', 'status', 'attempts', 'next_attempt_at', 'last_error', 'created_at', 'sent_at'])
    .where('channel', '!=', 'inbox');
  q = scopeToUnits(q, 'unit_id', unitScope);
  if (status !== 'all') q = q.where('status', '=', status);
  return q.orderBy('created_at', 'desc').limit(limit).execute();
}

/** Counts by status over the actor's units (for the page's tabs). */
export async function outboxCounts(database: Database, unitScope: UnitScope): Promise<Record<'pending' | 'failed' | 'sent', number>> {
  let q = database.db
    .selectFrom('platform_notification')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('channel', '!=', 'inbox');
  q = scopeToUnits(q, 'unit_id', unitScope);
  const rows = await q.groupBy('status').execute();
  const out = { pending: 0, failed: 0, sent: 0 };
  for (const r of rows) out[r.status] = Number(r.n);
  return out;
}
