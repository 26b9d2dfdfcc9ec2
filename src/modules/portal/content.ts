import crypto from 'node:crypto';
import sanitizeHtml from 'sanitize-html';
import { z } from 'zod';
import type { Kysely } from 'kysely';
import type { AppContext } from '../../platform/context.ts';
import type { Access, Actor } from '../../platform/auth/access.ts';
import type { DB } from '../../platform/db/schema.ts';
import { writeAudit, type AuditContext } from '../../platform/audit/audit.ts';
import { AppError, fieldProblem, notFound } from '../../platform/errors.ts';
import { foldVietnamese } from '../../platform/search.ts';
import { unitRepository } from '../../platform/units/repository.ts';
import { checkUpload, storeFile, type UploadedFile } from '../../platform/files/files.ts';
import { sharedPagesChanged } from '../../platform/http/kernel.ts';

/** What a commune publishes, and the categories of each (data; labels in the catalogue). */
export const KINDS = ['news', 'announcement', 'page'] as const;
export type Kind = (typeof KINDS)[number];
export const CATEGORIES = {
  news: ['politics', 'economy', 'culture', 'digital', 'agriculture', 'security'],
  announcement: ['administration', 'public_services', 'health', 'education', 'emergency', 'other'],
  // A commune's standing pages: one of each, at a fixed address.
  page: ['introduction', 'leadership', 'contacts', 'opening_hours', 'map'],
} as const satisfies Record<Kind, readonly string[]>;
export const PAGE_SLUGS: Record<(typeof CATEGORIES)['page'][number], string> = {
  introduction: 'gioi-thieu',
  leadership: 'lanh-dao',
  contacts: 'co-cau-to-chuc',
  opening_hours: 'gio-lam-viec',
  map: 'ban-do',
};
export const isPageSlug = (slug: string) => Object.values(PAGE_SLUGS).includes(slug);

/**
 * The HTML an article may hold: headings, paragraphs, lists, emphasis, quotes, simple tables, links
 * (http, https, mailto, tel) and pictures uploaded here (`/anh/…`). Everything else — scripts, event
 * handlers, styles, frames, other hosts' images — is removed before storage.
 */
const LOCAL_IMAGE = /^\/anh\/[0-9a-f-]{36}\/(large|small)\.webp$/;
export function sanitizeBody(html: string): string {
  return sanitizeHtml(html, {
    allowedTags: ['h2', 'h3', 'h4', 'p', 'br', 'ul', 'ol', 'li', 'strong', 'b', 'em', 'i', 'u', 'blockquote', 'a', 'img', 'figure', 'figcaption', 'table', 'thead', 'tbody', 'tr', 'th', 'td'],
    // `rel`, `loading` and `decoding` are set by the transforms below, whatever the author wrote.
    allowedAttributes: { a: ['href', 'rel'], img: ['src', 'alt', 'width', 'height', 'loading', 'decoding'], th: ['scope'] },
    allowedSchemes: ['http', 'https', 'mailto', 'tel'],
    allowProtocolRelative: false,
    exclusiveFilter: (frame) => frame.tag === 'img' && !LOCAL_IMAGE.test(frame.attribs.src ?? ''),
    transformTags: {
      h1: 'h2',
      // Browsers' editors write <b> and <i>: kept as their meaning.
      b: 'strong',
      i: 'em',
      a: (tagName, attribs) => ({ tagName, attribs: { ...(attribs.href ? { href: attribs.href } : {}), rel: 'noopener' } }),
      img: (tagName, attribs) => ({ tagName, attribs: { ...attribs, loading: 'lazy', decoding: 'async' } }),
    },
  });
}

/** The plain text of sanitized HTML (for search and summaries). */
export const textOf = (html: string) => sanitizeHtml(html, { allowedTags: [], allowedAttributes: {} }).replace(/\s+/g, ' ').trim();

/** A readable address from a title: "Thông báo lịch tiêm chủng" → "thong-bao-lich-tiem-chung". */
export const slugify = (title: string) =>
  foldVietnamese(title)
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80) || 'bai-viet';

const dateTime = z
  .string()
  .trim()
  .refine((v) => v === '' || !Number.isNaN(Date.parse(v)), { message: 'portal.error.date_time' })
  .optional()
  .default('');
const flag = z.preprocess((v) => v === 'on' || v === true || v === '1', z.boolean());

