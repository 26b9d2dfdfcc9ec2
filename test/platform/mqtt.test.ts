import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { connectMqtt } from '../support/mqtt.ts';
import { startBroker, type EmbeddedBroker } from '../../src/platform/mqtt/broker.ts';
import { topicMatches } from '../../src/platform/mqtt/retained.ts';
import { deviceMayPublish, deviceMaySubscribe, readHeartbeat, topics } from '../../src/modules/radio/index.ts';

const DEVICES: Record<string, string> = { 'cum-loa-01': 'secret-one-xxxxxxxx', 'cum-loa-02': 'secret-two-yyyyyyyy' };
const beat = (over: Record<string, unknown> = {}) => JSON.stringify({ v: 1, at: new Date().toISOString(), online: true, playing: null, volume: 70, power: 'mains', signal: 80, schedule: 3, firmware: '1.4.2', ...over });

const connect = connectMqtt;
const closed = (c: MqttClient) => new Promise<void>((resolve) => (c.disconnected ? resolve() : c.once('close', () => resolve())));

describe('the embedded broker with per-device credentials and the protocol’s ACL', () => {
  let broker: EmbeddedBroker;
  let platform: MqttClient;
  const refusals: { kind: string; identity?: string; topic?: string }[] = [];
  const received: { topic: string; payload: string }[] = [];

  beforeAll(async () => {
    broker = await startBroker({
      host: '127.0.0.1',
      port: 0,
      policy: {
        authenticate: (u, p) => Promise.resolve(DEVICES[u] !== undefined && DEVICES[u] === p ? u : null),
        canSubscribe: deviceMaySubscribe,
        canPublish: deviceMayPublish,
        onRefused: (e) => refusals.push(e),
      },
    });
    platform = await connect(broker.url, broker.serviceUser, broker.serviceSecret);
    await platform.subscribeAsync([topics.allStatus, topics.allAcks]);
    platform.on('message', (topic, payload) => received.push({ topic, payload: payload.toString() }));
  });
  afterAll(async () => {
    await platform?.endAsync();
    await broker?.close();
  });

  it('refuses wrong credentials, and logs it', async () => {
    await expect(connect(broker.url, 'cum-loa-01', 'wrong')).rejects.toThrow(/Bad username or password/i);
    await expect(connect(broker.url)).rejects.toThrow();
    await expect(connect(broker.url, broker.serviceUser, 'guess')).rejects.toThrow();
    expect(refusals.filter((r) => r.kind === 'connect')).toHaveLength(3);
  });

  it('lets a device hear its own commands and report its own status, which the platform receives', async () => {
    const device = await connect(broker.url, 'cum-loa-01', DEVICES['cum-loa-01']);
    const granted = await device.subscribeAsync([topics.command('cum-loa-01')], { qos: 1 });
    expect(granted[0]!.qos).toBe(1);
    const commands: string[] = [];
    device.on('message', (_t, p) => commands.push(p.toString()));
    await platform.publishAsync(topics.command('cum-loa-01'), JSON.stringify({ v: 1, id: 'c1', op: 'stop' }), { qos: 1 });
    await expect.poll(() => commands).toEqual([JSON.stringify({ v: 1, id: 'c1', op: 'stop' })]);
    await device.publishAsync(topics.status('cum-loa-01'), beat(), { qos: 0, retain: true });
    await expect.poll(() => received.map((r) => r.topic)).toContain(topics.status('cum-loa-01'));
    const last = received.find((r) => r.topic === topics.status('cum-loa-01'))!;
    expect(readHeartbeat(Buffer.from(last.payload))).toMatchObject({ ok: true, value: { volume: 70, power: 'mains' } });
    await device.endAsync();
  });

  it('refuses a device another device’s command topic or a wildcard (a failure in the SUBACK)', async () => {
    const device = await connect(broker.url, 'cum-loa-02', DEVICES['cum-loa-02']);
    // mqtt.js rejects a SUBACK carrying failures; the packet tells which.
    const error = (await device.subscribeAsync([topics.command('cum-loa-01'), 'xaso/v1/dev/+/cmd', '#']).catch((e: unknown) => e)) as { packet?: { granted?: number[] } };
    expect(error.packet?.granted).toEqual([128, 128, 128]);
    expect(refusals.filter((r) => r.kind === 'subscribe' && r.identity === 'cum-loa-02')).toHaveLength(3);
    await device.endAsync();
  });

  it('disconnects a device that publishes to another device’s topic, and logs it; nothing reaches the platform', async () => {
    const device = await connect(broker.url, 'cum-loa-02', DEVICES['cum-loa-02']);
    const before = received.length;
    device.publish(topics.status('cum-loa-01'), beat({ volume: 5 }), { qos: 0 });
    await closed(device);
    expect(refusals).toContainEqual({ kind: 'publish', clientId: expect.any(String) as string, identity: 'cum-loa-02', topic: topics.status('cum-loa-01') });
    await new Promise((r) => setTimeout(r, 100));
    expect(received.slice(before)).toEqual([]);
    device.end(true);
  });

  it('gives a new subscription the retained messages its filter matches (one look-up for an exact topic), and forgets a cleared one', async () => {
    // The platform's own retained messages (its client may publish anywhere): a status of each device.
    await platform.publishAsync(topics.status('cum-loa-01'), beat({ volume: 41 }), { qos: 1, retain: true });
    await platform.publishAsync(topics.status('cum-loa-02'), beat({ volume: 42 }), { qos: 1, retain: true });
    await platform.publishAsync('xaso/other/thing', 'x', { qos: 1, retain: true });
    const watcher = await connect(broker.url, broker.serviceUser, broker.serviceSecret);
    const got: { topic: string; volume: number; retain: boolean }[] = [];
    watcher.on('message', (topic, payload, packet) => payload.length && got.push({ topic, volume: (JSON.parse(payload.toString()) as { volume: number }).volume, retain: packet.retain }));
    await watcher.subscribeAsync(topics.status('cum-loa-02'), { qos: 1 });
    await expect.poll(() => got).toEqual([{ topic: topics.status('cum-loa-02'), volume: 42, retain: true }]);
    await watcher.subscribeAsync(topics.allStatus, { qos: 1 });
    await expect.poll(() => got.length).toBe(3);
    expect(got.slice(1).map((g) => g.volume).sort()).toEqual([41, 42]);
    // An empty retained message clears the topic: a later subscriber hears nothing of it.
    await platform.publishAsync(topics.status('cum-loa-01'), '', { qos: 1, retain: true });
    const late = await connect(broker.url, broker.serviceUser, broker.serviceSecret);
    const heard: string[] = [];
    late.on('message', (topic) => heard.push(topic));
    await late.subscribeAsync([topics.status('cum-loa-01'), topics.allStatus], { qos: 1 });
    await expect.poll(() => heard).toEqual([topics.status('cum-loa-02')]);
    await new Promise((r) => setTimeout(r, 100));
    expect(heard).toEqual([topics.status('cum-loa-02')]);
    await platform.publishAsync('xaso/other/thing', '', { qos: 1, retain: true });
    await watcher.endAsync();
    await late.endAsync();
  });

  it('matches topic filters by the MQTT rules', () => {
    expect(topicMatches('a/b/c', 'a/b/c')).toBe(true);
    expect(topicMatches('a/+/c', 'a/b/c')).toBe(true);
    expect(topicMatches('a/+', 'a/b/c')).toBe(false);
    expect(topicMatches('a/#', 'a')).toBe(true);
    expect(topicMatches('a/#', 'a/b/c')).toBe(true);
    expect(topicMatches('a/b/#', 'a/c')).toBe(false);
    expect(topicMatches('#', 'x/y')).toBe(true);
    expect(topicMatches('+/+', 'x/y')).toBe(true);
    expect(topicMatches('+', 'x/y')).toBe(false);
    expect(topicMatches('a/+/c', 'a//c')).toBe(true);
    expect(topicMatches('#', '$SYS/broker')).toBe(false);
    expect(topicMatches('+/broker', '$SYS/broker')).toBe(false);
    expect(topicMatches('$SYS/#', '$SYS/broker')).toBe(true);
    expect(topicMatches('a/b', 'a/b/c')).toBe(false);
  });

  it('drops malformed device messages with a reason, never throwing', () => {
    expect(readHeartbeat(Buffer.from('not json'))).toEqual({ ok: false, reason: 'not_json' });
    expect(readHeartbeat(Buffer.from(beat({ volume: 300 })))).toEqual({ ok: false, reason: 'invalid' });
    expect(readHeartbeat(Buffer.from(beat({ v: 2 })))).toEqual({ ok: false, reason: 'invalid' });
    expect(readHeartbeat(Buffer.alloc(5000, 32))).toEqual({ ok: false, reason: 'too_large' });
  });
});

