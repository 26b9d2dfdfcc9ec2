import { defineModule } from '../../platform/modules/define-module.ts';
import { servicesMigrations } from './migrations.ts';
import { registerServicesRoutes } from './routes.tsx';
import { registerServicesApi } from './api-routes.ts';
import { registerServicesAdminRoutes } from './admin-routes.tsx';
import { registerSideStepRoutes } from './side-routes.tsx';
import { warnDueDossiers } from './warnings.ts';
import { registerRegisterRoutes } from './register.tsx';
import { exchangeJob } from './exchange.ts';
import { seedServices } from './seed.ts';
import { registerUploads } from '../../platform/files/files.ts';
import { onlineShare } from './statistics-indicators.ts';
import { servicesPortalSection } from './portal-section.tsx';

/** Online public services and the one-stop desk (DOMAIN.md §2). */
export const servicesModule = defineModule({
  id: 'services',
  migrations: servicesMigrations,
  permissions: {
    'service.catalogue.manage': ['system_admin', 'province_admin'],
    'dossier.read': ['system_admin', 'province_admin', 'commune_leader', 'commune_official', 'own'],
    'dossier.desk': ['commune_official', 'commune_leader'],
    'dossier.process': ['commune_official'],
    'dossier.approve': ['commune_leader'],
  },
  nav: [
    { shell: 'portal', href: '/dich-vu-cong', label: 'services.catalogue', order: 10 },
    { shell: 'portal', href: '/tra-cuu', label: 'services.track', order: 11 },
    { shell: 'admin', href: '/mot-cua', label: 'services.desk', permission: 'dossier.read', order: 10, group: 'services' },
    { shell: 'admin', href: '/mot-cua/thong-ke', label: 'services.stats_nav', permission: 'dossier.read', order: 11, group: 'services' },
    { shell: 'admin', href: '/mot-cua/so-theo-doi', label: 'services.register.title', permission: 'dossier.read', order: 11, group: 'services' },
    { shell: 'province', href: '/mot-cua/thong-ke', label: 'services.stats_nav', permission: 'dossier.read', order: 10, group: 'services' },
    { shell: 'admin', href: '/mot-cua/quan-tri', label: 'services.admin.nav', permission: 'service.catalogue.manage', order: 12, group: 'services' },
    { shell: 'province', href: '/mot-cua/quan-tri', label: 'services.admin.nav', permission: 'service.catalogue.manage', order: 11, group: 'services' },
  ],
  unitColumns: [
    { table: 'svc_dossier', column: 'unit_id', originColumn: 'origin_unit_id' },
    { table: 'svc_dossier', column: 'receiving_unit_id' },
  ],
  routes: async (app, ctx) => {
    await registerUploads(app, ctx);
    registerServicesRoutes(app, ctx);
    registerServicesApi(app, ctx);
    registerServicesAdminRoutes(app, ctx);
    registerSideStepRoutes(app, ctx, '/mot-cua');
    registerRegisterRoutes(app, ctx, '/mot-cua');
  },
  seed: seedServices,
  portalSections: [servicesPortalSection],
  indicators: [{ code: 'dossiers_online', label: 'services.ind.online', definition: 'services.ind.online_definition', unit: 'percent', compute: onlineShare }],
  jobs: [
    { name: 'services.deadline-warnings', everyMs: 3600_000, run: (ctx, now) => warnDueDossiers(ctx, now) },
    { name: 'services.upstream-exchange', everyMs: 5 * 60_000, run: (ctx) => exchangeJob(ctx) },
  ],
});
