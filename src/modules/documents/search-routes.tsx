import crypto from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import { writeAudit } from '../../platform/audit/audit.ts';
import { AppError, notFound, type FieldError } from '../../platform/errors.ts';
import { pageContext, parseInput, sendPage, setFlash, signedIn, formStrings } from '../../platform/http/kernel.ts';
import { formatDate, type MessageKey } from '../../platform/i18n/index.ts';
import { Layout } from '../../platform/ui/layout.tsx';
import { Button, Checkbox, ErrorSummary, Form, SelectInput, Table, TextInput } from '../../platform/ui/components.tsx';
import { DOC_TYPES, URGENCIES } from './types.ts';
import { registerUnitFor } from './incoming.ts';
import { searchDocuments, type DocKind, type SearchFilters } from './search.ts';
import { INCOMING } from './routes.tsx';
import { OUTGOING } from './outgoing-routes.tsx';
import { pageNumberOf } from '../../platform/http/query.ts';

export const SEARCH = '/van-ban/tim-kiem';
const PAGE = 20;
const IN_STATUSES = ['registered', 'assigned', 'in_progress', 'done'] as const;
const OUT_STATUSES = ['draft', 'signed', 'issued'] as const;
const MAX_SAVED = 30;
const isDate = (v: string | undefined) => !!v && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v));

/** The search page's query string (its parameter names are the page's, in Vietnamese) as filters; anything invalid is ignored. */
function filtersOf(query: Record<string, string | undefined>): { filters: SearchFilters; page: number } {
  const kind: DocKind | undefined = query.loai_so === 'den' ? 'incoming' : query.loai_so === 'di' ? 'outgoing' : undefined;
  const statuses: readonly string[] = kind === 'outgoing' ? OUT_STATUSES : kind === 'incoming' ? IN_STATUSES : [...IN_STATUSES, ...OUT_STATUSES];
  const filters: SearchFilters = {
    q: (query.q ?? '').slice(0, 200),
    kind,
    type: DOC_TYPES.some((t) => t.code === query.loai) ? query.loai : undefined,
    author: (query.noi_ban_hanh ?? '').slice(0, 100) || undefined,
    from: isDate(query.tu) ? query.tu : undefined,
    to: isDate(query.den) ? query.den : undefined,
    status: statuses.includes(query.trang_thai ?? '') ? query.trang_thai : undefined,
    urgency: (URGENCIES as readonly string[]).includes(query.do_khan ?? '') ? query.do_khan : undefined,
  };
  const page = pageNumberOf(query.trang, 500);
  return { filters, page };
}

/** The filters back as the page's query string (what a saved search keeps). */
function queryStringOf(f: SearchFilters): string {
  const p = new URLSearchParams();
  if (f.q) p.set('q', f.q);
  if (f.kind) p.set('loai_so', f.kind === 'incoming' ? 'den' : 'di');
  if (f.type) p.set('loai', f.type);
  if (f.author) p.set('noi_ban_hanh', f.author);
  if (f.from) p.set('tu', f.from);
  if (f.to) p.set('den', f.to);
  if (f.status) p.set('trang_thai', f.status);
  if (f.urgency) p.set('do_khan', f.urgency);
  return p.toString();
}

const savedInput = z.object({ name: z.string().trim().min(2).max(80), query: z.string().max(1000) });

/**
 * Search across the commune's incoming and outgoing documents (`/van-ban/tim-kiem`): words anywhere in
 * their metadata or the text of their file, filters, pages; saved searches per official.
 */
