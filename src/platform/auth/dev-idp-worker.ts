import { parentPort, workerData } from 'node:worker_threads';
import { startDevIdp } from './dev-idp.ts';

/**
 * Worker-thread entry of the development e-ID provider for `xaso serve --demo`. oidc-provider runs
 * each request inside AsyncLocalStorage.run(), which on Node 20 switches on promise tracking for the
 * whole isolate; in its own thread that cost stays off the platform's requests — as the real national
 * SSO is another host altogether.
 */
const idp = await startDevIdp(workerData as Parameters<typeof startDevIdp>[0]);
parentPort!.postMessage({ issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret });
parentPort!.on('message', (message) => {
  if (message === 'close') void idp.close().then(() => process.exit(0));
});
