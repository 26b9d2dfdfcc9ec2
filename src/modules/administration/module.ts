import { defineModule } from '../../platform/modules/define-module.ts';
import { registerAdministrationRoutes } from './routes.tsx';
import { registerAdministrationApi } from './api-routes.ts';

/** The back office's own pages: units and their history, officials' accounts, the audit log. */
export const administrationModule = defineModule({
  id: 'administration',
  nav: [
    { shell: 'admin', href: '/admin', label: 'nav.admin', permission: 'backoffice.access', order: 0 },
    { shell: 'admin', href: '/admin/units', label: 'units.title', permission: 'unit.read', order: 90, group: 'system' },
    { shell: 'admin', href: '/admin/accounts', label: 'accounts.title', permission: 'account.manage', order: 91, group: 'system' },
    { shell: 'admin', href: '/admin/audit', label: 'audit.title', permission: 'audit.read', order: 92, group: 'system' },
    { shell: 'admin', href: '/province', label: 'nav.province', permission: 'province.access', order: 99 },
    { shell: 'province', href: '/province', label: 'nav.province', permission: 'province.access', order: 0 },
    { shell: 'province', href: '/admin', label: 'nav.admin', permission: 'backoffice.access', order: 1 },
  ],
  routes: (app, ctx) => {
    registerAdministrationRoutes(app, ctx);
    registerAdministrationApi(app, ctx);
  },
});
