import crypto from 'node:crypto';
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import type { Access } from '../../platform/auth/access.ts';
import { writeAudit, type AuditContext } from '../../platform/audit/audit.ts';
import { AppError, fieldProblem, notFound } from '../../platform/errors.ts';
import { sharedPagesChanged } from '../../platform/http/kernel.ts';
import { normalizePhone } from '../../platform/notify/channels.ts';
import { foldVietnamese } from '../../platform/search.ts';
import { communeFor, sanitizeBody, slugify, textOf } from './content.ts';

/** Kinds of producers, product categories and the marketplaces a product may be listed on (data). */
export const PRODUCER_KINDS = ['household', 'cooperative', 'enterprise'] as const;
export const PRODUCT_CATEGORIES = ['tea', 'rice', 'fruit', 'vegetables', 'livestock', 'aquatic', 'processed_food', 'handicraft', 'herbal', 'other'] as const;
export const MARKETPLACES = ['shopee', 'lazada', 'tiki', 'tiktok_shop', 'postmart', 'voso', 'sendo', 'other'] as const;
export const MARKETPLACE_NAMES: Record<(typeof MARKETPLACES)[number], string> = {
  shopee: 'Shopee',
  lazada: 'Lazada',
  tiki: 'Tiki',
  tiktok_shop: 'TikTok Shop',
  postmart: 'Postmart',
  voso: 'Voso',
  sendo: 'Sendo',
  other: '',
};

/** Only web addresses (http or https) with a host: no `javascript:`, no `data:`, no local paths. */
export const webLink = z
  .string()
  .trim()
  .max(500)
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'https:' || u.protocol === 'http:') && Boolean(u.hostname);
    } catch {
      return false;
    }
  }, { message: 'portal.error.web_link' });

const optionalPhone = z
  .string()
  .trim()
  .max(20)
  .refine((v) => v === '' || normalizePhone(v) !== null, { message: 'teams.error.phone' })
  .optional()
  .default('');

export const producerInput = z.object({
  name: z.string().trim().min(3).max(150),
  kind: z.enum(PRODUCER_KINDS),
  representative: z.string().trim().min(2).max(100),
  phone: optionalPhone,
  zalo: z
    .string()
    .trim()
    .max(300)
    .refine((v) => v === '' || /^https:\/\/zalo\.me\/[\w/?=&.-]+$/.test(v), { message: 'portal.error.zalo' })
    .optional()
    .default(''),
  address: z.string().trim().min(3).max(200),
});

export const productInput = z.object({
  producer_id: z.string().min(1).max(60),
  name: z.string().trim().min(3).max(150),
  category: z.enum(PRODUCT_CATEGORIES),
  ocop_stars: z.coerce.number().int().refine((n) => n === 0 || (n >= 3 && n <= 5), { message: 'portal.error.ocop' }),
  description_html: z.string().max(50_000),
  price: z
    .string()
    .trim()
    .transform((v) => v.replace(/[.\s]/g, ''))
    .refine((v) => v === '' || (/^\d{1,10}$/.test(v) && Number(v) > 0), { message: 'portal.error.price' })
    .transform((v) => (v === '' ? null : Number(v))),
  price_unit: z.string().trim().max(40).optional().default(''),
  season: z.string().trim().max(120).optional().default(''),
  certifications: z.string().trim().max(300).optional().default(''),
  traceability: z.string().trim().max(1000).optional().default(''),
  image_id: z.string().max(60).optional().default(''),
});

export const listingInput = z.object({ marketplace: z.enum(MARKETPLACES), url: webLink });

export async function productFor(ctx: AppContext, access: Access, id: string, action: 'product.manage' | 'product.moderate') {
  const product = await ctx.database.db.selectFrom('portal_product').selectAll().where('id', '=', id).executeTakeFirst();
  if (!product) throw notFound();
  await access.authorize(action, { unitId: product.unit_id });
  return product;
}

