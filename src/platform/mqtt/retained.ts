import { createRequire } from 'node:module';

/**
 * aedes's in-memory persistence with the retained messages indexed by topic.
 *
 * The stock memory persistence (aedes-persistence 11) answers every SUBSCRIBE by testing every
 * retained message against the subscription's filter. Each speaker cluster keeps a retained status
 * and subscribes to its own command topic when it connects, so 10,000 clusters connecting cost
 * 10,000 × (up to) 10,000 tests: the connection storm after a power cut took over a minute, most of it
 * there. A filter without wildcards (what devices subscribe to) is now one look-up; a filter with
 * wildcards still walks the retained messages, matched by the MQTT rules below. Everything else (the
 * sessions, QoS 1 queues, wills) is the stock persistence's.
 */
interface Packet {
  topic: string;
  payload: Buffer | string;
}
interface AsyncMemoryPersistence {
  storeRetained(packet: Packet): Promise<void>;
  createRetainedStream(pattern: string): Iterable<Packet>;
  createRetainedStreamCombi(patterns: string[]): Iterable<Packet>;
  destroy(): Promise<void>;
}
type AsyncMemoryPersistenceClass = new (opts?: object) => AsyncMemoryPersistence;
type CallBackPersistenceClass = new (factory: (opts: object) => AsyncMemoryPersistence, opts?: object) => object;

const require = createRequire(import.meta.url);
// The package's own building blocks (its default export is `new CallBackPersistence(memory factory)`).
const MemoryPersistence = require('aedes-persistence/asyncPersistence.js') as AsyncMemoryPersistenceClass;
const { CallBackPersistence } = require('aedes-persistence/callBackPersistence.js') as { CallBackPersistence: CallBackPersistenceClass };

/** Whether an MQTT topic filter matches a topic (MQTT 3.1.1 §4.7; `$` topics are not matched by a leading wildcard). */
export function topicMatches(filter: string, topic: string): boolean {
  if (filter === topic) return true;
  const f = filter.split('/');
  const t = topic.split('/');
  if ((f[0] === '+' || f[0] === '#') && topic.startsWith('$')) return false;
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return i === f.length - 1;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

const hasWildcard = (filter: string) => filter.includes('+') || filter.includes('#');

class IndexedRetainedPersistence extends MemoryPersistence {
  readonly #retained = new Map<string, Packet>();

  override storeRetained(pkt: Packet): Promise<void> {
    if (pkt.payload.length === 0) this.#retained.delete(pkt.topic);
    else this.#retained.set(pkt.topic, { ...pkt });
    return Promise.resolve();
  }

  *#matching(pattern: string): Generator<Packet> {
    if (!hasWildcard(pattern)) {
      const p = this.#retained.get(pattern);
      if (p) yield p;
      return;
    }
    for (const [topic, packet] of this.#retained) if (topicMatches(pattern, topic)) yield packet;
  }

  override createRetainedStream(pattern: string): Iterable<Packet> {
    return this.#matching(pattern);
  }

  override *createRetainedStreamCombi(patterns: string[]): Generator<Packet> {
    for (const p of patterns) yield* this.#matching(p);
  }

  override destroy(): Promise<void> {
    this.#retained.clear();
    return super.destroy();
  }
}

/** The persistence the embedded broker runs on (pass as aedes's `persistence` option). */
export function indexedMemoryPersistence(): object {
  return new CallBackPersistence((opts) => new IndexedRetainedPersistence(opts));
}