export const articleInput = z
  .object({
    kind: z.enum(KINDS),
    title: z.string().trim().min(5).max(200),
    summary: z.string().trim().min(10).max(400),
    body_html: z.string().max(200_000),
    category: z.string().max(40),
    image_id: z.string().max(60).optional().default(''),
    pinned: flag,
    // Local date and time as the browser's datetime-local sends it (Vietnam time).
    publish_at: dateTime,
    expires_at: dateTime,
  })
  .refine((v) => (CATEGORIES[v.kind] as readonly string[]).includes(v.category), { message: 'portal.error.category', path: ['category'] });
export type ArticleInput = z.output<typeof articleInput>;

/** `YYYY-MM-DDTHH:mm` in Vietnam time (UTC+7, no daylight saving) → an ISO instant. */
export const vietnamInstant = (local: string) => (local ? new Date(/[zZ]|[+-]\d\d:\d\d$/.test(local) ? local : `${local}:00+07:00`).toISOString() : null);

/** A current commune the actor may act on for `action`, else 404. */
export async function communeFor(ctx: AppContext, access: Access, unitId: string, action: string) {
  const unit = await unitRepository(ctx.database).byId(unitId);
  if (!unit || unit.level !== 'commune' || unit.valid_to !== null) throw notFound();
  await access.authorize(action, { unitId: unit.id });
  return unit;
}

export async function articleFor(ctx: AppContext, access: Access, id: string, action: 'portal.edit' | 'portal.approve') {
  const article = await ctx.database.db.selectFrom('portal_article').selectAll().where('id', '=', id).executeTakeFirst();
  if (!article) throw notFound();
  await access.authorize(action, { unitId: article.unit_id });
  return article;
}

async function revise(trx: Kysely<DB>, article: { id: string; title: string; summary: string; body_html: string }, actor: Actor, event: string, note: string | null = null) {
  const last = await trx.selectFrom('portal_revision').select((eb) => eb.fn.max('n').as('n')).where('article_id', '=', article.id).executeTakeFirst();
  await trx
    .insertInto('portal_revision')
    .values({ id: crypto.randomUUID(), article_id: article.id, n: Number(last?.n ?? 0) + 1, title: article.title, summary: article.summary, body_html: article.body_html, event, note, actor_id: actor.id, actor_label: actor.displayName, at: new Date().toISOString() })
    .execute();
}

/** Adds width and height to the pictures of the body (known sizes: no layout shift while they load). */
async function sizeImages(ctx: AppContext, unitId: string, html: string) {
  const ids = [...html.matchAll(/src="\/anh\/([0-9a-f-]{36})\/(large|small)\.webp"/g)].map((m) => m[1]!);
  if (!ids.length) return html;
  const images = new Map((await ctx.database.db.selectFrom('portal_image').select(['id', 'width', 'height']).where('id', 'in', ids).where('unit_id', '=', unitId).execute()).map((i) => [i.id, i]));
  return html.replace(/<img([^>]*?) src="\/anh\/([0-9a-f-]{36})\/(large|small)\.webp"([^>]*?)\s*\/?>/g, (all, before: string, id: string, size: string, after: string) => {
    const img = images.get(id);
    if (!img) return '';
    const scale = size === 'small' ? Math.min(1, 480 / img.width) : 1;
    const rest = `${before}${after}`.replace(/\s(width|height)="[^"]*"/g, '');
    return `<img${rest} src="/anh/${id}/${size}.webp" width="${Math.round(img.width * scale)}" height="${Math.round(img.height * scale)}">`;
  });
}

async function columns(ctx: AppContext, unitId: string, input: ArticleInput) {
  const body = await sizeImages(ctx, unitId, sanitizeBody(input.body_html));
  if (!textOf(body) && !body.includes('<img')) throw fieldProblem('empty_body', 400, 'body_html', 'portal.error.empty_body');
  if (input.image_id && !(await ctx.database.db.selectFrom('portal_image').select('id').where('id', '=', input.image_id).where('unit_id', '=', unitId).executeTakeFirst())) {
    throw fieldProblem('bad_image', 400, 'image_id', 'portal.error.image');
  }
  const publishAt = vietnamInstant(input.publish_at);
  const expiresAt = vietnamInstant(input.expires_at);
  if (expiresAt && expiresAt <= (publishAt ?? new Date().toISOString())) throw fieldProblem('expires_before', 400, 'expires_at', 'portal.error.expires_before');
  return {
    kind: input.kind,
    title: input.title,
    summary: input.summary,
    body_html: body,
    category: input.category,
    image_id: input.image_id || null,
    pinned: input.pinned ? 1 : 0,
    publish_at: publishAt,
    expires_at: expiresAt,
    search_text: foldVietnamese(`${input.title} ${input.summary} ${textOf(body)}`),
  };
}

