import { sql } from 'kysely';
import type { Migration } from '../../platform/db/migrate.ts';
import { foldVietnamese } from '../../platform/search.ts';
import type { IncomingTable, OutgoingTable } from './schema.ts';

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
  {
    name: '20261129-45-documents-search',
    async up(db, h) {
      // One row per document (incoming or outgoing): what the search filters on and shows. `seq` grows
      // with each indexed document, so "newest first" is the index's own order.
      await db.schema
        .createTable('doc_search')
        .addColumn('seq', h.dialect === 'postgres' ? 'serial' : 'integer', (c) => (h.dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('document_id', 'text', (c) => c.notNull())
        .addColumn('unit_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('origin_unit_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('year', 'integer', (c) => c.notNull())
        .addColumn('doc_date', 'text', (c) => c.notNull())
        .addColumn('code', 'text', (c) => c.notNull())
        .addColumn('author', 'text', (c) => c.notNull())
        .addColumn('author_key', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('type_code', 'text', (c) => c.notNull())
        .addColumn('urgency', 'text', (c) => c.notNull())
        .addColumn('secrecy', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('file_id', 'text', (c) => c.notNull())
        .addColumn('text_state', 'text', (c) => c.notNull())
        .addUniqueConstraint('doc_search_document', ['kind', 'document_id'])
        .execute();
      await db.schema.createIndex('doc_search_unit').on('doc_search').columns(['unit_id', 'seq']).execute();
      await db.schema.createIndex('doc_search_origin').on('doc_search').columns(['unit_id', 'origin_unit_id']).execute();
      await db.schema.createIndex('doc_search_date').on('doc_search').columns(['unit_id', 'doc_date']).execute();
      await db.schema.createIndex('doc_search_pending').on('doc_search').columns(['text_state', 'seq']).execute();
      if (h.dialect === 'postgres') {
        await sql`alter table doc_search add column tsv tsvector not null default ''::tsvector`.execute(db);
        await sql`create index doc_search_tsv on doc_search using gin (tsv)`.execute(db);
      } else {
        // Contentless (the words are not stored twice), deletable so a document's words can be replaced.
        await sql`create virtual table doc_search_fts using fts5(scope, words, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2')`.execute(db);
      }
      await db.schema
        .createTable('doc_saved_search')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull().references('auth_account.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('query', 'text', (c) => c.notNull())
        .addColumn('created_at', h.timestamp, (c) => c.notNull())
        .addUniqueConstraint('doc_saved_search_name', ['account_id', 'name'])
        .execute();
      // Documents registered before the index existed: their rows, words to follow from the indexer.
      const incoming = (await db.selectFrom('doc_incoming').selectAll().orderBy('created_at').execute()) as IncomingTable[];
      const outgoing = (await db.selectFrom('doc_outgoing as o').innerJoin('unit as u', 'u.id', 'o.origin_unit_id').selectAll('o').select('u.name as issuer').orderBy('o.created_at').execute()) as (OutgoingTable & { issuer: string })[];
      const rows = [
        ...incoming.map((d) => ({ kind: 'incoming', document_id: d.id, unit_id: d.unit_id, origin_unit_id: d.origin_unit_id, year: d.year, doc_date: d.issued_date, code: `${d.code_number}/${d.code_notation}`, author: d.author_org, subject: d.subject, type_code: d.type_code, urgency: d.urgency, secrecy: d.secrecy, status: d.status, file_id: d.file_id })),
        ...outgoing.map((d) => {
          const date = d.signed_date ?? String(d.created_at).slice(0, 10);
          return { kind: 'outgoing', document_id: d.id, unit_id: d.unit_id, origin_unit_id: d.origin_unit_id, year: d.year ?? Number(date.slice(0, 4)), doc_date: date, code: d.code ?? '', author: d.issuer, subject: d.subject, type_code: d.type_code, urgency: d.urgency, secrecy: d.secrecy, status: d.status, file_id: d.file_id };
        }),
      ];
      for (const r of rows) await db.insertInto('doc_search').values({ ...r, author_key: foldVietnamese(r.author), text_state: 'pending' }).execute();
      // A classified outgoing document's drafter and signer become its named readers (as new drafts do).
      for (const d of outgoing.filter((o) => o.secrecy !== 'normal')) {
        for (const account of new Set([d.created_by, d.signer_id])) await db.insertInto('doc_reader').values({ document_id: d.id, account_id: account, granted_by: d.created_by, granted_at: new Date().toISOString() }).execute();
      }
    },
  },
  {
    name: '20261129-46-documents-signing-recall',
    async up(db, h) {
      // The digitally signed PDF (the draft stays as it was), what signed it, what it replaces, its recall.
      await db.schema.alterTable('doc_outgoing').addColumn('signed_file_id', 'text', (c) => c.references('platform_file.id')).execute();
      await db.schema.alterTable('doc_outgoing').addColumn('signature_kind', 'text').execute();
      await db.schema.alterTable('doc_outgoing').addColumn('replaces_id', 'text', (c) => c.references('doc_outgoing.id')).execute();
      await db.schema.alterTable('doc_outgoing').addColumn('recall_reason', 'text').execute();
      await db.schema.alterTable('doc_outgoing_recipient').addColumn('received_at', h.timestamp).execute();
      // Every version of a draft, in order (Appendix VI: the processing history keeps the drafts).
      await db.schema
        .createTable('doc_outgoing_version')
        .addColumn('document_id', 'text', (c) => c.notNull().references('doc_outgoing.id'))
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('file_id', 'text', (c) => c.notNull().references('platform_file.id'))
        .addColumn('uploaded_by', 'text', (c) => c.notNull().references('auth_account.id'))
        .addColumn('note', 'text', (c) => c.notNull())
        .addColumn('at', h.timestamp, (c) => c.notNull())
        .addPrimaryKeyConstraint('doc_outgoing_version_pk', ['document_id', 'version'])
        .execute();
      const drafts = (await db.selectFrom('doc_outgoing').select(['id', 'file_id', 'created_by', 'created_at']).execute()) as Pick<OutgoingTable, 'id' | 'file_id' | 'created_by' | 'created_at'>[];
      for (const d of drafts) await db.insertInto('doc_outgoing_version').values({ document_id: d.id, version: 1, file_id: d.file_id, uploaded_by: d.created_by, note: '', at: d.created_at }).execute();
    },
  },
];
