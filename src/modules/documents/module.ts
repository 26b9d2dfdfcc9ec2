import { defineModule } from '../../platform/modules/define-module.ts';
import { registerUploads } from '../../platform/files/files.ts';
import { documentsMigrations } from './migrations.ts';
import { registerDocumentRoutes } from './routes.tsx';
import { registerOutgoingRoutes } from './outgoing-routes.tsx';
import { registerRegisterExports } from './registers.ts';
import { registerFileRoutes } from './files-routes.tsx';
import { registerReportRoutes } from './reports-routes.tsx';
import { registerSearchRoutes } from './search-routes.tsx';
import { seedDocuments } from './seed.ts';
import { remindDue } from './handling.ts';
import { kickIndexer } from './search.ts';

/** Documents and operations (Decree 30/2020/NĐ-CP, DOMAIN.md §3): the incoming and outgoing registers (issue 7). */
export const documentsModule = defineModule({
  id: 'documents',
  migrations: documentsMigrations,
  permissions: {
    // The province's staff keep the province's own register (what its communes send it); `authorizeOwn`
    // keeps them out of the communes' registers.
    'document.read': ['commune_leader', 'commune_official', 'document_clerk', 'province_admin'],
    // The clerk (văn thư) registers what arrives; officials may too where the commune has no clerk.
    'document.register': ['document_clerk', 'commune_official', 'province_admin'],
    // Outgoing: officials draft, the commune leader named as signer signs (the system numbers), the clerk issues.
    'document.draft': ['commune_official', 'document_clerk', 'commune_leader'],
    'document.sign': ['commune_leader'],
    'document.issue': ['document_clerk'],
    // The leader instructs who handles an arriving document, with whom, by when.
    'document.instruct': ['commune_leader'],
    // Filing documents into the year's files (hồ sơ), and keeping the file plan.
    'document.file': ['document_clerk', 'commune_official', 'commune_leader'],
    // Reports the province asks of its communes.
    'report.read': ['province_admin', 'commune_leader', 'commune_official', 'document_clerk'],
    'report.request': ['province_admin'],
    'report.submit': ['commune_leader', 'commune_official', 'document_clerk'],
  },
  nav: [
    { shell: 'admin', href: '/van-ban/den', label: 'documents.incoming', permission: 'document.read', order: 15, group: 'documents' },
    { shell: 'admin', href: '/van-ban/di', label: 'documents.outgoing', permission: 'document.read', order: 16, group: 'documents' },
    { shell: 'admin', href: '/van-ban/ho-so', label: 'documents.files', permission: 'document.read', order: 17, group: 'documents' },
    { shell: 'admin', href: '/bao-cao-dinh-ky', label: 'documents.reports', permission: 'report.read', order: 18, group: 'documents' },
    { shell: 'province', href: '/van-ban/den', label: 'documents.incoming', permission: 'document.read', order: 18, group: 'documents' },
    { shell: 'province', href: '/van-ban/tim-kiem', label: 'documents.search_nav', permission: 'document.read', order: 19, group: 'documents' },
    { shell: 'province', href: '/bao-cao-dinh-ky', label: 'documents.reports', permission: 'report.read', order: 20, group: 'documents' },
    { shell: 'admin', href: '/van-ban/tim-kiem', label: 'documents.search_nav', permission: 'document.read', order: 14.5, group: 'documents' },
    { shell: 'admin', href: '/van-ban/viec-cua-toi', label: 'documents.desk', permission: 'document.read', order: 14, group: 'documents' },
  ],
  unitColumns: [
    { table: 'doc_incoming', column: 'unit_id', originColumn: 'origin_unit_id' },
    { table: 'doc_outgoing', column: 'unit_id', originColumn: 'origin_unit_id' },
    { table: 'doc_file', column: 'unit_id', originColumn: 'origin_unit_id' },
    { table: 'doc_assignment', column: 'unit_id' },
  ],
  routes: async (app, ctx) => {
    await registerUploads(app, ctx);
    registerDocumentRoutes(app, ctx);
    registerOutgoingRoutes(app, ctx);
    registerRegisterExports(app, ctx);
    registerFileRoutes(app, ctx);
    registerReportRoutes(app, ctx);
    registerSearchRoutes(app, ctx);
  },
  seed: seedDocuments,
  // Reminders to the lead of documents due tomorrow, today or overdue (one a day each).
  jobs: [
    { name: 'documents.reminders', everyMs: 3600_000, run: (ctx, now) => remindDue(ctx, now) },
    // The text inside files not read yet (registrations start it at once; this catches up after a restart).
    { name: 'documents.text-index', everyMs: 60_000, run: (ctx) => kickIndexer(ctx) },
  ],
});
