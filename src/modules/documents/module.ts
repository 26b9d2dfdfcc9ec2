import { defineModule } from '../../platform/modules/define-module.ts';
import { registerUploads } from '../../platform/files/files.ts';
import { documentsMigrations } from './migrations.ts';
import { registerDocumentRoutes } from './routes.tsx';
import { seedDocuments } from './seed.ts';

/** Documents and operations (Decree 30/2020/NĐ-CP, DOMAIN.md §3): first the incoming register (issue 7). */
export const documentsModule = defineModule({
  id: 'documents',
  migrations: documentsMigrations,
  permissions: {
    'document.read': ['commune_leader', 'commune_official', 'document_clerk'],
    // The clerk (văn thư) registers what arrives; officials may too where the commune has no clerk.
    'document.register': ['document_clerk', 'commune_official'],
  },
  nav: [{ shell: 'admin', href: '/van-ban/den', label: 'documents.incoming', permission: 'document.read', order: 15 }],
  unitColumns: [{ table: 'doc_incoming', column: 'unit_id', originColumn: 'origin_unit_id' }],
  routes: async (app, ctx) => {
    await registerUploads(app, ctx);
    registerDocumentRoutes(app, ctx);
  },
  seed: seedDocuments,
});