/** A new draft of the commune's (by an editor). */
export async function createArticle(ctx: AppContext, access: Access, audit: AuditContext, unitId: string, input: ArticleInput) {
  const unit = await communeFor(ctx, access, unitId, 'portal.edit');
  const values = await columns(ctx, unit.id, input);
  const id = crypto.randomUUID();
  const at = new Date().toISOString();
  await ctx.database.db.transaction().execute(async (trx) => {
    // A standing page has its fixed address, once per commune; others take theirs from the title (a
    // number is added when it is taken).
    if (input.kind === 'page') {
      const fixed = PAGE_SLUGS[input.category as keyof typeof PAGE_SLUGS];
      const exists = await trx.selectFrom('portal_article').select('id').where('unit_id', '=', unit.id).where('kind', '=', 'page').where('category', '=', input.category).where('status', '!=', 'archived').executeTakeFirst();
      if (exists) throw fieldProblem('page_exists', 409, 'category', 'portal.error.page_exists');
      const taken = await trx.selectFrom('portal_article').select('id').where('origin_unit_id', '=', unit.id).where('slug', '=', fixed).executeTakeFirst();
      if (taken) await trx.updateTable('portal_article').set({ slug: `${fixed}-${id.slice(0, 8)}` }).where('id', '=', taken.id).execute();
    }
    const base = input.kind === 'page' ? PAGE_SLUGS[input.category as keyof typeof PAGE_SLUGS] : slugify(input.title);
    const taken = new Set(
      (await trx.selectFrom('portal_article').select('slug').where((eb) => eb.or([eb('unit_id', '=', unit.id), eb('origin_unit_id', '=', unit.id)])).where('slug', 'like', `${base}%`).execute()).map((r) => r.slug),
    );
    let slug = base;
    for (let i = 2; taken.has(slug); i++) slug = `${base}-${i}`;
    const row = { id, unit_id: unit.id, origin_unit_id: unit.id, slug, ...values, status: 'draft', review_note: null, author_id: access.actor!.id, approver_id: null, created_at: at, updated_at: at };
    await trx.insertInto('portal_article').values(row).execute();
    await revise(trx, row, access.actor!, 'saved');
    await writeAudit(ctx.database, trx, audit, { action: 'portal.article.create', entity: 'portal_article', entityId: id, unitId: unit.id, detail: { kind: input.kind, slug } });
  });
  return id;
}

/** Saves an edit. A published article edited by an editor goes back to review; an approver's edit stays published. */
export async function updateArticle(ctx: AppContext, access: Access, audit: AuditContext, id: string, input: ArticleInput) {
  const article = await articleFor(ctx, access, id, 'portal.edit');
  if (article.status === 'archived') throw new AppError('archived', 409, 'portal.error.archived');
  const values = await columns(ctx, article.unit_id, input);
  const approver = await access.can('portal.approve', { unitId: article.unit_id });
  const status = article.status === 'published' && !approver ? 'review' : article.status;
  await ctx.database.db.transaction().execute(async (trx) => {
    await trx.updateTable('portal_article').set({ ...values, status, updated_at: new Date().toISOString() }).where('id', '=', article.id).execute();
    await revise(trx, { id: article.id, ...values }, access.actor!, 'saved');
    await writeAudit(ctx.database, trx, audit, { action: 'portal.article.update', entity: 'portal_article', entityId: article.id, unitId: article.unit_id, detail: { status } });
  });
  sharedPagesChanged();
}

const TRANSITIONS = {
  submit: { from: ['draft'], to: 'review', permission: 'portal.edit' },
  publish: { from: ['draft', 'review'], to: 'published', permission: 'portal.approve' },
  return: { from: ['review'], to: 'draft', permission: 'portal.approve' },
  archive: { from: ['draft', 'review', 'published'], to: 'archived', permission: 'portal.approve' },
} as const;
export type Transition = keyof typeof TRANSITIONS;
export const isTransition = (v: string): v is Transition => v in TRANSITIONS;

