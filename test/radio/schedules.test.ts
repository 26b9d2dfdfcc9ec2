import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.ts';
import { Browser, testApp, withoutRadioSchedules, type TestApp } from '../support/app.ts';
import { signIn } from '../support/auth.ts';
import { startDeviceHub, type DeviceHub } from '../../src/platform/mqtt/hub.ts';
import { localToday } from '../../src/platform/i18n/index.ts';
import { VirtualCluster } from '../../src/modules/radio/simulator.ts';
import { overlap, parseClock, type Airing } from '../../src/modules/radio/timing.ts';

const silent = { error: () => undefined, warn: () => undefined };
const ogg = fs.readFileSync(new URL('../fixtures/audio/tone-3s.ogg', import.meta.url));
const idFrom = (location: unknown) => String(location).split('/').pop()!;
const addDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

describe('when schedules air', () => {
  const daily = (start: string, ms: number, from = '2026-12-01', to: string | null = null, weekdays = [1, 2, 3, 4, 5, 6, 7]): Airing => ({ from, to, weekdays, startS: parseClock(start)!, durationMs: ms });
  it('overlap needs the same hours on a day both air', () => {
    expect(overlap(daily('06:00', 30 * 60_000), daily('06:20', 60_000))).toBe('2026-12-01');
    // Back to back is not an overlap: the first programme's last item ends as the next begins.
    expect(overlap(daily('06:00', 30 * 60_000), daily('06:30', 60_000))).toBeUndefined();
    // The same hours, but never the same day.
    expect(overlap(daily('06:00', 60_000, '2026-12-01', '2026-12-05'), daily('06:00', 60_000, '2026-12-06'))).toBeUndefined();
    // Monday-only against a one-off on a Tuesday, then on a Monday.
    expect(overlap(daily('17:00', 60_000, '2026-12-01', null, [1]), daily('17:00', 60_000, '2026-12-08', '2026-12-08', [2]))).toBeUndefined();
    expect(overlap(daily('17:00', 60_000, '2026-12-01', null, [1]), daily('17:00', 60_000, '2026-12-07', '2026-12-07', [1]))).toBe('2026-12-07');
    // An item's seconds count: 06:00 + 60.5 s reaches into a slot at 06:01.
    expect(overlap(daily('06:00', 60_500), daily('06:01', 1000))).toBe('2026-12-01');
  });
});

