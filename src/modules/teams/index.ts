export { teamsModule } from './module.ts';
