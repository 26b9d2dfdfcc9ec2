import crypto from 'node:crypto';
import type { AppContext } from '../../platform/context.ts';
import { translator } from '../../platform/i18n/index.ts';
import { isOnline } from './fleet.ts';
import { clustersOf } from './schedules.ts';
import { airingFor, localClock, type Airing } from './timing.ts';

/** When a cluster's trouble becomes an alert (data, not code paths). */
export const ALERT_RULES = {
  /** Not heard for this long (it has credentials): `offline`. */
  offlineAfterMs: 10 * 60_000,
  /** Online, its schedule airing for this long already, and silent: `silent`. An empty slot is never silence. */
  silentAfterMs: 2 * 60_000,
} as const;

/**
 * Opens and closes the alerts of every cluster (a job, once a minute): offline beyond the threshold,
 * or silent while one of its approved schedules is on the air. A cluster that is quiet because nothing
 * is scheduled raises nothing. Officials of the commune are told when an alert opens.
 */
export async function checkAlerts(ctx: AppContext, now = new Date()) {
  const { db } = ctx.database;
  const clusters = await db.selectFrom('radio_cluster').select(['id', 'unit_id', 'name', 'online', 'last_seen_at', 'secret_issued_at', 'playing']).where('secret_hash', 'is not', null).where('revoked_at', 'is', null).execute();
  if (!clusters.length) return { opened: 0, resolved: 0 };
  const { date, seconds } = localClock(now);
  // Which clusters must be airing now (for long enough to have started): from each station's approved schedules.
  const mustAir = new Set<string>();
  const schedules = await db.selectFrom('radio_schedule').select(['id', 'unit_id', 'date_from', 'date_to', 'weekdays', 'start_s', 'duration_ms', 'target_kind']).where('status', '=', 'approved').where('date_from', '<=', date).where((eb) => eb.or([eb('date_to', 'is', null), eb('date_to', '>=', date)])).execute();
  for (const s of schedules) {
    const airing: Airing = { from: s.date_from, to: s.date_to, weekdays: [...s.weekdays].map(Number), startS: s.start_s, durationMs: s.duration_ms };
    const since = airingFor(airing, date, seconds);
    if (since === undefined || since * 1000 < ALERT_RULES.silentAfterMs) continue;
    const targets = (await db.selectFrom('radio_schedule_target').select('target_id').where('schedule_id', '=', s.id).execute()).map((r) => r.target_id);
    for (const id of await clustersOf(db, s.unit_id, s.target_kind, targets)) mustAir.add(id);
  }
  const open = await db.selectFrom('radio_alert').select(['id', 'cluster_id', 'kind']).where('resolved_at', 'is', null).execute();
  const openKey = new Map(open.map((a) => [`${a.cluster_id}:${a.kind}`, a.id]));
  const at = now.toISOString();
  const opened: { unitId: string; clusterId: string; name: string; kind: 'offline' | 'silent'; id: string }[] = [];
  const resolved: string[] = [];
  for (const c of clusters) {
    const online = isOnline(c, now.getTime());
    const since = Date.parse(c.last_seen_at ?? c.secret_issued_at ?? at);
    const conditions = { offline: !online && now.getTime() - since >= ALERT_RULES.offlineAfterMs, silent: online && mustAir.has(c.id) && !c.playing };
    for (const kind of ['offline', 'silent'] as const) {
      const existing = openKey.get(`${c.id}:${kind}`);
      if (conditions[kind] && !existing) opened.push({ unitId: c.unit_id, clusterId: c.id, name: c.name, kind, id: crypto.randomUUID() });
      if (!conditions[kind] && existing) resolved.push(existing);
    }
  }
  if (!opened.length && !resolved.length) return { opened: 0, resolved: 0 };
  const t = translator('vi');
  await db.transaction().execute(async (trx) => {
    if (resolved.length) await trx.updateTable('radio_alert').set({ resolved_at: at }).where('id', 'in', resolved).execute();
    for (const a of opened) await trx.insertInto('radio_alert').values({ id: a.id, unit_id: a.unitId, cluster_id: a.clusterId, kind: a.kind, opened_at: at, resolved_at: null }).execute();
    const units = [...new Set(opened.map((a) => a.unitId))];
    const staff = units.length
      ? await trx.selectFrom('auth_role_grant as g').innerJoin('auth_account as a', 'a.id', 'g.account_id').select(['a.id', 'a.email', 'g.unit_id']).where('g.unit_id', 'in', units).where('g.role', 'in', ['commune_leader', 'commune_official']).where('a.disabled_at', 'is', null).distinct().execute()
      : [];
    for (const a of opened) {
      for (const s of staff.filter((x) => x.unit_id === a.unitId)) {
        await ctx.notifier.enqueue(trx, { unitId: a.unitId, accountId: s.id, email: s.email }, { subject: t(`radio.alert.${a.kind}_subject`, { cluster: a.name }), body: t(`radio.alert.${a.kind}_body`, { cluster: a.name }), link: `${ctx.config.publicUrl}/truyen-thanh/cum-loa/${a.clusterId}`, source: 'radio.alert', sourceId: a.id, dedupeKey: `radio-alert:${a.id}:${s.id}` }, now);
      }
    }
  });
  if (opened.length) ctx.notifier.kick();
  return { opened: opened.length, resolved: resolved.length };
}
