import { sql } from 'kysely';
import type { Migration } from './migrate.ts';

/** The platform kernel's own tables: units, accounts, roles, sessions, audit, rate limits. */
export const platformMigrations: Migration[] = [
  {
    name: '20261128-01-platform-units',
    async up(db, h) {
      await db.schema
        .createTable('unit')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('code', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('level', 'text', (c) => c.notNull())
        .addColumn('parent_id', 'text', (c) => c.references('unit.id'))
        .addColumn('valid_from', 'text', (c) => c.notNull())
        .addColumn('valid_to', 'text')
        .addColumn('legal_basis', 'text')
        .addColumn('note', 'text')
        .addColumn('created_at', h.timestamp, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('unit_parent_idx').on('unit').column('parent_id').execute();
      await db.schema
        .createTable('unit_succession')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('predecessor_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('successor_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('effective_date', 'text', (c) => c.notNull())
        .addColumn('legal_basis', 'text')
        .addUniqueConstraint('unit_succession_pair', ['predecessor_id', 'successor_id'])
        .execute();
      await db.schema.createIndex('unit_succession_successor_idx').on('unit_succession').column('successor_id').execute();
    },
  },
  {
    name: '20261128-02-platform-auth',
    async up(db, h) {
      await db.schema
        .createTable('auth_account')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('username', 'text', (c) => c.unique())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('unit_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('origin_unit_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('password_hash', 'text')
        .addColumn('totp_secret', 'text')
        .addColumn('totp_enabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('totp_last_step', h.bigint)
        .addColumn('failed_logins', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('locked_until', h.timestamp)
        .addColumn('last_login_at', h.timestamp)
        .addColumn('disabled_at', h.timestamp)
        .addColumn('disabled_reason', 'text')
        .addColumn('oidc_subject', 'text', (c) => c.unique())
        .addColumn('personal_number', 'text')
        .addColumn('birth_date', 'text')
        .addColumn('address', 'text')
        .addColumn('phone', 'text')
        .addColumn('email', 'text')
        .addColumn('created_at', h.timestamp, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('auth_account_unit_idx').on('auth_account').column('unit_id').execute();
      await db.schema
        .createTable('auth_role_grant')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull().references('auth_account.id').onDelete('cascade'))
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('field', 'text')
        .addColumn('unit_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('origin_unit_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('created_at', h.timestamp, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('auth_role_grant_account_idx').on('auth_role_grant').column('account_id').execute();
      await db.schema
        .createTable('auth_session')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull().references('auth_account.id').onDelete('cascade'))
        .addColumn('mfa_passed', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', h.timestamp, (c) => c.notNull())
        .addColumn('last_seen_at', h.timestamp, (c) => c.notNull())
        .addColumn('expires_at', h.timestamp, (c) => c.notNull())
        .addColumn('ip', 'text')
        .addColumn('user_agent', 'text')
        .execute();
      await db.schema.createIndex('auth_session_account_idx').on('auth_session').column('account_id').execute();
    },
  },
  {
    name: '20261128-03-platform-audit',
    async up(db, h) {
      await db.schema
        .createTable('audit_event')
        .addColumn('seq', h.bigint, h.identity)
        .addColumn('at', h.timestamp, (c) => c.notNull())
        .addColumn('actor_id', 'text')
        .addColumn('actor_label', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('entity', 'text', (c) => c.notNull())
        .addColumn('entity_id', 'text')
        .addColumn('unit_id', 'text')
        .addColumn('ip', 'text')
        .addColumn('request_id', 'text')
        .addColumn('detail', 'text', (c) => c.notNull())
        .addColumn('prev_hash', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('audit_event_unit_idx').on('audit_event').columns(['unit_id', 'seq']).execute();
      // Append-only: the database itself refuses updates and deletes of audit rows.
      if (h.dialect === 'postgres') {
        await sql`create or replace function audit_event_append_only() returns trigger language plpgsql as $$
          begin raise exception 'audit_event is append-only'; end $$`.execute(db);
        await sql`create trigger audit_event_no_change before update or delete on audit_event
          for each row execute function audit_event_append_only()`.execute(db);
      } else {
        await sql`create trigger audit_event_no_update before update on audit_event
          begin select raise(abort, 'audit_event is append-only'); end`.execute(db);
        await sql`create trigger audit_event_no_delete before delete on audit_event
          begin select raise(abort, 'audit_event is append-only'); end`.execute(db);
      }
    },
  },
  {
    name: '20261128-04-platform-rate-limit',
    async up(db, h) {
      await db.schema
        .createTable('http_rate_limit')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('reset_at', h.bigint, (c) => c.notNull())
        .addColumn('count', 'integer', (c) => c.notNull())
        .execute();
    },
  },
  {
    name: '20261128-05-platform-files',
    async up(db, h) {
      await db.schema
        .createTable('platform_file')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('unit_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('owner_id', 'text')
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('mime', 'text', (c) => c.notNull())
        .addColumn('size', h.bigint, (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('created_at', h.timestamp, (c) => c.notNull())
        .execute();
    },
  },
  {
    // Named to sort after the services module's first migrations (the order they were introduced in).
    name: '20261128-13-platform-notifications',
    async up(db, h) {
      await db.schema
        .createTable('platform_notification')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('unit_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('account_id', 'text')
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('address', 'text')
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('link', 'text')
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('source_id', 'text')
        .addColumn('dedupe_key', 'text', (c) => c.unique())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('next_attempt_at', h.timestamp, (c) => c.notNull())
        .addColumn('last_error', 'text')
        .addColumn('created_at', h.timestamp, (c) => c.notNull())
        .addColumn('sent_at', h.timestamp)
        .addColumn('read_at', h.timestamp)
        .execute();
      await db.schema.createIndex('platform_notification_due_idx').on('platform_notification').columns(['status', 'next_attempt_at']).execute();
      await db.schema.createIndex('platform_notification_inbox_idx').on('platform_notification').columns(['account_id', 'channel', 'created_at']).execute();
      await db.schema.createIndex('platform_notification_unit_idx').on('platform_notification').columns(['unit_id', 'status', 'created_at']).execute();
    },
  },
  {
    // Numbered series of any module (documents' arrival numbers, outgoing numbers…), one row per series and period.
    name: '20261129-33-platform-sequences',
    async up(db) {
      await db.schema
        .createTable('platform_sequence')
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('period', 'text', (c) => c.notNull())
        .addColumn('last', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('platform_sequence_pk', ['scope', 'period'])
        .execute();
    },
  },
  {
    // PostgreSQL: one round trip appends to the audit chain under its lock (platform/audit/audit.ts).
    name: '20261129-56-platform-audit-write',
    async up(db, h) {
      if (h.dialect !== 'postgres') return;
      // Volatile: each statement sees what committed before it — the last hash after the lock is held.
      await sql`create or replace function audit_event_write(
          p_lock bigint, p_at text, p_actor_id text, p_actor_label text, p_action text, p_entity text,
          p_entity_id text, p_unit_id text, p_ip text, p_request_id text, p_detail text, p_tail text)
        returns void language plpgsql volatile as $$
        declare prev text;
        begin
          perform pg_advisory_xact_lock(p_lock);
          select hash into prev from audit_event order by seq desc limit 1;
          prev := coalesce(prev, repeat('0', 64));
          insert into audit_event (at, actor_id, actor_label, action, entity, entity_id, unit_id, ip, request_id, detail, prev_hash, hash)
          values (p_at::timestamptz, p_actor_id, p_actor_label, p_action, p_entity, p_entity_id, p_unit_id, p_ip, p_request_id, p_detail, prev,
                  encode(sha256(convert_to('["' || prev || '",' || p_tail, 'UTF8')), 'hex'));
        end $$`.execute(db);
    },
  },
  {
    // PostgreSQL: a write checked to change exactly one row, sent with the COMMIT (`atCommitExpectingOne`).
    name: '20261129-57-platform-expect-rows',
    async up(db, h) {
      if (h.dialect !== 'postgres') return;
      await sql`create or replace function xaso_expect_one_row(n bigint) returns void language plpgsql as $$
        begin
          if n <> 1 then
            raise exception 'expected one row, % changed', n using errcode = 'XS001';
          end if;
        end $$`.execute(db);
    },
  },
  {
    // Units' outlines for maps without online tiles (platform/units/boundary.ts).
    name: '20261129-58-platform-unit-boundary',
    async up(db, h) {
      await db.schema
        .createTable('unit_boundary')
        .addColumn('unit_id', 'text', (c) => c.primaryKey().references('unit.id'))
        .addColumn('geometry', 'text', (c) => c.notNull())
        .addColumn('updated_at', h.timestamp, (c) => c.notNull())
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .execute();
    },
  },
];
