/** Public API of the administration module. */
export { administrationModule } from './module.ts';
