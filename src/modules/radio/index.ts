/** Smart IP radio (issue 4): the fleet, device credentials, the device protocol, content, schedules, broadcasts, the simulator. */
export { radioModule } from './module.ts';
export * from './protocol.ts';
export { provisionVirtual, issueVirtualSecrets } from './fleet.ts';
export { VirtualCluster, simulate } from './simulator.ts';
