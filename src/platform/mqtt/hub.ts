import mqtt, { type MqttClient } from 'mqtt';
import type { AppContext } from '../context.ts';
import { startBroker, type EmbeddedBroker } from './broker.ts';

/**
 * Devices' MQTT for the platform: the embedded broker (unless `MQTT_URL` names an external one, whose
 * own configuration then enforces the devices' credentials and ACL — docs/RADIO-PROTOCOL.md), listened
 * to from inside the process, or the platform's client of the external one, subscribed to what the
 * module providing `devices` listens to. Each message is
 * handed to it as it arrives; its errors are logged, never thrown into the client.
 */
export interface DeviceHub {
  /** The broker's URL (embedded or external). */
  url: string;
  publish(topic: string, payload: string, options?: { qos?: 0 | 1; retain?: boolean }): Promise<void>;
  close(): Promise<void>;
}

export async function startDeviceHub(ctx: AppContext, log: { error: (obj: object, msg: string) => void; warn: (obj: object, msg: string) => void }, options: { host: string }): Promise<DeviceHub | null> {
  const hooks = ctx.modules.find((m) => m.devices)?.devices;
  if (!hooks) return null;
  const onMessage = (topic: string, payload: Buffer) => {
    hooks.onMessage(ctx, topic, payload).catch((err: unknown) => log.error({ err, topic }, 'device message failed'));
  };
  let broker: EmbeddedBroker | null = null;
  let client: MqttClient | null = null;
  let publish: DeviceHub['publish'];
  if (ctx.config.mqtt.url) {
    const c = (client = await mqtt.connectAsync(ctx.config.mqtt.url, { reconnectPeriod: 2000, clientId: `xaso-${process.pid}` }));
    c.on('message', onMessage);
    c.on('error', (err) => log.error({ err }, 'MQTT client error'));
    if (hooks.subscriptions.length) await c.subscribeAsync(hooks.subscriptions, { qos: 1 });
    publish = async (topic, payload, o = {}) => {
      await c.publishAsync(topic, payload, { qos: o.qos ?? 1, retain: o.retain ?? false });
    };
  } else {
    try {
      broker = await startBroker({
        host: options.host,
        port: ctx.config.mqtt.port,
        policy: {
          authenticate: (u, p) => hooks.authenticate(ctx, u, p),
          canSubscribe: hooks.canSubscribe,
          canPublish: hooks.canPublish,
          onRefused: (e) => {
            log.warn(e, 'device refused');
            hooks.onRefused?.(ctx, e);
          },
        },
      });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new Error(`The MQTT port ${ctx.config.mqtt.port} is in use: set MQTT_PORT (0 = any free port) or MQTT_URL (an external broker).`);
      throw err;
    }
    // In the same process as the broker: the platform publishes and listens inside it, without a
    // client of its own (no encoding, no loopback round trip per message: it halves a fan-out's work).
    const embedded = broker;
    for (const filter of hooks.subscriptions) await embedded.subscribe(filter, onMessage);
    publish = (topic, payload, o) => embedded.publish(topic, payload, o ?? {});
  }
  const b = broker;
  hooks.attach?.(ctx, b ? { publish, disconnect: (identity) => b.disconnect(identity) } : { publish });
  return {
    url: broker?.url ?? ctx.config.mqtt.url!,
    publish,
    close: async () => {
      hooks.attach?.(ctx, null);
      await client?.endAsync();
      await broker?.close();
    },
  };
}
