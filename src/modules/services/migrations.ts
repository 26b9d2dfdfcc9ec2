import { sql, type Migration } from '../../platform/db/migrate.ts';

export const servicesMigrations: Migration[] = [
  {
    name: '20261128-10-services-catalogue-and-dossiers',
    async up(db, h) {
      await db.schema
        .createTable('svc_procedure')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('province_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('code', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('sector', 'text', (c) => c.notNull())
        .addColumn('search_text', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('updated_at', h.timestamp, (c) => c.notNull())
        .addUniqueConstraint('svc_procedure_province_code', ['province_id', 'code'])
        .execute();
      await db.schema
        .createTable('svc_agency')
        .addColumn('unit_id', 'text', (c) => c.primaryKey().references('unit.id'))
        .addColumn('agency_code', 'text', (c) => c.notNull().unique())
        .execute();
      await db.schema
        .createTable('svc_sequence')
        .addColumn('agency_code', 'text', (c) => c.notNull())
        .addColumn('day', 'text', (c) => c.notNull())
        .addColumn('last', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('svc_sequence_pk', ['agency_code', 'day'])
        .execute();
      await db.schema
        .createTable('svc_calendar_day')
        .addColumn('date', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('updated_at', h.timestamp, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('svc_dossier')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('code', 'text', (c) => c.unique())
        .addColumn('procedure_id', 'text', (c) => c.notNull().references('svc_procedure.id'))
        .addColumn('procedure_code', 'text', (c) => c.notNull())
        .addColumn('procedure_name', 'text', (c) => c.notNull())
        .addColumn('unit_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('origin_unit_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('receiving_unit_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('national_status', 'integer', (c) => c.notNull())
        .addColumn('applicant_name', 'text', (c) => c.notNull())
        .addColumn('applicant_id_number', 'text')
        .addColumn('applicant_phone', 'text')
        .addColumn('applicant_email', 'text')
        .addColumn('citizen_id', 'text', (c) => c.references('auth_account.id'))
        .addColumn('form_data', 'text', (c) => c.notNull())
        .addColumn('days', 'integer', (c) => c.notNull())
        .addColumn('cutoff_1500', 'integer', (c) => c.notNull())
        .addColumn('fee_amount', h.bigint)
        .addColumn('submitted_at', h.timestamp)
        .addColumn('received_at', h.timestamp)
        .addColumn('due_date', 'text')
        .addColumn('paused_at', h.timestamp)
        .addColumn('paused_from', 'text')
        .addColumn('supplement_requests', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('assignee_id', 'text', (c) => c.references('auth_account.id'))
        .addColumn('finished_at', h.timestamp)
        .addColumn('returned_at', h.timestamp)
        .addColumn('idempotency_key', 'text', (c) => c.unique())
        .addColumn('created_by', 'text')
        .addColumn('created_at', h.timestamp, (c) => c.notNull())
        .addColumn('updated_at', h.timestamp, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('svc_dossier_unit_state_idx').on('svc_dossier').columns(['unit_id', 'state', 'due_date']).execute();
      await db.schema.createIndex('svc_dossier_unit_procedure_idx').on('svc_dossier').columns(['unit_id', 'procedure_code']).execute();
      await db.schema.createIndex('svc_dossier_receiving_idx').on('svc_dossier').column('receiving_unit_id').execute();
      await db.schema.createIndex('svc_dossier_citizen_idx').on('svc_dossier').column('citizen_id').execute();
      await db.schema
        .createTable('svc_dossier_event')
        .addColumn('id', 'integer', h.identity)
        .addColumn('dossier_id', 'text', (c) => c.notNull().references('svc_dossier.id'))
        .addColumn('at', h.timestamp, (c) => c.notNull())
        .addColumn('actor_id', 'text')
        .addColumn('actor_label', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('from_state', 'text')
        .addColumn('to_state', 'text', (c) => c.notNull())
        .addColumn('note', 'text')
        .addColumn('form', 'text')
        .execute();
      await db.schema.createIndex('svc_dossier_event_dossier_idx').on('svc_dossier_event').column('dossier_id').execute();
    },
  },
  {
    name: '20261128-11-services-attachments',
    async up(db, h) {
      await db.schema
        .createTable('svc_attachment')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('dossier_id', 'text', (c) => c.notNull().references('svc_dossier.id'))
        .addColumn('file_id', 'text', (c) => c.notNull().references('platform_file.id'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('label', 'text', (c) => c.notNull())
        .addColumn('created_at', h.timestamp, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('svc_attachment_dossier_idx').on('svc_attachment').column('dossier_id').execute();
    },
  },
  {
    // The officials' lists read newest first within a commune (optionally by status): indexes that
    // give that order, so a page of 50 never sorts a commune's whole history.
    name: '20261128-12-services-list-indexes',
    async up(db) {
      await db.schema.createIndex('svc_dossier_unit_created_idx').on('svc_dossier').columns(['unit_id', 'created_at']).execute();
      await db.schema.createIndex('svc_dossier_unit_state_created_idx').on('svc_dossier').columns(['unit_id', 'state', 'created_at']).execute();
      await db.schema.dropIndex('svc_dossier_receiving_idx').execute();
      // Partial indexes: dossiers routed from another commune's desk are few; open dossiers by due date
      // are the overdue list (most overdue first).
      await db.schema
        .createIndex('svc_dossier_routed_idx')
        .on('svc_dossier')
        .columns(['receiving_unit_id', 'created_at'])
        .where(sql<boolean>`receiving_unit_id <> unit_id`)
        .execute();
      await db.schema
        .createIndex('svc_dossier_open_due_idx')
        .on('svc_dossier')
        .columns(['unit_id', 'due_date'])
        .where(sql<boolean>`state in ('new', 'received', 'processing', 'awaiting_approval', 'supplement_requested')`)
        .execute();
    },
  },
  {
    // Fees paid (VietQR transfer or cash, confirmed by the desk), the citizen's rating, form 04 (the
    // apology and new date of an overdue dossier), and the commune's bank account for VietQR.
    name: '20261128-14-services-fees-rating-apology',
    async up(db, h) {
      for (const [name, type] of [
        ['payment_status', 'text'],
        ['paid_at', h.timestamp],
        ['payment_method', 'text'],
        ['rating', 'integer'],
        ['rating_comment', 'text'],
        ['rated_at', h.timestamp],
        ['apology_at', h.timestamp],
        ['apology_reason', 'text'],
        ['appointment_date', 'text'],
      ] as const) {
        await db.schema.alterTable('svc_dossier').addColumn(name, type).execute();
      }
      for (const name of ['bank_bin', 'bank_account', 'bank_account_name']) {
        await db.schema.alterTable('svc_agency').addColumn(name, 'text').execute();
      }
      await sql`update svc_dossier set payment_status = case when fee_amount > 0 then 'unpaid' else 'none' end`.execute(db);
    },
  },
  {
    // Upstream exchange: how far the status export has gone, and the statuses the upstream system sent.
    name: '20261128-15-services-exchange',
    async up(db, h) {
      await db.schema
        .createTable('svc_exchange_cursor')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('last_event_id', h.bigint, (c) => c.notNull())
        .addColumn('updated_at', h.timestamp, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('svc_upstream_status')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('dossier_id', 'text', (c) => c.notNull().references('svc_dossier.id'))
        .addColumn('status', 'integer', (c) => c.notNull())
        .addColumn('at', h.timestamp, (c) => c.notNull())
        .addColumn('note', 'text')
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('imported_at', h.timestamp, (c) => c.notNull())
        .addUniqueConstraint('svc_upstream_status_once', ['dossier_id', 'status', 'at'])
        .execute();
    },
  },
];
