import type { Migration } from '../../platform/db/migrate.ts';

export const teamsMigrations: Migration[] = [
  {
    name: '20261128-20-teams-and-households',
    async up(db, h) {
      await db.schema
        .createTable('cdt_team')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('unit_id', 'text', (c) => c.notNull().unique().references('unit.id'))
        .addColumn('origin_unit_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('decision_number', 'text', (c) => c.notNull())
        .addColumn('decision_date', 'text', (c) => c.notNull())
        .addColumn('decision_file_id', 'text')
        .addColumn('zalo_link', 'text')
        .addColumn('created_at', h.timestamp, (c) => c.notNull())
        .addColumn('updated_at', h.timestamp, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('cdt_member')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('team_id', 'text', (c) => c.notNull().references('cdt_team.id'))
        .addColumn('full_name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('phone', 'text')
        .addColumn('joined_on', 'text', (c) => c.notNull())
        .addColumn('left_on', 'text')
        .addColumn('created_at', h.timestamp, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('cdt_member_team').on('cdt_member').columns(['team_id', 'left_on']).execute();
      await db.schema
        .createTable('cdt_household')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('unit_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('origin_unit_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('head_name', 'text', (c) => c.notNull())
        .addColumn('address', 'text', (c) => c.notNull())
        .addColumn('fibre', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('digital_address', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('pays_utilities_online', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('search_text', 'text', (c) => c.notNull())
        .addColumn('created_at', h.timestamp, (c) => c.notNull())
        .addColumn('updated_at', h.timestamp, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('cdt_household_unit').on('cdt_household').columns(['unit_id', 'head_name']).execute();
      await db.schema
        .createTable('cdt_resident')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('household_id', 'text', (c) => c.notNull().references('cdt_household.id').onDelete('cascade'))
        .addColumn('full_name', 'text', (c) => c.notNull())
        .addColumn('birth_year', 'integer', (c) => c.notNull())
        .addColumn('smartphone', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('vneid_level2', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('online_services_account', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('payment_account', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('zalo_group', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('updated_at', h.timestamp, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('cdt_resident_household').on('cdt_resident').column('household_id').execute();
    },
  },
  {
    name: '20261128-21-teams-household-imports',
    async up(db, h) {
      // One row per confirmed import: a checked file is imported once, however often the form is sent.
      await db.schema
        .createTable('cdt_import')
        .addColumn('file_id', 'text', (c) => c.primaryKey().references('platform_file.id'))
        .addColumn('unit_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('households', 'integer', (c) => c.notNull())
        .addColumn('residents', 'integer', (c) => c.notNull())
        .addColumn('imported_at', h.timestamp, (c) => c.notNull())
        .execute();
    },
  },
  {
    name: '20261128-22-teams-activities',
    async up(db, h) {
      // A support session a team member records (from a phone, in under a minute).
      await db.schema
        .createTable('cdt_activity')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('unit_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('origin_unit_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('date', 'text', (c) => c.notNull())
        .addColumn('topic', 'text', (c) => c.notNull())
        .addColumn('people_helped', 'integer', (c) => c.notNull())
        .addColumn('households_touched', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('notes', 'text')
        .addColumn('photo_file_id', 'text', (c) => c.references('platform_file.id'))
        .addColumn('recorded_by', 'text', (c) => c.references('auth_account.id'))
        .addColumn('recorded_by_label', 'text', (c) => c.notNull())
        .addColumn('created_at', h.timestamp, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('cdt_activity_unit_date').on('cdt_activity').columns(['unit_id', 'date']).execute();
      await db.schema
        .createTable('cdt_activity_household')
        .addColumn('activity_id', 'text', (c) => c.notNull().references('cdt_activity.id'))
        .addColumn('household_id', 'text', (c) => c.notNull().references('cdt_household.id'))
        .addPrimaryKeyConstraint('cdt_activity_household_pk', ['activity_id', 'household_id'])
        .execute();
    },
  },
  {
    name: '20261128-23-teams-indicators',
    async up(db, h) {
      // Yearly targets per commune and indicator (a percentage).
      await db.schema
        .createTable('cdt_target')
        .addColumn('unit_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('indicator', 'text', (c) => c.notNull())
        .addColumn('year', 'integer', (c) => c.notNull())
        .addColumn('target', 'integer', (c) => c.notNull())
        .addColumn('updated_at', h.timestamp, (c) => c.notNull())
        .addPrimaryKeyConstraint('cdt_target_pk', ['unit_id', 'indicator', 'year'])
        .execute();
      // One value per unit, indicator and month: computed from the records, or entered with its source.
      await db.schema
        .createTable('cdt_snapshot')
        .addColumn('unit_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('indicator', 'text', (c) => c.notNull())
        .addColumn('month', 'text', (c) => c.notNull())
        .addColumn('numerator', 'integer', (c) => c.notNull())
        .addColumn('denominator', 'integer', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('source_date', 'text', (c) => c.notNull())
        .addColumn('recorded_at', h.timestamp, (c) => c.notNull())
        .addPrimaryKeyConstraint('cdt_snapshot_pk', ['unit_id', 'indicator', 'month'])
        .execute();
      await db.schema.createIndex('cdt_snapshot_month').on('cdt_snapshot').columns(['month', 'indicator']).execute();
    },
  },
  {
    name: '20261129-24-steering-committee',
    async up(db, h) {
      // The digital-transformation steering committee of a commune or the province: members, its
      // decisions and regulation (files), and its plans with tasks.
      await db.schema
        .createTable('sc_member')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('unit_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('full_name', 'text', (c) => c.notNull())
        .addColumn('position', 'text', (c) => c.notNull())
        .addColumn('committee_role', 'text', (c) => c.notNull())
        .addColumn('phone', 'text')
        .addColumn('joined_on', 'text', (c) => c.notNull())
        .addColumn('left_on', 'text')
        .addColumn('created_at', h.timestamp, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sc_member_unit').on('sc_member').columns(['unit_id', 'left_on']).execute();
      await db.schema
        .createTable('sc_document')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('unit_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('number', 'text', (c) => c.notNull())
        .addColumn('issued_on', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('file_id', 'text', (c) => c.notNull())
        .addColumn('created_at', h.timestamp, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sc_document_unit').on('sc_document').columns(['unit_id', 'issued_on']).execute();
      await db.schema
        .createTable('sc_plan')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('unit_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('year', 'integer', (c) => c.notNull())
        .addColumn('number', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('issued_on', 'text', (c) => c.notNull())
        .addColumn('created_at', h.timestamp, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sc_plan_unit').on('sc_plan').columns(['unit_id', 'year']).execute();
      await db.schema
        .createTable('sc_task')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('plan_id', 'text', (c) => c.notNull().references('sc_plan.id'))
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('owner_id', 'text', (c) => c.notNull().references('sc_member.id'))
        .addColumn('deadline', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('note', 'text')
        .addColumn('done_on', 'text')
        .addColumn('updated_at', h.timestamp, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sc_task_plan').on('sc_task').columns(['plan_id', 'deadline']).execute();
    },
  },
];
