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
  {
    name: '20261129-41-documents-outgoing',
    async up(db, h) {
      await db.schema
        .createTable('doc_outgoing')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('unit_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('origin_unit_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('type_code', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('drafting_dept', 'text', (c) => c.notNull())
        .addColumn('urgency', 'text', (c) => c.notNull())
        .addColumn('secrecy', 'text', (c) => c.notNull())
        .addColumn('signer_id', 'text', (c) => c.notNull().references('auth_account.id'))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('series', 'text', (c) => c.notNull())
        .addColumn('year', 'integer')
        .addColumn('number', 'integer')
        .addColumn('code', 'text')
        .addColumn('signed_date', 'text')
        .addColumn('outside_recipients', 'text', (c) => c.notNull())
        .addColumn('file_id', 'text', (c) => c.notNull().references('platform_file.id'))
        .addColumn('search_text', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull().references('auth_account.id'))
        .addColumn('created_at', h.timestamp, (c) => c.notNull())
        .addColumn('updated_at', h.timestamp, (c) => c.notNull())
        // Number + symbol unique per year per issuer and series (classified documents have their own series).
        .addUniqueConstraint('doc_outgoing_code', ['origin_unit_id', 'year', 'series', 'code'])
        .execute();
      await db.schema.createIndex('doc_outgoing_register').on('doc_outgoing').columns(['unit_id', 'status', 'year']).execute();
      await db.schema
        .createTable('doc_outgoing_recipient')
        .addColumn('document_id', 'text', (c) => c.notNull().references('doc_outgoing.id'))
        .addColumn('unit_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('incoming_id', 'text')
        .addPrimaryKeyConstraint('doc_outgoing_recipient_pk', ['document_id', 'unit_id'])
        .execute();
    },
  },
  {
    name: '20261129-42-documents-handling',
    async up(db, h) {
      await db.schema
        .createTable('doc_assignment')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('document_id', 'text', (c) => c.notNull().unique().references('doc_incoming.id'))
        .addColumn('unit_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('instructed_by', 'text', (c) => c.notNull().references('auth_account.id'))
        .addColumn('lead_id', 'text', (c) => c.notNull().references('auth_account.id'))
        .addColumn('deadline', 'text', (c) => c.notNull())
        .addColumn('comment', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('result_note', 'text')
        .addColumn('reply_code', 'text')
        .addColumn('done_at', h.timestamp)
        .addColumn('created_at', h.timestamp, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('doc_assignment_lead').on('doc_assignment').columns(['lead_id', 'status', 'deadline']).execute();
      await db.schema
        .createTable('doc_assignee')
        .addColumn('assignment_id', 'text', (c) => c.notNull().references('doc_assignment.id'))
        .addColumn('account_id', 'text', (c) => c.notNull().references('auth_account.id'))
        .addColumn('role', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('doc_assignee_pk', ['assignment_id', 'account_id'])
        .execute();
      await db.schema
        .createTable('doc_event')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('document_id', 'text', (c) => c.notNull())
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('actor_id', 'text', (c) => c.notNull())
        .addColumn('actor_label', 'text', (c) => c.notNull())
        .addColumn('note', 'text')
        .addColumn('at', h.timestamp, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('doc_event_document').on('doc_event').columns(['document_id', 'at']).execute();
    },
  },
  {
    name: '20261129-43-documents-files',
    async up(db, h) {
      await db.schema
        .createTable('doc_file')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('unit_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('origin_unit_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('year', 'integer', (c) => c.notNull())
        .addColumn('code', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('keeper', 'text', (c) => c.notNull())
        .addColumn('retention', 'text', (c) => c.notNull())
        .addColumn('created_at', h.timestamp, (c) => c.notNull())
        .addUniqueConstraint('doc_file_code', ['origin_unit_id', 'year', 'code'])
        .execute();
      await db.schema
        .createTable('doc_file_item')
        .addColumn('file_id', 'text', (c) => c.notNull().references('doc_file.id'))
        .addColumn('document_kind', 'text', (c) => c.notNull())
        .addColumn('document_id', 'text', (c) => c.notNull())
        .addColumn('added_by', 'text', (c) => c.notNull())
        .addColumn('added_at', h.timestamp, (c) => c.notNull())
        .addPrimaryKeyConstraint('doc_file_item_pk', ['file_id', 'document_kind', 'document_id'])
        .execute();
    },
  },
  {
    name: '20261129-44-documents-report-requests',
    async up(db, h) {
      await db.schema
        .createTable('doc_report_request')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('unit_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('template_file_id', 'text', (c) => c.references('platform_file.id'))
        .addColumn('deadline', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull().references('auth_account.id'))
        .addColumn('created_at', h.timestamp, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('doc_report_submission')
        .addColumn('request_id', 'text', (c) => c.notNull().references('doc_report_request.id'))
        .addColumn('unit_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('file_id', 'text', (c) => c.notNull().references('platform_file.id'))
        .addColumn('note', 'text', (c) => c.notNull())
        .addColumn('submitted_by', 'text', (c) => c.notNull().references('auth_account.id'))
        .addColumn('submitted_at', h.timestamp, (c) => c.notNull())
        .addPrimaryKeyConstraint('doc_report_submission_pk', ['request_id', 'unit_id'])
        .execute();
    },
  },
];
