import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { XMLBuilder } from 'fast-xml-parser';
import type { AppContext } from '../../platform/context.ts';
import { notFound } from '../../platform/errors.ts';
import { pageContext, sendCacheable, sendPublicPage, sendSharedPage } from '../../platform/http/kernel.ts';
import { formatDate, formatDateTime, type MessageKey, type Translate } from '../../platform/i18n/index.ts';
import { Layout } from '../../platform/ui/layout.tsx';
import type { PageContext } from '../../platform/ui/context.ts';
import { readStoredFile } from '../../platform/files/files.ts';
import { unitRepository, type Unit } from '../../platform/units/repository.ts';
import { CATEGORIES, attachmentsOf, fileKind, fileSize, isPageSlug, type Kind } from './content.ts';
import { PAGE_SIZE, publicArticles } from './repository.ts';
import { pageNumberOf } from '../../platform/http/query.ts';

export const LIST_PATHS: Record<Exclude<Kind, 'page'>, string> = { news: 'tin-tuc', announcement: 'thong-bao' };
const kindOf = (segment: string) => (['news', 'announcement'] as const).find((k) => LIST_PATHS[k] === segment);
export const categoryLabel = (kind: string, category: string): MessageKey => `portal.category.${kind as Kind}.${category}` as MessageKey;

type Listed = Awaited<ReturnType<ReturnType<typeof publicArticles>['list']>>[number];

/** An XML document from plain objects (`@_name` for attributes, `#text` for text beside them), escaped by fast-xml-parser. */
const xmlBuilder = new XMLBuilder({ ignoreAttributes: false });
const xmlDocument = (root: object) => `<?xml version="1.0" encoding="UTF-8"?>${xmlBuilder.build(root)}`;

/** One item of a list: picture (lazy, sized), title, date, summary. */
export function ArticleCard({ t, code, a, lead }: { t: Translate; code: string; a: Listed; lead?: boolean }) {
  return (
    <li class={lead ? 'article-card article-lead' : 'article-card'}>
      {a.image_id && a.image_width && a.image_height ? (
        <img src={`/anh/${a.image_id}/small.webp`} alt={a.image_alt ?? ''} width={Math.min(480, a.image_width)} height={Math.round((a.image_height * Math.min(480, a.image_width)) / a.image_width)} loading="lazy" decoding="async" />
      ) : null}
      <div>
        <h3>
          <a href={`/xa/${code}/bai/${a.slug}`}>{a.title}</a>
        </h3>
        <p class="meta">
          {t(categoryLabel(a.kind, a.category))} · <time datetime={a.publish_at ?? ''}>{formatDate(a.publish_at ?? '')}</time>
        </p>
        <p>{a.summary}</p>
      </div>
    </li>
  );
}

/** The search box of a commune's portal (a plain GET form). */
export const SearchForm = ({ t, code, q }: { t: Translate; code: string; q?: string }) => (
  <form method="get" action={`/xa/${code}/tim-kiem`} class="search-form" role="search">
    <label for="portal-q">{t('portal.search_label')}</label>
    <input id="portal-q" name="q" type="search" value={q ?? ''} maxlength={100} />
    <button type="submit" class="button">
      {t('portal.search')}
    </button>
  </form>
);

