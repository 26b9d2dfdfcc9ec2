import { defineModule } from '../../platform/modules/define-module.ts';
import { registerUploads } from '../../platform/files/files.ts';
import { portalMigrations } from './migrations.ts';
import { registerPortalPublicRoutes } from './public-routes.tsx';
import { registerPortalAdminRoutes } from './admin-routes.tsx';
import { portalSections } from './sections.tsx';
import { seedPortal } from './seed.ts';

/** The commune's public portal: news and announcements with review before publishing (issue 6). */
export const portalModule = defineModule({
  id: 'portal',
  migrations: portalMigrations,
  permissions: {
    // Officials write; the commune leader (or whom they delegate the role to) approves and publishes.
    'portal.edit': ['commune_leader', 'commune_official'],
    'portal.approve': ['commune_leader'],
  },
  nav: [{ shell: 'admin', href: '/cong-thong-tin', label: 'portal.admin.nav', permission: 'portal.edit', order: 30 }],
  unitColumns: [
    { table: 'portal_article', column: 'unit_id', originColumn: 'origin_unit_id' },
    { table: 'portal_image', column: 'unit_id' },
  ],
  routes: async (app, ctx) => {
    await registerUploads(app, ctx);
    registerPortalPublicRoutes(app, ctx);
    registerPortalAdminRoutes(app, ctx);
  },
  portalSections,
  seed: seedPortal,
});
