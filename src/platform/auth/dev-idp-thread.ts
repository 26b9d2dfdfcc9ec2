import { Worker } from 'node:worker_threads';
import type { DevIdp } from './dev-idp.ts';

/**
 * Starts the provider in a worker thread (used by the bundled `xaso serve`; tests start it in-process).
 * `workerUrl` is the bundled worker entry, next to the main bundle.
 */
export async function startDevIdpThread(workerUrl: URL, opts: { host: string; port: number; redirectUris: string[] }): Promise<DevIdp> {
  const worker = new Worker(workerUrl, { workerData: opts });
  const info = await new Promise<Omit<DevIdp, 'close'>>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`development e-ID provider stopped (exit ${code})`)));
  });
  return {
    ...info,
    close: () =>
      new Promise<void>((resolve) => {
        worker.once('exit', () => resolve());
        worker.postMessage('close');
      }),
  };
}
