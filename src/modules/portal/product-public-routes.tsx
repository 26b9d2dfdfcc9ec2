import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { notFound } from '../../platform/errors.ts';
import { pageContext, sendCacheable, sendSharedPage } from '../../platform/http/kernel.ts';
import { formatMoney, type MessageKey, type Translate } from '../../platform/i18n/index.ts';
import { Layout } from '../../platform/ui/layout.tsx';
import { Button, SelectInput } from '../../platform/ui/components.tsx';
import { qrSvg } from '../../platform/pdf/document.ts';
import { unitRepository } from '../../platform/units/repository.ts';
import { MARKETPLACE_NAMES, PRODUCT_CATEGORIES, publicProducts } from './products.ts';
import { pageNumberOf } from '../../platform/http/query.ts';

export const productCategoryLabel = (c: string): MessageKey => `portal.product_category.${c as (typeof PRODUCT_CATEGORIES)[number]}`;
type Card = Awaited<ReturnType<ReturnType<typeof publicProducts>['list']>>[number];
const stars = (t: Translate, n: number) => (n ? t('portal.ocop_stars', { n }) : '');

/** A product in a grid: picture (lazy, sized), name, OCOP stars, price, producer and commune. */
export function ProductCard({ t, p, showCommune }: { t: Translate; p: Card; showCommune?: boolean }) {
  return (
    <li class="product-card">
      {p.image_id && p.image_width && p.image_height ? (
        <img src={`/anh/${p.image_id}/small.webp`} alt={p.image_alt ?? ''} width={Math.min(480, p.image_width)} height={Math.round((p.image_height * Math.min(480, p.image_width)) / p.image_width)} loading="lazy" decoding="async" />
      ) : null}
      <h3>
        <a href={`/xa/${p.commune_code}/san-pham/${p.slug}`}>{p.name}</a>
      </h3>
      <p class="meta">
        {p.ocop_stars ? <strong class="ocop">{stars(t, p.ocop_stars)}</strong> : null} {t(productCategoryLabel(p.category))}
        {showCommune ? ` · ${p.commune_name}` : ''}
      </p>
      <p>{p.price ? `${formatMoney(p.price)}${p.price_unit ? ` / ${p.price_unit}` : ''}` : t('portal.price_on_request')}</p>
    </li>
  );
}

