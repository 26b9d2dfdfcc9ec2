import type { Migration } from '../../platform/db/migrate.ts';

export const radioMigrations: Migration[] = [
  {
    name: '20261129-50-radio-fleet',
    async up(db, h) {
      await db.schema
        .createTable('radio_cluster')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('unit_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('origin_unit_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('village_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('latitude', h.dialect === 'postgres' ? 'double precision' : 'real')
        .addColumn('longitude', h.dialect === 'postgres' ? 'double precision' : 'real')
        .addColumn('speakers', 'integer', (c) => c.notNull())
        .addColumn('device_id', 'text', (c) => c.notNull().unique())
        .addColumn('firmware', 'text', (c) => c.notNull())
        .addColumn('power_source', 'text', (c) => c.notNull())
        .addColumn('secret_hash', 'text')
        .addColumn('secret_issued_at', h.timestamp)
        .addColumn('revoked_at', h.timestamp)
        .addColumn('online', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_seen_at', h.timestamp)
        .addColumn('playing', 'text')
        .addColumn('playing_priority', 'text')
        .addColumn('volume', 'integer')
        .addColumn('power_now', 'text')
        .addColumn('signal', 'integer')
        .addColumn('schedule_version', 'integer')
        .addColumn('created_at', h.timestamp, (c) => c.notNull())
        .addColumn('updated_at', h.timestamp, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('radio_cluster_unit').on('radio_cluster').columns(['unit_id', 'name']).execute();
      await db.schema
        .createTable('radio_device_log')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('device_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('detail', 'text', (c) => c.notNull())
        .addColumn('at', h.timestamp, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('radio_device_log_device').on('radio_device_log').columns(['device_id', 'at']).execute();
    },
  },
  {
    name: '20261129-51-radio-content',
    async up(db, h) {
      await db.schema
        .createTable('radio_content')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('unit_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('origin_unit_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('priority', 'text', (c) => c.notNull())
        .addColumn('file_id', 'text', (c) => c.references('platform_file.id'))
        .addColumn('mime', 'text')
        .addColumn('stream_url', 'text')
        .addColumn('speech_text', 'text')
        .addColumn('voice', 'text')
        .addColumn('speed', 'integer')
        .addColumn('engine', 'text')
        .addColumn('duration_ms', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_by_label', 'text', (c) => c.notNull())
        .addColumn('created_at', h.timestamp, (c) => c.notNull())
        .addColumn('decided_by', 'text')
        .addColumn('decided_by_label', 'text')
        .addColumn('decided_at', h.timestamp)
        .addColumn('decision_note', 'text')
        .execute();
      await db.schema.createIndex('radio_content_unit').on('radio_content').columns(['unit_id', 'status', 'created_at']).execute();
    },
  },
  {
    name: '20261129-52-radio-schedules',
    async up(db, h) {
      await db.schema
        .createTable('radio_station')
        .addColumn('unit_id', 'text', (c) => c.primaryKey().references('unit.id'))
        .addColumn('schedule_version', 'integer', (c) => c.notNull())
        .addColumn('updated_at', h.timestamp, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('radio_schedule')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('unit_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('origin_unit_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('date_from', 'text', (c) => c.notNull())
        .addColumn('date_to', 'text')
        .addColumn('weekdays', 'text', (c) => c.notNull())
        .addColumn('start_s', 'integer', (c) => c.notNull())
        .addColumn('duration_ms', 'integer', (c) => c.notNull())
        .addColumn('target_kind', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_by_label', 'text', (c) => c.notNull())
        .addColumn('created_at', h.timestamp, (c) => c.notNull())
        .addColumn('decided_by', 'text')
        .addColumn('decided_by_label', 'text')
        .addColumn('decided_at', h.timestamp)
        .addColumn('decision_note', 'text')
        .addColumn('cancelled_by_label', 'text')
        .addColumn('cancelled_at', h.timestamp)
        .execute();
      await db.schema.createIndex('radio_schedule_unit').on('radio_schedule').columns(['unit_id', 'status', 'date_from']).execute();
      await db.schema
        .createTable('radio_schedule_item')
        .addColumn('schedule_id', 'text', (c) => c.notNull().references('radio_schedule.id'))
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('content_id', 'text', (c) => c.notNull().references('radio_content.id'))
        .addPrimaryKeyConstraint('radio_schedule_item_pk', ['schedule_id', 'position'])
        .execute();
      await db.schema
        .createTable('radio_schedule_target')
        .addColumn('schedule_id', 'text', (c) => c.notNull().references('radio_schedule.id'))
        .addColumn('target_id', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('radio_schedule_target_pk', ['schedule_id', 'target_id'])
        .execute();
      await db.schema
        .createTable('radio_command')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('unit_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('device_id', 'text', (c) => c.notNull())
        .addColumn('op', 'text', (c) => c.notNull())
        .addColumn('detail', 'text', (c) => c.notNull())
        .addColumn('created_at', h.timestamp, (c) => c.notNull())
        .addColumn('sent_at', h.timestamp)
        .addColumn('acked_at', h.timestamp)
        .addColumn('ok', 'integer')
        .addColumn('error', 'text')
        .execute();
      await db.schema.createIndex('radio_command_device').on('radio_command').columns(['device_id', 'created_at']).execute();
      await db.schema
        .createTable('radio_play_log')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('unit_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('device_id', 'text', (c) => c.notNull())
        .addColumn('item', 'text', (c) => c.notNull())
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('priority', 'text', (c) => c.notNull())
        .addColumn('at', h.timestamp, (c) => c.notNull())
        .addColumn('seq', 'integer')
        .addColumn('received_at', h.timestamp, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('radio_play_log_unit').on('radio_play_log').columns(['unit_id', 'at']).execute();
    },
  },
  {
    name: '20261129-53-radio-broadcasts',
    async up(db, h) {
      await db.schema
        .createTable('radio_broadcast')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('unit_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('origin_unit_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('content_id', 'text', (c) => c.notNull().references('radio_content.id'))
        .addColumn('priority', 'text', (c) => c.notNull())
        .addColumn('target_kind', 'text', (c) => c.notNull())
        .addColumn('targets', 'text', (c) => c.notNull())
        .addColumn('repeat', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('requested_by', 'text', (c) => c.notNull())
        .addColumn('requested_by_label', 'text', (c) => c.notNull())
        .addColumn('requested_at', h.timestamp, (c) => c.notNull())
        .addColumn('confirmed_by_label', 'text')
        .addColumn('confirmed_at', h.timestamp)
        .addColumn('sent_at', h.timestamp)
        .addColumn('devices', 'integer', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('radio_broadcast_unit').on('radio_broadcast').columns(['unit_id', 'requested_at']).execute();
      await db.schema.alterTable('radio_command').addColumn('broadcast_id', 'text').execute();
      await db.schema.createIndex('radio_command_broadcast').on('radio_command').columns(['broadcast_id']).execute();
    },
  },
  {
    name: '20261129-54-radio-alerts',
    async up(db, h) {
      await db.schema
        .createTable('radio_alert')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('unit_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('cluster_id', 'text', (c) => c.notNull().references('radio_cluster.id'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('opened_at', h.timestamp, (c) => c.notNull())
        .addColumn('resolved_at', h.timestamp)
        .execute();
      await db.schema.createIndex('radio_alert_open').on('radio_alert').columns(['unit_id', 'resolved_at']).execute();
    },
  },
  {
    name: '20261129-55-radio-uptime',
    async up(db) {
      await db.schema
        .createTable('radio_uptime')
        .addColumn('cluster_id', 'text', (c) => c.notNull().references('radio_cluster.id'))
        .addColumn('day', 'text', (c) => c.notNull())
        .addColumn('minutes', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('radio_uptime_pk', ['cluster_id', 'day'])
        .execute();
    },
  },
];
