// Baseline: the platform's broker software (aedes, the same version) alone: no credentials, no ACL,
// no platform behind it. Prints LISTENING <port>.
import net from 'node:net';
import { Aedes } from 'aedes';

const broker = await Aedes.createBroker();
const server = net.createServer(broker.handle);
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const addr = /** @type {import('node:net').AddressInfo} */ (server.address());
  process.stdout.write(`LISTENING ${addr.port}\n`);
});
