import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { DevIdp } from './dev-idp.ts';

/**
 * Starts the development e-ID provider in a child process (used by the bundled `xaso serve`; tests
 * start it in-process). The real national SSO is another host; a separate process keeps the demo
 * honest about that and keeps oidc-provider's per-request AsyncLocalStorage (which, on Node 20, turns
 * on promise tracking for a whole isolate) and its memory out of the platform's process.
 * `entry` is the bundled entry, next to the main bundle.
 */
export async function startDevIdpProcess(entry: URL, opts: { host: string; port: number; redirectUris: string[] }): Promise<DevIdp> {
  const child = fork(fileURLToPath(entry), [], { env: { ...process.env, XASO_DEV_IDP: JSON.stringify(opts) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const info = await new Promise<Omit<DevIdp, 'close'>>((resolve, reject) => {
    child.once('message', (m) => resolve(m as Omit<DevIdp, 'close'>));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`development e-ID provider stopped (exit ${code})`)));
  });
  // The provider must not outlive the platform.
  const kill = () => child.kill('SIGTERM');
  process.once('exit', kill);
  return {
    ...info,
    close: () =>
      new Promise<void>((resolve) => {
        process.off('exit', kill);
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
