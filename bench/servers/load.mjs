// The load generator of one measured round, in a process of its own: every round, of the platform or
// of its baseline, gets the same fresh generator, whatever the bench process holds (a million loaded
// dossiers, ten thousand simulated devices) and however much its heap has grown. Reads its task as
// JSON on stdin ({ url, connections, duration, headers, paths? }) and writes the result as JSON.
// With `paths`, each connection walks through all of them from its own starting point (many different
// records, never the same one on every connection at once); the requests are built once per
// connection: building them per request made the load generator the bottleneck.
import autocannon from 'autocannon';

let input = '';
for await (const chunk of process.stdin) input += chunk;
// eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- plain JS: the shape is ours, written by bench/lib.ts
const task = /** @type {{ url: string, connections: number, duration: number, headers: Record<string, string>, paths?: string[] }} */ (JSON.parse(input));
const paths = task.paths ?? [];
let connection = 0;
/** @param {{ setRequests(requests: { path: string }[]): void }} client */
const setupClient = (client) => {
  const start = Math.floor((connection++ * paths.length) / task.connections) % paths.length;
  client.setRequests([...paths.slice(start), ...paths.slice(0, start)].map((path) => ({ path })));
};
const r = await autocannon({ url: task.url, connections: task.connections, duration: task.duration, headers: task.headers, ...(paths.length ? { setupClient } : {}) });
process.stdout.write(JSON.stringify({ rps: r.requests.average, p99: r.latency.p99, errors: r.errors + r.non2xx }));
