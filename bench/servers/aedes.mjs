// Baseline: the platform's broker software (aedes, the same version) alone: no credentials, no ACL,
// no platform behind it; configured as the platform's (BROKER_CONCURRENCY in src/platform/mqtt/broker.ts).
// Prints LISTENING <port>.
import net from 'node:net';
import { Aedes } from 'aedes';

const broker = await Aedes.createBroker({ concurrency: 50_000 });
const server = net.createServer(broker.handle);
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const addr = /** @type {import('node:net').AddressInfo} */ (server.address());
  process.stdout.write(`LISTENING ${addr.port}\n`);
});
