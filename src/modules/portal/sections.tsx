import type { PortalSection } from '../../platform/modules/define-module.ts';
import { ArticleCard, LIST_PATHS, SearchForm, categoryLabel } from './public-routes.tsx';
import { CATEGORIES } from './content.ts';
import { publicProducts } from './products.ts';
import { ProductCard } from './product-public-routes.tsx';
import { publicArticles } from './repository.ts';

/** The portal's blocks of a commune's home page: announcements (pinned first), latest news, search. */
export const portalSections: PortalSection[] = [
  {
    id: 'portal.pages',
    order: 5,
    render: async (ctx, page, commune) => {
      const pages = await publicArticles(ctx).pages(commune.id);
      if (!pages.length) return null;
      const order = CATEGORIES.page as readonly string[];
      pages.sort((a, b) => order.indexOf(a.category) - order.indexOf(b.category));
      return (
        <nav aria-label={page.t('portal.about')} class="home-block">
          <ul class="chips">
            {pages.map((p) => (
              <li>
                <a href={`/xa/${commune.code}/${p.slug}`}>{page.t(categoryLabel('page', p.category))}</a>
              </li>
            ))}
          </ul>
        </nav>
      );
    },
  },
  {
    id: 'portal.announcements',
    order: 10,
    render: async (ctx, page, commune) => {
      const { t } = page;
      const repo = publicArticles(ctx);
      const [pinned, latest] = await Promise.all([repo.pinned(commune.id), repo.list(commune.id, { kind: 'announcement', limit: 5 })]);
      const shown = [...pinned, ...latest.filter((a) => !pinned.some((p) => p.id === a.id))].slice(0, 5);
      return (
        <section aria-labelledby="home-announcements" class="home-block">
          <h2 id="home-announcements">{t('portal.announcements')}</h2>
          <SearchForm t={t} code={commune.code} />
          {shown.length ? (
            <ul class="announcement-list">
              {shown.map((a) => (
                <li class={a.pinned ? 'pinned' : undefined}>
                  {a.pinned ? <strong class="tag">{t('portal.pinned')}</strong> : null} <a href={`/xa/${commune.code}/bai/${a.slug}`}>{a.title}</a>
                </li>
              ))}
            </ul>
          ) : (
            <p>{t('portal.nothing')}</p>
          )}
          <p>
            <a href={`/xa/${commune.code}/${LIST_PATHS.announcement}`}>{t('portal.all_announcements')}</a>
          </p>
        </section>
      );
    },
  },
  {
    id: 'portal.news',
    order: 30,
    render: async (ctx, page, commune) => {
      const { t } = page;
      const news = await publicArticles(ctx).list(commune.id, { kind: 'news', limit: 6 });
      if (!news.length) return null;
      return (
        <section aria-labelledby="home-news" class="home-block">
          <h2 id="home-news">{t('portal.news')}</h2>
          <ul class="article-list">
            {news.map((a, i) => (
              <ArticleCard t={t} code={commune.code} a={a} lead={i === 0} />
            ))}
          </ul>
          <p>
            <a href={`/xa/${commune.code}/${LIST_PATHS.news}`}>{t('portal.all_news')}</a>
          </p>
        </section>
      );
    },
  },
  {
    id: 'portal.products',
    order: 40,
    render: async (ctx, page, commune) => {
      const { t } = page;
      const products = await publicProducts(ctx).list({ unitId: commune.id, limit: 4 });
      if (!products.length) return null;
      return (
        <section aria-labelledby="home-products" class="home-block">
          <h2 id="home-products">{t('portal.products')}</h2>
          <ul class="product-grid">
            {products.map((p) => (
              <ProductCard t={t} p={p} />
            ))}
          </ul>
          <p>
            <a href={`/xa/${commune.code}/san-pham`}>{t('portal.all_products')}</a> · <a href="/san-pham">{t('portal.directory')}</a>
          </p>
        </section>
      );
    },
  },
];
