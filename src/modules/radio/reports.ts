import type { AppContext } from '../../platform/context.ts';
import { isOnline } from './fleet.ts';
import { localClock } from './timing.ts';

/** Each minute: a minute of uptime for every cluster online now (today's row, local date). */
export async function countUptime(ctx: AppContext, now = new Date()) {
  const { db } = ctx.database;
  const clusters = await db.selectFrom('radio_cluster').select(['id', 'online', 'last_seen_at']).where('secret_hash', 'is not', null).where('online', '=', 1).execute();
  const online = clusters.filter((c) => isOnline(c, now.getTime())).map((c) => c.id);
  if (!online.length) return 0;
  const { date } = localClock(now);
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < online.length; i += 500) {
      await trx
        .insertInto('radio_uptime')
        .values(online.slice(i, i + 500).map((cluster_id) => ({ cluster_id, day: date, minutes: 1 })))
        .onConflict((oc) => oc.columns(['cluster_id', 'day']).doUpdateSet((eb) => ({ minutes: eb('radio_uptime.minutes', '+', 1) })))
        .execute();
    }
  });
  return online.length;
}

export interface ClusterReport {
  id: string;
  name: string;
  village: string;
  commune: string;
  communeId: string;
  /** Items played to their end. */
  aired: number;
  /** Time on air: started → finished or interrupted. */
  airtimeMs: number;
  interrupted: number;
  /** Minutes online in the period, and the minutes the period holds (from the day credentials were issued). */
  onlineMinutes: number;
  periodMinutes: number;
}

const dayMs = 86_400_000;

/**
 * What the clusters of these communes aired between two local dates (inclusive), from their playback
 * logs (each `started` paired with the `finished` or `interrupted` after it), and how long they were
 * online. Broadcasts of the period with their acknowledgement rate.
 */
export async function radioReport(ctx: AppContext, communeIds: readonly string[], from: string, to: string) {
  const { db } = ctx.database;
  if (!communeIds.length) return { clusters: [] as ClusterReport[], broadcasts: [] };
  const start = new Date(Date.parse(`${from}T00:00:00+07:00`)).toISOString();
  const end = new Date(Date.parse(`${to}T00:00:00+07:00`) + dayMs).toISOString();
  const clusters = await db
    .selectFrom('radio_cluster as c')
    .innerJoin('unit as v', 'v.id', 'c.village_id')
    .innerJoin('unit as u', 'u.id', 'c.unit_id')
    .select(['c.id', 'c.name', 'c.device_id', 'c.secret_issued_at', 'c.created_at', 'v.name as village', 'u.name as commune', 'u.id as commune_id'])
    .where('c.unit_id', 'in', communeIds)
    .orderBy('u.code')
    .orderBy('v.code')
    .orderBy('c.name')
    .execute();
  const logs = await db.selectFrom('radio_play_log').select(['device_id', 'item', 'event', 'at', 'seq']).where('unit_id', 'in', communeIds).where('at', '>=', start).where('at', '<', end).orderBy('device_id').orderBy('at').orderBy('seq').execute();
  const uptime = await db.selectFrom('radio_uptime').select(['cluster_id', (eb) => eb.fn.sum<number>('minutes').as('minutes')]).where('day', '>=', from).where('day', '<=', to).where('cluster_id', 'in', clusters.length ? clusters.map((c) => c.id) : ['']).groupBy('cluster_id').execute();
  const minutes = new Map(uptime.map((u) => [u.cluster_id, Number(u.minutes)]));
  const byDevice = new Map<string, typeof logs>();
  for (const l of logs) byDevice.set(l.device_id, [...(byDevice.get(l.device_id) ?? []), l]);
  const periodEnd = Math.min(Date.parse(end), Date.now());
  const report: ClusterReport[] = clusters.map((c) => {
    let aired = 0;
    let interrupted = 0;
    let airtimeMs = 0;
    const open = new Map<string, number>();
    for (const l of byDevice.get(c.device_id) ?? []) {
      if (l.event === 'started') open.set(l.item, Date.parse(l.at));
      else {
        const began = open.get(l.item);
        open.delete(l.item);
        if (l.event === 'finished') aired++;
        else interrupted++;
        if (began !== undefined) airtimeMs += Math.max(0, Date.parse(l.at) - began);
      }
    }
    const since = Math.max(Date.parse(start), Date.parse(c.secret_issued_at ?? c.created_at));
    return { id: c.id, name: c.name, village: c.village, commune: c.commune, communeId: c.commune_id, aired, interrupted, airtimeMs, onlineMinutes: minutes.get(c.id) ?? 0, periodMinutes: Math.max(0, Math.round((periodEnd - since) / 60_000)) };
  });
  const broadcasts = await db
    .selectFrom('radio_broadcast as b')
    .innerJoin('radio_content as c', 'c.id', 'b.content_id')
    .innerJoin('unit as u', 'u.id', 'b.unit_id')
    .select((eb) => [
      'b.id',
      'b.priority',
      'b.sent_at',
      'c.title',
      'u.name as commune',
      eb.selectFrom('radio_command as m').select((m) => m.fn.countAll<number>().as('n')).whereRef('m.broadcast_id', '=', 'b.id').as('total'),
      eb.selectFrom('radio_command as m').select((m) => m.fn.count<number>('m.acked_at').as('n')).whereRef('m.broadcast_id', '=', 'b.id').as('acked'),
    ])
    .where('b.unit_id', 'in', communeIds)
    .where('b.status', '=', 'sent')
    .where('b.sent_at', '>=', start)
    .where('b.sent_at', '<', end)
    .orderBy('b.sent_at', 'desc')
    .execute();
  return { clusters: report, broadcasts: broadcasts.map((b) => ({ ...b, total: Number(b.total ?? 0), acked: Number(b.acked ?? 0) })) };
}

/** Sums of cluster rows under a key (a village, a commune); `names` are listed first, even when empty. */
export function sumBy(rows: readonly ClusterReport[], key: (r: ClusterReport) => string, names: readonly string[] = []) {
  const groups = new Map<string, { name: string; clusters: number; aired: number; interrupted: number; airtimeMs: number; onlineMinutes: number; periodMinutes: number }>();
  for (const name of names) groups.set(name, { name, clusters: 0, aired: 0, interrupted: 0, airtimeMs: 0, onlineMinutes: 0, periodMinutes: 0 });
  for (const r of rows) {
    const k = key(r);
    const g = groups.get(k) ?? { name: k, clusters: 0, aired: 0, interrupted: 0, airtimeMs: 0, onlineMinutes: 0, periodMinutes: 0 };
    g.clusters++;
    g.aired += r.aired;
    g.interrupted += r.interrupted;
    g.airtimeMs += r.airtimeMs;
    g.onlineMinutes += r.onlineMinutes;
    g.periodMinutes += r.periodMinutes;
    groups.set(k, g);
  }
  return [...groups.values()];
}
