import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type EmbeddedBroker } from '../../src/platform/mqtt/broker.ts';
import { DeviceLink } from '../../src/modules/radio/device-link.ts';
import { connectMqtt } from '../support/mqtt.ts';
import { deviceMayPublish, deviceMaySubscribe, topics } from '../../src/modules/radio/index.ts';

// The virtual clusters' own MQTT 3.1.1 link (mqtt-packet over a socket), against the embedded broker
// with the protocol's credentials and ACL — and, where it runs, the local Mosquitto.
const SECRET = 'secret-one-xxxxxxxx';

describe('the device link', () => {
  let broker: EmbeddedBroker;
  const heard: { topic: string; payload: string }[] = [];
  const links: DeviceLink[] = [];
  const link = (id = 'cum-loa-01', secret = SECRET, will = false) => {
    const l = new DeviceLink(broker.url, { clientId: id, username: id, password: secret, reconnectMs: 100, ...(will ? { will: { topic: topics.status(id), payload: Buffer.from('gone'), qos: 0 as const, retain: false } } : {}) });
    links.push(l);
    return l;
  };

  beforeAll(async () => {
    broker = await startBroker({
      host: '127.0.0.1',
      port: 0,
      policy: {
        authenticate: (u, p) => Promise.resolve(u.startsWith('cum-loa-') && p === SECRET ? u : null),
        canSubscribe: deviceMaySubscribe,
        canPublish: deviceMayPublish,
      },
    });
    for (const filter of [topics.allStatus, topics.allAcks]) await broker.subscribe(filter, (topic, payload) => heard.push({ topic, payload: payload.toString() }));
  });
  afterAll(async () => {
    await Promise.all(links.map((l) => l.end(true)));
    await broker?.close();
  });

  it('refuses wrong credentials and a subscription outside its own topic', async () => {
    await expect(link('cum-loa-01', 'wrong').connect()).rejects.toThrow(/refused.*code 4/);
    const l = link('cum-loa-02');
    await l.connect();
    await expect(l.subscribe(topics.command('cum-loa-03'), 1)).rejects.toThrow(/refused/);
    await l.end();
  });

  it('hears its commands (acknowledging them) and publishes its answers, QoS 0 and 1', async () => {
    const l = link('cum-loa-04');
    const got: string[] = [];
    l.onMessage = (_t, p) => got.push(p.toString());
    await l.connect();
    await l.subscribe(topics.command('cum-loa-04'), 1);
    await broker.publish(topics.command('cum-loa-04'), 'c1', { qos: 1 });
    await expect.poll(() => got).toEqual(['c1']);
    l.publish(topics.ack('cum-loa-04'), 'a1', { qos: 1 });
    l.publish(topics.status('cum-loa-04'), 's1', { qos: 0, retain: true });
    // Two topics: no order between them.
    await expect.poll(() => heard.filter((h) => h.topic.includes('cum-loa-04')).map((h) => h.payload).sort()).toEqual(['a1', 's1']);
    await l.end();
  });

  it('reconnects after a lost link, keeps its subscription and sends what was not acknowledged', async () => {
    const l = link('cum-loa-05', SECRET, true);
    const got: string[] = [];
    l.onMessage = (_t, p) => got.push(p.toString());
    await l.connect();
    await l.subscribe(topics.command('cum-loa-05'), 1);
    // The link drops (as a mobile network does): the broker publishes the will; the device reconnects.
    (l as unknown as { socket: net.Socket }).socket.destroy();
    await expect.poll(() => l.connected, { interval: 5 }).toBe(false);
    l.publish(topics.ack('cum-loa-05'), 'while-offline', { qos: 1 });
    l.publish(topics.status('cum-loa-05'), 'dropped-qos0', { qos: 0 });
    await expect.poll(() => l.connected).toBe(true);
    await expect.poll(() => heard.filter((h) => h.topic.includes('cum-loa-05')).map((h) => h.payload)).toEqual(['gone', 'while-offline']);
    await broker.publish(topics.command('cum-loa-05'), 'after', { qos: 1 });
    await expect.poll(() => got).toEqual(['after']);
    // A clean end: no will.
    await l.end();
    await new Promise((r) => setTimeout(r, 100));
    expect(heard.filter((h) => h.topic.includes('cum-loa-05') && h.payload === 'gone')).toHaveLength(1);
  });
});

describe('the device link through the local Mosquitto', () => {
  it('hears a command and its answer reaches the platform', async () => {
    const url = process.env.TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';
    const id = `cum-loa-mosq-${process.pid}`;
    const platform = await connectMqtt(url);
    const l = new DeviceLink(url, { clientId: id, username: id, password: SECRET });
    try {
      const answers: string[] = [];
      platform.on('message', (_t, p) => answers.push(p.toString()));
      await platform.subscribeAsync(topics.ack(id), { qos: 1 });
      const got: string[] = [];
      l.onMessage = (_t, p) => {
        got.push(p.toString());
        l.publish(topics.ack(id), `ack:${p.toString()}`, { qos: 1 });
      };
      await l.connect();
      await l.subscribe(topics.command(id), 1);
      await platform.publishAsync(topics.command(id), 'c1', { qos: 1 });
      await expect.poll(() => answers).toEqual(['ack:c1']);
      expect(got).toEqual(['c1']);
    } finally {
      await l.end();
      await platform.endAsync();
    }
  });
});