describe.each(DIALECTS)('radio schedules on %s', (dialect) => {
  let t: TestApp;
  let official: Browser;
  let leader: Browser;
  let hub: DeviceHub;
  const db = () => t.ctx.database.db;
  const dir = `/tmp/xaso-test-sched-${dialect}-${process.pid}`;
  const devices: VirtualCluster[] = [];
  const today = localToday();
  let approved = '';
  let pending = '';
  let villageA = '';
  const clusters: { id: string; device: string; secret: string; village: string }[] = [];

  const addContent = async (title: string, priority = 'normal') => {
    const csrf = await official.csrf('/truyen-thanh/noi-dung/moi/tai-len');
    const res = await official.postMultipart('/truyen-thanh/noi-dung/moi/tai-len', { _csrf: csrf, title, priority }, { audio: { name: 'a.ogg', type: 'audio/ogg', data: ogg } });
    return idFrom(res.headers.location);
  };
  const approveContent = async (id: string) => {
    const csrf = await leader.csrf(`/truyen-thanh/noi-dung/${id}`);
    expect((await leader.post(`/truyen-thanh/noi-dung/${id}/duyet`, { _csrf: csrf })).statusCode).toBe(303);
  };
  const schedule = async (form: Record<string, string | string[]>) => {
    const csrf = await official.csrf('/truyen-thanh/lich-phat/moi');
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries({ _csrf: csrf, kind: 'daily', date_from: today, target_kind: 'all', ...form })) for (const x of [v].flat()) body.append(k, x);
    return t.app.inject({ method: 'POST', url: '/truyen-thanh/lich-phat', payload: body.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: [...official.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
  };

  beforeAll(async () => {
    t = await testApp(dialect, { env: { DATA_DIR: dir, PUBLIC_URL: 'https://xa.example.vn' } });
    await withoutRadioSchedules(t);
    official = new Browser(t.app);
    await signIn(official, 'huongdao.vhtt');
    leader = new Browser(t.app);
    await signIn(leader, 'huongdao.chutich');
    hub = (await startDeviceHub({ ...t.ctx, config: { ...t.ctx.config, mqtt: { port: 0, url: null } } }, silent, { host: '127.0.0.1' }))!;
    // The demo's clusters of Hướng Đạo, each given credentials.
    const rows = await db().selectFrom('radio_cluster').select(['id', 'device_id', 'village_id']).where('unit_id', '=', 'u-25201').orderBy('device_id').execute();
    for (const r of rows) {
      const csrf = await official.csrf(`/truyen-thanh/cum-loa/${r.id}`);
      const res = await official.post(`/truyen-thanh/cum-loa/${r.id}/cap-mat-khau`, { _csrf: csrf, confirm_rotate: 'on' });
      clusters.push({ id: r.id, device: r.device_id, village: r.village_id, secret: /data-testid="secret">([A-Za-z0-9_-]+)</.exec(res.body)![1]! });
    }
    villageA = clusters[0]!.village;
    approved = await addContent('Bản tin sáng');
    await approveContent(approved);
    pending = await addContent('Thông báo chưa duyệt');
  });
  afterAll(async () => {
    await Promise.all(devices.map((d) => d.stop()));
    await hub?.close();
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses unapproved or emergency items, past days, programmes past midnight and empty targets — saving nothing', async () => {
    const emergency = await addContent('Báo động lũ', 'emergency');
    await approveContent(emergency);
    const res = await schedule({ name: 'Chương trình thử', start: '23:59', item_1: approved, item_2: pending, item_3: emergency, date_from: addDays(today, -1), target_kind: 'villages' });
    expect(res.statusCode).toBe(400);
    for (const text of ['Bài 2: “Thông báo chưa duyệt” chưa được lãnh đạo duyệt', 'Bài 3: “Báo động lũ” là tin khẩn cấp', 'Từ ngày: không thể lập lịch cho ngày đã qua', 'Thôn: hãy chọn ít nhất một thôn']) expect(res.body).toContain(text);
    const csrf = await official.csrf('/truyen-thanh/noi-dung/moi/tiep-song');
    const relay = idFrom((await official.post('/truyen-thanh/noi-dung/moi/tiep-song', { _csrf: csrf, title: 'Thời sự đài tỉnh', priority: 'normal', stream_url: 'https://dai-tinh.example.vn/live.mp3', minutes: '30' })).headers.location);
    await approveContent(relay);
    const midnight = await schedule({ name: 'Chương trình khuya', start: '23:45', item_1: approved, item_2: relay, date_from: addDays(today, 1) });
    expect(midnight.statusCode).toBe(400);
    expect(midnight.body).toContain('kéo dài qua 24:00 (đến 00:15:03)');
    const bad = await schedule({ name: 'X', start: '25:00', kind: 'weekly' });
    expect(bad.statusCode).toBe(400);
    for (const text of ['Tên chương trình', 'Giờ bắt đầu: hãy nhập giờ dạng giờ:phút']) expect(bad.body).toContain(text);
    expect(await db().selectFrom('radio_schedule').select('id').execute()).toHaveLength(0);
  });

  it('refuses a schedule overlapping another in the same clusters, naming it; elsewhere or later is fine', async () => {
    const first = await schedule({ name: 'Bản tin sáng hằng ngày', start: '06:00', item_1: approved, item_2: approved, date_to: addDays(today, 30) });
    expect(first.statusCode).toBe(303);
    // 06:00 + two 3-second items: 06:00:06 is taken at every cluster.
    const clash = await schedule({ name: 'Thông báo một lần', kind: 'once', date_from: addDays(today, 3), start: '06:00', item_1: approved, target_kind: 'clusters', cluster: clusters[1]!.id });
    expect(clash.statusCode).toBe(409);
    expect(clash.body).toContain('trùng với lịch “Bản tin sáng hằng ngày” (06:00–06:00:06)');
    expect(clash.body).toContain(`ngày ${addDays(today, 3).split('-').reverse().join('/')}`);
    expect(clash.body).toContain('value="Thông báo một lần"');
    const later = await schedule({ name: 'Thông báo một lần', kind: 'once', date_from: addDays(today, 3), start: '06:01', item_1: approved, target_kind: 'clusters', cluster: clusters[1]!.id });
    expect(later.statusCode).toBe(303);
    const weekly = await schedule({ name: 'Chuyên mục chiều thứ Hai', kind: 'weekly', weekday: ['1'], start: '17:00', item_1: approved, target_kind: 'villages', village: villageA });
    expect(weekly.statusCode).toBe(303);
    pendingSchedule = idFrom(first.headers.location);
  });
  let pendingSchedule = '';

  it('sends nothing before the leader approves; on approval every cluster gets its schedule, versioned, and acknowledges it', async () => {
    const [a, b] = clusters;
    for (const c of [a!, b!]) devices.push(await new VirtualCluster({ url: hub.url, deviceId: c.device, secret: c.secret, heartbeatS: 3600 }).start());
    const [da, db_] = devices;
    const page = await official.get(`/truyen-thanh/lich-phat/${pendingSchedule}`);
    expect(page.body).toContain('Chờ lãnh đạo duyệt');
    expect(page.body).not.toContain('Duyệt lịch và gửi xuống cụm loa');
    expect((await official.post(`/truyen-thanh/lich-phat/${pendingSchedule}/duyet`, { _csrf: await official.csrf(`/truyen-thanh/lich-phat/${pendingSchedule}`) })).statusCode).toBe(403);
    expect(da!.schedule).toBe(0);

    const csrf = await leader.csrf(`/truyen-thanh/lich-phat/${pendingSchedule}`);
    expect((await leader.post(`/truyen-thanh/lich-phat/${pendingSchedule}/duyet`, { _csrf: csrf })).statusCode).toBe(303);
    await expect.poll(() => da!.schedule, { timeout: 5000 }).toBe(1);
    expect(da!.slots).toHaveLength(1);
    expect(da!.slots[0]).toMatchObject({ id: pendingSchedule, start: '06:00', from: today, weekdays: [1, 2, 3, 4, 5, 6, 7], items: [{ item: approved, priority: 'normal' }, { item: approved }] });
    expect(da!.slots[0]!.items[0]!.url).toMatch(/^https:\/\/xa\.example\.vn\/truyen-thanh\/phat\/[0-9a-f-]+\?k=/);
    // The address works for the device (the test's app answers for the public host).
    const media = await t.app.inject({ method: 'GET', url: da!.slots[0]!.items[0]!.url.replace('https://xa.example.vn', '') });
    expect(media.statusCode).toBe(200);
    await expect.poll(() => db_!.schedule, { timeout: 5000 }).toBe(1);
    await expect
      .poll(async () => (await db().selectFrom('radio_command').select(['acked_at', 'ok']).where('device_id', '=', a!.device).where('op', '=', 'sync').execute()).map((r) => [!!r.acked_at, r.ok]), { timeout: 5000 })
      .toEqual([[true, 1]]);
    const audit = await db().selectFrom('audit_event').select('action').where('entity_id', '=', pendingSchedule).execute();
    expect(audit.map((x) => x.action)).toEqual(expect.arrayContaining(['radio.schedule.create', 'radio.schedule.approve']));
  });

  it('a device that was away gets the current schedule at its first heartbeat; the same version again changes nothing', async () => {
    const c = clusters[2]!;
    const late = await new VirtualCluster({ url: hub.url, deviceId: c.device, secret: c.secret, heartbeatS: 3600 }).start();
    devices.push(late);
    await expect.poll(() => late.schedule, { timeout: 5000 }).toBe(1);
    const syncs = () => late.received.filter((r) => r.op === 'sync').length;
    expect(syncs()).toBe(1);
    // An up-to-date heartbeat asks for nothing.
    late.heartbeat();
    await new Promise((r) => setTimeout(r, 300));
    expect(syncs()).toBe(1);
    // Sent the same version again (say, twice over a flaky link), the device keeps what it has.
    const before = JSON.stringify(late.slots);
    const { syncCluster } = await import('../../src/modules/radio/schedules.ts');
    const row = await db().selectFrom('radio_cluster').select(['id', 'unit_id', 'village_id', 'device_id']).where('device_id', '=', c.device).executeTakeFirstOrThrow();
    await syncCluster(t.ctx, row, 1);
    await expect.poll(syncs, { timeout: 5000 }).toBe(2);
    expect(late.schedule).toBe(1);
    expect(JSON.stringify(late.slots)).toBe(before);
    // The station's schedule is read once per version and shared by its clusters' syncs.
    const { stationSchedule } = await import('../../src/modules/radio/schedules.ts');
    const [x, y] = await Promise.all([stationSchedule(t.ctx, row.unit_id, 1), stationSchedule(t.ctx, row.unit_id, 1)]);
    expect(x).toBe(y);
    expect(x.map((s) => s.slot.id)).toEqual([pendingSchedule]);
  });

  it('cancelling an approved schedule (confirmed) sends every cluster a new version without it', async () => {
    const url = `/truyen-thanh/lich-phat/${pendingSchedule}`;
    const csrf = await official.csrf(url);
    const unconfirmed = await official.post(`${url}/huy`, { _csrf: csrf });
    expect(unconfirmed.statusCode).toBe(400);
    expect((await db().selectFrom('radio_schedule').select('status').where('id', '=', pendingSchedule).executeTakeFirstOrThrow()).status).toBe('approved');
    expect((await official.post(`${url}/huy`, { _csrf: csrf, confirm: 'on' })).statusCode).toBe(303);
    for (const d of devices) await expect.poll(() => d.schedule, { timeout: 5000 }).toBe(2);
    expect(devices[0]!.slots).toEqual([]);
    expect((await official.get('/truyen-thanh/lich-phat')).body).toContain('Đã hủy');
    const again = await official.post(`${url}/huy`, { _csrf: csrf, confirm: 'on' });
    expect(again.statusCode).toBe(409);
  });

  it('keeps one commune out of another’s schedules', async () => {
    const other = new Browser(t.app);
    await signIn(other, 'langcong.chutich');
    expect((await other.get(`/truyen-thanh/lich-phat/${pendingSchedule}`)).statusCode).toBe(404);
    const csrf = await other.csrf('/truyen-thanh/lich-phat');
    expect((await other.post(`/truyen-thanh/lich-phat/${pendingSchedule}/duyet`, { _csrf: csrf })).statusCode).toBe(404);
  });
});
