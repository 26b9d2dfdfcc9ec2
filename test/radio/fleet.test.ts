import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMqtt } from '../support/mqtt.ts';
import { DIALECTS } from '../support/databases.ts';
import { Browser, testApp, type TestApp } from '../support/app.ts';
import { signIn } from '../support/auth.ts';
import { startDeviceHub, type DeviceHub } from '../../src/platform/mqtt/hub.ts';
import { topics } from '../../src/modules/radio/index.ts';
import { logRefusal } from '../../src/modules/radio/fleet.ts';
import { onDeviceMessage } from '../../src/modules/radio/devices.ts';
import { attachLink, linkFor, memoryOf, sendCommands, type LiveState } from '../../src/modules/radio/link.ts';

const silent = { error: () => undefined, warn: () => undefined };
const beat = (over: Record<string, unknown> = {}) => JSON.stringify({ v: 1, at: new Date().toISOString(), online: true, playing: { item: 'ban-tin-sang', priority: 'normal' }, volume: 65, power: 'dc', signal: 71, schedule: 2, firmware: '1.5.0', ...over });
const connect = connectMqtt;

describe.each(DIALECTS)('the radio fleet on %s', (dialect) => {
  let t: TestApp;
  let official: Browser;
  let hub: DeviceHub;
  const db = () => t.ctx.database.db;
  let clusterId = '';
  let secret = '';

  beforeAll(async () => {
    t = await testApp(dialect);
    official = new Browser(t.app);
    await signIn(official, 'huongdao.vhtt');
    hub = (await startDeviceHub({ ...t.ctx, config: { ...t.ctx.config, mqtt: { port: 0, url: null } } }, silent, { host: '127.0.0.1' }))!;
  });
  afterAll(async () => {
    await hub?.close();
    await t.close();
  });

  it('adds a speaker cluster; bad input is named and nothing is saved', async () => {
    const csrf = await official.csrf('/truyen-thanh/cum-loa/moi');
    const village = (await db().selectFrom('unit').select('id').where('parent_id', '=', 'u-25201').where('level', '=', 'village').executeTakeFirstOrThrow()).id;
    const before = (await db().selectFrom('radio_cluster').select('id').execute()).length;
    const bad = await official.post('/truyen-thanh/cum-loa', { _csrf: csrf, name: 'X', village_id: 'u-25202-01', device_id: 'Cụm 1', speakers: '0', power_source: 'solar', latitude: '95' });
    expect(bad.statusCode).toBe(400);
    for (const field of ['Tên cụm loa', 'Mã thiết bị: chỉ gồm chữ thường', 'Số loa', 'Nguồn điện', 'Vĩ độ']) expect(bad.body).toContain(field);
    const otherVillage = await official.post('/truyen-thanh/cum-loa', { _csrf: csrf, name: 'Cụm loa thử', village_id: 'khong-co', device_id: 'test-cum-01', speakers: '4', power_source: 'mains' });
    expect(otherVillage.statusCode).toBe(400);
    expect(otherVillage.body).toContain('Thôn: hãy chọn một thôn của xã.');
    expect(await db().selectFrom('radio_cluster').select('id').execute()).toHaveLength(before);
    const ok = await official.post('/truyen-thanh/cum-loa', { _csrf: csrf, name: 'Cụm loa nhà văn hóa', village_id: village, device_id: 'test-cum-01', speakers: '4', power_source: 'mains', latitude: '21.4215', longitude: '105.4752' });
    expect(ok.statusCode).toBe(303);
    clusterId = String(ok.headers.location).split('/').pop()!;
    const again = await official.post('/truyen-thanh/cum-loa', { _csrf: csrf, name: 'Cụm loa trùng', village_id: village, device_id: 'test-cum-01', speakers: '4', power_source: 'mains' });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('đã có cụm loa dùng mã này');
  });

  it('issues the device a secret shown once and kept only as a hash; a rotation ends the old one', async () => {
    const url = `/truyen-thanh/cum-loa/${clusterId}`;
    const csrf = await official.csrf(url);
    const issued = await official.post(`${url}/cap-mat-khau`, { _csrf: csrf });
    expect(issued.statusCode).toBe(200);
    expect(issued.headers['cache-control']).toContain('no-store');
    secret = /data-testid="secret">([A-Za-z0-9_-]+)</.exec(issued.body)![1]!;
    const row = await db().selectFrom('radio_cluster').select(['secret_hash']).where('id', '=', clusterId).executeTakeFirstOrThrow();
    expect(row.secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.secret_hash).not.toContain(secret);
    expect((await official.get(url)).body).not.toContain(secret);
    const first = await connect(hub.url, 'test-cum-01', secret);
    // A rotation must be confirmed: the old secret ends at once.
    const unconfirmed = await official.post(`${url}/cap-mat-khau`, { _csrf: csrf });
    expect(unconfirmed.statusCode).toBe(400);
    expect(unconfirmed.body).toContain('Cấp mật khẩu mới: hãy đánh dấu ô xác nhận');
    expect(unconfirmed.body).not.toContain('data-testid="secret"');
    expect((await db().selectFrom('radio_cluster').select(['secret_hash']).where('id', '=', clusterId).executeTakeFirstOrThrow()).secret_hash).toBe(row.secret_hash);
    expect(first.connected).toBe(true);
    // Confirmed: the device still connected with the old secret is cut off, and cannot sign in with it again.
    const cutOff = new Promise<void>((resolve) => first.once('close', () => resolve()));
    const rotated = await official.post(`${url}/cap-mat-khau`, { _csrf: csrf, confirm_rotate: 'on' });
    const newSecret = /data-testid="secret">([A-Za-z0-9_-]+)</.exec(rotated.body)![1]!;
    await cutOff;
    first.end(true);
    await expect(connect(hub.url, 'test-cum-01', secret)).rejects.toThrow(/Bad username or password/i);
    secret = newSecret;
    const audit = await db().selectFrom('audit_event').select('action').where('entity_id', '=', clusterId).execute();
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['radio.cluster.add', 'radio.credentials.issue', 'radio.credentials.rotate']));
  });

  it('takes the live state from heartbeats; drops and logs malformed messages and refusals', async () => {
    const device = await connect(hub.url, 'test-cum-01', secret);
    await device.publishAsync(topics.status('test-cum-01'), beat(), { qos: 1 });
    await expect.poll(async () => (await db().selectFrom('radio_cluster').select('volume').where('id', '=', clusterId).executeTakeFirstOrThrow()).volume).toBe(65);
    const page = (await official.get('/truyen-thanh')).body;
    expect(page).toContain('Trực tuyến');
    expect(page).toContain('ban-tin-sang');
    expect(page).toContain('Ắc quy dự phòng (DC)');
    await device.publishAsync(topics.status('test-cum-01'), 'không phải JSON', { qos: 1 });
    await expect.poll(async () => (await db().selectFrom('radio_device_log').select('kind').where('device_id', '=', 'test-cum-01').where('kind', '=', 'malformed').execute()).length).toBe(1);
    // Another device's topic: disconnected, logged, nothing changed.
    device.publish(topics.status('huongdao-01'), beat({ volume: 1 }));
    await new Promise<void>((resolve) => device.once('close', () => resolve()));
    await expect.poll(async () => (await db().selectFrom('radio_device_log').select('kind').where('device_id', '=', 'test-cum-01').where('kind', '=', 'refused_publish').execute()).length).toBe(1);
    expect((await db().selectFrom('radio_cluster').select('volume').where('device_id', '=', 'huongdao-01').executeTakeFirstOrThrow()).volume).toBeNull();
    device.end(true);
    await expect(connect(hub.url, 'test-cum-01', 'doan-bua')).rejects.toThrow();
    const cluster = (await official.get(`/truyen-thanh/cum-loa/${clusterId}`)).body;
    expect(cluster).toContain('Bản tin sai định dạng (đã bỏ)');
    expect(cluster).toContain('Gửi vào kênh không phải của thiết bị');
  });

  it('revokes a device only when confirmed; it can no longer connect; another commune never reaches the cluster', async () => {
    const url = `/truyen-thanh/cum-loa/${clusterId}`;
    const csrf = await official.csrf(url);
    expect((await official.post(`${url}/thu-hoi`, { _csrf: csrf })).statusCode).toBe(400);
    const device = await connect(hub.url, 'test-cum-01', secret);
    expect(device.connected).toBe(true);
    // Revoked while connected: cut off at once, not at its next connection.
    const cutOff = new Promise<void>((resolve) => device.once('close', () => resolve()));
    expect((await official.post(`${url}/thu-hoi`, { _csrf: csrf, confirm: 'on' })).statusCode).toBe(303);
    await cutOff;
    device.end(true);
    await expect(connect(hub.url, 'test-cum-01', secret)).rejects.toThrow();
    expect((await official.post(`${url}/thu-hoi`, { _csrf: csrf, confirm: 'on' })).statusCode).toBe(409);
    const other = new Browser(t.app);
    await signIn(other, 'langcong.tuphap');
    expect((await other.get(url)).statusCode).toBe(404);
    expect((await other.get('/truyen-thanh')).body).not.toContain('test-cum-01');
  });
  it('logs a flood of refusals at most ten a minute per device, then how many more there were', async () => {
    const t0 = Date.now();
    for (let i = 0; i < 25; i++) await logRefusal(t.ctx, 'ke-la-01', 'refused_connect', '', t0 + i);
    const rows = () => db().selectFrom('radio_device_log').select(['kind', 'detail']).where('device_id', '=', 'ke-la-01').execute();
    expect(await rows()).toHaveLength(10);
    await logRefusal(t.ctx, 'ke-la-01', 'refused_connect', '', t0 + 61_000);
    const after = await rows();
    expect(after).toHaveLength(12);
    expect(after).toContainEqual({ kind: 'refused_suppressed', detail: '15' });
  });

  it('writes a batch of messages matched to each device’s own records: its commands, its cluster, not a revoked one', async () => {
    const now = new Date().toISOString();
    const command = (id: string, device: string) => ({ id, unit_id: 'u-25201', device_id: device, op: 'play', detail: 'x', created_at: now, sent_at: now, acked_at: null, ok: null, error: null, broadcast_id: null });
    await db().insertInto('radio_command').values([command('cmd-own', 'huongdao-02'), command('cmd-other', 'huongdao-03'), command('cmd-fail', 'huongdao-02')]).execute();
    const msg = (device: string, channel: 'ack' | 'status' | 'log', body: object) => onDeviceMessage(t.ctx, `xaso/v1/dev/${device}/${channel}`, Buffer.from(JSON.stringify({ v: 1, ...body })));
    const item = "it's \"quoted\" – Bản tin";
    await Promise.all([
      msg('huongdao-02', 'ack', { id: 'cmd-own', ok: true, at: now }),
      msg('huongdao-02', 'ack', { id: 'cmd-other', ok: true, at: now }), // not its command: ignored
      msg('huongdao-02', 'ack', { id: 'cmd-fail', ok: false, at: now, error: 'không tải được tệp' }),
      msg('huongdao-02', 'status', JSON.parse(beat({ volume: 42, playing: { item, priority: 'emergency' }, signal: null })) as object),
      msg('test-cum-01', 'status', JSON.parse(beat({ volume: 7 })) as object), // revoked above
      msg('huongdao-02', 'log', { item, event: 'started', priority: 'emergency', at: now, seq: 7 }),
      msg('khong-co-01', 'log', { item: 'x', event: 'started', priority: 'normal', at: now }), // no such cluster
    ]);
    const commands = await db().selectFrom('radio_command').select(['id', 'ok', 'error', 'acked_at']).where('id', 'in', ['cmd-own', 'cmd-other', 'cmd-fail']).orderBy('id').execute();
    expect(commands.map((c) => [c.id, c.ok, c.error, !!c.acked_at])).toEqual([
      ['cmd-fail', 0, 'không tải được tệp', true],
      ['cmd-other', null, null, false],
      ['cmd-own', 1, null, true],
    ]);
    const acked = Date.parse(commands[2]!.acked_at!);
    expect(Math.abs(acked - Date.now())).toBeLessThan(60_000);
    // A later acknowledgement of a closed command changes nothing.
    await msg('huongdao-02', 'ack', { id: 'cmd-own', ok: false, at: now, error: 'lần hai' });
    expect((await db().selectFrom('radio_command').select(['ok', 'acked_at']).where('id', '=', 'cmd-own').executeTakeFirstOrThrow()).acked_at).toBe(commands[2]!.acked_at);
    const cluster = await db().selectFrom('radio_cluster').select(['volume', 'playing', 'playing_priority', 'signal', 'online']).where('device_id', '=', 'huongdao-02').executeTakeFirstOrThrow();
    expect(cluster).toEqual({ volume: 42, playing: item, playing_priority: 'emergency', signal: null, online: 1 });
    expect((await db().selectFrom('radio_cluster').select('volume').where('device_id', '=', 'test-cum-01').executeTakeFirstOrThrow()).volume).not.toBe(7);
    const logs = await db().selectFrom('radio_play_log').select(['device_id', 'unit_id', 'item', 'seq']).where('device_id', 'in', ['huongdao-02', 'khong-co-01']).execute();
    expect(logs).toEqual([{ device_id: 'huongdao-02', unit_id: 'u-25201', item, seq: 7 }]);

    // What plays now follows the playback events (no heartbeat needed), and the live dashboard hears it;
    // a heartbeat after an event in the same batch wins.
    const heard: LiveState[] = [];
    const listen = (state: LiveState) => heard.push(state);
    memoryOf(t.ctx).listeners.add(listen);
    const playing = async () => (await db().selectFrom('radio_cluster').select(['playing', 'playing_priority']).where('device_id', '=', 'huongdao-02').executeTakeFirstOrThrow()).playing;
    await msg('huongdao-02', 'log', { item, event: 'finished', priority: 'emergency', at: now });
    expect(await playing()).toBeNull();
    await msg('huongdao-02', 'log', { item: 'chuong-trinh-sang', event: 'started', priority: 'normal', at: now });
    expect(await playing()).toBe('chuong-trinh-sang');
    expect(heard.map((h) => [h.playing, h.playing_priority, h.online, h.volume])).toEqual([
      [null, null, true, 42],
      ['chuong-trinh-sang', 'normal', true, 42],
    ]);
    await Promise.all([msg('huongdao-02', 'log', { item: 'x-1', event: 'started', priority: 'normal', at: now }), msg('huongdao-02', 'status', JSON.parse(beat({ playing: null, volume: 42 })) as object)]);
    expect(await playing()).toBeNull();
    memoryOf(t.ctx).listeners.delete(listen);
  });

  it('records a command as sent when the broker takes it, as unsent when it refuses it or no hub runs here', async () => {
    const hubLink = linkFor(t.ctx)!;
    const published: string[] = [];
    attachLink(t.ctx, { publish: (topic) => (topic.includes('huongdao-03') ? Promise.reject(new Error('broker closing')) : (published.push(topic), Promise.resolve())) });
    try {
      const ids = await sendCommands(t.ctx, 'u-25201', ['huongdao-01', 'huongdao-02', 'huongdao-03'].map((deviceId) => ({ deviceId, op: 'volume' as const, body: { volume: 50 }, detail: '50' })));
      const rows = await db().selectFrom('radio_command').select(['id', 'device_id', 'sent_at']).where('id', 'in', ids).execute();
      expect(Object.fromEntries(rows.map((r) => [r.device_id, r.sent_at !== null]))).toEqual({ 'huongdao-01': true, 'huongdao-02': true, 'huongdao-03': false });
      expect(published).toEqual([topics.command('huongdao-01'), topics.command('huongdao-02')]);
      attachLink(t.ctx, null);
      const [alone] = await sendCommands(t.ctx, 'u-25201', [{ deviceId: 'huongdao-01', op: 'stop', body: {}, detail: '' }]);
      expect((await db().selectFrom('radio_command').select('sent_at').where('id', '=', alone!).executeTakeFirstOrThrow()).sent_at).toBeNull();
    } finally {
      attachLink(t.ctx, hubLink);
    }
  });
});

describe('the platform on an external broker (the local Mosquitto, MQTT_URL)', () => {
  it('receives heartbeats through it and updates the cluster', async () => {
    const t = await testApp('sqlite');
    const url = process.env.TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';
    const hub = (await startDeviceHub({ ...t.ctx, config: { ...t.ctx.config, mqtt: { port: 0, url } } }, silent, { host: '127.0.0.1' }))!;
    try {
      expect(hub.url).toBe(url);
      const device = await connect(url);
      await device.publishAsync(topics.status('huongdao-02'), beat({ volume: 33 }), { qos: 1 });
      await expect.poll(async () => (await t.ctx.database.db.selectFrom('radio_cluster').select('volume').where('device_id', '=', 'huongdao-02').executeTakeFirstOrThrow()).volume).toBe(33);
      await device.endAsync();
    } finally {
      await hub.close();
      await t.close();
    }
  });

});
