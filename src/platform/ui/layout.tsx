import { renderHtml, type Child, type FC, type PropsWithChildren } from './jsx.ts';
import type { NavLink, PageContext, Shell } from './context.ts';
import type { MessageKey } from '../i18n/index.ts';
import { CsrfField } from './components.tsx';

interface LayoutProps {
  ctx: PageContext;
  title: string;
  shell: Shell;
  /** Shown under the platform name in the header, e.g. the commune's name on its portal. */
  heading?: string;
  description?: string;
  /** Open Graph tags for a public page shared on Zalo or Facebook (absolute URLs). */
  og?: { title: string; description: string; url: string; type?: 'website' | 'article'; image?: string | undefined };
  /** An RSS feed to announce. */
  feed?: { title: string; href: string };
  /** A page's own scripts under /assets (progressive enhancement, like app.js). */
  scripts?: string[];
}

/** The one page frame: skip link, header with navigation and language switch, main, footer. */
export const Layout: FC<PropsWithChildren<LayoutProps>> = ({ ctx, title, shell, heading, description, og, feed, scripts, children }) => {
  const { t, lang, actor } = ctx;
  const other = lang === 'vi' ? 'en' : 'vi';
  const nav = ctx.nav[shell];
  return (
    <html lang={lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} — ${t('app.name')}`}</title>
        <meta name="description" content={description ?? t('app.tagline')} />
        {og ? (
          <>
            <link rel="canonical" href={og.url} />
            <meta property="og:title" content={og.title} />
            <meta property="og:description" content={og.description} />
            <meta property="og:url" content={og.url} />
            <meta property="og:type" content={og.type ?? 'website'} />
            <meta property="og:locale" content={lang === 'vi' ? 'vi_VN' : 'en_US'} />
            {og.image ? <meta property="og:image" content={og.image} /> : null}
          </>
        ) : null}
        {feed ? <link rel="alternate" type="application/rss+xml" title={feed.title} href={feed.href} /> : null}
        <link rel="stylesheet" href="/assets/app.css" />
        <link rel="icon" href="/assets/favicon.svg" type="image/svg+xml" />
        <script src="/assets/app.js" defer></script>
        {(scripts ?? []).map((src) => (
          <script src={src} defer></script>
        ))}
      </head>
      <body class={`shell-${shell}`}>
        <a class="skip-link" href="#main">
          {t('nav.skip')}
        </a>
        <header class="site-header">
          <div class="container header-row">
            <a class="brand" href="/">
              <span class="brand-name">{t('app.name')}</span>
              {heading ? <span class="brand-unit">{heading}</span> : null}
            </a>
            <div class="header-tools">
              <a class="lang-switch" href={`/lang/${other}?next=${encodeURIComponent(ctx.path)}`} hreflang={other} lang={other}>
                {t(`lang.${other}`)}
              </a>
              {actor ? (
                <form method="post" action="/logout" class="inline-form">
                  <CsrfField ctx={ctx} />
                  <span class="who">{actor.displayName}</span> <a href="/thong-bao">{t('notify.inbox')}</a>{' '}
                  <button type="submit" class="link-button">
                    {t('nav.logout')}
                  </button>
                </form>
              ) : (
                <a href="/login">{t('nav.login')}</a>
              )}
            </div>
          </div>
          {nav.length > 0 ? (
            <nav class="site-nav" aria-label={t('nav.main')}>
              <ul class="container">
                {navEntries(nav).map((entry) => {
                  const link = (l: NavLink) => (
                    <a href={l.href} aria-current={isCurrent(ctx.path, l.href) ? 'page' : undefined}>
                      {t(l.label)}
                    </a>
                  );
                  if (entry.links.length === 1 || !entry.group) return <li>{link(entry.links[0]!)}</li>;
                  const here = entry.links.some((l) => isCurrent(ctx.path, l.href));
                  return (
                    <li class="nav-group">
                      <details data-nav-menu>
                        <summary class={here ? 'here' : undefined}>{t(entry.group)}</summary>
                        <ul>
                          {entry.links.map((l) => (
                            <li>{link(l)}</li>
                          ))}
                        </ul>
                      </details>
                    </li>
                  );
                })}
              </ul>
            </nav>
          ) : null}
        </header>
        <main id="main" class="container" tabindex={-1}>
          {ctx.flash ? (
            <div class="notice" role="status">
              {t(ctx.flash)}
            </div>
          ) : null}
          {children}
        </main>
        <footer class="site-footer">
          <div class="container">{t('footer.text')}</div>
        </footer>
      </body>
    </html>
  );
};

/**
 * The navigation as shown: links in their order, those of one menu gathered where its first link stands.
 * A menu left with one link (the others not permitted) is shown as that link alone.
 */
function navEntries(nav: readonly NavLink[]): { group?: MessageKey; links: NavLink[] }[] {
  const entries: { group?: MessageKey; links: NavLink[] }[] = [];
  const menus = new Map<MessageKey, NavLink[]>();
  for (const l of nav) {
    const menu = l.group ? menus.get(l.group) : undefined;
    if (menu) menu.push(l);
    else {
      const entry = { ...(l.group ? { group: l.group } : {}), links: [l] };
      if (l.group) menus.set(l.group, entry.links);
      entries.push(entry);
    }
  }
  return entries;
}

const isCurrent = (path: string, href: string) => path === href || (href !== '/' && path.startsWith(href + '/'));

/** Renders a page to an HTML string. */
export function renderPage(node: Child): string {
  return '<!doctype html>' + renderHtml(node);
}