/** A commune's public pages: lists, articles, search, RSS; the sitemap and the pictures. */
export function registerPortalPublicRoutes(app: FastifyInstance, ctx: AppContext) {
  const units = unitRepository(ctx.database);
  const articles = publicArticles(ctx);
  const communeOf = async (code: string) => {
    const unit = await units.byCode(code);
    if (!unit || unit.level !== 'commune' || unit.valid_to !== null) throw notFound();
    return unit;
  };
  const abs = (path: string) => `${ctx.config.publicUrl}${path}`;
  const layout = (page: PageContext, commune: Unit, title: string, path: string, description: string, body: unknown, extra: { type?: 'article'; image?: string | undefined } = {}) => (
    <Layout
      ctx={page}
      title={title}
      shell="portal"
      heading={commune.name}
      description={description}
      og={{ title, description, url: abs(path), ...(extra.type ? { type: extra.type } : {}), image: extra.image }}
      feed={{ title: page.t('portal.rss_title', { name: commune.name }), href: `/xa/${commune.code}/rss.xml` }}
    >
      <p class="breadcrumb">
        <a href={`/xa/${commune.code}`}>{commune.name}</a>
      </p>
      {body as never}
    </Layout>
  );

  const pager = (t: Translate, base: string, pageNo: number, more: boolean, query = '') =>
    pageNo > 1 || more ? (
      <nav class="pager" aria-label={t('portal.pages')}>
        {pageNo > 1 ? (
          <a href={`${base}?${query}trang=${pageNo - 1}`} rel="prev">
            ← {t('portal.newer')}
          </a>
        ) : null}
        <span>{t('portal.page_n', { n: pageNo })}</span>
        {more ? (
          <a href={`${base}?${query}trang=${pageNo + 1}`} rel="next">
            {t('portal.older')} →
          </a>
        ) : null}
      </nav>
    ) : null;

  const pageNumber = (request: FastifyRequest) => pageNumberOf((request.query as { trang?: string }).trang, 10_000);

  app.get('/xa/:code/:list', async (request, reply) => {
    const { code, list } = request.params as { code: string; list: string };
    if (isPageSlug(list)) return renderArticle(request, reply, await communeOf(code), list);
    return sendSharedPage(request, reply, async () => {
    const kind = kindOf(list);
    if (!kind) throw notFound();
    const commune = await communeOf(code);
    const category = (request.query as { muc?: string }).muc;
    if (category !== undefined && !(CATEGORIES[kind] as readonly string[]).includes(category)) throw notFound();
    const pageNo = pageNumber(request);
    const rows = await articles.list(commune.id, { kind, ...(category ? { category } : {}), offset: (pageNo - 1) * PAGE_SIZE, limit: PAGE_SIZE + 1 });
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    const title = `${t(kind === 'news' ? 'portal.news' : 'portal.announcements')} — ${commune.name}`;
    const base = `/xa/${commune.code}/${list}`;
    return (
      layout(
        page,
        commune,
        title,
        `${base}${pageNo > 1 ? `?trang=${pageNo}` : ''}`,
        t('portal.list_description', { name: commune.name }),
        <>
          <h1>{title}</h1>
          <ul class="chips" aria-label={t('portal.categories')}>
            <li>{category ? <a href={base}>{t('portal.all')}</a> : <strong>{t('portal.all')}</strong>}</li>
            {CATEGORIES[kind].map((c) => (
              <li>{c === category ? <strong>{t(categoryLabel(kind, c))}</strong> : <a href={`${base}?muc=${c}`}>{t(categoryLabel(kind, c))}</a>}</li>
            ))}
          </ul>
          {rows.length ? (
            <ul class="article-list">
              {rows.slice(0, PAGE_SIZE).map((a) => (
                <ArticleCard t={t} code={commune.code} a={a} />
              ))}
            </ul>
          ) : (
            <p>{t('portal.nothing')}</p>
          )}
          {pager(t, base, pageNo, rows.length > PAGE_SIZE, category ? `muc=${category}&` : '')}
        </>,
      )
    );
    });
  });

  /** An article, an announcement or a standing page of the commune; 404 unless published, due and not expired. */
  const renderArticle = (request: FastifyRequest, reply: FastifyReply, commune: Unit, slug: string) =>
    sendSharedPage(request, reply, async () => {
    const a = await articles.bySlug(commune.id, slug);
    if (!a) throw notFound();
    const files = await attachmentsOf(ctx, a.id);
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    const path = a.kind === 'page' ? `/xa/${commune.code}/${a.slug}` : `/xa/${commune.code}/bai/${a.slug}`;
    return (
      layout(
        page,
        commune,
        a.title,
        path,
        a.summary,
        <article class="article">
          {a.kind === 'page' ? null : (
            <p class="meta">
              <a href={`/xa/${commune.code}/${LIST_PATHS[a.kind as 'news']}?muc=${a.category}`}>{t(categoryLabel(a.kind, a.category))}</a> · <time datetime={a.publish_at ?? ''}>{formatDateTime(a.publish_at ?? '')}</time>
            </p>
          )}
          <h1>{a.title}</h1>
          <p class="lead">{a.summary}</p>
          {a.image_id && a.image_width && a.image_height ? (
            <img class="cover" src={`/anh/${a.image_id}/large.webp`} alt={a.image_alt ?? ''} width={a.image_width} height={a.image_height} decoding="async" fetchpriority="high" />
          ) : null}
          {/* Sanitized on save (content.ts): allow-listed tags and attributes only. */}
          <div class="article-body" dangerouslySetInnerHTML={{ __html: a.body_html }} />
          {files.length ? (
            <section aria-labelledby="attachments">
              <h2 id="attachments">{t('portal.attachments')}</h2>
              <ul>
                {files.map((f) => (
                  <li>
                    <a href={`/xa/${commune.code}/bai/${a.slug}/tep/${f.id}`} download>
                      {t('portal.download', { name: f.name, kind: fileKind(f.mime), size: fileSize(f.size) })}
                    </a>
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
          {a.updated_at > (a.publish_at ?? '') ? <p class="meta">{t('portal.updated', { at: formatDateTime(a.updated_at) })}</p> : null}
        </article>,
        { type: 'article', image: a.image_id ? abs(`/anh/${a.image_id}/large.webp`) : undefined },
      )
    );
    });

  app.get('/xa/:code/bai/:slug', async (request, reply) => {
    const { code, slug } = request.params as { code: string; slug: string };
    return renderArticle(request, reply, await communeOf(code), slug);
  });

  // An attached file of a public article (never of a draft or an expired one).
  app.get('/xa/:code/bai/:slug/tep/:fileId', async (request, reply) => {
    const { code, slug, fileId } = request.params as { code: string; slug: string; fileId: string };
    const commune = await communeOf(code);
    const a = await articles.bySlug(commune.id, slug);
    const attached = a ? (await attachmentsOf(ctx, a.id)).find((f) => f.id === fileId) : undefined;
    const stored = attached ? await readStoredFile(ctx, attached.id) : undefined;
    if (!attached || !stored) throw notFound();
    reply.header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(attached.name)}`);
    return sendCacheable(request, reply, stored.data, attached.mime, 'public, max-age=3600');
  });

  app.get('/xa/:code/tim-kiem', async (request, reply) => {
    const { code } = request.params as { code: string };
    const commune = await communeOf(code);
    const raw = (request.query as { q?: unknown }).q;
    const q = (typeof raw === 'string' ? raw : '').slice(0, 100).trim();
    const pageNo = pageNumber(request);
    const rows = q ? await articles.search(commune.id, q, (pageNo - 1) * PAGE_SIZE) : [];
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    const title = t('portal.search_title', { name: commune.name });
    return sendPublicPage(
      request,
      reply,
      layout(
        page,
        commune,
        title,
        `/xa/${commune.code}/tim-kiem`,
        title,
        <>
          <h1>{title}</h1>
          <SearchForm t={t} code={commune.code} q={q} />
          {q ? <p role="status">{t(rows.length ? 'portal.results' : 'portal.no_results', { q })}</p> : null}
          {rows.length ? (
            <ul class="article-list">
              {rows.slice(0, PAGE_SIZE).map((a) => (
                <ArticleCard t={t} code={commune.code} a={a} />
              ))}
            </ul>
          ) : null}
          {q ? pager(t, `/xa/${commune.code}/tim-kiem`, pageNo, rows.length > PAGE_SIZE, `q=${encodeURIComponent(q)}&`) : null}
        </>,
      ),
    );
  });

  app.get('/xa/:code/rss.xml', async (request, reply) => {
    const { code } = request.params as { code: string };
    const commune = await communeOf(code);
    const rows = await articles.list(commune.id, { limit: 30 });
    const t = pageContext(ctx, request, reply).t;
    const body = xmlDocument({
      rss: {
        '@_version': '2.0',
        channel: {
          title: t('portal.rss_title', { name: commune.name }),
          link: abs(`/xa/${commune.code}`),
          description: t('portal.description', { name: commune.name }),
          language: 'vi',
          item: rows.map((a) => {
            const link = abs(`/xa/${commune.code}/bai/${a.slug}`);
            return { title: a.title, link, guid: { '@_isPermaLink': 'true', '#text': link }, pubDate: new Date(a.publish_at ?? a.updated_at).toUTCString(), category: t(categoryLabel(a.kind, a.category)), description: a.summary };
          }),
        },
      },
    });
    return sendCacheable(request, reply, body, 'application/rss+xml; charset=utf-8', 'public, max-age=300');
  });

  app.get('/sitemap.xml', async (request, reply) => {
    const communes = await ctx.database.db.selectFrom('unit').select(['id', 'code']).where('level', '=', 'commune').where('valid_to', 'is', null).orderBy('code').execute();
    const now = new Date().toISOString();
    const published = await ctx.database.db
      .selectFrom('portal_article')
      .select(['unit_id', 'kind', 'slug', 'updated_at'])
      .where('status', '=', 'published')
      .where('publish_at', '<=', now)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .orderBy('publish_at', 'desc')
      .limit(45_000)
      .execute();
    const codeOf = new Map(communes.map((c) => [c.id, c.code]));
    const products = await ctx.database.db.selectFrom('portal_product').select(['unit_id', 'slug', 'updated_at']).where('status', '=', 'approved').limit(20_000).execute();
    const url = (loc: string, lastmod?: string) => ({ loc: abs(loc), ...(lastmod ? { lastmod: lastmod.slice(0, 10) } : {}) });
    const urls = [
      url('/'),
      url('/san-pham'),
      ...products.filter((p) => codeOf.has(p.unit_id)).map((p) => url(`/xa/${codeOf.get(p.unit_id)}/san-pham/${p.slug}`, p.updated_at)),
      ...communes.flatMap((c) => [url(`/xa/${c.code}`), url(`/xa/${c.code}/tin-tuc`), url(`/xa/${c.code}/thong-bao`)]),
      ...published.filter((a) => codeOf.has(a.unit_id)).map((a) => url(a.kind === 'page' ? `/xa/${codeOf.get(a.unit_id)}/${a.slug}` : `/xa/${codeOf.get(a.unit_id)}/bai/${a.slug}`, a.updated_at)),
    ];
    return sendCacheable(request, reply, xmlDocument({ urlset: { '@_xmlns': 'http://www.sitemaps.org/schemas/sitemap/0.9', url: urls } }), 'application/xml; charset=utf-8', 'public, max-age=3600');
  });

  // Pictures never change under their id: cached for a year.
  app.get('/anh/:id/:file', async (request, reply) => {
    const { id, file } = request.params as { id: string; file: string };
    const size = file === 'large.webp' ? 'large' : file === 'small.webp' ? 'small' : null;
    if (!size || !/^[0-9a-f-]{36}$/.test(id)) throw notFound();
    const image = await ctx.database.db.selectFrom('portal_image').select(['large_file_id', 'small_file_id']).where('id', '=', id).executeTakeFirst();
    const stored = image ? await readStoredFile(ctx, size === 'large' ? image.large_file_id : image.small_file_id) : undefined;
    if (!stored) throw notFound();
    return sendCacheable(request, reply, stored.data, 'image/webp', 'public, max-age=31536000, immutable');
  });
}
