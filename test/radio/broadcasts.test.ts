import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.ts';
import { Browser, testApp, withoutRadioSchedules, type TestApp } from '../support/app.ts';
import { signIn } from '../support/auth.ts';
import { startDeviceHub, type DeviceHub } from '../../src/platform/mqtt/hub.ts';
import { localToday } from '../../src/platform/i18n/index.ts';
import { VirtualCluster } from '../../src/modules/radio/simulator.ts';

const silent = { error: () => undefined, warn: () => undefined };
const ogg = fs.readFileSync(new URL('../fixtures/audio/tone-3s.ogg', import.meta.url));
const idFrom = (location: unknown) => String(location).split('/').pop()!;
/** Simulated devices play ten times faster than real time. */
const SPEED = 10;

describe.each(DIALECTS)('sending now and emergencies on %s', (dialect) => {
  let t: TestApp;
  let official: Browser;
  let second: Browser;
  let leader: Browser;
  let hub: DeviceHub;
  const db = () => t.ctx.database.db;
  const dir = `/tmp/xaso-test-bc-${dialect}-${process.pid}`;
  const devices: VirtualCluster[] = [];
  let clusters: { id: string; device_id: string }[] = [];

  const addSound = async (title: string, priority: string) => {
    const csrf = await official.csrf('/truyen-thanh/noi-dung/moi/tai-len');
    return idFrom((await official.postMultipart('/truyen-thanh/noi-dung/moi/tai-len', { _csrf: csrf, title, priority }, { audio: { name: 'a.ogg', type: 'audio/ogg', data: ogg } })).headers.location);
  };
  const approve = async (id: string) => {
    const csrf = await leader.csrf(`/truyen-thanh/noi-dung/${id}`);
    expect((await leader.post(`/truyen-thanh/noi-dung/${id}/duyet`, { _csrf: csrf })).statusCode).toBe(303);
  };
  const send = async (who: Browser, id: string, form: Record<string, string> = {}) => {
    const csrf = await who.csrf(`/truyen-thanh/noi-dung/${id}/phat-ngay`);
    return who.post(`/truyen-thanh/noi-dung/${id}/phat-ngay`, { _csrf: csrf, target_kind: 'all', repeat: '1', ...form });
  };
  const events = async (device: string) =>
    (await db().selectFrom('radio_play_log as l').innerJoin('radio_content as c', 'c.id', 'l.item').select(['c.title', 'l.event']).where('l.device_id', '=', device).orderBy('l.at').orderBy('l.seq').execute()).map((e) => `${e.title}:${e.event}`);

  beforeAll(async () => {
    t = await testApp(dialect, { env: { DATA_DIR: dir } });
    await withoutRadioSchedules(t);
    [official, second, leader] = [new Browser(t.app), new Browser(t.app), new Browser(t.app)];
    await signIn(official, 'huongdao.vhtt');
    await signIn(second, 'huongdao.tuphap');
    await signIn(leader, 'huongdao.chutich');
    hub = (await startDeviceHub({ ...t.ctx, config: { ...t.ctx.config, mqtt: { port: 0, url: null } } }, silent, { host: '127.0.0.1' }))!;
    clusters = await db().selectFrom('radio_cluster').select(['id', 'device_id']).where('unit_id', '=', 'u-25201').orderBy('device_id').limit(2).execute();
    for (const c of clusters) {
      const csrf = await official.csrf(`/truyen-thanh/cum-loa/${c.id}`);
      const secret = /data-testid="secret">([A-Za-z0-9_-]+)</.exec((await official.post(`/truyen-thanh/cum-loa/${c.id}/cap-mat-khau`, { _csrf: csrf, confirm_rotate: 'on' })).body)![1]!;
      devices.push(await new VirtualCluster({ url: hub.url, deviceId: c.device_id, secret, heartbeatS: 3600, speed: SPEED }).start());
    }
  });
  afterAll(async () => {
    await Promise.all(devices.map((d) => d.stop()));
    await hub?.close();
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('sends an approved item now to the chosen cluster, and counts the acknowledgements', async () => {
    const pending = await addSound('Thông báo chưa duyệt', 'normal');
    const refused = await send(official, pending);
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('chưa được duyệt');
    const item = await addSound('Thông báo họp thôn', 'priority');
    await approve(item);
    const res = await send(official, item, { target_kind: 'clusters', cluster: clusters[0]!.id });
    expect(res.statusCode).toBe(303);
    const page = String(res.headers.location);
    await expect.poll(async () => (await official.get(page)).body, { timeout: 5000 }).toContain('1/1 cụm loa xác nhận đã nhận');
    await expect.poll(() => events(clusters[0]!.device_id), { timeout: 5000 }).toEqual(['Thông báo họp thôn:started', 'Thông báo họp thôn:finished']);
    expect(await events(clusters[1]!.device_id)).toEqual([]);
    expect((await official.get('/truyen-thanh')).body).toContain('Thông báo họp thôn');
  });

  it('an emergency pre-empts the scheduled programme, repeats, then the programme continues with its next item', async () => {
    const csrf = await official.csrf('/truyen-thanh/noi-dung/moi/tiep-song');
    const relay = idFrom((await official.post('/truyen-thanh/noi-dung/moi/tiep-song', { _csrf: csrf, title: 'Thời sự đài tỉnh', priority: 'normal', stream_url: 'https://dai-tinh.example.vn/live.mp3', minutes: '1' })).headers.location);
    const closing = await addSound('Nhạc kết', 'normal');
    for (const id of [relay, closing]) await approve(id);
    // A programme starting this minute, for the first cluster: relay (6 s at this speed), then the closing tune.
    // (It must end before midnight: in the day's last minutes, wait for the next day.)
    const secondsToday = (Date.now() / 1000 + 7 * 3600) % 86_400;
    if (secondsToday > 86_400 - 180) await new Promise((r) => setTimeout(r, (86_400 - secondsToday + 2) * 1000));
    const now = new Date(Date.now() + 7 * 3600_000);
    const start = `${String(now.getUTCHours()).padStart(2, '0')}:${String(now.getUTCMinutes()).padStart(2, '0')}`;
    const body = new URLSearchParams({ _csrf: await official.csrf('/truyen-thanh/lich-phat/moi'), name: 'Chương trình trưa', kind: 'once', date_from: localToday(), start, target_kind: 'clusters', cluster: clusters[0]!.id, item_1: relay, item_2: closing });
    const created = await t.app.inject({ method: 'POST', url: '/truyen-thanh/lich-phat', payload: body.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: [...official.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    expect(created.statusCode).toBe(303);
    const scheduleId = idFrom(created.headers.location);
    expect((await leader.post(`/truyen-thanh/lich-phat/${scheduleId}/duyet`, { _csrf: await leader.csrf(`/truyen-thanh/lich-phat/${scheduleId}`) })).statusCode).toBe(303);
    const device = clusters[0]!.device_id;
    await expect.poll(() => devices[0]!.playing?.item, { timeout: 5000 }).toBe(relay);

    // The leader's emergency: pending content, sent at once (the send approves it), twice.
    const flood = await addSound('Cảnh báo lũ quét', 'emergency');
    const res = await send(leader, flood, { repeat: '2' });
    expect(res.statusCode).toBe(303);
    await expect.poll(() => events(device), { timeout: 8000 }).toEqual([
      'Thông báo họp thôn:started',
      'Thông báo họp thôn:finished',
      'Thời sự đài tỉnh:started',
      'Thời sự đài tỉnh:interrupted',
      'Cảnh báo lũ quét:started',
      'Cảnh báo lũ quét:finished',
      'Cảnh báo lũ quét:started',
      'Cảnh báo lũ quét:finished',
      'Nhạc kết:started',
      'Nhạc kết:finished',
    ]);
    expect((await db().selectFrom('radio_content').select(['status', 'decision_note']).where('id', '=', flood).executeTakeFirstOrThrow()).status).toBe('approved');
    const station = (await official.get('/truyen-thanh')).body;
    expect(station).toMatch(/notice notice-error"><a href="\/truyen-thanh\/phat-ngay\/[^"]+">Cảnh báo lũ quét/);
    const audit = await db().selectFrom('audit_event').select('action').where('action', '=', 'radio.emergency.send').execute();
    expect(audit).toHaveLength(1);
    const told = await db().selectFrom('platform_notification').select('id').where('source', '=', 'radio.emergency').execute();
    expect(told.length).toBeGreaterThan(0);
  }, 240_000);

  it('an official’s emergency waits for a second official; the one who asked cannot confirm it', async () => {
    const fire = await addSound('Báo cháy rừng', 'emergency');
    const playsBefore = devices[1]!.received.filter((c) => c.op === 'play').length;
    const eventsBefore = await events(clusters[1]!.device_id);
    const res = await send(official, fire, { target_kind: 'clusters', cluster: clusters[1]!.id });
    expect(res.statusCode).toBe(303);
    const page = String(res.headers.location);
    expect((await official.get(page)).body).toContain('Chờ cán bộ thứ hai xác nhận');
    await new Promise((r) => setTimeout(r, 300));
    expect(devices[1]!.received.filter((c) => c.op === 'play')).toHaveLength(playsBefore);
    const self = await official.post(`${page}/xac-nhan`, { _csrf: await official.csrf(page) });
    expect(self.statusCode).toBe(409);
    expect(self.body).toContain('không thể tự xác nhận');
    expect((await second.post(`${page}/xac-nhan`, { _csrf: await second.csrf(page) })).statusCode).toBe(303);
    await expect.poll(() => events(clusters[1]!.device_id), { timeout: 5000 }).toEqual([...eventsBefore, 'Báo cháy rừng:started', 'Báo cháy rừng:finished']);
    const b = await db().selectFrom('radio_broadcast').selectAll().where('id', '=', idFrom(page)).executeTakeFirstOrThrow();
    expect(b).toMatchObject({ status: 'sent', requested_by_label: expect.any(String) as string, devices: 1 });
    expect(b.confirmed_by_label).not.toBeNull();
    const again = await second.post(`${page}/xac-nhan`, { _csrf: await second.csrf(page) });
    expect(again.statusCode).toBe(409);
  });

  it('reports what aired, for how long, the acknowledgement of each broadcast, per village and summed for the province; CSV', async () => {
    const page = await official.get('/truyen-thanh/bao-cao');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Theo thôn');
    for (const title of ['Thông báo họp thôn', 'Cảnh báo lũ quét', 'Báo cháy rừng']) expect(page.body).toContain(title);
    // The flood warning went to all four clusters of the commune; two run (as devices here) and acknowledged it.
    expect(page.body).toMatch(/50% \(2\/4\)/);
    expect(page.body).toMatch(/100% \(1\/1\)/);
    const csv = await official.get(`/truyen-thanh/bao-cao.csv?from=${localToday()}&to=${localToday()}`);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.replace(/^\uFEFF/, '').trim().split(/\r?\n/);
    expect(lines[0]).toContain('Lượt tin bài phát trọn vẹn');
    const first = lines.find((l) => l.includes(clusters[0]!.device_id) || l.includes('Cụm loa'))!;
    expect(first).toContain('Xã Hướng Đạo');
    // The first cluster aired: the meeting notice, the flood warning twice, the closing tune (the relay was cut).
    const aired = Number(first.split(',')[3]);
    expect(aired).toBe(4);
    expect(Number(first.split(',')[4])).toBe(1);
    const bad = await official.get('/truyen-thanh/bao-cao?from=2026-12-31&to=2026-01-01');
    expect(bad.body).toContain('Đến ngày: phải sau hoặc bằng “Từ ngày”');

    const province = new Browser(t.app);
    await signIn(province, 'tinh.quantri');
    const sum = await province.get('/truyen-thanh/bao-cao');
    expect(sum.statusCode).toBe(200);
    expect(sum.body).toContain('Theo xã');
    expect(sum.body).toContain('Xã Hướng Đạo');
    expect(sum.body).toContain('Xã Lãng Công');
    // The province reads reports, nothing else of the communes' radio.
    expect((await province.get('/truyen-thanh')).statusCode).toBe(404);
  });
});
