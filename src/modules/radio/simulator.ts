import { DeviceLink } from './device-link.ts';
import { PROTOCOL_VERSION, topics, type Heartbeat } from './protocol.ts';
import type { SyncSlot } from './schedules.ts';

/**
 * A virtual speaker cluster that follows docs/RADIO-PROTOCOL.md exactly as a device must: it signs in
 * with its own credentials, listens on its command topic, acknowledges every command at once, keeps
 * the highest schedule version it was sent (and plays it with or without the link), heartbeats, logs
 * playback — and an emergency pre-empts what plays, after which the programme continues with its next
 * item. Used by `xaso radio simulate`, the demo and the tests; it plays nothing aloud, it only keeps time.
 */
export interface SimulatorOptions {
  url: string;
  deviceId: string;
  secret: string;
  /** Seconds between heartbeats (the protocol says 30). */
  heartbeatS?: number;
  /** Play items this many times faster than real time (tests); 1 = real time. */
  speed?: number;
  firmware?: string;
  power?: 'mains' | 'dc';
}

type Priority = 'normal' | 'priority' | 'emergency';
interface Playing {
  item: string;
  priority: Priority;
  timer: NodeJS.Timeout;
  /** What continues afterwards: the rest of the programme (or of the emergency's repeats). */
  then: () => void;
}

const localNow = (now = new Date()) => {
  const t = new Date(now.getTime() + 7 * 3600_000);
  return { date: t.toISOString().slice(0, 10), weekday: ((t.getUTCDay() + 6) % 7) + 1, seconds: t.getUTCHours() * 3600 + t.getUTCMinutes() * 60 + t.getUTCSeconds() };
};

export class VirtualCluster {
  client: DeviceLink | undefined;
  schedule = 0;
  slots: SyncSlot[] = [];
  volume = 70;
  playing: Playing | undefined;
  /** Every command received, in order (what the tests look at). */
  readonly received: { id: string; op: string; at: number }[] = [];
  private beat: NodeJS.Timeout | undefined;
  private clock: NodeJS.Timeout | undefined;
  private started = new Set<string>();
  /** What continues once an urgent item is done: the interrupted programme's next item. */
  private afterUrgent: (() => void) | undefined;

  constructor(readonly options: SimulatorOptions) {}

  async start() {
    const { url, deviceId, secret } = this.options;
    const client = (this.client = new DeviceLink(url, {
      clientId: deviceId,
      username: deviceId,
      password: secret,
      keepaliveS: 60,
      reconnectMs: 2000,
      will: { topic: topics.status(deviceId), payload: Buffer.from(JSON.stringify(this.state(false))), qos: 0, retain: true },
    }));
    client.onMessage = (_topic, payload) => this.onCommand(payload);
    await client.connect();
    await client.subscribe(topics.command(deviceId), 1);
    this.heartbeat();
    this.beat = setInterval(() => this.heartbeat(), (this.options.heartbeatS ?? 30) * 1000);
    this.clock = setInterval(() => this.tick(), 1000);
    return this;
  }

  async stop() {
    clearInterval(this.beat);
    clearInterval(this.clock);
    if (this.playing) clearTimeout(this.playing.timer);
    this.playing = undefined;
    await this.client?.end(true);
  }

  state(online = true): Heartbeat {
    return {
      v: PROTOCOL_VERSION,
      at: new Date().toISOString(),
      online,
      playing: this.playing ? { item: this.playing.item, priority: this.playing.priority } : null,
      volume: this.volume,
      power: this.options.power ?? 'mains',
      signal: 80,
      schedule: this.schedule,
      firmware: this.options.firmware ?? 'sim-1.0',
    };
  }

  heartbeat() {
    this.client?.publish(topics.status(this.options.deviceId), JSON.stringify(this.state()), { qos: 0, retain: true });
  }

  /**
   * A heartbeat on a change of state that no playback event tells (volume, schedule version); changes
   * made together send one. What plays is told by the playback log.
   */
  private beatSoon = false;
  private changed() {
    if (this.beatSoon) return;
    this.beatSoon = true;
    setImmediate(() => {
      this.beatSoon = false;
      if (this.client?.connected) this.heartbeat();
    });
  }

  private seq = 0;
  private send(channel: 'ack' | 'log', body: Record<string, unknown>) {
    const topic = channel === 'ack' ? topics.ack(this.options.deviceId) : topics.log(this.options.deviceId);
    this.client?.publish(topic, JSON.stringify({ v: PROTOCOL_VERSION, at: new Date().toISOString(), ...(channel === 'log' ? { seq: this.seq++ } : {}), ...body }), { qos: 1 });
  }