describe('the same protocol through the local Mosquitto (an external broker: MQTT_URL)', () => {
  it('carries a command to a device and its status back to the platform', async () => {
    // Mosquitto enforces device credentials and ACLs through its own configuration (docs/RADIO-PROTOCOL.md);
    // here it checks that the platform's client side works against a broker that is not aedes.
    const url = process.env.TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';
    const id = `test-${Date.now().toString(36)}`;
    const platform = await connect(url);
    const device = await connect(url);
    await platform.subscribeAsync(topics.status(id), { qos: 1 });
    await device.subscribeAsync(topics.command(id), { qos: 1 });
    const got: string[] = [];
    device.on('message', (_t, p) => {
      got.push(p.toString());
      device.publish(topics.status(id), beat({ volume: 42 }), { qos: 1 });
    });
    const statuses: string[] = [];
    platform.on('message', (_t, p) => statuses.push(p.toString()));
    await platform.publishAsync(topics.command(id), JSON.stringify({ v: 1, id: 'c9', op: 'volume', volume: 42 }), { qos: 1 });
    await expect.poll(() => statuses.length).toBe(1);
    expect(got).toHaveLength(1);
    expect(readHeartbeat(Buffer.from(statuses[0]!))).toMatchObject({ ok: true, value: { volume: 42 } });
    await platform.endAsync();
    await device.endAsync();
  });
});
