import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import { AppError, notFound, type FieldError } from '../../platform/errors.ts';
import { pageContext, parseInput, sendPage, setFlash, signedIn, formStrings } from '../../platform/http/kernel.ts';
import { formatDateTime, type MessageKey, type Translate } from '../../platform/i18n/index.ts';
import { Layout } from '../../platform/ui/layout.tsx';
import { Button, Checkbox, ErrorSummary, FileInput, Form, SelectInput, Table, TextArea, TextInput } from '../../platform/ui/components.tsx';
import type { PageContext } from '../../platform/ui/context.ts';
import { isUpload } from '../../platform/files/files.ts';
import { CATEGORIES, KINDS, articleFor, articleInput, attachFile, attachmentsOf, fileKind, fileSize, communeFor, createArticle, detachFile, isTransition, moveArticle, updateArticle, type Kind } from './content.ts';
import { uploadImage } from './images.ts';
import { categoryLabel } from './public-routes.tsx';

export const PORTAL_ADMIN = '/cong-thong-tin';

/** The commune's pictures, each with a button inserting it into the editor (and its HTML without JavaScript). */
export function ImageLibrary({ t, images }: { t: Translate; images: readonly { id: string; alt: string; width: number; height: number }[] }) {
  return (
    <>
      <h2>{t('portal.images')}</h2>
      {images.length ? (
        <ul class="image-grid">
          {images.map((i) => (
            <li>
              <img src={`/anh/${i.id}/small.webp`} alt={i.alt} width={160} height={Math.round((160 * i.height) / i.width)} loading="lazy" />
              <button type="button" class="link-button" data-insert-image={`/anh/${i.id}/large.webp`} data-alt={i.alt} hidden>
                {t('portal.insert_image')}
              </button>
              <code>{`<img src="/anh/${i.id}/large.webp" alt="${i.alt}">`}</code>
            </li>
          ))}
        </ul>
      ) : null}
    </>
  );
}
type Values = Record<string, string>;
const LABELS = {
  kind: 'portal.kind',
  title: 'portal.title',
  summary: 'portal.summary',
  body_html: 'portal.body',
  category: 'portal.category',
  image_id: 'portal.cover',
  publish_at: 'portal.publish_at',
  expires_at: 'portal.expires_at',
  note: 'portal.note',
  image: 'portal.image_file',
  alt: 'portal.image_alt',
} as const;
const statusLabel = (s: string): MessageKey => `portal.status.${s as 'draft' | 'review' | 'published' | 'archived'}`;
/** An instant as the browser's datetime-local field shows it, in Vietnam time. */
const localInput = (iso: string | null) => (iso ? new Date(Date.parse(iso) + 7 * 3600_000).toISOString().slice(0, 16) : '');

