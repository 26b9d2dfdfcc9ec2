/**
 * The smart IP radio with 10,000 virtual speaker clusters (issue 4), each a real MQTT client following
 * the protocol (`xaso radio simulate`, in its own process):
 *  1. emergency fan-out: from the leader's send (an HTTP POST) to the last acknowledgement recorded by
 *     the platform — targets 99% within 1 s, all within 3 s — and as a ratio to the raw fan-out of the
 *     same broker software (aedes alone, no platform) publishing the same command to the same devices,
 *     timed to their last acknowledgement;
 *  2. heartbeat ingest: every cluster reporting every 30 s; the platform's CPU (one process: broker,
 *     platform client, database writes) — target < 25% of one core — against the raw broker's CPU
 *     carrying the same heartbeats.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import SQLite from 'better-sqlite3';
import mqtt from 'mqtt';
import { firstPage, freePort, report, signIn, startProcess, startXaso, stop } from './lib.ts';
import { multipart, post } from './documents.ts';

const DEVICES = Number(process.env.BENCH_RADIO_DEVICES ?? 10_000);
const WINDOW_S = Number(process.env.BENCH_RADIO_WINDOW ?? 60);
const ogg = fs.readFileSync(new URL('../test/fixtures/audio/tone-3s.ogg', import.meta.url));

/** Runs `xaso radio simulate` (the clusters' own process); resolves once all are connected. */
function simulate(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['bin/xaso.js', 'radio', 'simulate', '--devices', String(DEVICES)], { env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('virtual speaker clusters')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`radio simulate exited with ${code}: ${out}`)));
  });
}

