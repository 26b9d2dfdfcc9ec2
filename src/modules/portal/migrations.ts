import type { Migration } from '../../platform/db/migrate.ts';

export const portalMigrations: Migration[] = [
  {
    name: '20261129-30-portal-articles',
    async up(db, h) {
      await db.schema
        .createTable('portal_image')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('unit_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('large_file_id', 'text', (c) => c.notNull().references('platform_file.id'))
        .addColumn('small_file_id', 'text', (c) => c.notNull().references('platform_file.id'))
        .addColumn('width', 'integer', (c) => c.notNull())
        .addColumn('height', 'integer', (c) => c.notNull())
        .addColumn('alt', 'text', (c) => c.notNull())
        .addColumn('created_at', h.timestamp, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('portal_article')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('unit_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('origin_unit_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('slug', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('summary', 'text', (c) => c.notNull())
        .addColumn('body_html', 'text', (c) => c.notNull())
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('image_id', 'text', (c) => c.references('portal_image.id'))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('pinned', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('publish_at', h.timestamp)
        .addColumn('expires_at', h.timestamp)
        .addColumn('review_note', 'text')
        .addColumn('author_id', 'text', (c) => c.notNull().references('auth_account.id'))
        .addColumn('approver_id', 'text', (c) => c.references('auth_account.id'))
        .addColumn('search_text', 'text', (c) => c.notNull())
        .addColumn('created_at', h.timestamp, (c) => c.notNull())
        .addColumn('updated_at', h.timestamp, (c) => c.notNull())
        // Unique where it was written: communes merge (unit_id moves), and two may have used the same address.
        .addUniqueConstraint('portal_article_slug', ['origin_unit_id', 'slug'])
        .execute();
      // The public lists: a unit's published items of a kind, newest first.
      await db.schema.createIndex('portal_article_public').on('portal_article').columns(['unit_id', 'kind', 'status', 'publish_at']).execute();
      await db.schema
        .createTable('portal_revision')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('article_id', 'text', (c) => c.notNull().references('portal_article.id'))
        .addColumn('n', 'integer', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('summary', 'text', (c) => c.notNull())
        .addColumn('body_html', 'text', (c) => c.notNull())
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('note', 'text')
        .addColumn('actor_id', 'text', (c) => c.notNull())
        .addColumn('actor_label', 'text', (c) => c.notNull())
        .addColumn('at', h.timestamp, (c) => c.notNull())
        .addUniqueConstraint('portal_revision_n', ['article_id', 'n'])
        .execute();
    },
  },
  {
    name: '20261129-31-portal-products',
    async up(db, h) {
      await db.schema
        .createTable('portal_producer')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('unit_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('origin_unit_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('representative', 'text', (c) => c.notNull())
        .addColumn('phone', 'text')
        .addColumn('zalo', 'text')
        .addColumn('address', 'text', (c) => c.notNull())
        .addColumn('created_at', h.timestamp, (c) => c.notNull())
        .addColumn('updated_at', h.timestamp, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('portal_product')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('unit_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('origin_unit_id', 'text', (c) => c.notNull().references('unit.id'))
        .addColumn('producer_id', 'text', (c) => c.notNull().references('portal_producer.id'))
        .addColumn('slug', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('ocop_stars', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('description_html', 'text', (c) => c.notNull())
        .addColumn('price', 'integer')
        .addColumn('price_unit', 'text', (c) => c.notNull())
        .addColumn('season', 'text', (c) => c.notNull())
        .addColumn('certifications', 'text', (c) => c.notNull())
        .addColumn('traceability', 'text', (c) => c.notNull())
        .addColumn('image_id', 'text', (c) => c.references('portal_image.id'))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('moderation_note', 'text')
        .addColumn('edited_by', 'text', (c) => c.notNull().references('auth_account.id'))
        .addColumn('moderated_by', 'text', (c) => c.references('auth_account.id'))
        .addColumn('search_text', 'text', (c) => c.notNull())
        .addColumn('created_at', h.timestamp, (c) => c.notNull())
        .addColumn('updated_at', h.timestamp, (c) => c.notNull())
        .addUniqueConstraint('portal_product_slug', ['origin_unit_id', 'slug'])
        .execute();
      await db.schema.createIndex('portal_product_public').on('portal_product').columns(['status', 'unit_id', 'category', 'ocop_stars']).execute();
      await db.schema
        .createTable('portal_listing')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('product_id', 'text', (c) => c.notNull().references('portal_product.id'))
        .addColumn('marketplace', 'text', (c) => c.notNull())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('created_at', h.timestamp, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('portal_listing_product').on('portal_listing').column('product_id').execute();
    },
  },
  {
    name: '20261129-32-portal-attachments',
    async up(db, h) {
      // Files attached to an article (a decision, a form to fill in, a schedule): PDF, Word, Excel, pictures.
      await db.schema
        .createTable('portal_attachment')
        .addColumn('article_id', 'text', (c) => c.notNull().references('portal_article.id'))
        .addColumn('file_id', 'text', (c) => c.notNull().references('platform_file.id'))
        .addColumn('created_at', h.timestamp, (c) => c.notNull())
        .addPrimaryKeyConstraint('portal_attachment_pk', ['article_id', 'file_id'])
        .execute();
    },
  },
];
