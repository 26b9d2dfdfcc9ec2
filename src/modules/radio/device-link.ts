import net from 'node:net';
import { generate, parser, type IPublishPacket, type Packet } from 'mqtt-packet';

/**
 * A speaker cluster's MQTT 3.1.1 link, as small as a device's firmware client: connect with the
 * device's credentials and last will (persistent session), subscribe, receive publications
 * (acknowledging QoS 1 ones), publish at QoS 0 or 1 (QoS 1 kept until the broker's PUBACK and sent
 * again, marked duplicate, after a reconnection), keep-alive pings, reconnect after a lost link.
 *
 * The virtual clusters use it rather than mqtt.js, whose general-purpose client (streams, stores,
 * options cloned per message) cost ~130 µs of CPU per command received and answered: 10,000 of
 * them in one process took longer than the broker to handle an emergency. Packets are encoded and
 * parsed by mqtt-packet (mqtt.js's own codec); everything a device sends in one turn of the event
 * loop leaves in one socket write.
 */
export interface DeviceLinkOptions {
  clientId: string;
  username: string;
  password: string;
  will?: { topic: string; payload: Buffer; qos: 0 | 1; retain: boolean };
  /** Seconds between pings when nothing else is sent (the protocol says 60). */
  keepaliveS?: number;
  /** Milliseconds before reconnecting after a lost link. */
  reconnectMs?: number;
}

