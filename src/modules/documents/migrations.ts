import type { Migration } from '../../platform/db/migrate.ts';

export const documentsMigrations: Migration[] = [
  {
    name: '20261129-40-documents-incoming',
    async up(db, h) {
      await db.schema
        .createTable('doc_incoming')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('unit_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('origin_unit_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('year', 'integer', (c) => c.notNull())
        .addColumn('arrival_number', 'integer', (c) => c.notNull())
        .addColumn('arrival_date', 'text', (c) => c.notNull())
        .addColumn('author_org', 'text', (c) => c.notNull())
        .addColumn('code_number', 'text', (c) => c.notNull())
        .addColumn('code_notation', 'text', (c) => c.notNull())
        .addColumn('issued_date', 'text', (c) => c.notNull())
        .addColumn('type_code', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('urgency', 'text', (c) => c.notNull())
        .addColumn('secrecy', 'text', (c) => c.notNull())
        .addColumn('file_id', 'text', (c) => c.notNull().references('platform_file.id'))
        .addColumn('due_date', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('search_text', 'text', (c) => c.notNull())
        .addColumn('registered_by', 'text', (c) => c.notNull().references('auth_account.id'))
        .addColumn('created_at', h.timestamp, (c) => c.notNull())
        // One arrival number per year in the register of the unit that gave it (merges move unit_id).
        .addUniqueConstraint('doc_incoming_number', ['origin_unit_id', 'year', 'arrival_number'])
        .execute();
      await db.schema.createIndex('doc_incoming_register').on('doc_incoming').columns(['unit_id', 'year', 'arrival_number']).execute();
      await db.schema.createIndex('doc_incoming_duplicate').on('doc_incoming').columns(['unit_id', 'code_number', 'code_notation']).execute();
      await db.schema
        .createTable('doc_reader')
        .addColumn('document_id', 'text', (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.notNull().references('auth_account.id'))
        .addColumn('granted_by', 'text', (c) => c.notNull())
        .addColumn('granted_at', h.timestamp, (c) => c.notNull())
        .addPrimaryKeyConstraint('doc_reader_pk', ['document_id', 'account_id'])
        .execute();
    },
  },
];
