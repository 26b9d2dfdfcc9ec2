import { sql } from 'kysely';
import type { AppContext } from '../../platform/context.ts';
import { foldVietnamese } from '../../platform/search.ts';
import type { Kind } from './content.ts';

export const PAGE_SIZE = 10;

/** What the public sees of a commune: published, due and not expired. */
export function publicArticles(ctx: AppContext) {
  const { db } = ctx.database;
  const visible = (unitId: string, now: string) =>
    db
      .selectFrom('portal_article as a')
      .leftJoin('portal_image as i', 'i.id', 'a.image_id')
      .select(['a.id', 'a.kind', 'a.slug', 'a.title', 'a.summary', 'a.category', 'a.pinned', 'a.publish_at', 'a.updated_at', 'a.image_id', 'i.width as image_width', 'i.height as image_height', 'i.alt as image_alt'])
      .where('a.unit_id', '=', unitId)
      .where('a.status', '=', 'published')
      .where('a.publish_at', '<=', now)
      .where((eb) => eb.or([eb('a.expires_at', 'is', null), eb('a.expires_at', '>', now)]));
  return {
    /** A page of one kind (or both), newest first; one more than asked tells whether a next page exists. */
    list: (unitId: string, opts: { kind?: Kind; category?: string; offset?: number; limit?: number; now?: string } = {}) => {
      let q = visible(unitId, opts.now ?? new Date().toISOString());
      // Standing pages are not in the lists of news and announcements.
      q = opts.kind ? q.where('a.kind', '=', opts.kind) : q.where('a.kind', '!=', 'page');
      if (opts.category) q = q.where('a.category', '=', opts.category);
      return q
        .orderBy('a.publish_at', 'desc')
        .orderBy('a.id')
        .offset(opts.offset ?? 0)
        .limit(opts.limit ?? PAGE_SIZE)
        .execute();
    },
    /** The commune's published standing pages (introduction, leadership…). */
    pages: (unitId: string, now = new Date().toISOString()) => visible(unitId, now).where('a.kind', '=', 'page').execute(),
    pinned: (unitId: string, now = new Date().toISOString()) => visible(unitId, now).where('a.kind', '=', 'announcement').where('a.pinned', '=', 1).orderBy('a.publish_at', 'desc').limit(5).execute(),
    /** Words without diacritics match words with them: "tiem chung" finds "tiêm chủng". */
    search: (unitId: string, q: string, offset = 0, now = new Date().toISOString()) => {
      const words = foldVietnamese(q).split(/\s+/).filter(Boolean).slice(0, 8);
      let query = visible(unitId, now);
      for (const w of words) query = query.where('a.search_text', 'like', `%${w.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      return query.orderBy('a.publish_at', 'desc').offset(offset).limit(PAGE_SIZE + 1).execute();
    },
    bySlug: (unitId: string, slug: string, now = new Date().toISOString()) =>
      db
        .selectFrom('portal_article as a')
        .leftJoin('portal_image as i', 'i.id', 'a.image_id')
        .selectAll('a')
        .select(['i.width as image_width', 'i.height as image_height', 'i.alt as image_alt'])
        .where('a.unit_id', '=', unitId)
        .where('a.slug', '=', slug)
        .where('a.status', '=', 'published')
        .where('a.publish_at', '<=', now)
        .where((eb) => eb.or([eb('a.expires_at', 'is', null), eb('a.expires_at', '>', now)]))
        // After a merge the successor may hold two with one address: its own comes first.
        .orderBy(sql`case when a.origin_unit_id = a.unit_id then 0 else 1 end`)
        .executeTakeFirst(),
  };
}