  private onCommand(payload: Buffer) {
    let cmd: Record<string, unknown>;
    try {
      cmd = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
    } catch {
      return;
    }
    const id = typeof cmd.id === 'string' ? cmd.id : '';
    const op = typeof cmd.op === 'string' ? cmd.op : '';
    this.received.push({ id, op, at: Date.now() });
    if (cmd.v !== PROTOCOL_VERSION || !id) return;
    // Acknowledged on receipt, before acting.
    this.send('ack', { id, ok: ['play', 'stop', 'volume', 'sync', 'reboot'].includes(op), ...(['play', 'stop', 'volume', 'sync', 'reboot'].includes(op) ? {} : { error: 'unknown op' }) });
    if (op === 'sync' && typeof cmd.schedule === 'number' && Array.isArray(cmd.slots)) {
      // Versioned and idempotent: an older or equal version changes nothing.
      if (cmd.schedule > this.schedule) {
        this.schedule = cmd.schedule;
        this.slots = cmd.slots as SyncSlot[];
        this.changed();
      }
    } else if (op === 'play' && typeof cmd.item === 'string') {
      const priority = (['normal', 'priority', 'emergency'].includes(cmd.priority as string) ? cmd.priority : 'normal') as Priority;
      const ms = typeof cmd.ms === 'number' ? cmd.ms : 60_000;
      const repeat = typeof cmd.repeat === 'number' ? Math.max(1, Math.min(10, cmd.repeat)) : 1;
      this.playNow(cmd.item, ms, priority, repeat);
    } else if (op === 'stop') {
      this.interrupt();
      this.afterUrgent = undefined;
    } else if (op === 'volume' && typeof cmd.volume === 'number') {
      this.volume = Math.max(0, Math.min(100, Math.round(cmd.volume)));
      this.changed();
    }
  }

  /** A play command: an emergency pre-empts anything; otherwise it waits for nothing less urgent than itself. */
  private playNow(item: string, ms: number, priority: Priority, repeat: number) {
    const rank = { normal: 0, priority: 1, emergency: 2 };
    if (this.playing && rank[this.playing.priority] > rank[priority]) return;
    if (this.playing && this.playing.priority !== 'emergency') {
      // What was interrupted is not finished: the programme resumes with its next item.
      const resume = this.playing.then;
      this.interrupt();
      this.afterUrgent = resume;
    } else if (this.playing) {
      this.interrupt();
    }
    const loop = (left: number) => this.play(item, ms, priority, () => (left > 1 ? loop(left - 1) : this.resume()));
    loop(repeat);
  }

  private resume() {
    const next = this.afterUrgent;
    this.afterUrgent = undefined;
    if (next) next();
    else this.idle();
  }

  /** Slots whose start came while something played: aired, in order, once it is done. */
  private waiting: SyncSlot['items'][] = [];
  private idle() {
    const next = this.waiting.shift();
    if (next) this.playItems(next);
  }

  private interrupt() {
    if (!this.playing) return;
    clearTimeout(this.playing.timer);
    this.send('log', { item: this.playing.item, event: 'interrupted', priority: this.playing.priority });
    this.playing = undefined;
  }

  private play(item: string, ms: number, priority: Priority, then: () => void) {
    this.send('log', { item, event: 'started', priority });
    const timer = setTimeout(() => {
      this.send('log', { item, event: 'finished', priority });
      this.playing = undefined;
      then();
    }, ms / (this.options.speed ?? 1));
    this.playing = { item, priority, timer, then };
  }

  /** Plays a slot's items one after another, each whole. */
  private playItems(items: SyncSlot['items']) {
    const [first, ...rest] = items;
    if (!first) return this.idle();
    this.play(first.item, first.ms, first.priority as Priority, () => this.playItems(rest));
  }

  /** Once a second: a slot whose start has come airs (once per day) — after what plays, if anything does. */
  private tick(now = new Date()) {
    const { date, weekday, seconds } = localNow(now);
    for (const slot of this.slots) {
      const [h, m] = slot.start.split(':').map(Number);
      const start = h! * 3600 + m! * 60;
      const key = `${slot.id}@${date}`;
      if (this.started.has(key) || date < slot.from || (slot.to && date > slot.to) || !slot.weekdays.includes(weekday) || seconds < start || seconds > start + 60) continue;
      this.started.add(key);
      if (this.playing) this.waiting.push(slot.items);
      else this.playItems(slot.items);
    }
  }
}

/** How many virtual clusters are connecting at once. */
const CONNECTING = 200;

/** Starts one virtual cluster per credential, `CONNECTING` at a time. */
export async function simulate(url: string, credentials: readonly { deviceId: string; secret: string }[], options: Omit<SimulatorOptions, 'url' | 'deviceId' | 'secret'> = {}) {
  // Connected CONNECTING at a time, each next one as soon as one is in (like a fleet coming back after a
  // power cut, but without thousands of half-open connections at once).
  const clusters: VirtualCluster[] = new Array<VirtualCluster>(credentials.length);
  let next = 0;
  const worker = async () => {
    while (next < credentials.length) {
      const i = next++;
      clusters[i] = await new VirtualCluster({ url, ...credentials[i]!, ...options }).start();
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONNECTING, credentials.length) }, worker));
  return { clusters, stop: () => Promise.all(clusters.map((c) => c.stop())).then(() => undefined) };
}
