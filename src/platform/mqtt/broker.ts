import crypto from 'node:crypto';
import net from 'node:net';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import { indexedMemoryPersistence } from './retained.ts';

/**
 * The embedded MQTT broker (aedes 1.2) that `npm start` runs on its own port, so the platform needs no
 * broker service of its own. Who may connect, subscribe and publish is the `BrokerPolicy`'s decision
 * (a module's: e.g. the radio's per-device credentials and topics); the platform's own client signs in
 * with a service secret and may do anything. A refused connection gets "bad user name or password"; a
 * refused subscription a failure code in its SUBACK; a refused publication disconnects the client (the
 * MQTT 3.1.1 rule) — each is reported to `onRefused`.
 */
export interface BrokerPolicy {
  /** The identity (e.g. a device id) of valid credentials, or null. */
  authenticate(username: string, password: string): Promise<string | null>;
  canSubscribe(identity: string, topic: string): boolean;
  canPublish(identity: string, topic: string): boolean;
  onRefused?(event: { kind: 'connect' | 'subscribe' | 'publish'; clientId: string; identity?: string; topic?: string }): void;
}

export interface EmbeddedBroker {
  port: number;
  url: string;
  /** The user name the platform's own client uses with `serviceSecret`. */
  serviceUser: string;
  serviceSecret: string;
  /** Ends every connection signed in as this identity (its credentials changed); how many there were. */
  disconnect(identity: string): number;
  /** How many clients are connected now. */
  connected(): number;
  /** Publishes from inside the process (no client, no network round trip): delivered like any message. */
  publish(topic: string, payload: string | Buffer, options?: { qos?: 0 | 1; retain?: boolean }): Promise<void>;
  /** Receives, inside the process, what clients publish to topics matching `filter`. */
  subscribe(filter: string, handler: (topic: string, payload: Buffer) => void): Promise<void>;
  close(): Promise<void>;
}

export const SERVICE_USER = 'xaso-platform';

/**
 * Messages aedes's emitter (mqemitter) delivers at once; the rest wait in an array it takes from
 * with `shift()`, which costs time in proportion to its length. With aedes's default of 100, the
 * 10,000 commands of an emergency (and the 30,000 answers that follow) queued there, and the
 * shifting took more CPU than the delivering. Set above a fleet's size, a burst is delivered as it
 * comes. The benchmark's bare broker uses the same setting (bench/servers/aedes.mjs).
 */
export const BROKER_CONCURRENCY = 50_000;
const SERVICE = Symbol('service');

export async function startBroker(options: { host: string; port: number; policy: BrokerPolicy; serviceSecret?: string }): Promise<EmbeddedBroker> {
  const { policy } = options;
  const serviceSecret = options.serviceSecret ?? crypto.randomBytes(24).toString('base64url');
  const identities = new WeakMap<object, string | typeof SERVICE>();
  const same = (a: string, b: string) => a.length === b.length && crypto.timingSafeEqual(Buffer.from(a), Buffer.from(b));
  const refused = (code: number): AuthenticateError => Object.assign(new Error('refused'), { returnCode: code });

  const broker = await Aedes.createBroker({
    concurrency: BROKER_CONCURRENCY,
    persistence: indexedMemoryPersistence(),
    authenticate: (client, username, password, done) => {
      const user = username ?? '';
      const secret = password?.toString('utf8') ?? '';
      if (user === SERVICE_USER) {
        if (same(secret, serviceSecret)) {
          identities.set(client, SERVICE);
          return done(null, true);
        }
        policy.onRefused?.({ kind: 'connect', clientId: client.id });
        return done(refused(4), false);
      }
      policy.authenticate(user, secret).then(
        (identity) => {
          if (!identity) {
            policy.onRefused?.({ kind: 'connect', clientId: client.id });
            return done(refused(4), false);
          }
          identities.set(client, identity);
          done(null, true);
        },
        () => done(refused(3), false),
      );
    },
    authorizeSubscribe: (client, subscription, done) => {
      const identity = identities.get(client);
      if (identity === SERVICE) return done(null, subscription);
      if (identity && policy.canSubscribe(identity, subscription.topic)) return done(null, subscription);
      policy.onRefused?.({ kind: 'subscribe', clientId: client.id, ...(identity ? { identity } : {}), topic: subscription.topic });
      done(null, null);
    },
    authorizePublish: (client, packet, done) => {
      // The broker's own publications (client null) and the platform's are always allowed.
      if (!client) return done(null);
      const identity = identities.get(client);
      if (identity === SERVICE) return done(null);
      if (identity && policy.canPublish(identity, packet.topic)) return done(null);
      policy.onRefused?.({ kind: 'publish', clientId: client.id, ...(identity ? { identity } : {}), topic: packet.topic });
      done(new Error('not allowed'));
    },
  });
  const server = net.createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  let clients = 0;
  // The connections of each signed-in identity, to end them when its credentials change.
  const byIdentity = new Map<string, Set<Client>>();
  broker.on('client', (client) => {
    clients++;
    const identity = identities.get(client);
    if (typeof identity !== 'string') return;
    let set = byIdentity.get(identity);
    if (!set) byIdentity.set(identity, (set = new Set()));
    set.add(client);
  });
  broker.on('clientDisconnect', (client) => {
    clients--;
    const identity = identities.get(client);
    if (typeof identity !== 'string') return;
    const set = byIdentity.get(identity);
    set?.delete(client);
    if (set?.size === 0) byIdentity.delete(identity);
  });
  return {
    port,
    url: `mqtt://${options.host === '0.0.0.0' ? '127.0.0.1' : options.host}:${port}`,
    serviceUser: SERVICE_USER,
    serviceSecret,
    connected: () => clients,
    disconnect: (identity) => {
      // Closed by the broker, not by the device: its last will ("online": false) is published.
      const open = [...(byIdentity.get(identity) ?? [])];
      for (const client of open) client.close();
      return open.length;
    },
    publish: (topic, payload, o = {}) =>
      new Promise<void>((resolve, reject) => {
        broker.publish({ cmd: 'publish', topic, payload: typeof payload === 'string' ? Buffer.from(payload) : payload, qos: o.qos ?? 1, retain: o.retain ?? false, dup: false }, (err) => (err ? reject(err) : resolve()));
      }),
    subscribe: (filter, handler) =>
      new Promise<void>((resolve) => {
        broker.subscribe(
          filter,
          (packet, done) => {
            handler(packet.topic, Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload));
            // Not in the same stack: aedes would deliver the next queued message recursively (a burst
            // of 10,000 overflowed the stack).
            process.nextTick(done);
          },
          () => resolve(),
        );
      }),
    close: () =>
      new Promise<void>((resolve) => {
        broker.close(() => server.close(() => resolve()));
      }),
  };
}