/** The officials' side of the portal: drafts, review and publication, pictures, history. */
export function registerPortalAdminRoutes(app: FastifyInstance, ctx: AppContext) {
  const { db } = ctx.database;

  /** The commune the actor edits the portal of (their own unit). */
  const actorCommune = (request: FastifyRequest) => communeFor(ctx, request.access, request.actor!.unitId, 'portal.edit');

  app.get(PORTAL_ADMIN, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const commune = await actorCommune(request);
    const status = (request.query as { trang_thai?: string }).trang_thai;
    let q = db.selectFrom('portal_article').select(['id', 'kind', 'title', 'category', 'status', 'pinned', 'publish_at', 'expires_at', 'updated_at']).where('unit_id', '=', commune.id);
    if (status && ['draft', 'review', 'published', 'archived'].includes(status)) q = q.where('status', '=', status);
    const rows = await q.orderBy('updated_at', 'desc').limit(200).execute();
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    const now = new Date().toISOString();
    return sendPage(
      reply,
      <Layout ctx={page} title={t('portal.admin.title', { name: commune.name })} shell="admin">
        <h1>{t('portal.admin.title', { name: commune.name })}</h1>
        <p class="button-row">
          <a class="button" href={`${PORTAL_ADMIN}/moi?loai=news`}>
            {t('portal.admin.new_news')}
          </a>
          <a class="button" href={`${PORTAL_ADMIN}/moi?loai=announcement`}>
            {t('portal.admin.new_announcement')}
          </a>
          <a class="button button-secondary" href={`${PORTAL_ADMIN}/moi?loai=page`}>
            {t('portal.admin.new_page')}
          </a>
          <a href={`/xa/${commune.code}`}>{t('portal.admin.view_portal')}</a>
        </p>
        <form method="get" action={PORTAL_ADMIN} class="filter-form">
          <SelectInput ctx={page} name="trang_thai" label={t('portal.status')} value={status ?? ''} options={['draft', 'review', 'published', 'archived'].map((s) => ({ value: s, label: t(statusLabel(s)) }))} placeholder={t('portal.all')} />
          <Button kind="secondary">{t('portal.admin.filter')}</Button>
        </form>
        {rows.length ? (
          <Table
            rows={rows}
            columns={[
              { label: t('portal.title'), cell: (a) => <a href={`${PORTAL_ADMIN}/${a.id}`}>{a.title}</a> },
              { label: t('portal.kind'), cell: (a) => t(`portal.kind.${a.kind as Kind}`) },
              { label: t('portal.category'), cell: (a) => t(categoryLabel(a.kind, a.category)) },
              {
                label: t('portal.status'),
                cell: (a) =>
                  `${t(statusLabel(a.status))}${a.status === 'published' && a.publish_at && a.publish_at > now ? ` (${t('portal.scheduled', { at: formatDateTime(a.publish_at) })})` : ''}${a.expires_at && a.expires_at <= now ? ` (${t('portal.expired')})` : ''}${a.pinned ? ` · ${t('portal.pinned')}` : ''}`,
              },
              { label: t('portal.updated_at'), cell: (a) => formatDateTime(a.updated_at) },
            ]}
          />
        ) : (
          <p>{t('portal.nothing')}</p>
        )}
      </Layout>,
    );
  });

  const articleFields = (page: PageContext, kind: Kind, values: Values, errors: FieldError[], images: { id: string; alt: string }[]) => {
    const { t } = page;
    return (
      <>
        <input type="hidden" name="kind" value={kind} />
        <TextInput ctx={page} name="title" label={t('portal.title')} errors={errors} value={values.title} required />
        <TextArea ctx={page} name="summary" label={t('portal.summary')} hint={t('portal.summary_hint')} errors={errors} value={values.summary} rows={3} required />
        <SelectInput ctx={page} name="category" label={t('portal.category')} errors={errors} value={values.category} options={CATEGORIES[kind].map((c) => ({ value: c, label: t(categoryLabel(kind, c)) }))} placeholder="" required />
        <div data-rich-editor data-labels={JSON.stringify({ h2: t('portal.editor.heading'), b: t('portal.editor.bold'), i: t('portal.editor.italic'), ul: t('portal.editor.list'), ol: t('portal.editor.numbered'), link: t('portal.editor.link'), link_prompt: t('portal.editor.link_prompt') })}>
          <TextArea ctx={page} name="body_html" label={t('portal.body')} hint={t('portal.body_hint')} errors={errors} value={values.body_html} rows={14} />
        </div>
        <SelectInput ctx={page} name="image_id" label={t('portal.cover')} errors={errors} value={values.image_id} options={images.map((i) => ({ value: i.id, label: i.alt }))} placeholder={t('portal.no_cover')} />
        <TextInput ctx={page} name="publish_at" type="datetime-local" label={t('portal.publish_at')} hint={t('portal.publish_at_hint')} errors={errors} value={values.publish_at} />
        <TextInput ctx={page} name="expires_at" type="datetime-local" label={t('portal.expires_at')} hint={t('portal.expires_at_hint')} errors={errors} value={values.expires_at} />
        {kind === 'announcement' ? <Checkbox name="pinned" label={t('portal.pin')} checked={values.pinned === 'on'} /> : null}
      </>
    );
  };

  const imagesOf = (unitId: string) => db.selectFrom('portal_image').select(['id', 'alt', 'width', 'height']).where('unit_id', '=', unitId).orderBy('created_at', 'desc').limit(24).execute();

  const renderNew = async (request: FastifyRequest, reply: FastifyReply, kind: Kind, errors: FieldError[] = [], values: Values = {}, status = 200) => {
    const commune = await actorCommune(request);
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    const title = t(kind === 'news' ? 'portal.admin.new_news' : kind === 'page' ? 'portal.admin.new_page' : 'portal.admin.new_announcement');
    return sendPage(
      reply,
      <Layout ctx={page} title={title} shell="admin">
        <p>
          <a href={PORTAL_ADMIN}>← {t('portal.admin.title', { name: commune.name })}</a>
        </p>
        <h1>{title}</h1>
        <ErrorSummary ctx={page} errors={errors} />
        <Form ctx={page} action={PORTAL_ADMIN} label={title}>
          {articleFields(page, kind, values, errors, await imagesOf(commune.id))}
          <Button>{t('portal.save_draft')}</Button>
        </Form>
      </Layout>,
      status,
    );
  };

  app.get(`${PORTAL_ADMIN}/moi`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const kind = KINDS.find((k) => k === (request.query as { loai?: string }).loai) ?? 'news';
    return renderNew(request, reply, kind);
  });

  const fieldErrors = (err: unknown): FieldError[] => {
    if (err instanceof AppError && err.fields.length) return err.fields;
    throw err;
  };

  app.post(PORTAL_ADMIN, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const body = formStrings(request.body);
    const kind = KINDS.find((k) => k === body.kind) ?? 'news';
    const parsed = parseInput(request, articleInput, { labels: LABELS });
    if (!parsed.ok) return renderNew(request, reply, kind, parsed.errors, body, 400);
    let id: string;
    try {
      id = await createArticle(ctx, request.access, request.auditContext, request.actor!.unitId, parsed.data);
    } catch (err) {
      return renderNew(request, reply, kind, fieldErrors(err), body, 400);
    }
    setFlash(reply, 'portal.flash.saved');
    return reply.redirect(`${PORTAL_ADMIN}/${id}`, 303);
  });

  const renderEdit = async (request: FastifyRequest, reply: FastifyReply, id: string, errors: FieldError[] = [], values: Values | null = null, form = 'article', status = 200) => {
    const a = await articleFor(ctx, request.access, id, 'portal.edit');
    const [commune, images, revisions, attachments] = await Promise.all([
      db.selectFrom('unit').select(['code', 'name']).where('id', '=', a.unit_id).executeTakeFirstOrThrow(),
      imagesOf(a.unit_id),
      db.selectFrom('portal_revision').select(['n', 'event', 'note', 'actor_label', 'at']).where('article_id', '=', a.id).orderBy('n', 'desc').limit(50).execute(),
      attachmentsOf(ctx, a.id),
    ]);
    const canApprove = await request.access.can('portal.approve', { unitId: a.unit_id });
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    const shown: Values = values ?? {
      title: a.title,
      summary: a.summary,
      body_html: a.body_html,
      category: a.category,
      image_id: a.image_id ?? '',
      publish_at: localInput(a.publish_at),
      expires_at: localInput(a.expires_at),
      pinned: a.pinned ? 'on' : '',
    };
    const now = new Date().toISOString();
    const live = a.status === 'published' && (a.publish_at ?? '') <= now && (!a.expires_at || a.expires_at > now);
    const action = (name: string, label: string, kind: 'primary' | 'secondary' | 'danger' = 'secondary', withNote = false) => (
      <Form ctx={page} action={`${PORTAL_ADMIN}/${a.id}/chuyen`} label={label}>
        <input type="hidden" name="action" value={name} />
        {withNote ? <TextArea ctx={page} scope={name} name="note" label={t('portal.note')} errors={form === name ? errors : []} value={form === name ? values?.note : ''} rows={2} required /> : null}
        {name === 'archive' ? <Checkbox name="confirm" label={t('portal.confirm_archive')} required /> : null}
        <Button kind={kind}>{label}</Button>
      </Form>
    );
    return sendPage(
      reply,
      <Layout ctx={page} title={a.title} shell="admin">
        <p>
          <a href={PORTAL_ADMIN}>← {t('portal.admin.title', { name: commune.name })}</a>
        </p>
        <h1>{a.title}</h1>
        <p>
          {t('portal.status')}: <strong>{t(statusLabel(a.status))}</strong>
          {live ? (
            <>
              {' · '}
              <a href={a.kind === 'page' ? `/xa/${commune.code}/${a.slug}` : `/xa/${commune.code}/bai/${a.slug}`}>{t('portal.view_public')}</a>
            </>
          ) : null}
        </p>
        {a.review_note && a.status === 'draft' ? (
          <p class="notice">
            {t('portal.returned_because')}: {a.review_note}
          </p>
        ) : null}
        <ErrorSummary ctx={page} errors={errors} scope={form === 'article' || form === 'image' ? undefined : form} />
        <div class="button-row">
          {a.status === 'draft' && !canApprove ? action('submit', t('portal.action.submit'), 'primary') : null}
          {canApprove && (a.status === 'draft' || a.status === 'review') ? action('publish', t('portal.action.publish'), 'primary') : null}
          {canApprove && a.status === 'review' ? action('return', t('portal.action.return'), 'secondary', true) : null}
          {canApprove && a.status !== 'archived' ? action('archive', t('portal.action.archive'), 'danger') : null}
        </div>
        {a.status !== 'archived' ? (
          <Form ctx={page} action={`${PORTAL_ADMIN}/${a.id}`} label={t('portal.edit')}>
            <fieldset>
              <legend>{t('portal.edit')}</legend>
              {articleFields(page, a.kind as Kind, shown, form === 'article' ? errors : [], images)}
              <p class="hint">{a.status === 'published' && !canApprove ? t('portal.edit_goes_to_review') : ''}</p>
              <Button>{t('portal.save')}</Button>
            </fieldset>
          </Form>
        ) : null}
        <h2>{t('portal.attachments')}</h2>
        {attachments.length ? (
          <Table
            rows={attachments}
            columns={[
              { label: t('portal.file_name'), cell: (f) => f.name },
              { label: t('portal.file_kind'), cell: (f) => `${fileKind(f.mime)}, ${fileSize(f.size)}` },
              {
                label: t('portal.remove'),
                cell: (f) => (
                  <Form ctx={page} action={`${PORTAL_ADMIN}/${a.id}/tep/${f.id}/xoa`} label={t('portal.remove')}>
                    <Checkbox name="confirm" label={t('portal.confirm_remove_file', { name: f.name })} required />
                    <Button kind="danger">{t('portal.remove')}</Button>
                  </Form>
                ),
              },
            ]}
          />
        ) : null}
        <Form ctx={page} action={`${PORTAL_ADMIN}/${a.id}/tep`} label={t('portal.attach')} files>
          <fieldset>
            <legend>{t('portal.attach')}</legend>
            <FileInput ctx={page} name="file" label={t('portal.attach_file')} errors={form === 'file' ? errors : []} accept=".pdf,.docx,.xlsx,image/jpeg,image/png" required />
            <Button kind="secondary">{t('portal.attach')}</Button>
          </fieldset>
        </Form>
        <ImageLibrary t={t} images={images} />
        <Form ctx={page} action={`${PORTAL_ADMIN}/${a.id}/anh`} label={t('portal.upload_image')} files>
          <fieldset>
            <legend>{t('portal.upload_image')}</legend>
            <FileInput ctx={page} name="image" label={t('portal.image_file')} errors={form === 'image' ? errors : []} accept="image/jpeg,image/png,image/webp" required />
            <TextInput ctx={page} name="alt" label={t('portal.image_alt')} hint={t('portal.image_alt_hint')} errors={form === 'image' ? errors : []} value={form === 'image' ? values?.alt : ''} required />
            <Button kind="secondary">{t('portal.upload_image')}</Button>
          </fieldset>
        </Form>
        <h2>{t('portal.revisions')}</h2>
        <Table
          rows={revisions}
          columns={[
            { label: '#', cell: (r) => String(r.n) },
            { label: t('portal.history_event'), cell: (r) => t(`portal.event.${r.event as 'saved'}`) },
            { label: t('portal.history_by'), cell: (r) => r.actor_label },
            { label: t('portal.history_at'), cell: (r) => formatDateTime(r.at) },
            { label: t('portal.note'), cell: (r) => r.note ?? '' },
          ]}
        />
      </Layout>,
      status,
    );
  };

  app.get(`${PORTAL_ADMIN}/:id`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    return renderEdit(request, reply, (request.params as { id: string }).id);
  });

  app.post(`${PORTAL_ADMIN}/:id`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const { id } = request.params as { id: string };
    const body = formStrings(request.body);
    const parsed = parseInput(request, articleInput, { labels: LABELS });
    if (!parsed.ok) return renderEdit(request, reply, id, parsed.errors, body, 'article', 400);
    try {
      await updateArticle(ctx, request.access, request.auditContext, id, parsed.data);
    } catch (err) {
      if (err instanceof AppError && err.code === 'archived') throw err;
      return renderEdit(request, reply, id, fieldErrors(err), body, 'article', 400);
    }
    setFlash(reply, 'portal.flash.saved');
    return reply.redirect(`${PORTAL_ADMIN}/${id}`, 303);
  });

  app.post(`${PORTAL_ADMIN}/:id/chuyen`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const { id } = request.params as { id: string };
    const parsed = parseInput(request, z.object({ action: z.string().max(20), note: z.string().max(1000).optional().default(''), confirm: z.string().optional() }), { labels: LABELS });
    if (!parsed.ok || !isTransition(parsed.data.action)) throw notFound();
    const { action, note, confirm } = parsed.data;
    if (action === 'archive' && confirm !== 'on') return renderEdit(request, reply, id, [{ field: 'confirm', key: 'portal.error.confirm' }], formStrings(request.body), 'archive', 400);
    try {
      await moveArticle(ctx, request.access, request.auditContext, id, action, note);
    } catch (err) {
      if (err instanceof AppError && err.fields.length) return renderEdit(request, reply, id, err.fields, formStrings(request.body), action, 400);
      throw err;
    }
    setFlash(reply, `portal.flash.${action}`);
    return reply.redirect(`${PORTAL_ADMIN}/${id}`, 303);
  });

  app.post(`${PORTAL_ADMIN}/:id/tep`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const { id } = request.params as { id: string };
    const file = ((request.body ?? {}) as Record<string, unknown>).file;
    if (!isUpload(file)) return renderEdit(request, reply, id, [{ field: 'file', key: 'portal.error.no_file' }], {}, 'file', 400);
    try {
      await attachFile(ctx, request.access, request.auditContext, id, file);
    } catch (err) {
      return renderEdit(request, reply, id, fieldErrors(err), {}, 'file', 400);
    }
    setFlash(reply, 'portal.flash.attached');
    return reply.redirect(`${PORTAL_ADMIN}/${id}`, 303);
  });

  app.post(`${PORTAL_ADMIN}/:id/tep/:fileId/xoa`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const { id, fileId } = request.params as { id: string; fileId: string };
    const parsed = parseInput(request, z.object({ confirm: z.literal('on') }), { labels: { confirm: 'teams.confirm' } });
    if (!parsed.ok) return renderEdit(request, reply, id, parsed.errors, {}, 'file', 400);
    await detachFile(ctx, request.access, request.auditContext, id, fileId);
    setFlash(reply, 'portal.flash.detached');
    return reply.redirect(`${PORTAL_ADMIN}/${id}`, 303);
  });

  app.post(`${PORTAL_ADMIN}/:id/anh`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const { id } = request.params as { id: string };
    const a = await articleFor(ctx, request.access, id, 'portal.edit');
    const body = (request.body ?? {}) as Record<string, unknown>;
    const parsed = parseInput(request, z.object({ alt: z.string().trim().min(3).max(200) }), { labels: LABELS });
    if (!parsed.ok) return renderEdit(request, reply, id, parsed.errors, formStrings(body), 'image', 400);
    if (!isUpload(body.image)) return renderEdit(request, reply, id, [{ field: 'image', key: 'portal.error.no_image' }], formStrings(body), 'image', 400);
    try {
      await uploadImage(ctx, request.access, request.auditContext, a.unit_id, body.image, parsed.data.alt);
    } catch (err) {
      return renderEdit(request, reply, id, fieldErrors(err), formStrings(body), 'image', 400);
    }
    setFlash(reply, 'portal.flash.image');
    return reply.redirect(`${PORTAL_ADMIN}/${id}`, 303);
  });
}