export class DeviceLink {
  /** Whether the broker has accepted the connection (CONNACK 0) and the link is up. */
  connected = false;
  /** Publications received: topic and payload. */
  onMessage: (topic: string, payload: Buffer) => void = () => {};
  private socket: net.Socket | undefined;
  private ended = false;
  private nextId = 1;
  /** QoS 1 publications waiting for their PUBACK, by packet id (sent again after a reconnection). */
  private readonly unacked = new Map<number, IPublishPacket>();
  private readonly subscriptions: { topic: string; qos: 0 | 1 }[] = [];
  private readonly subacks = new Map<number, (granted: number[]) => void>();
  private out: Buffer[] = [];
  private sentSincePing = false;
  private awaitingPong = false;
  private keepalive: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly url: string,
    private readonly options: DeviceLinkOptions,
  ) {}

  /** Connects; rejects when the broker cannot be reached or refuses the credentials. */
  connect(): Promise<void> {
    return new Promise((resolve, reject) => this.open(resolve, reject));
  }

  /** Subscribes (again after every reconnection); resolves with the granted QoS, rejects when refused. */
  async subscribe(topic: string, qos: 0 | 1): Promise<void> {
    this.subscriptions.push({ topic, qos });
    const granted = await new Promise<number[]>((resolve) => {
      const messageId = this.id();
      this.subacks.set(messageId, resolve);
      this.send({ cmd: 'subscribe', messageId, subscriptions: [{ topic, qos }] });
    });
    if (granted.some((g) => g === 128)) throw new Error(`subscription to ${topic} refused`);
  }

  /** Publishes; a QoS 1 publication is delivered at least once, across reconnections. QoS 0 is dropped while offline. */
  publish(topic: string, payload: string | Buffer, options: { qos: 0 | 1; retain?: boolean }): void {
    const packet: IPublishPacket = { cmd: 'publish', topic, payload: typeof payload === 'string' ? Buffer.from(payload) : payload, qos: options.qos, retain: options.retain ?? false, dup: false };
    if (options.qos === 1) {
      packet.messageId = this.id();
      this.unacked.set(packet.messageId, packet);
    }
    if (this.connected) this.send(packet);
  }

  /** Ends the link: a clean DISCONNECT (so the broker does not publish the will) unless `force`. */
  end(force = false): Promise<void> {
    this.ended = true;
    clearTimeout(this.retry);
    clearInterval(this.keepalive);
    const socket = this.socket;
    if (!socket || socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      socket.once('close', () => resolve());
      if (force || !this.connected) socket.destroy();
      else {
        this.send({ cmd: 'disconnect' });
        this.flush();
        socket.end();
      }
    });
  }

  private id(): number {
    // 1…65535, skipping ids still in use.
    do this.nextId = (this.nextId % 65535) + 1;
    while (this.unacked.has(this.nextId) || this.subacks.has(this.nextId));
    return this.nextId;
  }

  private open(resolve?: () => void, reject?: (err: Error) => void) {
    const { hostname, port } = new URL(this.url);
    const socket = (this.socket = net.connect({ host: hostname, port: Number(port || 1883) }));
    socket.setNoDelay(true);
    const incoming = parser({ protocolVersion: 4 });
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      reject?.(err);
    };
    incoming.on('packet', (packet: Packet) => {
      if (packet.cmd === 'connack') {
        if (packet.returnCode !== 0) {
          fail(new Error(`connection refused by the broker (code ${packet.returnCode})`));
          socket.destroy();
          return;
        }
        this.connected = true;
        settled = true;
        this.startKeepalive();
        // A persistent session keeps the subscriptions; subscribing again costs nothing and covers a
        // broker that lost them. Unacknowledged publications go again, marked duplicate.
        for (const s of this.subscriptions) this.send({ cmd: 'subscribe', messageId: this.id(), subscriptions: [s] });
        for (const p of this.unacked.values()) this.send({ ...p, dup: true });
        resolve?.();
      } else this.receive(packet);
    });
    incoming.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => incoming.parse(chunk));
    socket.on('error', (err) => fail(err));
    socket.on('close', () => {
      this.connected = false;
      this.out = [];
      clearInterval(this.keepalive);
      if (!settled) fail(new Error('the broker closed the connection'));
      else if (!this.ended) this.retry = setTimeout(() => this.open(), this.options.reconnectMs ?? 2000);
    });
    const { clientId, username, password, will } = this.options;
    this.send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: false, clientId, keepalive: this.options.keepaliveS ?? 60, username, password: Buffer.from(password), ...(will ? { will } : {}) });
  }

  private receive(packet: Packet) {
    if (packet.cmd === 'publish') {
      if (packet.qos === 1 && packet.messageId !== undefined) this.send({ cmd: 'puback', messageId: packet.messageId });
      this.onMessage(packet.topic, Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload));
    } else if (packet.cmd === 'puback') {
      if (packet.messageId !== undefined) this.unacked.delete(packet.messageId);
    } else if (packet.cmd === 'suback') {
      const done = packet.messageId === undefined ? undefined : this.subacks.get(packet.messageId);
      if (done) {
        this.subacks.delete(packet.messageId!);
        done(packet.granted.map((g) => (typeof g === 'number' ? g : (g as { qos: number }).qos)));
      }
    } else if (packet.cmd === 'pingresp') {
      this.awaitingPong = false;
    }
  }

  /**
   * Checked every half keep-alive period: a ping when nothing was sent since the last check (so the
   * broker never waits longer than the period), and a link whose ping went unanswered is dropped.
   */
  private startKeepalive() {
    clearInterval(this.keepalive);
    this.keepalive = setInterval(
      () => {
        if (this.awaitingPong) return this.socket?.destroy();
        if (this.sentSincePing) {
          this.sentSincePing = false;
          return;
        }
        this.awaitingPong = true;
        this.send({ cmd: 'pingreq' });
      },
      (this.options.keepaliveS ?? 60) * 500,
    );
    this.keepalive.unref();
  }

  /**
   * Queues a packet; what is queued in one tick leaves in one write, at once (an acknowledgement
   * must not wait for the other sockets' messages of the same turn of the event loop).
   */
  private send(packet: Packet) {
    if (!this.socket || this.socket.destroyed) return;
    this.out.push(generate(packet, { protocolVersion: 4 }));
    this.sentSincePing = true;
    if (this.out.length === 1) process.nextTick(() => this.flush());
  }

  private flush() {
    if (this.out.length === 0 || !this.socket || this.socket.destroyed) return;
    this.socket.write(this.out.length === 1 ? this.out[0]! : Buffer.concat(this.out));
    this.out = [];
  }
}