/** CPU seconds (user + system) a process has used. */
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
async function cpuShare(pid: number, seconds: number): Promise<number> {
  const c0 = cpuSeconds(pid);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  return (cpuSeconds(pid) - c0) / ((performance.now() - t0) / 1000);
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

export async function benchRadio() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xaso-bench-radio-'));
  const port = await freePort();
  const mqttPort = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = { DATA_DIR: dataDir, MQTT_PORT: String(mqttPort) };
  const server = startXaso(dataDir, port, { ...env, PUBLIC_URL: base });
  let devices: ChildProcess | undefined;
  let fanOut: { p99: number; all: number; acked: number };
  let platformCpu: number;
  try {
    await firstPage(`${base}/`, performance.now());
    const t0 = performance.now();
    devices = await simulate(env);
    console.log(`radio: ${DEVICES} virtual clusters connected in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    // The leader uploads an emergency bulletin and sends it to every cluster of the commune.
    const session = await signIn(base, 'huongdao.chutich');
    const form = await fetch(`${base}/truyen-thanh/noi-dung/moi/tai-len`, { headers: { cookie: session } });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
    const cookie = [session, ...form.headers.getSetCookie().map((c) => c.split(';')[0]!)].join('; ');
    const upload = multipart({ _csrf: csrf, title: 'Cảnh báo lũ quét', priority: 'emergency', source: 'upload' }, ogg, { name: 'audio', filename: 'canh-bao.ogg', type: 'audio/ogg' });
    const made = await post(`${base}/truyen-thanh/noi-dung/moi/tai-len`, upload.body, { 'content-type': upload.type, cookie });
    const contentId = made.location!.split('/').pop()!;
    const db = new SQLite(path.join(dataDir, 'xaso.db'), { readonly: true });
    // The emergency is sent to a fleet at its steady state: once the connection storm's work (each
    // device's credentials checked, its first heartbeat written, its schedule sent) is done, i.e. the
    // platform's CPU over two seconds is back near the heartbeats' share.
    const settling = performance.now();
    while (performance.now() - settling < 180_000 && (await cpuShare(server.pid!, 2)) > 0.4);
    console.log(`radio: platform settled ${((performance.now() - settling) / 1000).toFixed(1)} s after the devices connected and the content was made`);
    // Where the fan-out's CPU goes (printed); BENCH_PROFILE=1 signals both processes (SIGUSR2) at the
    // start and the end, for a profiler loaded with NODE_OPTIONS=--require … that listens for it.
    const profile = () => {
      if (!process.env.BENCH_PROFILE) return;
      process.kill(server.pid!, 'SIGUSR2');
      process.kill(devices!.pid!, 'SIGUSR2');
    };
    profile();
    const cpu0 = { server: cpuSeconds(server.pid!), devices: cpuSeconds(devices.pid!) };
    const sentAt = Date.now();
    const sent = await post(`${base}/truyen-thanh/noi-dung/${contentId}/phat-ngay`, Buffer.from(new URLSearchParams({ _csrf: csrf, target_kind: 'all', repeat: '1' }).toString()), { 'content-type': 'application/x-www-form-urlencoded', cookie });
    if (sent.status !== 303) throw new Error(`emergency send answered ${sent.status}`);
    const broadcast = sent.location!.split('/').pop()!;
    const total = DEVICES + 4; // the demo's own four clusters are virtual devices of the server too
    const count = db.prepare('select count(acked_at) as n from radio_command where broadcast_id = ?');
    for (let i = 0; i < 300 && (count.get(broadcast) as { n: number }).n < total; i++) await new Promise((r) => setTimeout(r, 100));
    const latencies = (db.prepare('select acked_at from radio_command where broadcast_id = ? and acked_at is not null').all(broadcast) as { acked_at: string }[]).map((r) => Date.parse(r.acked_at) - sentAt);
    db.close();
    profile();
    console.log(`radio: CPU from the send until every acknowledgement was written (${((Date.now() - sentAt) / 1000).toFixed(1)} s): platform ${(cpuSeconds(server.pid!) - cpu0.server).toFixed(2)} s, devices ${(cpuSeconds(devices.pid!) - cpu0.devices).toFixed(2)} s`);
    fanOut = { p99: pct(latencies, 0.99), all: Math.max(...latencies), acked: latencies.length };
    console.log(`radio: acknowledgements after the send (ms): first ${Math.min(...latencies)}, p10 ${pct(latencies, 0.1)}, p50 ${pct(latencies, 0.5)}, p90 ${pct(latencies, 0.9)}, p99 ${fanOut.p99}, last ${fanOut.all}`);

    // Heartbeats: every cluster every 30 s; the platform's CPU over the window.
    platformCpu = await cpuShare(server.pid!, WINDOW_S);
  } finally {
    if (devices) await stop(devices);
    await stop(server);
  }

  // The same broker software alone, the same clusters (simulated the same way), the same command.
  const raw = await startProcess(['bench/servers/aedes.mjs'], { PORT: '0' });
  let rawFanOut: number;
  let rawCpu: number;
  try {
    devices = await simulate({ DATA_DIR: dataDir, MQTT_URL: `mqtt://127.0.0.1:${raw.port}` });
    const ids = Array.from({ length: DEVICES }, (_, i) => `sim-25201-${String(i + 1).padStart(4, '0')}`);
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${raw.port}`, { clientId: 'bench-raw' });
    let acks = 0;
    let done: () => void;
    const all = new Promise<void>((r) => (done = r));
    client.on('message', () => {
      if (++acks === DEVICES) done();
    });
    await client.subscribeAsync('xaso/v1/dev/+/ack', { qos: 1 });
    const t0 = performance.now();
    await Promise.all(ids.map((id, i) => client.publishAsync(`xaso/v1/dev/${id}/cmd`, JSON.stringify({ v: 1, id: `raw-${i}`, op: 'play', item: 'x', url: 'http://x/a.ogg', ms: 3000, priority: 'emergency', repeat: 1 }), { qos: 1 })));
    await Promise.race([all, new Promise((r) => setTimeout(r, 30_000))]);
    rawFanOut = performance.now() - t0;
    await client.endAsync();
    rawCpu = await cpuShare(raw.child.pid!, WINDOW_S);
  } finally {
    if (devices) await stop(devices);
    await stop(raw.child);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  report(`radio: emergency to ${DEVICES} clusters, send → last ack (ms)`, `${fanOut.all.toFixed(0)} (p99 ${fanOut.p99.toFixed(0)}, ${fanOut.acked} acks)`, `${rawFanOut.toFixed(0)} ms raw aedes publish → last ack`, fanOut.all / rawFanOut, 'p99 < 1000 ms, all < 3000 ms');
  report(`radio: heartbeat ingest, ${DEVICES} clusters every 30 s (CPU of one core)`, `${(platformCpu * 100).toFixed(1)}%`, `${(rawCpu * 100).toFixed(1)}% raw aedes, same heartbeats`, platformCpu / Math.max(rawCpu, 0.001), '< 25%');
}
