import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import { AppError, type FieldError } from '../../platform/errors.ts';
import { pageContext, parseInput, sendPage, setFlash, signedIn, formStrings } from '../../platform/http/kernel.ts';
import { formatDateTime, formatMoney, type MessageKey } from '../../platform/i18n/index.ts';
import { Layout } from '../../platform/ui/layout.tsx';
import { Button, Checkbox, ErrorSummary, FileInput, Form, SelectInput, Table, TextArea, TextInput } from '../../platform/ui/components.tsx';
import type { PageContext } from '../../platform/ui/context.ts';
import { isUpload } from '../../platform/files/files.ts';
import { communeFor } from './content.ts';
import { uploadImage } from './images.ts';
import { ImageLibrary } from './admin-routes.tsx';
import { MARKETPLACES, MARKETPLACE_NAMES, PRODUCER_KINDS, PRODUCT_CATEGORIES, addListing, listingInput, moderateProduct, producerInput, productFor, productInput, removeListing, saveProducer, saveProduct } from './products.ts';
import { productCategoryLabel } from './product-public-routes.tsx';

export const PRODUCTS_ADMIN = '/san-pham-dia-phuong';
type Values = Record<string, string>;
const LABELS = {
  name: 'portal.product_name',
  kind: 'portal.producer_kind',
  representative: 'portal.representative',
  phone: 'teams.phone',
  zalo: 'portal.zalo_link',
  address: 'portal.address',
  producer_id: 'portal.producer',
  category: 'portal.product_category',
  ocop_stars: 'portal.ocop',
  description_html: 'portal.description_field',
  price: 'portal.price',
  price_unit: 'portal.price_unit',
  season: 'portal.season',
  certifications: 'portal.certifications',
  traceability: 'portal.traceability',
  image_id: 'portal.cover',
  marketplace: 'portal.marketplace',
  url: 'portal.listing_url',
  note: 'portal.note',
  alt: 'portal.image_alt',
  confirm: 'teams.confirm',
} as const;
const statusLabel = (s: string): MessageKey => `portal.product_status.${s as 'pending'}`;

