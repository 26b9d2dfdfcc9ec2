import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { Layout } from '../../platform/ui/layout.tsx';
import { pageContext, sendPage, setFlash } from '../../platform/http/kernel.ts';
import { AppError, notFound, unauthenticated, type FieldError } from '../../platform/errors.ts';
import { isUpload, registerUploads } from '../../platform/files/files.ts';
import { BOUNDARY_FIELD, boundaryRow, importBoundaries } from '../../platform/units/boundary.ts';
import { formatDate, formatDateTime, type MessageKey } from '../../platform/i18n/index.ts';
import { roleLabel, isRole } from '../../platform/auth/roles.ts';
import { unitRepository } from '../../platform/units/repository.ts';
import { kindLabel, unitColumns } from '../../platform/units/presenters.tsx';
import { Button, ErrorSummary, FileInput, Form, Table } from '../../platform/ui/components.tsx';
import { administrationRepository } from './repository.ts';


function requireOfficial(request: FastifyRequest) {
  if (!request.actor) throw unauthenticated();
}

/** Back-office pages; each authorizes, reads within the actor's units, renders. */
export function registerAdministrationRoutes(app: FastifyInstance, ctx: AppContext) {
  const repo = administrationRepository(ctx.database);
  const units = unitRepository(ctx.database);

  app.get('/admin/units', async (request, reply) => {
    requireOfficial(request);
    request.access.require('unit.read');
    const list = await repo.units(await request.access.unitsFor('unit.read'));
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    return sendPage(
      reply,
      <Layout ctx={page} title={t('units.title')} shell="admin">
        <h1>{t('units.title')}</h1>
        <Table
          rows={list}
          columns={[
            ...unitColumns(t),
            { label: t('units.valid'), cell: (u) => `${formatDate(u.valid_from)} – ${u.valid_to ? formatDate(u.valid_to) : ''}` },
          ]}
        />
      </Layout>,
    );
  });

  /** A unit's page; `errors` are those of the boundary import just refused. */
  const unitPage = async (request: FastifyRequest, reply: FastifyReply, errors: FieldError[] = [], status = 200) => {
    requireOfficial(request);
    const { id } = request.params as { id: string };
    const unit = await units.byId(id);
    if (!unit) throw notFound();
    await request.access.authorize('unit.read', { unitId: unit.id });
    const [children, parent, predecessors, successors, boundary, canManage] = await Promise.all([
      units.children(unit.id),
      unit.parent_id ? units.byId(unit.parent_id) : undefined,
      units.predecessors(unit.id),
      units.successors(unit.id),
      boundaryRow(ctx, unit.id),
      request.access.can('unit.manage', { unitId: unit.id }),
    ]);
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    return sendPage(
      reply,
      <Layout ctx={page} title={unit.name} shell="admin">
        <ErrorSummary ctx={page} errors={errors} />
        <h1>{unit.name}</h1>
        <dl class="summary-list">
          <dt>{t('units.code')}</dt>
          <dd>{unit.code}</dd>
          <dt>{t('units.kind')}</dt>
          <dd>{t(kindLabel(unit.kind))}</dd>
          <dt>{t('units.parent')}</dt>
          <dd>{parent?.name ?? '—'}</dd>
          <dt>{t('units.valid')}</dt>
          <dd>
            {formatDate(unit.valid_from)} – {unit.valid_to ? formatDate(unit.valid_to) : ''}
          </dd>
          <dt>{t('units.legal_basis')}</dt>
          <dd>{unit.legal_basis ?? '—'}</dd>
          <dt>{t('portal.predecessors')}</dt>
          <dd>{predecessors.map((p) => p.name).join(', ') || '—'}</dd>
          <dt>{t('portal.successors')}</dt>
          <dd>{successors.map((s) => `${s.name} (${formatDate(s.effective_date)})`).join(', ') || '—'}</dd>
        </dl>
        {children.length ? (
          <>
            <h2>{t('units.children')}</h2>
            <ul class="columns">
              {children.map((c) => (
                <li>
                  <a href={`/admin/units/${c.id}`}>{c.name}</a>
                </li>
              ))}
            </ul>
          </>
        ) : null}
        <h2>{t('units.boundary.title')}</h2>
        <p data-testid="boundary-status">
          {boundary ? t('units.boundary.has', { points: boundary.points, at: formatDateTime(boundary.updated_at), by: boundary.updated_by }) : t('units.boundary.none')}
        </p>
        {canManage ? (
          <Form ctx={page} action={`/admin/units/${unit.id}/ranh-gioi`} label={t('units.boundary.title')} files>
            <FileInput ctx={page} name={BOUNDARY_FIELD} label={t('units.boundary.file')} hint={t('units.boundary.hint')} errors={errors} accept=".geojson,.json,application/geo+json,application/json" required />
            <Button>{t('units.boundary.submit')}</Button>
          </Form>
        ) : null}
      </Layout>,
      status,
    );
  };

  app.get('/admin/units/:id', (request, reply) => unitPage(request, reply));

  // Boundary files arrive as uploads: the multipart parser only in this route's own context.
  void app.register(async (uploads) => {
    await registerUploads(uploads, ctx);
    uploads.post('/admin/units/:id/ranh-gioi', async (request, reply) => {
      requireOfficial(request);
      const { id } = request.params as { id: string };
      const file = (request.body as Record<string, unknown> | undefined)?.[BOUNDARY_FIELD];
      try {
        await importBoundaries(ctx, request.access, request.auditContext, id, isUpload(file) ? file : undefined);
      } catch (err) {
        if (err instanceof AppError && err.fields.length) return unitPage(request, reply, err.fields, err.status);
        throw err;
      }
      setFlash(reply, 'units.boundary.imported');
      return reply.redirect(`/admin/units/${id}`, 303);
    });
  });

  app.get('/admin/accounts', async (request, reply) => {
    requireOfficial(request);
    request.access.require('account.manage');
    const list = await repo.accounts(await request.access.unitsFor('account.manage'));
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    return sendPage(
      reply,
      <Layout ctx={page} title={t('accounts.title')} shell="admin">
        <h1>{t('accounts.title')}</h1>
        <Table
          rows={list}
          columns={[
            { label: t('accounts.username'), cell: (a) => <a href={`/admin/accounts/${a.id}`}>{a.username}</a> },
            { label: t('accounts.name'), cell: (a) => a.display_name },
            { label: t('accounts.unit'), cell: (a) => a.unit_name },
            { label: t('accounts.last_login'), cell: (a) => (a.last_login_at ? formatDateTime(a.last_login_at) : t('accounts.never')) },
            { label: t('accounts.status'), cell: (a) => (a.disabled_at ? t('accounts.disabled') : t('accounts.active')) },
          ]}
        />
      </Layout>,
    );
  });

  app.get('/admin/accounts/:id', async (request, reply) => {
    requireOfficial(request);
    const { id } = request.params as { id: string };
    const account = await repo.account(id);
    if (!account) throw notFound();
    await request.access.authorize('account.read', { unitId: account.unit_id, ownerId: account.id });
    const grants = await repo.grants(account.id);
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    return sendPage(
      reply,
      <Layout ctx={page} title={account.display_name} shell="admin">
        <h1>{account.display_name}</h1>
        <dl class="summary-list">
          <dt>{t('accounts.username')}</dt>
          <dd>{account.username ?? '—'}</dd>
          <dt>{t('accounts.last_login')}</dt>
          <dd>{account.last_login_at ? formatDateTime(account.last_login_at) : t('accounts.never')}</dd>
          <dt>{t('accounts.status')}</dt>
          <dd>{account.disabled_at ? t('accounts.disabled') : t('accounts.active')}</dd>
          <dt>{t('accounts.roles')}</dt>
          <dd>
            <ul>
              {grants.map((g) => (
                <li>
                  {isRole(g.role) ? t(roleLabel(g.role)) : g.role}
                  {g.field ? ` (${t(`field.${g.field}` as MessageKey)})` : ''} — {g.unit_name}
                </li>
              ))}
            </ul>
          </dd>
        </dl>
      </Layout>,
    );
  });

  app.get('/admin/audit', async (request, reply) => {
    requireOfficial(request);
    request.access.require('audit.read');
    const events = await repo.auditEvents(await request.access.unitsFor('audit.read'));
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    return sendPage(
      reply,
      <Layout ctx={page} title={t('audit.title')} shell="admin">
        <h1>{t('audit.title')}</h1>
        {events.length === 0 ? <p>{t('audit.empty')}</p> : null}
        <Table
          rows={events}
          columns={[
            { label: '#', cell: (e) => <a href={`/admin/audit/${e.seq}`}>{e.seq}</a> },
            { label: t('audit.at'), cell: (e) => formatDateTime(e.at) },
            { label: t('audit.actor'), cell: (e) => e.actor_label },
            { label: t('audit.action'), cell: (e) => <code>{e.action}</code> },
            { label: t('audit.entity'), cell: (e) => <>{e.entity} {e.entity_id ? <code>{e.entity_id.slice(0, 8)}</code> : null}</> },
          ]}
        />
      </Layout>,
    );
  });

  app.get('/admin/audit/:seq', async (request, reply) => {
    requireOfficial(request);
    const seq = Number((request.params as { seq: string }).seq);
    const event = Number.isInteger(seq) ? await repo.auditEvent(seq) : undefined;
    if (!event) throw notFound();
    await request.access.authorize('audit.read', { unitId: event.unit_id });
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    return sendPage(
      reply,
      <Layout ctx={page} title={`${t('audit.title')} #${event.seq}`} shell="admin">
        <h1>
          {t('audit.title')} #{event.seq}
        </h1>
        <dl class="summary-list">
          <dt>{t('audit.at')}</dt>
          <dd>{formatDateTime(event.at)}</dd>
          <dt>{t('audit.actor')}</dt>
          <dd>{event.actor_label}</dd>
          <dt>{t('audit.action')}</dt>
          <dd>
            <code>{event.action}</code>
          </dd>
          <dt>{t('audit.entity')}</dt>
          <dd>
            {event.entity} {event.entity_id ?? ''}
          </dd>
          <dt>IP</dt>
          <dd>{event.ip ?? '—'}</dd>
        </dl>
        <pre class="wrap">{event.detail}</pre>
      </Layout>,
    );
  });
}