export async function saveProducer(ctx: AppContext, access: Access, audit: AuditContext, unitId: string, input: z.output<typeof producerInput>) {
  const unit = await communeFor(ctx, access, unitId, 'product.manage');
  const id = crypto.randomUUID();
  const at = new Date().toISOString();
  await ctx.database.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('portal_producer')
      .values({ id, unit_id: unit.id, origin_unit_id: unit.id, name: input.name, kind: input.kind, representative: input.representative, phone: input.phone ? normalizePhone(input.phone) : null, zalo: input.zalo || null, address: input.address, created_at: at, updated_at: at })
      .execute();
    await writeAudit(ctx.database, trx, audit, { action: 'portal.producer.create', entity: 'portal_producer', entityId: id, unitId: unit.id, detail: { kind: input.kind } });
  });
  return id;
}

async function productColumns(ctx: AppContext, unitId: string, input: z.output<typeof productInput>) {
  const producer = await ctx.database.db.selectFrom('portal_producer').select('id').where('id', '=', input.producer_id).where('unit_id', '=', unitId).executeTakeFirst();
  if (!producer) throw fieldProblem('bad_producer', 400, 'producer_id', 'portal.error.producer');
  if (input.image_id && !(await ctx.database.db.selectFrom('portal_image').select('id').where('id', '=', input.image_id).where('unit_id', '=', unitId).executeTakeFirst())) {
    throw fieldProblem('bad_image', 400, 'image_id', 'portal.error.image');
  }
  const description = sanitizeBody(input.description_html);
  if (textOf(description).length < 10) throw fieldProblem('short_description', 400, 'description_html', 'portal.error.description');
  return {
    producer_id: producer.id,
    name: input.name,
    category: input.category,
    ocop_stars: input.ocop_stars,
    description_html: description,
    price: input.price,
    price_unit: input.price_unit,
    season: input.season,
    certifications: input.certifications,
    traceability: input.traceability,
    image_id: input.image_id || null,
    search_text: foldVietnamese(`${input.name} ${textOf(description)} ${input.certifications}`),
  };
}

/** A new product or an edit: either waits for moderation by another official before the public sees it. */
export async function saveProduct(ctx: AppContext, access: Access, audit: AuditContext, unitId: string, productId: string | null, input: z.output<typeof productInput>) {
  const existing = productId ? await productFor(ctx, access, productId, 'product.manage') : null;
  const unit = existing ? { id: existing.unit_id } : await communeFor(ctx, access, unitId, 'product.manage');
  const values = await productColumns(ctx, unit.id, input);
  const at = new Date().toISOString();
  const id = existing?.id ?? crypto.randomUUID();
  await ctx.database.db.transaction().execute(async (trx) => {
    if (existing) {
      await trx.updateTable('portal_product').set({ ...values, status: 'pending', moderation_note: null, edited_by: access.actor!.id, updated_at: at }).where('id', '=', id).execute();
    } else {
      const base = slugify(input.name);
      const taken = new Set((await trx.selectFrom('portal_product').select('slug').where((eb) => eb.or([eb('unit_id', '=', unit.id), eb('origin_unit_id', '=', unit.id)])).where('slug', 'like', `${base}%`).execute()).map((r) => r.slug));
      let slug = base;
      for (let i = 2; taken.has(slug); i++) slug = `${base}-${i}`;
      await trx
        .insertInto('portal_product')
        .values({ id, unit_id: unit.id, origin_unit_id: unit.id, slug, ...values, status: 'pending', moderation_note: null, edited_by: access.actor!.id, moderated_by: null, created_at: at, updated_at: at })
        .execute();
    }
    await writeAudit(ctx.database, trx, audit, { action: existing ? 'portal.product.update' : 'portal.product.create', entity: 'portal_product', entityId: id, unitId: unit.id, detail: { stars: input.ocop_stars } });
  });
  if (existing) sharedPagesChanged();
  return id;
}

/**
 * Moderation: another official than the one who last changed it approves (public) or hides it with a
 * reason (kept, off the portal).
 */
export async function moderateProduct(ctx: AppContext, access: Access, audit: AuditContext, productId: string, decision: 'approve' | 'hide', note: string) {
  const product = await productFor(ctx, access, productId, 'product.moderate');
  if (product.edited_by === access.actor!.id) throw new AppError('own_edit', 409, 'portal.error.own_edit');
  if (decision === 'hide' && note.trim().length < 5) throw fieldProblem('no_reason', 400, 'note', 'portal.error.reason');
  const status = decision === 'approve' ? 'approved' : 'hidden';
  await ctx.database.db.transaction().execute(async (trx) => {
    await trx.updateTable('portal_product').set({ status, moderation_note: decision === 'hide' ? note.trim() : null, moderated_by: access.actor!.id, updated_at: new Date().toISOString() }).where('id', '=', product.id).execute();
    await writeAudit(ctx.database, trx, audit, { action: `portal.product.${decision}`, entity: 'portal_product', entityId: product.id, unitId: product.unit_id, detail: { from: product.status, to: status } });
  });
  sharedPagesChanged();
}

