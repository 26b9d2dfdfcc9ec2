/** Public API of the services module (online public services and the one-stop desk). */
export { servicesModule } from './module.ts';
export { WorkCalendar, holidaysOf } from './calendar.ts';
export { NATIONAL_STATUS, type DossierState } from './workflow.ts';
export { FileExchange, exportStatuses, importStatuses, type UpstreamExchange } from './exchange.ts';
