import type { PortalSection } from '../../platform/modules/define-module.ts';

/** On a commune's home page: the way to the public services and a box to follow a dossier by its code. */
export const servicesPortalSection: PortalSection = {
  id: 'services.quick-links',
  order: 20,
  render: (_ctx, page) => {
    const { t } = page;
    return Promise.resolve(
      <section aria-labelledby="home-services" class="home-block">
        <h2 id="home-services">{t('services.portal.title')}</h2>
        <p>
          <a class="button" href="/dich-vu-cong">
            {t('services.portal.file_online')}
          </a>
        </p>
        <form method="get" action="/tra-cuu" class="search-form">
          <label for="home-track">{t('services.portal.track_label')}</label>
          <input id="home-track" name="ma" autocomplete="off" maxlength={60} />
          <button type="submit" class="button button-secondary">
            {t('services.portal.track')}
          </button>
        </form>
      </section>,
    );
  },
};
