import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.ts';
import { Browser, testApp, withoutRadioSchedules, type TestApp } from '../support/app.ts';
import { signIn } from '../support/auth.ts';
import { systemContext } from '../../src/platform/audit/audit.ts';
import { issueVirtualSecrets } from '../../src/modules/radio/index.ts';
import { checkAlerts } from '../../src/modules/radio/alerts.ts';
import { countUptime } from '../../src/modules/radio/reports.ts';
import { localClock } from '../../src/modules/radio/timing.ts';

describe.each(DIALECTS)('radio alerts on %s', (dialect) => {
  let t: TestApp;
  const db = () => t.ctx.database.db;
  let clusters: { id: string; device_id: string }[] = [];
  // 10:05 local time on a fixed day; a programme airs 10:00–10:30 at the first cluster only.
  const now = new Date('2026-12-02T03:05:00Z');

  const state = (id: string, s: { online: number; seenAgoMs: number; playing: string | null }) =>
    db().updateTable('radio_cluster').set({ online: s.online, last_seen_at: new Date(now.getTime() - s.seenAgoMs).toISOString(), playing: s.playing }).where('id', '=', id).execute();
  const open = async () => (await db().selectFrom('radio_alert as a').innerJoin('radio_cluster as c', 'c.id', 'a.cluster_id').select(['c.device_id', 'a.kind']).where('a.resolved_at', 'is', null).orderBy('c.device_id').execute()).map((a) => `${a.device_id}:${a.kind}`);

  beforeAll(async () => {
    t = await testApp(dialect);
    await withoutRadioSchedules(t);
    clusters = await db().selectFrom('radio_cluster').select(['id', 'device_id']).where('unit_id', '=', 'u-25201').orderBy('device_id').limit(3).execute();
    await issueVirtualSecrets(t.ctx, 'u-25201', clusters.map((c) => c.device_id), systemContext('test'));
    const { date } = localClock(now);
    await db()
      .insertInto('radio_schedule')
      .values({ id: 's-1', unit_id: 'u-25201', origin_unit_id: 'u-25201', name: 'Bản tin 10 giờ', kind: 'once', date_from: date, date_to: date, weekdays: '1234567', start_s: 10 * 3600, duration_ms: 30 * 60_000, target_kind: 'clusters', status: 'approved', created_by: 'x', created_by_label: 'x', created_at: now.toISOString() })
      .execute();
    await db().insertInto('radio_schedule_target').values({ schedule_id: 's-1', target_id: clusters[0]!.id }).execute();
  });
  afterAll(() => t.close());

  it('alarms on a cluster silent in its programme or offline too long — never on one quiet in an empty slot', async () => {
    await state(clusters[0]!.id, { online: 1, seenAgoMs: 5000, playing: null });
    await state(clusters[1]!.id, { online: 1, seenAgoMs: 5000, playing: null });
    await state(clusters[2]!.id, { online: 1, seenAgoMs: 11 * 60_000, playing: null });
    expect(await checkAlerts(t.ctx, now)).toEqual({ opened: 2, resolved: 0 });
    expect(await open()).toEqual([`${clusters[0]!.device_id}:silent`, `${clusters[2]!.device_id}:offline`]);
    // Run again: nothing new, nothing told twice.
    expect(await checkAlerts(t.ctx, now)).toEqual({ opened: 0, resolved: 0 });
    const told = await db().selectFrom('platform_notification').select(['subject']).where('source', '=', 'radio.alert').execute();
    expect(told.map((n) => n.subject)).toEqual(expect.arrayContaining([expect.stringContaining('im lặng trong giờ phát') as string, expect.stringContaining('mất kết nối') as string]));
    const official = new Browser(t.app);
    await signIn(official, 'huongdao.vhtt');
    const page = (await official.get('/truyen-thanh')).body;
    expect(page).toContain('Cảnh báo đang mở');
    expect(page).toContain('Im lặng trong giờ phát');
    expect(page).toContain('Mất kết nối quá 10 phút');
  });

  it('closes the alerts when the cluster plays again and comes back', async () => {
    await state(clusters[0]!.id, { online: 1, seenAgoMs: 1000, playing: 'ban-tin' });
    await state(clusters[2]!.id, { online: 1, seenAgoMs: 1000, playing: null });
    expect(await checkAlerts(t.ctx, now)).toEqual({ opened: 0, resolved: 2 });
    expect(await open()).toEqual([]);
  });

  it('gives a programme two minutes to start before calling it silence', async () => {
    await state(clusters[0]!.id, { online: 1, seenAgoMs: 1000, playing: null });
    expect(await checkAlerts(t.ctx, new Date('2026-12-02T03:01:00Z'))).toEqual({ opened: 0, resolved: 0 });
  });

  it('counts a minute of uptime for each cluster online, per local day', async () => {
    await state(clusters[0]!.id, { online: 1, seenAgoMs: 1000, playing: null });
    await state(clusters[1]!.id, { online: 1, seenAgoMs: 5 * 60_000, playing: null });
    await state(clusters[2]!.id, { online: 0, seenAgoMs: 1000, playing: null });
    expect(await countUptime(t.ctx, now)).toBe(1);
    expect(await countUptime(t.ctx, now)).toBe(1);
    const rows = await db().selectFrom('radio_uptime').selectAll().execute();
    expect(rows).toEqual([{ cluster_id: clusters[0]!.id, day: localClock(now).date, minutes: 2 }]);
  });
});
