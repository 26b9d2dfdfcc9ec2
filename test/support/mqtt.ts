import mqtt, { type MqttClient } from 'mqtt';

/** A device (or any client) connected to `url`, or the broker's refusal as a rejection; no reconnecting. */
export function connectMqtt(url: string, username?: string, password?: string): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const c = mqtt.connect(url, { username, password, reconnectPeriod: 0, connectTimeout: 3000, protocolVersion: 4 });
    c.once('connect', () => resolve(c));
    c.once('error', (e) => {
      c.end(true);
      reject(e);
    });
  });
}
