import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { Layout } from './layout.tsx';
import { pageContext, sendPage, sendSharedPage } from '../http/kernel.ts';
import { unitRepository, isCurrent, today } from '../units/repository.ts';
import { notFound, unauthenticated } from '../errors.ts';
import { formatDate, type MessageKey } from '../i18n/index.ts';
import { maskPersonalNumber } from '../auth/accounts.ts';
import { roleLabel } from '../auth/roles.ts';
import { unitColumns } from '../units/presenters.tsx';
import { Table } from './components.tsx';


/**
 * The three shells' entry pages: the public province and commune portals, the officials' back office
 * and the province view. Modules add pages under each through their manifests.
 */
export function registerShellRoutes(app: FastifyInstance, ctx: AppContext) {
  const units = unitRepository(ctx.database);

  app.get('/', async (request, reply) => {
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    const provinces = await units.current('province');
    const groups = await Promise.all(provinces.map(async (p) => ({ province: p, communes: await units.current('commune', p.id) })));
    return sendPage(
      reply,
      <Layout ctx={page} title={t('home.title')} shell="portal">
        <h1>{t('home.title')}</h1>
        <p>{t('home.intro')}</p>
        {groups.length === 0 ? <p>{t('home.no_communes')}</p> : null}
        {groups.map(({ province, communes }) => (
          <section aria-labelledby={`p-${province.code}`}>
            <h2 id={`p-${province.code}`}>{province.name}</h2>
            <ul class="card-list">
              {communes.map((c) => (
                <li class="card">
                  <a href={`/xa/${c.code}`}>{c.name}</a>
                </li>
              ))}
            </ul>
          </section>
        ))}
      </Layout>,
    );
  });

  app.get('/xa/:code', async (request, reply) => sendSharedPage(request, reply, async () => {
    const { code } = request.params as { code: string };
    const commune = await units.byCode(code);
    if (!commune || commune.level !== 'commune') throw notFound();
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    const [villages, province, predecessors, successors] = await Promise.all([
      units.children(commune.id),
      commune.parent_id ? units.byId(commune.parent_id) : undefined,
      units.predecessors(commune.id),
      units.successors(commune.id),
    ]);
    const ended = !isCurrent(commune, today());
    // What the enabled modules add: announcements, news, public services, products…
    const sections = ctx.modules.flatMap((m) => m.portalSections ?? []).sort((a, b) => a.order - b.order);
    const blocks = ended ? [] : await Promise.all(sections.map((s) => s.render(ctx, page, commune)));
    const url = `${ctx.config.publicUrl}/xa/${commune.code}`;
    return (
      <Layout ctx={page} title={commune.name} shell="portal" heading={commune.name} description={t('portal.description', { name: commune.name })} og={{ title: commune.name, description: t('portal.description', { name: commune.name }), url }}>
        <h1>{t('portal.welcome', { name: commune.name })}</h1>
        {province ? <p>{t('portal.province', { name: province.name })}</p> : null}
        {ended ? (
          <p class="notice">
            {t('units.ended')}: {formatDate(commune.valid_to!)}
          </p>
        ) : null}
        {blocks}
        {villages.length > 0 ? (
          <section aria-labelledby="villages">
            <h2 id="villages">{t('portal.villages')}</h2>
            <ul class="columns">
              {villages.map((v) => (
                <li>{v.name}</li>
              ))}
            </ul>
          </section>
        ) : null}
        {predecessors.length + successors.length > 0 ? (
          <section aria-labelledby="history">
            <h2 id="history">{t('portal.history')}</h2>
            {predecessors.length ? (
              <p>
                {t('portal.predecessors')}: {predecessors.map((p) => p.name).join(', ')} ({formatDate(predecessors[0]!.effective_date)})
              </p>
            ) : null}
            {successors.length ? (
              <p>
                {t('portal.successors')}:{' '}
                {successors.map((s) => (
                  <a href={`/xa/${s.code}`}>{s.name}</a>
                ))}
              </p>
            ) : null}
          </section>
        ) : null}
        <p>
          <a href={`/login/citizen?unit=${encodeURIComponent(commune.code)}`}>{t('login.citizen_button')}</a>
        </p>
      </Layout>
    );
  }));

  app.get('/admin', async (request, reply) => {
    if (!request.actor) return reply.redirect(`/login?next=${encodeURIComponent('/admin')}`);
    if (request.actor.kind === 'citizen') return reply.redirect('/account');
    request.access.require('backoffice.access');
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    const grantUnits = await Promise.all(request.actor.grants.map(async (g) => ({ grant: g, unit: await units.byId(g.unitId) })));
    return sendPage(
      reply,
      <Layout ctx={page} title={t('admin.title')} shell="admin">
        <h1>{t('admin.welcome', { name: request.actor.displayName })}</h1>
        <h2>{t('admin.roles')}</h2>
        <ul>
          {grantUnits.map(({ grant, unit }) => (
            <li>
              {t(roleLabel(grant.role))}
              {grant.field ? ` (${t(`field.${grant.field}` as MessageKey)})` : ''} — {unit?.name ?? ''}
            </li>
          ))}
        </ul>
        <h2>{t('admin.modules')}</h2>
        <ul class="card-list">
          {page.nav.admin
            .filter((l) => l.href !== '/admin')
            .map((l) => (
              <li class="card">
                <a href={l.href}>{t(l.label)}</a>
              </li>
            ))}
        </ul>
      </Layout>,
    );
  });

  app.get('/province', async (request, reply) => {
    if (!request.actor) return reply.redirect(`/login?next=${encodeURIComponent('/province')}`);
    request.access.require('province.access');
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    const scope = await request.access.unitsFor('province.access');
    const provinces = (await units.current('province')).filter((p) => scope === 'all' || scope.includes(p.id));
    const groups = await Promise.all(provinces.map(async (p) => ({ province: p, communes: await units.current('commune', p.id) })));
    return sendPage(
      reply,
      <Layout ctx={page} title={t('province.title')} shell="province">
        <h1>{t('province.title')}</h1>
        {groups.map(({ province, communes }) => (
          <section aria-labelledby={`pv-${province.code}`}>
            <h2 id={`pv-${province.code}`}>
              {province.name} — {t('province.communes')}
            </h2>
            <Table rows={communes} columns={unitColumns(t)} />
          </section>
        ))}
      </Layout>,
    );
  });

  app.get('/account', async (request, reply) => {
    if (!request.actor) return reply.redirect(`/login?next=${encodeURIComponent('/account')}`);
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    const me = await ctx.database.db.selectFrom('auth_account').selectAll().where('id', '=', request.actor.id).executeTakeFirst();
    if (!me) throw unauthenticated();
    return sendPage(
      reply,
      <Layout ctx={page} title={t('account.title')} shell={me.kind === 'citizen' ? 'portal' : 'admin'}>
        <h1>{t('account.title')}</h1>
        <dl class="summary-list">
          <dt>{t('account.full_name')}</dt>
          <dd data-testid="full-name">{me.display_name}</dd>
          {me.kind === 'citizen' ? (
            <>
              <dt>{t('account.personal_number')}</dt>
              <dd>{maskPersonalNumber(me.personal_number)}</dd>
              <dt>{t('account.birth_date')}</dt>
              <dd>{me.birth_date ? formatDate(me.birth_date) : ''}</dd>
              <dt>{t('account.address')}</dt>
              <dd>{me.address}</dd>
              <dt>{t('account.phone')}</dt>
              <dd>{me.phone}</dd>
            </>
          ) : (
            <>
              <dt>{t('accounts.username')}</dt>
              <dd>{me.username}</dd>
            </>
          )}
        </dl>
      </Layout>,
    );
  });
}