/**
 * Moves an article through its review: an editor submits, an approver publishes (now, or at the
 * scheduled time), sends back with a reason, or archives (withdrawn from the public, kept).
 */
export async function moveArticle(ctx: AppContext, access: Access, audit: AuditContext, id: string, transition: Transition, note: string) {
  const rule = TRANSITIONS[transition];
  const article = await articleFor(ctx, access, id, rule.permission);
  if (!(rule.from as readonly string[]).includes(article.status)) throw new AppError('bad_transition', 409, 'portal.error.transition', { from: article.status, to: rule.to });
  if (transition === 'return' && note.trim().length < 5) throw fieldProblem('no_reason', 400, 'note', 'portal.error.reason');
  const at = new Date().toISOString();
  const set =
    transition === 'publish'
      ? { status: 'published', approver_id: access.actor!.id, publish_at: article.publish_at && article.publish_at > at ? article.publish_at : at, review_note: null }
      : transition === 'return'
        ? { status: 'draft', review_note: note.trim() }
        : { status: rule.to };
  await ctx.database.db.transaction().execute(async (trx) => {
    const r = await trx.updateTable('portal_article').set({ ...set, updated_at: at }).where('id', '=', article.id).where('status', '=', article.status).executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw new AppError('bad_transition', 409, 'portal.error.transition', { from: article.status, to: rule.to });
    await revise(trx, article, access.actor!, transition === 'submit' ? 'submitted' : transition === 'publish' ? 'published' : transition === 'return' ? 'returned' : 'archived', note.trim() || null);
    await writeAudit(ctx.database, trx, audit, { action: `portal.article.${transition}`, entity: 'portal_article', entityId: article.id, unitId: article.unit_id, detail: { from: article.status, to: set.status } });
  });
  // The public sees it at once in this process (others within the shared pages' few seconds).
  sharedPagesChanged();
}

/** What may be attached to an article, told by content: PDF, Word, Excel, JPEG, PNG. */
export const ATTACHMENT_TYPES = [
  'application/pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'image/jpeg',
  'image/png',
];

export async function attachFile(ctx: AppContext, access: Access, audit: AuditContext, articleId: string, file: UploadedFile) {
  const article = await articleFor(ctx, access, articleId, 'portal.edit');
  const { mime } = await checkUpload(ctx, 'file', file, ATTACHMENT_TYPES);
  await ctx.database.db.transaction().execute(async (trx) => {
    const fileId = await storeFile(ctx, trx, file, { mime, unitId: article.unit_id, ownerId: access.actor!.id });
    await trx.insertInto('portal_attachment').values({ article_id: article.id, file_id: fileId, created_at: new Date().toISOString() }).execute();
    await writeAudit(ctx.database, trx, audit, { action: 'portal.attachment.add', entity: 'portal_article', entityId: article.id, unitId: article.unit_id, detail: { file: fileId, mime } });
  });
  sharedPagesChanged();
}

export async function detachFile(ctx: AppContext, access: Access, audit: AuditContext, articleId: string, fileId: string) {
  const article = await articleFor(ctx, access, articleId, 'portal.edit');
  await ctx.database.db.transaction().execute(async (trx) => {
    const r = await trx.deleteFrom('portal_attachment').where('article_id', '=', article.id).where('file_id', '=', fileId).executeTakeFirst();
    if (Number(r.numDeletedRows) !== 1) throw notFound();
    await writeAudit(ctx.database, trx, audit, { action: 'portal.attachment.remove', entity: 'portal_article', entityId: article.id, unitId: article.unit_id, detail: { file: fileId } });
  });
  sharedPagesChanged();
}

/** An article's attached files, oldest first. */
export const attachmentsOf = (ctx: AppContext, articleId: string) =>
  ctx.database.db
    .selectFrom('portal_attachment as a')
    .innerJoin('platform_file as f', 'f.id', 'a.file_id')
    .select(['f.id', 'f.name', 'f.mime', 'f.size'])
    .where('a.article_id', '=', articleId)
    .orderBy('a.created_at')
    .execute();

/** A file's kind and size as people say them. */
export const fileKind = (mime: string) =>
  ({ 'application/pdf': 'PDF', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'Word', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'Excel', 'image/jpeg': 'JPEG', 'image/png': 'PNG' })[mime] ?? mime;
export const fileSize = (bytes: number) => (bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1).replace('.', ',')} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`);
