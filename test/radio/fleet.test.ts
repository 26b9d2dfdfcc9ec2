import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMqtt } from '../support/mqtt.ts';
import { DIALECTS } from '../support/databases.ts';
import { Browser, testApp, type TestApp } from '../support/app.ts';
import { signIn } from '../support/auth.ts';
import { startDeviceHub, type DeviceHub } from '../../src/platform/mqtt/hub.ts';
import { topics } from '../../src/modules/radio/index.ts';
import { logRefusal } from '../../src/modules/radio/fleet.ts';

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
    await first.endAsync();
    const rotated = await official.post(`${url}/cap-mat-khau`, { _csrf: csrf });
    const newSecret = /data-testid="secret">([A-Za-z0-9_-]+)</.exec(rotated.body)![1]!;
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
    await (await connect(hub.url, 'test-cum-01', secret)).endAsync();
    expect((await official.post(`${url}/thu-hoi`, { _csrf: csrf, confirm: 'on' })).statusCode).toBe(303);
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