export function registerSearchRoutes(app: FastifyInstance, ctx: AppContext) {
  const render = async (request: FastifyRequest, reply: FastifyReply, errors: FieldError[] = [], values: Record<string, string> = {}, status = 200) => {
    const unit = await registerUnitFor(ctx, request.access, request.actor!.unitId, 'document.read');
    const { filters, page: pageNo } = filtersOf(request.query as Record<string, string | undefined>);
    const clerk = await request.access.can('document.issue', { unitId: unit.id });
    const searching = Object.values(filters).some(Boolean);
    const rows = searching ? await searchDocuments(ctx, { id: request.actor!.id, clerk }, unit.id, filters, { offset: (pageNo - 1) * PAGE, limit: PAGE }) : [];
    const saved = await ctx.database.db.selectFrom('doc_saved_search').select(['id', 'name', 'query']).where('account_id', '=', request.actor!.id).orderBy('name').execute();
    const qs = queryStringOf(filters);
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    const statusLabel = (kind: string, s: string) => t((kind === 'incoming' ? `documents.in_status.${s}` : `documents.out_status.${s}`) as MessageKey);
    const pageLink = (n: number) => `${SEARCH}?${qs}${qs ? '&' : ''}trang=${n}`;
    return sendPage(
      reply,
      <Layout ctx={page} title={t('documents.search_title')} shell="admin">
        <h1>{t('documents.search_title')}</h1>
        <p>{t('documents.search_intro', { unit: unit.name })}</p>
        <form method="get" action={SEARCH} class="filter-form" role="search">
          <TextInput ctx={page} name="q" type="search" label={t('documents.search_words')} hint={t('documents.search_words_hint')} value={filters.q ?? ''} />
          <SelectInput ctx={page} name="loai_so" label={t('documents.search_register')} value={filters.kind === 'incoming' ? 'den' : filters.kind === 'outgoing' ? 'di' : ''} options={[{ value: 'den', label: t('documents.incoming') }, { value: 'di', label: t('documents.outgoing') }]} placeholder={t('documents.all')} />
          <SelectInput ctx={page} name="loai" label={t('documents.type')} value={filters.type ?? ''} options={DOC_TYPES.map((d) => ({ value: d.code, label: t(`documents.type.${d.code}` as MessageKey) }))} placeholder={t('documents.all')} />
          <TextInput ctx={page} name="noi_ban_hanh" label={t('documents.search_author')} value={filters.author ?? ''} />
          <TextInput ctx={page} name="tu" type="date" label={t('documents.search_from')} value={filters.from ?? ''} />
          <TextInput ctx={page} name="den" type="date" label={t('documents.search_to')} value={filters.to ?? ''} />
          <SelectInput
            ctx={page}
            name="trang_thai"
            label={t('documents.status')}
            value={filters.status ?? ''}
            options={[...IN_STATUSES.map((s) => ({ value: s, label: `${t('documents.incoming')}: ${statusLabel('incoming', s)}` })), ...OUT_STATUSES.map((s) => ({ value: s, label: `${t('documents.outgoing')}: ${statusLabel('outgoing', s)}` }))]}
            placeholder={t('documents.all')}
          />
          <SelectInput ctx={page} name="do_khan" label={t('documents.urgency')} value={filters.urgency ?? ''} options={URGENCIES.map((u) => ({ value: u, label: t(`documents.urgency.${u}` as MessageKey) }))} placeholder={t('documents.all')} />
          <Button kind="secondary">{t('documents.search_go')}</Button>
        </form>
        {searching ? (
          rows.length ? (
            <>
              <Table
                caption={t('documents.search_results', { page: pageNo })}
                rows={rows.slice(0, PAGE)}
                columns={[
                  { label: t('documents.search_register'), cell: (d) => (d.kind === 'incoming' ? t('documents.incoming_short') : t('documents.outgoing_short')) },
                  { label: t('documents.number_symbol'), cell: (d) => <a href={`${d.kind === 'incoming' ? INCOMING : OUTGOING}/${d.document_id}`}>{d.code || t('documents.out_status.draft')}</a> },
                  { label: t('documents.issued_date'), cell: (d) => formatDate(d.doc_date) },
                  { label: t('documents.author_org'), cell: (d) => d.author },
                  { label: t('documents.type_subject'), cell: (d) => `${t(`documents.type.${d.type_code}` as MessageKey)}: ${d.subject}` },
                  { label: t('documents.urgency'), cell: (d) => (d.urgency === 'normal' ? '' : <strong>{t(`documents.urgency.${d.urgency}` as MessageKey)}</strong>) },
                  { label: t('documents.status'), cell: (d) => statusLabel(d.kind, d.status) },
                ]}
              />
              <nav class="pager" aria-label={t('documents.search_pages')}>
                {pageNo > 1 ? <a href={pageLink(pageNo - 1)}>← {t('documents.search_prev')}</a> : null}
                {rows.length > PAGE ? <a href={pageLink(pageNo + 1)}>{t('documents.search_next')} →</a> : null}
              </nav>
            </>
          ) : (
            <p>{t('documents.search_nothing')}</p>
          )
        ) : null}
        {searching ? (
          <section aria-labelledby="save-search">
            <h2 id="save-search">{t('documents.save_search')}</h2>
            <ErrorSummary ctx={page} errors={errors} />
            <Form ctx={page} action={`${SEARCH}/luu`} label={t('documents.save_search')}>
              <input type="hidden" name="query" value={qs} />
              <TextInput ctx={page} name="name" label={t('documents.saved_name')} hint={t('documents.saved_name_hint')} errors={errors} value={values.name} required />
              <Button kind="secondary">{t('documents.save_search')}</Button>
            </Form>
          </section>
        ) : null}
        <section aria-labelledby="saved-searches">
          <h2 id="saved-searches">{t('documents.saved_searches')}</h2>
          {saved.length ? (
            <Table
              rows={saved}
              columns={[
                { label: t('documents.saved_name'), cell: (s) => <a href={`${SEARCH}?${s.query}`}>{s.name}</a> },
                {
                  label: t('documents.saved_remove'),
                  cell: (s) => (
                    <Form ctx={page} action={`${SEARCH}/luu/${s.id}/xoa`} label={t('documents.saved_remove')}>
                      <Checkbox name="confirm" label={t('documents.saved_remove_confirm', { name: s.name })} required />
                      <Button kind="danger">{t('documents.saved_remove')}</Button>
                    </Form>
                  ),
                },
              ]}
            />
          ) : (
            <p>{t('documents.saved_none')}</p>
          )}
        </section>
      </Layout>,
      status,
    );
  };

  app.get(SEARCH, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    return render(request, reply);
  });

  app.post(`${SEARCH}/luu`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const unit = await registerUnitFor(ctx, request.access, request.actor!.unitId, 'document.read');
    const body = formStrings((request.body ?? {}));
    // Re-read the filters from the posted query so only what the page understands is kept.
    const query = queryStringOf(filtersOf(Object.fromEntries(new URLSearchParams(body.query ?? ''))).filters);
    request.query = Object.fromEntries(new URLSearchParams(query));
    const parsed = parseInput(request, savedInput, { labels: { name: 'documents.saved_name', query: 'documents.search_words' } });
    if (!parsed.ok) return render(request, reply, parsed.errors, body, 400);
    if (!query) return render(request, reply, [{ field: 'name', key: 'documents.error.empty_search' }], body, 400);
    const actorId = request.actor!.id;
    const existing = await ctx.database.db.selectFrom('doc_saved_search').select(['id', 'name']).where('account_id', '=', actorId).execute();
    if (existing.some((s) => s.name.toLowerCase() === parsed.data.name.toLowerCase())) return render(request, reply, [{ field: 'name', key: 'documents.error.saved_exists' }], body, 409);
    if (existing.length >= MAX_SAVED) return render(request, reply, [{ field: 'name', key: 'documents.error.saved_full', params: { max: MAX_SAVED } }], body, 409);
    const id = crypto.randomUUID();
    await ctx.database.db.transaction().execute(async (trx) => {
      await trx.insertInto('doc_saved_search').values({ id, account_id: actorId, name: parsed.data.name, query, created_at: new Date().toISOString() }).execute();
      await writeAudit(ctx.database, trx, request.auditContext, { action: 'documents.search.save', entity: 'doc_saved_search', entityId: id, unitId: unit.id, detail: { name: parsed.data.name } });
    });
    setFlash(reply, 'documents.flash.search_saved');
    return reply.redirect(`${SEARCH}?${query}`, 303);
  });

  app.post(`${SEARCH}/luu/:id/xoa`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const unit = await registerUnitFor(ctx, request.access, request.actor!.unitId, 'document.read');
    const { id } = request.params as { id: string };
    const saved = await ctx.database.db.selectFrom('doc_saved_search').selectAll().where('id', '=', id).where('account_id', '=', request.actor!.id).executeTakeFirst();
    if (!saved) throw notFound();
    const parsed = parseInput(request, z.object({ confirm: z.literal('on') }), { labels: { confirm: 'documents.saved_remove' } });
    if (!parsed.ok) throw new AppError('confirm', 400, 'documents.error.confirm_remove');
    await ctx.database.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('doc_saved_search').where('id', '=', saved.id).execute();
      await writeAudit(ctx.database, trx, request.auditContext, { action: 'documents.search.remove', entity: 'doc_saved_search', entityId: saved.id, unitId: unit.id, detail: { name: saved.name } });
    });
    setFlash(reply, 'documents.flash.search_removed');
    return reply.redirect(SEARCH, 303);
  });
}
