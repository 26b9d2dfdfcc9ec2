import type { ModuleManifest } from '../platform/modules/define-module.ts';
import { administrationModule } from './administration/index.ts';
import { servicesModule } from './services/index.ts';
import { teamsModule } from './teams/index.ts';
import { portalModule } from './portal/index.ts';
import { documentsModule } from './documents/index.ts';
import { radioModule } from './radio/index.ts';

/** Every capability the platform ships; each is a folder under src/modules with a manifest. */
export const ALL_MODULES: ModuleManifest[] = [administrationModule, servicesModule, teamsModule, portalModule, documentsModule, radioModule];
