import { defineModule } from '../../platform/modules/define-module.ts';
import { registerUploads } from '../../platform/files/files.ts';
import { portalMigrations } from './migrations.ts';
import { registerPortalPublicRoutes } from './public-routes.tsx';
import { registerPortalAdminRoutes } from './admin-routes.tsx';
import { registerProductPublicRoutes } from './product-public-routes.tsx';
import { registerProductAdminRoutes } from './product-admin-routes.tsx';
import { portalSections } from './sections.tsx';
import { seedPortal } from './seed.ts';

/** The commune's public portal: news, announcements and standing pages with review before publishing, and local products (issue 6). */
export const portalModule = defineModule({
  id: 'portal',
  migrations: portalMigrations,
  permissions: {
    // Officials write; the commune leader (or whom they delegate the role to) approves and publishes.
    'portal.edit': ['commune_leader', 'commune_official'],
    'portal.approve': ['commune_leader'],
    // Local products: officials enter them for the producers; another official moderates each change.
    'product.manage': ['commune_leader', 'commune_official'],
    'product.moderate': ['commune_leader', 'commune_official'],
  },
  nav: [
    { shell: 'portal', href: '/san-pham', label: 'portal.directory', order: 20 },
    { shell: 'admin', href: '/cong-thong-tin', label: 'portal.admin.nav', permission: 'portal.edit', order: 30, group: 'portal' },
    { shell: 'admin', href: '/san-pham-dia-phuong', label: 'portal.products_nav', permission: 'product.manage', order: 31, group: 'portal' },
  ],
  unitColumns: [
    { table: 'portal_article', column: 'unit_id', originColumn: 'origin_unit_id' },
    { table: 'portal_image', column: 'unit_id' },
    { table: 'portal_producer', column: 'unit_id', originColumn: 'origin_unit_id' },
    { table: 'portal_product', column: 'unit_id', originColumn: 'origin_unit_id' },
  ],
  routes: async (app, ctx) => {
    await registerUploads(app, ctx);
    registerPortalPublicRoutes(app, ctx);
    registerPortalAdminRoutes(app, ctx);
    registerProductPublicRoutes(app, ctx);
    registerProductAdminRoutes(app, ctx);
  },
  portalSections,
  seed: seedPortal,
});