/** Local products for the public: a commune's, one product's page with its QR code, the province's directory. */
export function registerProductPublicRoutes(app: FastifyInstance, ctx: AppContext) {
  const units = unitRepository(ctx.database);
  const products = publicProducts(ctx);
  const abs = (path: string) => `${ctx.config.publicUrl}${path}`;
  const communeOf = async (code: string) => {
    const unit = await units.byCode(code);
    if (!unit || unit.level !== 'commune' || unit.valid_to !== null) throw notFound();
    return unit;
  };
  const PAGE = 24;
  const pageOf = (q: { trang?: string }) => pageNumberOf(q.trang);

  // The province's directory, with filters (commune, category, OCOP stars): plain GET forms.
  app.get('/san-pham', async (request, reply) =>
    sendSharedPage(request, reply, async () => {
      const q = request.query as { xa?: string; loai?: string; sao?: string; trang?: string };
      const communes = await ctx.database.db.selectFrom('unit').select(['id', 'code', 'name']).where('level', '=', 'commune').where('valid_to', 'is', null).orderBy('name').execute();
      const commune = communes.find((c) => c.code === q.xa);
      const category = (PRODUCT_CATEGORIES as readonly string[]).includes(q.loai ?? '') ? q.loai : undefined;
      const minStars = [3, 4, 5].includes(Number(q.sao)) ? Number(q.sao) : undefined;
      const pageNo = pageOf(q);
      const rows = await products.list({ unitId: commune?.id, category, minStars, offset: (pageNo - 1) * PAGE, limit: PAGE + 1 });
      const page = pageContext(ctx, request, reply);
      const { t } = page;
      const query = new URLSearchParams({ ...(commune ? { xa: commune.code } : {}), ...(category ? { loai: category } : {}), ...(minStars ? { sao: String(minStars) } : {}) }).toString();
      return (
        <Layout ctx={page} title={t('portal.directory')} shell="portal" description={t('portal.directory_description')} og={{ title: t('portal.directory'), description: t('portal.directory_description'), url: abs('/san-pham') }}>
          <h1>{t('portal.directory')}</h1>
          <form method="get" action="/san-pham" class="filter-form">
            <SelectInput ctx={page} name="xa" label={t('portal.filter_commune')} value={commune?.code ?? ''} options={communes.map((c) => ({ value: c.code, label: c.name }))} placeholder={t('portal.all')} />
            <SelectInput ctx={page} name="loai" label={t('portal.product_category')} value={category ?? ''} options={PRODUCT_CATEGORIES.map((c) => ({ value: c, label: t(productCategoryLabel(c)) }))} placeholder={t('portal.all')} />
            <SelectInput ctx={page} name="sao" label={t('portal.filter_stars')} value={minStars ? String(minStars) : ''} options={[3, 4, 5].map((n) => ({ value: String(n), label: t('portal.stars_at_least', { n }) }))} placeholder={t('portal.all')} />
            <Button kind="secondary">{t('portal.filter')}</Button>
          </form>
          {rows.length ? (
            <ul class="product-grid">
              {rows.slice(0, PAGE).map((p) => (
                <ProductCard t={t} p={p} showCommune />
              ))}
            </ul>
          ) : (
            <p>{t('portal.no_products')}</p>
          )}
          {pageNo > 1 || rows.length > PAGE ? (
            <nav class="pager" aria-label={t('portal.pages')}>
              {pageNo > 1 ? <a href={`/san-pham?${query}${query ? '&' : ''}trang=${pageNo - 1}`}>← {t('portal.newer')}</a> : null}
              <span>{t('portal.page_n', { n: pageNo })}</span>
              {rows.length > PAGE ? <a href={`/san-pham?${query}${query ? '&' : ''}trang=${pageNo + 1}`}>{t('portal.older')} →</a> : null}
            </nav>
          ) : null}
        </Layout>
      );
    }),
  );

  app.get('/xa/:code/san-pham', async (request, reply) =>
    sendSharedPage(request, reply, async () => {
      const commune = await communeOf((request.params as { code: string }).code);
      const rows = await products.list({ unitId: commune.id, limit: 100 });
      const page = pageContext(ctx, request, reply);
      const { t } = page;
      const title = t('portal.products_of', { name: commune.name });
      return (
        <Layout ctx={page} title={title} shell="portal" heading={commune.name} description={title} og={{ title, description: title, url: abs(`/xa/${commune.code}/san-pham`) }}>
          <p class="breadcrumb">
            <a href={`/xa/${commune.code}`}>{commune.name}</a> · <a href="/san-pham">{t('portal.directory')}</a>
          </p>
          <h1>{title}</h1>
          {rows.length ? (
            <ul class="product-grid">
              {rows.map((p) => (
                <ProductCard t={t} p={p} />
              ))}
            </ul>
          ) : (
            <p>{t('portal.no_products')}</p>
          )}
        </Layout>
      );
    }),
  );

  app.get('/xa/:code/san-pham/:slug', async (request, reply) =>
    sendSharedPage(request, reply, async () => {
      const { code, slug } = request.params as { code: string; slug: string };
      const commune = await communeOf(code);
      const p = await products.bySlug(commune.id, slug);
      if (!p) throw notFound();
      const listings = await products.listings(p.id);
      const page = pageContext(ctx, request, reply);
      const { t } = page;
      const url = abs(`/xa/${commune.code}/san-pham/${p.slug}`);
      const facts: [MessageKey, string][] = [
        ['portal.product_category', t(productCategoryLabel(p.category))],
        ['portal.price', p.price ? `${formatMoney(p.price)}${p.price_unit ? ` / ${p.price_unit}` : ''}` : t('portal.price_on_request')],
        ['portal.season', p.season],
        ['portal.certifications', p.certifications],
        ['portal.traceability', p.traceability],
      ];
      return (
        <Layout ctx={page} title={p.name} shell="portal" heading={commune.name} description={textSummary(p.description_html)} og={{ title: p.name, description: textSummary(p.description_html), url, type: 'article', image: p.image_id ? abs(`/anh/${p.image_id}/large.webp`) : undefined }}>
          <p class="breadcrumb">
            <a href={`/xa/${commune.code}`}>{commune.name}</a> · <a href={`/xa/${commune.code}/san-pham`}>{t('portal.products')}</a>
          </p>
          <article class="article product">
            <h1>{p.name}</h1>
            {p.ocop_stars ? (
              <p>
                <strong class="ocop">{stars(t, p.ocop_stars)}</strong>
              </p>
            ) : null}
            {p.image_id && p.image_width && p.image_height ? <img class="cover" src={`/anh/${p.image_id}/large.webp`} alt={p.image_alt ?? ''} width={p.image_width} height={p.image_height} decoding="async" fetchpriority="high" /> : null}
            {/* Sanitized on save (content.ts). */}
            <div class="article-body" dangerouslySetInnerHTML={{ __html: p.description_html }} />
            <dl class="facts">
              {facts
                .filter(([, v]) => v)
                .map(([k, v]) => (
                  <>
                    <dt>{t(k)}</dt>
                    <dd>{v}</dd>
                  </>
                ))}
            </dl>
            <h2>{t('portal.buy')}</h2>
            {listings.length ? (
              <ul class="listing-list">
                {listings.map((l) => (
                  <li>
                    <a href={l.url} rel="nofollow noopener external">
                      {MARKETPLACE_NAMES[l.marketplace as keyof typeof MARKETPLACE_NAMES] || new URL(l.url).hostname}
                    </a>
                  </li>
                ))}
              </ul>
            ) : null}
            <h2>{t('portal.producer')}</h2>
            <p>
              <strong>{p.producer_name}</strong> ({t(`portal.producer_kind.${p.producer_kind as 'household'}`)}) — {p.representative}
              <br />
              {p.address}
            </p>
            <p class="button-row">
              {p.phone ? (
                <a class="button" href={`tel:${p.phone}`}>
                  {t('portal.call', { phone: p.phone })}
                </a>
              ) : null}
              {p.zalo ? (
                <a class="button button-secondary" href={p.zalo} rel="noopener external">
                  {t('portal.zalo')}
                </a>
              ) : null}
            </p>
            <h2>{t('portal.qr')}</h2>
            <img src={`/xa/${commune.code}/san-pham/${p.slug}/qr.svg`} width={164} height={164} alt={t('portal.qr_alt', { name: p.name })} loading="lazy" />
          </article>
        </Layout>
      );
    }),
  );

  app.get('/xa/:code/san-pham/:slug/qr.svg', async (request, reply) => {
    const { code, slug } = request.params as { code: string; slug: string };
    const commune = await communeOf(code);
    const p = await products.bySlug(commune.id, slug);
    if (!p) throw notFound();
    return sendCacheable(request, reply, await qrSvg(abs(`/xa/${commune.code}/san-pham/${p.slug}`)), 'image/svg+xml', 'public, max-age=86400');
  });
}

const textSummary = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 200);