/** Officials enter the commune's producers and products; another official moderates them. */
export function registerProductAdminRoutes(app: FastifyInstance, ctx: AppContext) {
  const { db } = ctx.database;
  const actorCommune = (request: FastifyRequest) => communeFor(ctx, request.access, request.actor!.unitId, 'product.manage');
  const imagesOf = (unitId: string) => db.selectFrom('portal_image').select(['id', 'alt', 'width', 'height']).where('unit_id', '=', unitId).orderBy('created_at', 'desc').limit(40).execute();

  const renderList = async (request: FastifyRequest, reply: FastifyReply, errors: FieldError[] = [], values: Values = {}, status = 200) => {
    const commune = await actorCommune(request);
    const [producers, products] = await Promise.all([
      db.selectFrom('portal_producer').selectAll().where('unit_id', '=', commune.id).orderBy('name').execute(),
      db.selectFrom('portal_product as p').innerJoin('portal_producer as r', 'r.id', 'p.producer_id').select(['p.id', 'p.name', 'p.ocop_stars', 'p.status', 'p.price', 'p.updated_at', 'r.name as producer']).where('p.unit_id', '=', commune.id).orderBy('p.updated_at', 'desc').execute(),
    ]);
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    return sendPage(
      reply,
      <Layout ctx={page} title={t('portal.products_admin', { name: commune.name })} shell="admin">
        <h1>{t('portal.products_admin', { name: commune.name })}</h1>
        <p class="button-row">
          {producers.length ? (
            <a class="button" href={`${PRODUCTS_ADMIN}/moi`}>
              {t('portal.add_product')}
            </a>
          ) : null}
          <a href={`/xa/${commune.code}/san-pham`}>{t('portal.view_products')}</a>
        </p>
        <ErrorSummary ctx={page} errors={errors} />
        <h2>{t('portal.products')}</h2>
        {products.length ? (
          <Table
            rows={products}
            columns={[
              { label: t('portal.product_name'), cell: (p) => <a href={`${PRODUCTS_ADMIN}/${p.id}`}>{p.name}</a> },
              { label: t('portal.producer'), cell: (p) => p.producer },
              { label: t('portal.ocop'), cell: (p) => (p.ocop_stars ? t('portal.ocop_stars', { n: p.ocop_stars }) : '—') },
              { label: t('portal.price'), cell: (p) => (p.price ? formatMoney(p.price) : t('portal.price_on_request')) },
              { label: t('portal.status'), cell: (p) => t(statusLabel(p.status)) },
              { label: t('portal.updated_at'), cell: (p) => formatDateTime(p.updated_at) },
            ]}
          />
        ) : (
          <p>{t('portal.no_products')}</p>
        )}
        <h2>{t('portal.producers')}</h2>
        {producers.length ? (
          <Table
            rows={producers}
            columns={[
              { label: t('portal.producer'), cell: (r) => r.name },
              { label: t('portal.producer_kind'), cell: (r) => t(`portal.producer_kind.${r.kind as 'household'}`) },
              { label: t('portal.representative'), cell: (r) => r.representative },
              { label: t('teams.phone'), cell: (r) => r.phone ?? '—' },
              { label: t('portal.address'), cell: (r) => r.address },
            ]}
          />
        ) : null}
        <Form ctx={page} action={`${PRODUCTS_ADMIN}/nha-san-xuat`} label={t('portal.add_producer')}>
          <fieldset>
            <legend>{t('portal.add_producer')}</legend>
            <TextInput ctx={page} name="name" label={t('portal.producer_name')} errors={errors} value={values.name} required />
            <SelectInput ctx={page} name="kind" label={t('portal.producer_kind')} errors={errors} value={values.kind} options={PRODUCER_KINDS.map((k) => ({ value: k, label: t(`portal.producer_kind.${k}`) }))} placeholder="" required />
            <TextInput ctx={page} name="representative" label={t('portal.representative')} errors={errors} value={values.representative} required />
            <TextInput ctx={page} name="phone" type="tel" label={t('teams.phone')} errors={errors} value={values.phone} />
            <TextInput ctx={page} name="zalo" type="url" label={t('portal.zalo_link')} hint={t('portal.zalo_hint')} errors={errors} value={values.zalo} />
            <TextInput ctx={page} name="address" label={t('portal.address')} errors={errors} value={values.address} required />
            <Button>{t('portal.add_producer')}</Button>
          </fieldset>
        </Form>
      </Layout>,
      status,
    );
  };

  const productFields = (page: PageContext, values: Values, errors: FieldError[], producers: { id: string; name: string }[], images: { id: string; alt: string }[]) => {
    const { t } = page;
    return (
      <>
        <SelectInput ctx={page} name="producer_id" label={t('portal.producer')} errors={errors} value={values.producer_id} options={producers.map((p) => ({ value: p.id, label: p.name }))} placeholder="" required />
        <TextInput ctx={page} name="name" label={t('portal.product_name')} errors={errors} value={values.name} required />
        <SelectInput ctx={page} name="category" label={t('portal.product_category')} errors={errors} value={values.category} options={PRODUCT_CATEGORIES.map((c) => ({ value: c, label: t(productCategoryLabel(c)) }))} placeholder="" required />
        <SelectInput ctx={page} name="ocop_stars" label={t('portal.ocop')} errors={errors} value={values.ocop_stars ?? '0'} options={[0, 3, 4, 5].map((n) => ({ value: String(n), label: n ? t('portal.ocop_stars', { n }) : t('portal.ocop_none') }))} required />
        <div data-rich-editor data-labels={JSON.stringify({ h2: t('portal.editor.heading'), b: t('portal.editor.bold'), i: t('portal.editor.italic'), ul: t('portal.editor.list'), ol: t('portal.editor.numbered'), link: t('portal.editor.link'), link_prompt: t('portal.editor.link_prompt') })}>
          <TextArea ctx={page} name="description_html" label={t('portal.description_field')} errors={errors} value={values.description_html} rows={8} />
        </div>
        <TextInput ctx={page} name="price" inputmode="numeric" label={t('portal.price')} hint={t('portal.price_hint')} errors={errors} value={values.price} />
        <TextInput ctx={page} name="price_unit" label={t('portal.price_unit')} hint={t('portal.price_unit_hint')} errors={errors} value={values.price_unit} />
        <TextInput ctx={page} name="season" label={t('portal.season')} errors={errors} value={values.season} />
        <TextInput ctx={page} name="certifications" label={t('portal.certifications')} hint={t('portal.certifications_hint')} errors={errors} value={values.certifications} />
        <TextArea ctx={page} name="traceability" label={t('portal.traceability')} hint={t('portal.traceability_hint')} errors={errors} value={values.traceability} rows={3} />
        <SelectInput ctx={page} name="image_id" label={t('portal.cover')} errors={errors} value={values.image_id} options={images.map((i) => ({ value: i.id, label: i.alt }))} placeholder={t('portal.no_cover')} />
      </>
    );
  };

  const renderNew = async (request: FastifyRequest, reply: FastifyReply, errors: FieldError[] = [], values: Values = {}, status = 200) => {
    const commune = await actorCommune(request);
    const [producers, images] = await Promise.all([db.selectFrom('portal_producer').select(['id', 'name']).where('unit_id', '=', commune.id).orderBy('name').execute(), imagesOf(commune.id)]);
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    return sendPage(
      reply,
      <Layout ctx={page} title={t('portal.add_product')} shell="admin">
        <p>
          <a href={PRODUCTS_ADMIN}>← {t('portal.products_admin', { name: commune.name })}</a>
        </p>
        <h1>{t('portal.add_product')}</h1>
        <ErrorSummary ctx={page} errors={errors} />
        <Form ctx={page} action={PRODUCTS_ADMIN} label={t('portal.add_product')}>
          {productFields(page, values, errors, producers, images)}
          <Button>{t('portal.save')}</Button>
        </Form>
      </Layout>,
      status,
    );
  };

  const renderEdit = async (request: FastifyRequest, reply: FastifyReply, id: string, errors: FieldError[] = [], values: Values | null = null, form = 'product', status = 200) => {
    const p = await productFor(ctx, request.access, id, 'product.manage');
    const [commune, producers, images, listings] = await Promise.all([
      db.selectFrom('unit').select(['code', 'name']).where('id', '=', p.unit_id).executeTakeFirstOrThrow(),
      db.selectFrom('portal_producer').select(['id', 'name']).where('unit_id', '=', p.unit_id).orderBy('name').execute(),
      imagesOf(p.unit_id),
      db.selectFrom('portal_listing').selectAll().where('product_id', '=', p.id).orderBy('created_at').execute(),
    ]);
    const canModerate = (await request.access.can('product.moderate', { unitId: p.unit_id })) && p.edited_by !== request.actor!.id;
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    const shown: Values = values && form === 'product' ? values : { producer_id: p.producer_id, name: p.name, category: p.category, ocop_stars: String(p.ocop_stars), description_html: p.description_html, price: p.price ? String(p.price) : '', price_unit: p.price_unit, season: p.season, certifications: p.certifications, traceability: p.traceability, image_id: p.image_id ?? '' };
    const errs = (f: string) => (form === f ? errors : []);
    const base = `${PRODUCTS_ADMIN}/${p.id}`;
    return sendPage(
      reply,
      <Layout ctx={page} title={p.name} shell="admin">
        <p>
          <a href={PRODUCTS_ADMIN}>← {t('portal.products_admin', { name: commune.name })}</a>
        </p>
        <h1>{p.name}</h1>
        <p>
          {t('portal.status')}: <strong>{t(statusLabel(p.status))}</strong>
          {p.status === 'approved' ? (
            <>
              {' · '}
              <a href={`/xa/${commune.code}/san-pham/${p.slug}`}>{t('portal.view_public')}</a>
            </>
          ) : null}
        </p>
        {p.status === 'hidden' && p.moderation_note ? (
          <p class="notice">
            {t('portal.hidden_because')}: {p.moderation_note}
          </p>
        ) : null}
        {p.status !== 'approved' && !canModerate ? <p class="hint">{t('portal.needs_other_official')}</p> : null}
        <ErrorSummary ctx={page} errors={errors} scope={form.startsWith('remove-') ? form : undefined} />
        {canModerate ? (
          <Form ctx={page} action={`${base}/kiem-duyet`} label={t('portal.moderate')}>
            <fieldset>
              <legend>{t('portal.moderate')}</legend>
              <TextArea ctx={page} name="note" label={t('portal.note')} hint={t('portal.hide_hint')} errors={errs('moderate')} value={form === 'moderate' ? values?.note : ''} rows={2} />
              <div class="button-row">
                <button type="submit" name="decision" value="approve" class="button">
                  {t('portal.approve')}
                </button>
                <button type="submit" name="decision" value="hide" class="button button-danger">
                  {t('portal.hide')}
                </button>
              </div>
            </fieldset>
          </Form>
        ) : null}
        <Form ctx={page} action={base} label={t('portal.edit_product')}>
          <fieldset>
            <legend>{t('portal.edit_product')}</legend>
            {productFields(page, shown, errs('product'), producers, images)}
            <p class="hint">{t('portal.edit_goes_to_moderation')}</p>
            <Button>{t('portal.save')}</Button>
          </fieldset>
        </Form>
        <h2>{t('portal.listings')}</h2>
        {listings.length ? (
          <Table
            rows={listings}
            columns={[
              { label: t('portal.marketplace'), cell: (l) => MARKETPLACE_NAMES[l.marketplace as keyof typeof MARKETPLACE_NAMES] || t('portal.marketplace.other') },
              { label: t('portal.listing_url'), cell: (l) => <a href={l.url} rel="noopener external">{l.url}</a> },
              {
                label: t('portal.remove'),
                cell: (l) => (
                  <Form ctx={page} action={`${base}/gian-hang/${l.id}/xoa`} label={t('portal.remove')}>
                    <Checkbox name="confirm" label={t('portal.confirm_remove_listing')} required />
                    <Button kind="danger">{t('portal.remove')}</Button>
                  </Form>
                ),
              },
            ]}
          />
        ) : (
          <p>{t('portal.no_listings')}</p>
        )}
        <Form ctx={page} action={`${base}/gian-hang`} label={t('portal.add_listing')}>
          <fieldset>
            <legend>{t('portal.add_listing')}</legend>
            <SelectInput ctx={page} scope="listing" name="marketplace" label={t('portal.marketplace')} errors={errs('listing')} value={form === 'listing' ? values?.marketplace : ''} options={MARKETPLACES.map((m) => ({ value: m, label: MARKETPLACE_NAMES[m] || t('portal.marketplace.other') }))} placeholder="" required />
            <TextInput ctx={page} scope="listing" name="url" type="url" label={t('portal.listing_url')} hint={t('portal.listing_hint')} errors={errs('listing')} value={form === 'listing' ? values?.url : ''} required />
            <Button kind="secondary">{t('portal.add_listing')}</Button>
          </fieldset>
        </Form>
        <ImageLibrary t={t} images={images} />
        <Form ctx={page} action={`${base}/anh`} label={t('portal.upload_image')} files>
          <fieldset>
            <legend>{t('portal.upload_image')}</legend>
            <FileInput ctx={page} name="image" label={t('portal.image_file')} errors={errs('image')} accept="image/jpeg,image/png,image/webp" required />
            <TextInput ctx={page} scope="image" name="alt" label={t('portal.image_alt')} errors={errs('image')} value={form === 'image' ? values?.alt : ''} required />
            <Button kind="secondary">{t('portal.upload_image')}</Button>
          </fieldset>
        </Form>
      </Layout>,
      status,
    );
  };

  app.get(PRODUCTS_ADMIN, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    return renderList(request, reply);
  });
  app.get(`${PRODUCTS_ADMIN}/moi`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    return renderNew(request, reply);
  });
  app.get(`${PRODUCTS_ADMIN}/:id`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    return renderEdit(request, reply, (request.params as { id: string }).id);
  });

  const fieldErrors = (err: unknown): FieldError[] => {
    if (err instanceof AppError && err.fields.length) return err.fields;
    throw err;
  };

  app.post(`${PRODUCTS_ADMIN}/nha-san-xuat`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const parsed = parseInput(request, producerInput, { labels: LABELS });
    if (!parsed.ok) return renderList(request, reply, parsed.errors, formStrings(request.body), 400);
    await saveProducer(ctx, request.access, request.auditContext, request.actor!.unitId, parsed.data);
    setFlash(reply, 'portal.flash.producer');
    return reply.redirect(PRODUCTS_ADMIN, 303);
  });

  app.post(PRODUCTS_ADMIN, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const parsed = parseInput(request, productInput, { labels: LABELS });
    if (!parsed.ok) return renderNew(request, reply, parsed.errors, formStrings(request.body), 400);
    let id: string;
    try {
      id = await saveProduct(ctx, request.access, request.auditContext, request.actor!.unitId, null, parsed.data);
    } catch (err) {
      return renderNew(request, reply, fieldErrors(err), formStrings(request.body), 400);
    }
    setFlash(reply, 'portal.flash.product');
    return reply.redirect(`${PRODUCTS_ADMIN}/${id}`, 303);
  });

  /** A post on one product: parse, run, flash, back to the product; a bad value shows it again, nothing saved. */
  const post = <S extends z.ZodType>(suffix: string, schema: S, form: (params: Record<string, string>) => string, run: (request: FastifyRequest, params: Record<string, string>, data: z.output<S>) => Promise<unknown>, flash: MessageKey) =>
    app.post(`${PRODUCTS_ADMIN}/:id${suffix}`, async (request, reply) => {
      if (!signedIn(request, reply, 'official')) return reply;
      const params = request.params as Record<string, string>;
      const parsed = parseInput(request, schema, { labels: LABELS });
      if (!parsed.ok) return renderEdit(request, reply, params.id!, parsed.errors, formStrings(request.body), form(params), 400);
      try {
        await run(request, params, parsed.data);
      } catch (err) {
        if (err instanceof AppError && err.code === 'own_edit') return renderEdit(request, reply, params.id!, [{ field: '', key: err.messageKey }], formStrings(request.body), form(params), 409);
        return renderEdit(request, reply, params.id!, fieldErrors(err), formStrings(request.body), form(params), 400);
      }
      setFlash(reply, flash);
      return reply.redirect(`${PRODUCTS_ADMIN}/${params.id}`, 303);
    });

  post('', productInput, () => 'product', (r, p, d) => saveProduct(ctx, r.access, r.auditContext, r.actor!.unitId, p.id!, d), 'portal.flash.product');
  post('/kiem-duyet', z.object({ decision: z.enum(['approve', 'hide']), note: z.string().max(1000).optional().default('') }), () => 'moderate', (r, p, d) => moderateProduct(ctx, r.access, r.auditContext, p.id!, d.decision, d.note), 'portal.flash.moderated');
  post('/gian-hang', listingInput, () => 'listing', (r, p, d) => addListing(ctx, r.access, r.auditContext, p.id!, d), 'portal.flash.listing');
  post('/gian-hang/:listingId/xoa', z.object({ confirm: z.literal('on') }), (p) => `remove-${p.listingId}`, (r, p) => removeListing(ctx, r.access, r.auditContext, p.id!, p.listingId!), 'portal.flash.listing_removed');

  app.post(`${PRODUCTS_ADMIN}/:id/anh`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const { id } = request.params as { id: string };
    const p = await productFor(ctx, request.access, id, 'product.manage');
    const body = (request.body ?? {}) as Record<string, unknown>;
    const parsed = parseInput(request, z.object({ alt: z.string().trim().min(3).max(200) }), { labels: LABELS });
    if (!parsed.ok) return renderEdit(request, reply, id, parsed.errors, formStrings(body), 'image', 400);
    if (!isUpload(body.image)) return renderEdit(request, reply, id, [{ field: 'image', key: 'portal.error.no_image' }], formStrings(body), 'image', 400);
    try {
      await uploadImage(ctx, request.access, request.auditContext, p.unit_id, body.image, parsed.data.alt);
    } catch (err) {
      return renderEdit(request, reply, id, fieldErrors(err), formStrings(body), 'image', 400);
    }
    setFlash(reply, 'portal.flash.image');
    return reply.redirect(`${PRODUCTS_ADMIN}/${id}`, 303);
  });
}
