import { startDevIdp } from './dev-idp.ts';

/**
 * Child-process entry of the development e-ID provider for `xaso serve --demo` (see
 * dev-idp-process.ts): starts it with the options in XASO_DEV_IDP and reports where it listens.
 */
const idp = await startDevIdp(JSON.parse(process.env.XASO_DEV_IDP ?? '{}') as Parameters<typeof startDevIdp>[0]);
process.send!({ issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret });
// Stop with the parent: on its signal, or when the IPC channel closes.
const stop = () => void idp.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('disconnect', stop);
