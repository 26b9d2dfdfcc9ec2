/** Smart IP radio (issue 4): the fleet, device credentials, the device protocol. */
export { radioModule } from './module.ts';
export * from './protocol.ts';
