import { Worker } from 'node:worker_threads';

/**
 * A worker thread started on first use and ended after `idleMs` without work, for jobs that must stay
 * off the event loop or out of the server's own JavaScript world (a library that replaces globals).
 *
 * `source` is a CommonJS script: it answers each message `{ id, ...request }` with `{ id, result }` or
 * `{ id, error }` (a string). While jobs are waiting the worker holds the process open (a command-line
 * run waits for it); idle, it does not.
 */
export function idleWorker(source: string, workerData: unknown, idleMs = 60_000) {
  let worker: Worker | undefined;
  let idle: NodeJS.Timeout | undefined;
  let next = 0;
  const waiting = new Map<number, { resolve: (result: unknown) => void; reject: (err: Error) => void }>();
  const failAll = (err: Error) => {
    for (const p of waiting.values()) p.reject(err);
    waiting.clear();
  };
  const start = () => {
    const w = new Worker(source, { eval: true, workerData });
    w.on('message', (m: { id: number; result?: unknown; error?: string }) => {
      const p = waiting.get(m.id);
      waiting.delete(m.id);
      if (m.error === undefined) p?.resolve(m.result);
      else p?.reject(new Error(m.error));
    });
    w.on('error', (err) => {
      if (worker === w) worker = undefined;
      failAll(err);
    });
    w.on('exit', (code) => {
      if (worker === w) worker = undefined;
      failAll(new Error(`worker exited (${code})`));
    });
    w.unref();
    return w;
  };
  return function run<T>(request: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<T> {
    worker ??= start();
    clearTimeout(idle);
    worker.ref();
    const w = worker;
    const id = next++;
    return new Promise<T>((resolve, reject) => {
      waiting.set(id, { resolve: resolve as (r: unknown) => void, reject });
      w.postMessage({ ...request, id }, transfer);
    }).finally(() => {
      if (waiting.size > 0) return;
      w.unref();
      idle = setTimeout(() => {
        if (worker === w) worker = undefined;
        void w.terminate();
      }, idleMs).unref();
    });
  };
}