export async function addListing(ctx: AppContext, access: Access, audit: AuditContext, productId: string, input: z.output<typeof listingInput>) {
  const product = await productFor(ctx, access, productId, 'product.manage');
  const id = crypto.randomUUID();
  await ctx.database.db.transaction().execute(async (trx) => {
    await trx.insertInto('portal_listing').values({ id, product_id: product.id, marketplace: input.marketplace, url: input.url, created_at: new Date().toISOString() }).execute();
    await writeAudit(ctx.database, trx, audit, { action: 'portal.listing.add', entity: 'portal_listing', entityId: id, unitId: product.unit_id, detail: { marketplace: input.marketplace } });
  });
  sharedPagesChanged();
}

export async function removeListing(ctx: AppContext, access: Access, audit: AuditContext, productId: string, listingId: string) {
  const product = await productFor(ctx, access, productId, 'product.manage');
  await ctx.database.db.transaction().execute(async (trx) => {
    const r = await trx.deleteFrom('portal_listing').where('id', '=', listingId).where('product_id', '=', product.id).executeTakeFirst();
    if (Number(r.numDeletedRows) !== 1) throw notFound();
    await writeAudit(ctx.database, trx, audit, { action: 'portal.listing.remove', entity: 'portal_listing', entityId: listingId, unitId: product.unit_id });
  });
  sharedPagesChanged();
}

/** What the public sees: approved products, with their producer and commune. */
export function publicProducts(ctx: AppContext) {
  const { db } = ctx.database;
  const base = () =>
    db
      .selectFrom('portal_product as p')
      .innerJoin('portal_producer as r', 'r.id', 'p.producer_id')
      .innerJoin('unit as u', 'u.id', 'p.unit_id')
      .leftJoin('portal_image as i', 'i.id', 'p.image_id')
      .select(['p.id', 'p.slug', 'p.name', 'p.category', 'p.ocop_stars', 'p.price', 'p.price_unit', 'p.image_id', 'i.width as image_width', 'i.height as image_height', 'i.alt as image_alt', 'r.name as producer_name', 'u.code as commune_code', 'u.name as commune_name'])
      .where('p.status', '=', 'approved');
  return {
    /** Newest stars first; filters by commune, category and minimum OCOP stars. */
    list: (opts: { unitId?: string | undefined; category?: string | undefined; minStars?: number | undefined; offset?: number; limit?: number }) => {
      let q = base();
      if (opts.unitId) q = q.where('p.unit_id', '=', opts.unitId);
      if (opts.category) q = q.where('p.category', '=', opts.category);
      if (opts.minStars) q = q.where('p.ocop_stars', '>=', opts.minStars);
      return q
        .orderBy('p.ocop_stars', 'desc')
        .orderBy('p.name')
        .offset(opts.offset ?? 0)
        .limit(opts.limit ?? 24)
        .execute();
    },
    bySlug: (unitId: string, slug: string) =>
      db
        .selectFrom('portal_product as p')
        .innerJoin('portal_producer as r', 'r.id', 'p.producer_id')
        .leftJoin('portal_image as i', 'i.id', 'p.image_id')
        .selectAll('p')
        .select(['r.name as producer_name', 'r.kind as producer_kind', 'r.representative', 'r.phone', 'r.zalo', 'r.address', 'i.width as image_width', 'i.height as image_height', 'i.alt as image_alt'])
        .where('p.unit_id', '=', unitId)
        .where('p.slug', '=', slug)
        .where('p.status', '=', 'approved')
        .executeTakeFirst(),
    listings: (productId: string) => db.selectFrom('portal_listing').select(['id', 'marketplace', 'url']).where('product_id', '=', productId).orderBy('created_at').execute(),
  };
}
