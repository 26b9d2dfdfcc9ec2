import crypto from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import { AppError, fieldProblem, notFound, type FieldError } from '../../platform/errors.ts';
import { formText, pageContext, parseOrThrow, sendPage, setFlash, signedIn } from '../../platform/http/kernel.ts';
import { formatDate, formatDateTime } from '../../platform/i18n/index.ts';
import { Layout } from '../../platform/ui/layout.tsx';
import { Button, ErrorSummary, FileInput, Form, SelectInput, Table, TextArea, TextInput } from '../../platform/ui/components.tsx';
import { isUpload, readStoredFile, type UploadedFile } from '../../platform/files/files.ts';
import type { PageContext } from '../../platform/ui/context.ts';
import { unitRepository } from '../../platform/units/repository.ts';
import { maskPersonalNumber } from '../../platform/auth/accounts.ts';
import { applyAction, attachResult, fileAtCounter, fileOnline, workflowRoles } from './commands.ts';
import { localToday } from './calendar.ts';
import { computeStatistics, percent, type StatRow } from './statistics.ts';
import { prefill, type CitizenProfile } from './forms.ts';
import { servicesRepository, type ProcedureRow } from './repository.ts';
import { CHANNELS, type Channel, type FormField } from './schemas.ts';
import { ACTIONS, DOSSIER_STATES, NATIONAL_STATUS, availableActions, isDossierAction, type DossierState } from './workflow.ts';
import { StateTag, channelLabel, daysText, feeText, stateLabel } from './presenters.tsx';
import { periodOf } from './register.tsx';
import { ApologyInfo, DeskSideSteps, PaymentInfo, RatingBlock, feeAccount } from './side-routes.tsx';
import { sideFacts } from './side-steps.ts';
import { availableSideSteps } from './workflow.ts';
import { pageNumberOf } from '../../platform/http/query.ts';

const PUBLIC_BASE = '/dich-vu-cong';
/** A state named by each national status code (4 covers processing and awaiting approval). */
const NATIONAL_NAMES: Record<number, string> = {
  ...Object.fromEntries((Object.entries(NATIONAL_STATUS) as [DossierState, number][]).reverse().map(([state, code]) => [code, state])),
  6: 'payment_required',
};
const DESK_BASE = '/mot-cua';


/** A posted filing form: its text fields by name, and the procedure's fields' values. */
function readFiling(body: unknown, fields: readonly FormField[]) {
  const b = (body ?? {}) as Record<string, unknown>;
  const str = formText(body);
  const files: Record<string, UploadedFile> = {};
  for (const [k, v] of Object.entries(b)) if (isUpload(v)) files[k] = v;
  return { str, values: Object.fromEntries(fields.map((f) => [f.name, str(f.name)])), files };
}

/** One optional file input per paper the procedure asks for. */
function PaperInputs({ ctx, papers, errors, limit }: { ctx: PageContext; papers: ProcedureRow['procedure']['papers']; errors: FieldError[]; limit: string }) {
  return (
    <fieldset>
      <legend>{ctx.t('services.papers')}</legend>
      <p class="hint">{ctx.t('services.paper_hint', { limit })}</p>
      {papers.map((p, i) => (
        <FileInput ctx={ctx} name={`paper_${i}`} label={`${p.name} ${ctx.t('form.optional')}`} errors={errors} accept=".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png" />
      ))}
    </fieldset>
  );
}

/** The dossier's files, each a download link. */
function Attachments({ ctx, dossierId, items }: { ctx: PageContext; dossierId: string; items: { id: string; kind: string; label: string; name: string; size: number }[] }) {
  if (!items.length) return null;
  return (
    <>
      <h2>{ctx.t('services.attachments')}</h2>
      <ul>
        {items.map((a) => (
          <li>
            {a.kind === 'result' ? <strong>{ctx.t('services.result_file')}: </strong> : `${a.label}: `}
            <a href={`/ho-so/${dossierId}/tep/${a.id}`}>{a.name}</a> <span class="muted">({Math.max(1, Math.round(a.size / 1024))} KB)</span>
          </li>
        ))}
      </ul>
    </>
  );
}

/** A procedure's form fields as controls, with the values kept and errors beside each. */
function FormFields({ ctx, fields, values, errors }: { ctx: PageContext; fields: readonly FormField[]; values: Record<string, string>; errors: FieldError[] }) {
  return (
    <>
      {fields.map((f) => {
        const label = f.required ? f.label : `${f.label} ${ctx.t('form.optional')}`;
        const common = { ctx, name: f.name, label, errors, value: values[f.name], hint: f.hint, required: f.required };
        if (f.type === 'select') return <SelectInput {...common} placeholder={ctx.t('form.choose')} options={(f.options ?? []).map((o) => ({ value: o, label: o }))} />;
        if (f.type === 'textarea') return <TextArea {...common} />;
        const type = f.type === 'date' ? 'date' : f.type === 'phone' ? 'tel' : f.type === 'email' ? 'email' : 'text';
        const inputmode = f.type === 'personal_number' || f.type === 'number' ? 'numeric' : undefined;
        return <TextInput {...common} type={type} {...(inputmode ? { inputmode } : {})} />;
      })}
    </>
  );
}

/** The procedure's facts as a summary list (catalogue page and filing pages). */
function ProcedureFacts({ ctx, proc }: { ctx: PageContext; proc: ProcedureRow['procedure'] }) {
  const { t } = ctx;
  return (
    <>
      <dl class="summary-list">
        <dt>{t('services.code')}</dt>
        <dd>{proc.code}</dd>
        <dt>{t('services.sector')}</dt>
        <dd>{proc.sector}</dd>
        <dt>{t('services.agency')}</dt>
        <dd>{proc.agency}</dd>
        <dt>{t('services.result_type')}</dt>
        <dd>{proc.resultType}</dd>
        <dt>{t('services.fully_online')}</dt>
        <dd>{proc.fullyOnline ? t('common.yes') : t('common.no')}</dd>
      </dl>
      <Table
        caption={t('services.channels')}
        rows={proc.channels}
        columns={[
          { label: t('services.channel'), cell: (c) => t(channelLabel(c.channel)) },
          { label: t('services.time_limit'), cell: (c) => daysText(t, c.days) },
          { label: t('services.fee'), cell: (c) => feeText(t, c.fee) },
        ]}
      />
    </>
  );
}

const citizenProfile = async (ctx: AppContext, accountId: string): Promise<CitizenProfile | null> => {
  const a = await ctx.database.db
    .selectFrom('auth_account')
    .select(['display_name', 'personal_number', 'birth_date', 'address', 'phone', 'email'])
    .where('id', '=', accountId)
    .executeTakeFirst();
  return a ? { name: a.display_name, personal_number: a.personal_number, birth_date: a.birth_date, address: a.address, phone: a.phone, email: a.email } : null;
};

export function registerServicesRoutes(app: FastifyInstance, ctx: AppContext) {
  const repo = servicesRepository(ctx.database);
  const units = unitRepository(ctx.database);
  const uploadLimit = `${Math.max(1, Math.round(ctx.config.uploadLimitBytes / 1024 / 1024))} MB`;

  /** The province whose catalogue the public sees: `?tinh=<code>` or the first current province. */
  const provinceOf = async (code: string | undefined) => {
    const provinces = await units.current('province');
    return (code ? provinces.find((p) => p.code === code) : undefined) ?? provinces[0];
  };
  const communesOf = async (provinceId: string) => (await units.current('commune', provinceId)).map((u) => ({ value: u.id, label: u.name }));

  // ——— Public catalogue ———
  app.get(PUBLIC_BASE, async (request, reply) => {
    const q = request.query as { q?: string; tinh?: string };
    const province = await provinceOf(q.tinh);
    if (!province) throw notFound();
    const list = await repo.procedures(province.id, q.q?.slice(0, 100));
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    return sendPage(
      reply,
      <Layout ctx={page} title={t('services.catalogue')} shell="portal" heading={province.name}>
        <h1>{t('services.catalogue')}</h1>
        <form method="get" action={PUBLIC_BASE} role="search" class="search-form">
          <label for="q">{t('services.search')}</label>
          <input id="q" name="q" type="search" value={q.q ?? ''} />
          <button type="submit" class="button button-secondary">
            {t('common.search')}
          </button>
        </form>
        <p>
          <a href="/tra-cuu">{t('services.track')}</a>
        </p>
        {list.length === 0 ? <p>{t('services.no_match')}</p> : null}
        <Table
          rows={list}
          columns={[
            { label: t('services.procedure'), cell: (p) => <a href={`${PUBLIC_BASE}/${p.id}`}>{p.procedure.name}</a> },
            { label: t('services.sector'), cell: (p) => p.procedure.sector },
            { label: t('services.time_limit'), cell: (p) => daysText(t, Math.min(...p.procedure.channels.map((c) => c.days))) },
            { label: t('services.online'), cell: (p) => (p.procedure.channels.some((c) => c.channel === 'online') ? t('common.yes') : t('common.no')) },
          ]}
        />
      </Layout>,
    );
  });

  app.get(`${PUBLIC_BASE}/:id`, async (request, reply) => {
    const row = await repo.procedureById((request.params as { id: string }).id);
    if (!row) throw notFound();
    const p = row.procedure;
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    return sendPage(
      reply,
      <Layout ctx={page} title={p.name} shell="portal">
        <h1>{p.name}</h1>
        <ProcedureFacts ctx={page} proc={p} />
        {p.channels.some((c) => c.channel === 'online') ? (
          <p>
            <a class="button" href={`${PUBLIC_BASE}/${row.id}/nop`}>
              {t('services.file_online')}
            </a>
          </p>
        ) : (
          <p>{t('services.in_person_only')}</p>
        )}
        <h2>{t('services.papers')}</h2>
        <ul>
          {p.papers.map((x) => (
            <li>
              {x.name} ({t(`services.paper.${x.kind}`)}, {x.count})
              {x.template ? ` — ${x.template}` : ''}
            </li>
          ))}
        </ul>
        {p.conditions ? (
          <>
            <h2>{t('services.conditions')}</h2>
            <p>{p.conditions}</p>
          </>
        ) : null}
        <h2>{t('services.steps')}</h2>
        <ol>
          {p.steps.map((s) => (
            <li>{s}</li>
          ))}
        </ol>
        <h2>{t('services.legal_basis')}</h2>
        <ul>
          {p.legalBasis.map((s) => (
            <li>{s}</li>
          ))}
        </ul>
      </Layout>,
    );
  });

  // ——— Citizen filing ———
  const renderFiling = async (
    request: FastifyRequest,
    reply: FastifyReply,
    row: ProcedureRow,
    state: { values: Record<string, string>; unitId: string; errors: FieldError[]; key: string; draftId?: string | undefined },
    status = 200,
  ) => {
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    return sendPage(
      reply,
      <Layout ctx={page} title={`${t('services.file_online')}: ${row.procedure.name}`} shell="portal">
        <h1>{row.procedure.name}</h1>
        <p>{t('services.filing_intro')}</p>
        <ErrorSummary ctx={page} errors={state.errors} />
        <Form ctx={page} action={`${PUBLIC_BASE}/${row.id}/nop`} label={row.procedure.name} files>
          <input type="hidden" name="idempotency_key" value={state.key} />
          {state.draftId ? <input type="hidden" name="draft_id" value={state.draftId} /> : null}
          <SelectInput ctx={page} name="unit_id" label={t('services.competent_commune')} errors={state.errors} value={state.unitId} options={await communesOf(row.provinceId)} placeholder={t('form.choose')} required />
          <FormFields ctx={page} fields={row.procedure.form} values={state.values} errors={state.errors} />
          <PaperInputs ctx={page} papers={row.procedure.papers} errors={state.errors} limit={uploadLimit} />
          <div class="button-row">
            <Button>{t('services.submit')}</Button>
            <button type="submit" name="intent" value="draft" class="button button-secondary">
              {t('services.save_draft')}
            </button>
          </div>
        </Form>
      </Layout>,
      status,
    );
  };

  const requireCitizen = (request: FastifyRequest, reply: FastifyReply) => signedIn(request, reply, 'citizen');

  app.get(`${PUBLIC_BASE}/:id/nop`, async (request, reply) => {
    const row = await repo.procedureById((request.params as { id: string }).id);
    if (!row || !row.procedure.channels.some((c) => c.channel === 'online')) throw notFound();
    const actor = requireCitizen(request, reply);
    if (!actor) return reply;
    const draftId = (request.query as { ban_nhap?: string }).ban_nhap;
    const draft = draftId ? await repo.dossierById(draftId) : undefined;
    if (draftId && (!draft || draft.citizen_id !== actor.id || draft.state !== 'draft' || draft.procedure_id !== row.id)) throw notFound();
    const values = draft ? (JSON.parse(draft.form_data) as Record<string, string>) : prefill(row.procedure.form, await citizenProfile(ctx, actor.id));
    return renderFiling(request, reply, row, { values, unitId: draft?.unit_id ?? actor.unitId, errors: [], key: crypto.randomUUID(), draftId: draft?.id });
  });

  app.post(`${PUBLIC_BASE}/:id/nop`, async (request, reply) => {
    const row = await repo.procedureById((request.params as { id: string }).id);
    if (!row) throw notFound();
    const actor = requireCitizen(request, reply);
    if (!actor) return reply;
    const { str, values, files } = readFiling(request.body, row.procedure.form);
    const draft = str('intent') === 'draft';
    try {
      const result = await fileOnline(ctx, actor, request.auditContext, {
        procedureId: row.id,
        unitId: str('unit_id'),
        values,
        idempotencyKey: str('idempotency_key') || undefined,
        draft,
        draftId: str('draft_id') || undefined,
        files,
        lang: request.lang,
      });
      setFlash(reply, draft ? 'services.flash.draft_saved' : 'services.flash.submitted');
      return reply.redirect(draft ? '/ca-nhan/ho-so' : `/ho-so/${result.id}`, 303);
    } catch (err) {
      if (err instanceof AppError && err.status === 400) {
        return renderFiling(request, reply, row, { values, unitId: str('unit_id'), errors: err.fields, key: str('idempotency_key') || crypto.randomUUID(), draftId: str('draft_id') || undefined }, 400);
      }
      throw err;
    }
  });

  app.get('/ca-nhan/ho-so', async (request, reply) => {
    const actor = requireCitizen(request, reply);
    if (!actor) return reply;
    const list = await repo.citizenDossiers(actor.id);
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    return sendPage(
      reply,
      <Layout ctx={page} title={t('services.my_dossiers')} shell="portal">
        <h1>{t('services.my_dossiers')}</h1>
        {list.length === 0 ? <p>{t('services.none_yet')}</p> : null}
        <Table
          rows={list}
          columns={[
            {
              label: t('services.dossier_code'),
              cell: (d) =>
                d.state === 'draft' ? (
                  <a href={`${PUBLIC_BASE}/${d.id}/ban-nhap`}>{t('services.state.draft')}</a>
                ) : (
                  <a href={`/ho-so/${d.id}`}>{d.code}</a>
                ),
            },
            { label: t('services.procedure'), cell: (d) => d.procedure_name },
            { label: t('services.status'), cell: (d) => t(stateLabel(d.state)) },
            { label: t('services.due_date'), cell: (d) => (d.due_date ? formatDate(d.due_date) : '—') },
          ]}
        />
      </Layout>,
    );
  });

  // A draft link resolves to the procedure's filing page with the draft loaded.
  app.get(`${PUBLIC_BASE}/:id/ban-nhap`, async (request, reply) => {
    const actor = requireCitizen(request, reply);
    if (!actor) return reply;
    const draft = await repo.dossierById((request.params as { id: string }).id);
    if (!draft || draft.citizen_id !== actor.id || draft.state !== 'draft') throw notFound();
    return reply.redirect(`${PUBLIC_BASE}/${draft.procedure_id}/nop?ban_nhap=${draft.id}`, 303);
  });

  // The receipt and the dossier as the citizen sees it (form 01 and the history).
  app.get('/ho-so/:id', async (request, reply) => {
    const actor = requireCitizen(request, reply);
    if (!actor) return reply;
    const d = await repo.dossierById((request.params as { id: string }).id);
    if (!d || d.state === 'draft') throw notFound();
    await request.access.authorize('dossier.read', { unitId: d.unit_id, ownerId: d.citizen_id });
    const [events, unit, attachments, agency] = await Promise.all([repo.events(d.id), units.byId(d.unit_id), repo.attachments(d.id), repo.agency(d.unit_id)]);
    const account = await feeAccount(agency);
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    const can = availableActions({ state: d.state as DossierState, pausedFrom: null, supplementRequests: d.supplement_requests, assigneeId: d.assignee_id }, ['applicant'], actor.id);
    const canRate = d.citizen_id === actor.id && availableSideSteps(sideFacts(d), ['applicant'], localToday()).includes('rate');
    return sendPage(
      reply,
      <Layout ctx={page} title={`${t('services.receipt')} ${d.code ?? ''}`} shell="portal">
        <h1>{t('services.receipt')}</h1>
        {d.code ? <img class="qr" src={`/tra-cuu/qr.svg?ma=${encodeURIComponent(d.code)}`} width={132} height={132} alt={t('services.qr_alt', { code: d.code })} /> : null}
        <DossierSummary ctx={page} d={d} unitName={unit?.name ?? ''} />
        <p>
          <a href={`/ho-so/${d.id}/bien-nhan.pdf`}>{t('services.receipt_pdf')}</a>
        </p>
        <ApologyInfo ctx={page} d={d} />
        <PaymentInfo ctx={page} d={d} account={account} payer={d.citizen_id === actor.id} />
        <RatingBlock ctx={page} d={d} action={canRate ? `/ho-so/${d.id}/danh-gia` : null} />
        <Attachments ctx={page} dossierId={d.id} items={attachments} />
        {can.includes('withdraw') ? (
          <Form ctx={page} action={`/ho-so/${d.id}/rut`} label={t('services.action.withdraw')}>
            <p>{t('services.withdraw_warning')}</p>
            <label class="checkbox">
              <input type="checkbox" name="confirm" value="yes" required /> {t('services.withdraw_confirm')}
            </label>
            <Button kind="danger">{t('services.action.withdraw')}</Button>
          </Form>
        ) : null}
        <History ctx={page} events={events} />
      </Layout>,
    );
  });

  app.post('/ho-so/:id/rut', async (request, reply) => {
    const actor = requireCitizen(request, reply);
    if (!actor) return reply;
    const id = (request.params as { id: string }).id;
    const body = parseOrThrow(request, z.object({ confirm: z.literal('yes') }), { labels: { confirm: 'services.withdraw_confirm' } });
    void body;
    await applyAction(ctx, request.access, request.auditContext, id, 'withdraw');
    setFlash(reply, 'services.flash.withdrawn');
    return reply.redirect(`/ho-so/${id}`, 303);
  });

  // Form 01 as a printable PDF, for the applicant and the officials who may read the dossier.
  app.get('/ho-so/:id/bien-nhan.pdf', async (request, reply) => {
    if (!signedIn(request, reply)) return reply;
    const d = await repo.dossierById((request.params as { id: string }).id);
    if (!d || d.state === 'draft') throw notFound();
    if ((await workflowRoles(request.access, d)).length === 0) await request.access.authorize('dossier.read', { unitId: d.unit_id, ownerId: d.citizen_id });
    const [row, unit, events] = await Promise.all([repo.procedureById(d.procedure_id), units.byId(d.receiving_unit_id), repo.events(d.id)]);
    if (!row || !unit) throw notFound();
    const receiver = events.find((e) => e.action === 'receive')?.actor_label ?? null;
    // pdfkit, fontkit and qrcode are loaded on first use (about 15 MB the idle process need not hold).
    const { receiptPdf } = await import('./receipt.ts');
    const pdf = await receiptPdf({ dossier: d, procedure: row.procedure, communeName: unit.name, receiverName: receiver });
    return reply
      .type('application/pdf')
      .header('content-disposition', `inline; filename="bien-nhan-${d.code ?? d.id}.pdf"`)
      .header('cache-control', 'private, no-store')
      .send(pdf);
  });

  // The QR code of a dossier code (only for codes that exist), for the receipt page.
  app.get('/tra-cuu/qr.svg', async (request, reply) => {
    const code = ((request.query as { ma?: string }).ma ?? '').slice(0, 60);
    const d = code ? await repo.dossierByCode(code) : undefined;
    if (!d) throw notFound();
    const { qrSvg } = await import('../../platform/pdf/document.ts');
    return reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(await qrSvg(code));
  });

  // ——— Public tracking: status and due date only, no personal data ———
  app.get('/tra-cuu', async (request, reply) => {
    const code = ((request.query as { ma?: string }).ma ?? '').trim().slice(0, 60);
    const d = code ? await repo.dossierByCode(code) : undefined;
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    return sendPage(
      reply,
      <Layout ctx={page} title={t('services.track')} shell="portal">
        <h1>{t('services.track')}</h1>
        <form method="get" action="/tra-cuu" class="search-form">
          <label for="ma">{t('services.dossier_code')}</label>
          <input id="ma" name="ma" value={code} autocomplete="off" />
          <button type="submit" class="button">
            {t('services.track_button')}
          </button>
        </form>
        {code && (!d || d.state === 'draft') ? (
          <p class="notice" role="status">
            {t('services.track_not_found', { code })}
          </p>
        ) : null}
        {d && d.state !== 'draft' ? (
          <dl class="summary-list" data-testid="tracking">
            <dt>{t('services.dossier_code')}</dt>
            <dd>{d.code}</dd>
            <dt>{t('services.procedure')}</dt>
            <dd>{d.procedure_name}</dd>
            <dt>{t('services.status')}</dt>
            <dd>
              <StateTag t={t} d={d} today={localToday()} />
            </dd>
            <dt>{t('services.due_date')}</dt>
            <dd>{d.due_date ? formatDate(d.due_date) : t('services.not_received_yet')}</dd>
            {d.appointment_date ? (
              <>
                <dt>{t('services.appointment_date')}</dt>
                <dd>{formatDate(d.appointment_date)}</dd>
              </>
            ) : null}
          </dl>
        ) : null}
      </Layout>,
    );
  });

  // ——— The one-stop desk (officials) ———
  const requireOfficial = (request: FastifyRequest, reply: FastifyReply) => signedIn(request, reply, 'official');

  app.get(DESK_BASE, async (request, reply) => {
    const actor = requireOfficial(request, reply);
    if (!actor) return reply;
    request.access.require('dossier.read');
    const f = request.query as { trang_thai?: string; thu_tuc?: string; qua_han?: string; trang?: string };
    const state = f.trang_thai && (DOSSIER_STATES as readonly string[]).includes(f.trang_thai) ? f.trang_thai : undefined;
    const pageNo = pageNumberOf(f.trang);
    const today = localToday();
    const scope = await request.access.unitsFor('dossier.read');
    const [list, procedures] = await Promise.all([
      repo.dossiers(scope, { state, procedureCode: f.thu_tuc || undefined, overdueOn: f.qua_han ? today : undefined, limit: 50, offset: (pageNo - 1) * 50 }),
      provinceOfUnit(actor.unitId).then((province) => repo.procedures(province)),
    ]);
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    const qs = (p: number) => `?${new URLSearchParams({ ...(state ? { trang_thai: state } : {}), ...(f.thu_tuc ? { thu_tuc: f.thu_tuc } : {}), ...(f.qua_han ? { qua_han: '1' } : {}), trang: String(p) })}`;
    return sendPage(
      reply,
      <Layout ctx={page} title={t('services.desk')} shell="admin">
        <h1>{t('services.desk')}</h1>
        {request.access.holds('dossier.desk') ? (
          <p>
            <a class="button" href={`${DESK_BASE}/tiep-nhan`}>
              {t('services.counter_filing')}
            </a>
          </p>
        ) : null}
        <form method="get" action={DESK_BASE} class="filter-form">
          <SelectInput
            ctx={page}
            name="trang_thai"
            label={t('services.status')}
            value={state}
            placeholder={t('common.all')}
            options={DOSSIER_STATES.map((s) => ({ value: s, label: t(stateLabel(s)) }))}
          />
          <SelectInput
            ctx={page}
            name="thu_tuc"
            label={t('services.procedure')}
            value={f.thu_tuc}
            placeholder={t('common.all')}
            options={procedures.map((p) => ({ value: p.procedure.code, label: p.procedure.name }))}
          />
          <label class="checkbox">
            <input type="checkbox" name="qua_han" value="1" checked={!!f.qua_han} /> {t('services.only_overdue')}
          </label>
          <button type="submit" class="button button-secondary">
            {t('common.filter')}
          </button>
        </form>
        <Table
          rows={list}
          columns={[
            { label: t('services.dossier_code'), cell: (d) => <a href={`${DESK_BASE}/${d.id}`}>{d.code}</a> },
            { label: t('services.procedure'), cell: (d) => d.procedure_name },
            { label: t('services.applicant'), cell: (d) => d.applicant_name },
            { label: t('services.channel'), cell: (d) => t(channelLabel(d.channel)) },
            { label: t('services.status'), cell: (d) => <StateTag t={t} d={d} today={today} /> },
            { label: t('services.due_date'), cell: (d) => (d.due_date ? formatDate(d.due_date) : '—') },
          ]}
        />
        <nav class="pager" aria-label={t('common.pages')}>
          {pageNo > 1 ? <a href={qs(pageNo - 1)}>{t('common.previous')}</a> : null}
          {list.length === 50 ? <a href={qs(pageNo + 1)}>{t('common.next')}</a> : null}
        </nav>
      </Layout>,
    );
  });

  // Statistics per commune (province staff) or per procedure (a commune), with CSV export.
  const statistics = async (request: FastifyRequest) => {
    request.access.require('dossier.read');
    const q = request.query as { tu?: string; den?: string; theo?: string };
    const today = localToday();
    const { from, to, fromIso, toIso } = periodOf(q, 'year', today);
    const scope = await request.access.unitsFor('dossier.read');
    const rows = await repo.statisticsRows(scope, fromIso, toIso);
    const unitNames = new Map((await ctx.database.db.selectFrom('unit').select(['id', 'name']).where('level', '=', 'commune').execute()).map((u) => [u.id, u.name]));
    const communes = new Set(rows.map((r) => r.unit_id));
    const by = q.theo === 'xa' || q.theo === 'thu_tuc' ? q.theo : communes.size > 1 || scope === 'all' ? 'xa' : 'thu_tuc';
    const fullyOnline = new Set<string>();
    for (const p of await ctx.database.db.selectFrom('svc_procedure').select(['code', 'data']).execute()) if ((JSON.parse(p.data) as { fullyOnline?: boolean }).fullyOnline) fullyOnline.add(p.code);
    const stats = computeStatistics(
      rows.map((r) => ({ ...r, group: by === 'xa' ? (unitNames.get(r.unit_id) ?? r.unit_id) : r.procedure_name, fullyOnline: fullyOnline.has(r.procedure_code) })),
      today,
    );
    return { stats, from, to, by };
  };

  const statColumns = (t: PageContext['t']) => [
    t('services.stats.received'),
    t('services.stats.resolved'),
    t('services.stats.on_time'),
    t('services.stats.late'),
    t('services.stats.on_time_rate'),
    t('services.stats.overdue_backlog'),
    t('services.stats.online_share'),
    t('services.stats.fully_online_share'),
    t('services.stats.online_payment_share'),
    t('services.stats.avg_days'),
    t('services.stats.rated'),
    t('services.stats.satisfaction'),
  ];
  const statValues = (r: StatRow) => [
    r.received,
    r.resolved,
    r.onTime,
    r.late,
    percent(r.onTime, r.resolved),
    r.overdueBacklog,
    percent(r.online, r.received),
    percent(r.fullyOnline, r.received),
    percent(r.paidOnline, r.paid),
    r.avgDays,
    r.rated,
    percent(r.satisfied, r.rated),
  ];

  app.get(`${DESK_BASE}/thong-ke`, async (request, reply) => {
    if (!requireOfficial(request, reply)) return reply;
    const { stats, from, to, by } = await statistics(request);
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    const headers = statColumns(t);
    const csv = `${DESK_BASE}/thong-ke.csv?${new URLSearchParams({ tu: from, den: to, theo: by })}`;
    return sendPage(
      reply,
      <Layout ctx={page} title={t('services.stats.title')} shell="admin">
        <h1>{t('services.stats.title')}</h1>
        <form method="get" action={`${DESK_BASE}/thong-ke`} class="filter-form">
          <TextInput ctx={page} name="tu" label={t('services.stats.from')} type="date" value={from} />
          <TextInput ctx={page} name="den" label={t('services.stats.to')} type="date" value={to} />
          <SelectInput ctx={page} name="theo" label={t('services.stats.by')} value={by} options={[{ value: 'xa', label: t('services.stats.by_commune') }, { value: 'thu_tuc', label: t('services.stats.by_procedure') }]} />
          <button type="submit" class="button button-secondary">
            {t('common.filter')}
          </button>
        </form>
        <dl class="stat-cards">
          <div>
            <dt>{t('services.stats.received')}</dt>
            <dd data-testid="stat-received">{stats.total.received}</dd>
          </div>
          <div>
            <dt>{t('services.stats.on_time_rate')}</dt>
            <dd>{percent(stats.total.onTime, stats.total.resolved) ?? '—'}%</dd>
          </div>
          <div>
            <dt>{t('services.stats.overdue_backlog')}</dt>
            <dd>{stats.total.overdueBacklog}</dd>
          </div>
          <div>
            <dt>{t('services.stats.online_share')}</dt>
            <dd>{percent(stats.total.online, stats.total.received) ?? '—'}%</dd>
          </div>
          <div>
            <dt>{t('services.stats.online_payment_share')}</dt>
            <dd>{percent(stats.total.paidOnline, stats.total.paid) ?? '—'}%</dd>
          </div>
          <div>
            <dt>{t('services.stats.satisfaction')}</dt>
            <dd data-testid="stat-satisfaction">{percent(stats.total.satisfied, stats.total.rated) ?? '—'}%</dd>
          </div>
        </dl>
        <h2>{t('services.stats.on_time_chart')}</h2>
        <ul class="bar-chart">
          {stats.rows.map((r) => {
            const rate = percent(r.onTime, r.resolved);
            return (
              <li>
                <span>{r.group}</span>
                <meter min={0} max={100} low={70} high={90} optimum={100} value={rate ?? 0} aria-label={`${r.group}: ${rate ?? '—'}%`} />
                <span>{rate === null ? '—' : `${rate}%`}</span>
              </li>
            );
          })}
        </ul>
        <Table
          caption={t('services.stats.table_caption', { from: formatDate(from), to: formatDate(to) })}
          rows={[...stats.rows, { ...stats.total, group: t('services.stats.total') }]}
          columns={[
            { label: by === 'xa' ? t('services.stats.by_commune') : t('services.stats.by_procedure'), cell: (r) => r.group },
            ...headers.map((label, i) => ({ label, cell: (r: StatRow) => String(statValues(r)[i] ?? '—') })),
          ]}
        />
        <p>
          <a href={csv}>{t('services.stats.csv')}</a> · <a href={csv.replace('thong-ke.csv', 'thong-ke.xlsx')}>{t('services.stats.xlsx')}</a> ·{' '}
          <a href={`${DESK_BASE}/so-theo-doi?${new URLSearchParams({ tu: from, den: to })}`}>{t('services.register.title')}</a>
        </p>
        <p class="hint">{t('services.stats.note')}</p>
      </Layout>,
    );
  });

  app.get(`${DESK_BASE}/thong-ke.xlsx`, async (request, reply) => {
    if (!requireOfficial(request, reply)) return reply;
    const { stats, from, to, by } = await statistics(request);
    const t = request.t;
    const { writeXlsx, XLSX_TYPE } = await import('../../platform/xlsx.ts');
    const body = await writeXlsx([
      {
        name: t('services.stats.title'),
        title: t('services.stats.table_caption', { from: formatDate(from), to: formatDate(to) }),
        header: [by === 'xa' ? t('services.stats.by_commune') : t('services.stats.by_procedure'), ...statColumns(t)],
        rows: [...stats.rows, { ...stats.total, group: t('services.stats.total') }].map((r) => [r.group, ...statValues(r)]),
        widths: [40],
      },
    ]);
    return reply
      .type(XLSX_TYPE)
      .header('content-disposition', `attachment; filename="thong-ke-ho-so-${from}-${to}.xlsx"`)
      .header('cache-control', 'private, no-store')
      .send(body);
  });

  app.get(`${DESK_BASE}/thong-ke.csv`, async (request, reply) => {
    if (!requireOfficial(request, reply)) return reply;
    const { stats, from, to, by } = await statistics(request);
    const t = request.t;
    const header = [by === 'xa' ? t('services.stats.by_commune') : t('services.stats.by_procedure'), ...statColumns(t)];
    const { writeCsv, CSV_TYPE } = await import('../../platform/xlsx.ts');
    const body = await writeCsv(header, [...stats.rows, { ...stats.total, group: t('services.stats.total') }].map((r) => [r.group, ...statValues(r)]));
    return reply
      .type(CSV_TYPE)
      .header('content-disposition', `attachment; filename="thong-ke-ho-so-${from}-${to}.csv"`)
      .header('cache-control', 'private, no-store')
      .send(body);
  });

  // Counter filing: choose the procedure, then fill its form for the walk-in citizen.
  app.get(`${DESK_BASE}/tiep-nhan`, async (request, reply) => {
    const actor = requireOfficial(request, reply);
    if (!actor) return reply;
    request.access.require('dossier.desk');
    const province = await provinceOfUnit(actor.unitId);
    const list = await repo.procedures(province);
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    return sendPage(
      reply,
      <Layout ctx={page} title={t('services.counter_filing')} shell="admin">
        <h1>{t('services.counter_filing')}</h1>
        <ul class="link-list">
          {list.map((p) => (
            <li>
              <a href={`${DESK_BASE}/tiep-nhan/${p.id}`}>{p.procedure.name}</a> <span class="muted">{p.procedure.code}</span>
            </li>
          ))}
        </ul>
      </Layout>,
    );
  });

  /** The province above an official's unit (their commune or the province itself). */
  const provinceOfUnit = async (unitId: string): Promise<string> => {
    let u = await units.byId(unitId);
    while (u && u.level !== 'province' && u.parent_id) u = await units.byId(u.parent_id);
    if (!u) throw notFound();
    return u.id;
  };

  const renderCounter = async (
    request: FastifyRequest,
    reply: FastifyReply,
    row: ProcedureRow,
    state: { values: Record<string, string>; unitId: string; channel: string; errors: FieldError[]; key: string },
    status = 200,
  ) => {
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    const channels = row.procedure.channels.filter((c) => c.channel !== 'online');
    return sendPage(
      reply,
      <Layout ctx={page} title={`${t('services.counter_filing')}: ${row.procedure.name}`} shell="admin">
        <h1>{row.procedure.name}</h1>
        <ErrorSummary ctx={page} errors={state.errors} />
        <Form ctx={page} action={`${DESK_BASE}/tiep-nhan/${row.id}`} label={row.procedure.name} files>
          <input type="hidden" name="idempotency_key" value={state.key} />
          <SelectInput ctx={page} name="unit_id" label={t('services.competent_commune')} hint={t('services.routing_hint')} errors={state.errors} value={state.unitId} options={await communesOf(row.provinceId)} required />
          <SelectInput ctx={page} name="channel" label={t('services.channel')} errors={state.errors} value={state.channel} options={channels.map((c) => ({ value: c.channel, label: t(channelLabel(c.channel)) }))} required />
          <FormFields ctx={page} fields={row.procedure.form} values={state.values} errors={state.errors} />
          <PaperInputs ctx={page} papers={row.procedure.papers} errors={state.errors} limit={uploadLimit} />
          <Button>{t('services.receive_and_print')}</Button>
        </Form>
      </Layout>,
      status,
    );
  };

  app.get(`${DESK_BASE}/tiep-nhan/:id`, async (request, reply) => {
    const actor = requireOfficial(request, reply);
    if (!actor) return reply;
    request.access.require('dossier.desk');
    const row = await repo.procedureById((request.params as { id: string }).id);
    if (!row) throw notFound();
    return renderCounter(request, reply, row, { values: {}, unitId: actor.unitId, channel: 'in_person', errors: [], key: crypto.randomUUID() });
  });

  app.post(`${DESK_BASE}/tiep-nhan/:id`, async (request, reply) => {
    const actor = requireOfficial(request, reply);
    if (!actor) return reply;
    request.access.require('dossier.desk');
    const row = await repo.procedureById((request.params as { id: string }).id);
    if (!row) throw notFound();
    const { str, values, files } = readFiling(request.body, row.procedure.form);
    const channel = (CHANNELS as readonly string[]).includes(str('channel')) ? (str('channel') as Channel) : 'in_person';
    const key = str('idempotency_key');
    const existing = key ? await repo.dossierByIdempotencyKey(key) : undefined;
    if (existing && existing.created_by === actor.id) return reply.redirect(`${DESK_BASE}/${existing.id}`, 303);
    try {
      const result = await fileAtCounter(ctx, request.access, request.auditContext, { procedureId: row.id, unitId: str('unit_id'), values, channel, idempotencyKey: key || undefined, files, lang: request.lang });
      setFlash(reply, 'services.flash.received');
      return reply.redirect(`${DESK_BASE}/${result.id}`, 303);
    } catch (err) {
      if (err instanceof AppError && err.status === 400) return renderCounter(request, reply, row, { values, unitId: str('unit_id'), channel, errors: err.fields, key: key || crypto.randomUUID() }, 400);
      throw err;
    }
  });

  app.get(`${DESK_BASE}/:id`, async (request, reply) => {
    const actor = requireOfficial(request, reply);
    if (!actor) return reply;
    const d = await repo.dossierById((request.params as { id: string }).id);
    if (!d || d.state === 'draft') throw notFound();
    const roles = await workflowRoles(request.access, d);
    if (roles.length === 0) await request.access.authorize('dossier.read', { unitId: d.unit_id });
    const [events, unit, specialists, row, attachments, upstream] = await Promise.all([
      repo.events(d.id),
      units.byId(d.unit_id),
      repo.specialists(d.unit_id),
      repo.procedureById(d.procedure_id),
      repo.attachments(d.id),
      repo.upstreamStatuses(d.id),
    ]);
    const sideSteps = availableSideSteps(sideFacts(d), roles, localToday());
    const canAttachResult = (roles.includes('specialist') || roles.includes('desk')) && ['processing', 'awaiting_approval', 'done'].includes(d.state);
    const actions = availableActions({ state: d.state as DossierState, pausedFrom: null, supplementRequests: d.supplement_requests, assigneeId: d.assignee_id }, roles, actor.id);
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    const values = JSON.parse(d.form_data) as Record<string, string>;
    return sendPage(
      reply,
      <Layout ctx={page} title={`${t('services.dossier')} ${d.code ?? ''}`} shell="admin">
        <h1>
          {t('services.dossier')} {d.code}
        </h1>
        <DossierSummary ctx={page} d={d} unitName={unit?.name ?? ''} />
        <p>
          <a href={`/ho-so/${d.id}/bien-nhan.pdf`}>{t('services.receipt_pdf')}</a>
        </p>
        <h2>{t('services.form_data')}</h2>
        <dl class="summary-list">
          {(row?.procedure.form ?? []).map((f) => (
            <>
              <dt>{f.label}</dt>
              <dd>{f.type === 'personal_number' ? maskPersonalNumber(values[f.name] ?? null) : (values[f.name] ?? '—')}</dd>
            </>
          ))}
        </dl>
        <ApologyInfo ctx={page} d={d} />
        <PaymentInfo ctx={page} d={d} account={undefined} payer={false} />
        {sideSteps.includes('rate') ? null : <RatingBlock ctx={page} d={d} action={null} />}
        <Attachments ctx={page} dossierId={d.id} items={attachments} />
        <DeskSideSteps ctx={page} d={d} steps={sideSteps} base={DESK_BASE} />
        {canAttachResult ? (
          <Form ctx={page} action={`${DESK_BASE}/${d.id}/ket-qua`} label={t('services.attach_result')} files>
            <fieldset>
              <legend>{t('services.attach_result')}</legend>
              <FileInput ctx={page} name="result" label={t('services.result_file')} hint={t('services.result_hint')} accept=".pdf,application/pdf" required />
              <Button kind="secondary">{t('services.attach_result')}</Button>
            </fieldset>
          </Form>
        ) : null}
        {actions.length ? <h2>{t('services.actions')}</h2> : null}
        {actions.map((a) => {
          const rule = ACTIONS[a];
          return (
            <Form ctx={page} action={`${DESK_BASE}/${d.id}/${a}`} label={t(`services.action.${a}`)}>
              <fieldset>
                <legend>{t(`services.action.${a}`)}</legend>
                {'needsAssignee' in rule ? (
                  <SelectInput ctx={page} name="assignee_id" label={t('services.assignee')} options={specialists.map((s) => ({ value: s.id, label: s.display_name }))} placeholder={t('form.choose')} required />
                ) : null}
                {'needsNote' in rule ? <TextArea ctx={page} name="note" label={t(`services.note_for.${a}` as 'services.note_for.refuse')} required rows={3} /> : null}
                {a === 'withdraw' ? (
                  <label class="checkbox">
                    <input type="checkbox" name="confirm" value="yes" required /> {t('services.withdraw_on_request')}
                  </label>
                ) : null}
                <Button kind={a === 'refuse' || a === 'stop' || a === 'withdraw' ? 'danger' : 'primary'}>{t(`services.action.${a}`)}</Button>
              </fieldset>
            </Form>
          );
        })}
        <History ctx={page} events={events} />
        {upstream.length ? (
          <>
            <h2>{t('services.upstream.title')}</h2>
            <Table
              rows={upstream}
              columns={[
                { label: t('services.time'), cell: (u) => formatDateTime(u.at) },
                { label: t('services.status'), cell: (u) => t('services.upstream.status', { code: u.status, name: t(stateLabel(NATIONAL_NAMES[u.status] ?? 'new')) }) },
                { label: t('services.note'), cell: (u) => u.note ?? '' },
                { label: t('services.upstream.source'), cell: (u) => u.source },
              ]}
            />
          </>
        ) : null}
      </Layout>,
    );
  });

  app.post(`${DESK_BASE}/:id/ket-qua`, async (request, reply) => {
    if (!requireOfficial(request, reply)) return reply;
    const id = (request.params as { id: string }).id;
    const file = (request.body as Record<string, unknown> | undefined)?.result;
    await attachResult(ctx, request.access, request.auditContext, id, isUpload(file) ? file : undefined);
    setFlash(reply, 'services.flash.result_attached');
    return reply.redirect(`${DESK_BASE}/${id}`, 303);
  });

  // A dossier's file, for the applicant and the officials who may read the dossier.
  app.get('/ho-so/:id/tep/:attachment', async (request, reply) => {
    if (!signedIn(request, reply)) return reply;
    const { id, attachment } = request.params as { id: string; attachment: string };
    const d = await repo.dossierById(id);
    if (!d) throw notFound();
    if ((await workflowRoles(request.access, d)).length === 0) await request.access.authorize('dossier.read', { unitId: d.unit_id, ownerId: d.citizen_id });
    const a = (await repo.attachments(d.id)).find((x) => x.id === attachment);
    const stored = a ? await readStoredFile(ctx, a.file_id) : undefined;
    if (!stored) throw notFound();
    const ext = stored.row.mime === 'application/pdf' ? 'pdf' : stored.row.mime === 'image/png' ? 'png' : 'jpg';
    return reply
      .type(stored.row.mime)
      .header('content-disposition', `attachment; filename="${d.code ?? 'ho-so'}-${a!.kind}.${ext}"; filename*=UTF-8''${encodeURIComponent(stored.row.name)}`)
      .header('cache-control', 'private, no-store')
      .send(stored.data);
  });

  app.post(`${DESK_BASE}/:id/:action`, async (request, reply) => {
    if (!requireOfficial(request, reply)) return reply;
    const { id, action } = request.params as { id: string; action: string };
    if (!isDossierAction(action)) throw notFound();
    const body = parseOrThrow(request, z.object({ note: z.string().max(2000).optional(), assignee_id: z.string().max(64).optional(), confirm: z.string().optional() }), {
      labels: { note: 'services.note', assignee_id: 'services.assignee' },
    });
    // Withdrawing is final: the official confirms the citizen asked for it.
    if (action === 'withdraw' && body.confirm !== 'yes') throw fieldProblem('confirm_required', 400, 'confirm', 'services.error.confirm_withdraw');
    await applyAction(ctx, request.access, request.auditContext, id, action, { note: body.note, assigneeId: body.assignee_id || undefined });
    setFlash(reply, 'services.flash.action_done');
    return reply.redirect(`${DESK_BASE}/${id}`, 303);
  });
}

type DossierView = {
  code: string | null;
  procedure_name: string;
  procedure_code: string;
  state: string;
  channel: string;
  applicant_name: string;
  applicant_id_number: string | null;
  submitted_at: string | null;
  received_at: string | null;
  due_date: string | null;
  appointment_date: string | null;
};

function DossierSummary({ ctx, d, unitName }: { ctx: PageContext; d: DossierView; unitName: string }) {
  const { t } = ctx;
  return (
    <dl class="summary-list">
      <dt>{t('services.dossier_code')}</dt>
      <dd data-testid="dossier-code">{d.code}</dd>
      <dt>{t('services.procedure')}</dt>
      <dd>
        {d.procedure_name} ({d.procedure_code})
      </dd>
      <dt>{t('services.status')}</dt>
      <dd data-testid="dossier-state">
        <StateTag t={t} d={d} today={localToday()} />
      </dd>
      <dt>{t('services.applicant')}</dt>
      <dd>
        {d.applicant_name} {d.applicant_id_number ? `(${maskPersonalNumber(d.applicant_id_number)})` : ''}
      </dd>
      <dt>{t('services.competent_commune')}</dt>
      <dd>{unitName}</dd>
      <dt>{t('services.channel')}</dt>
      <dd>{t(channelLabel(d.channel))}</dd>
      <dt>{t('services.submitted_at')}</dt>
      <dd>{d.submitted_at ? formatDateTime(d.submitted_at) : '—'}</dd>
      <dt>{t('services.received_at')}</dt>
      <dd>{d.received_at ? formatDateTime(d.received_at) : t('services.not_received_yet')}</dd>
      <dt>{t('services.due_date')}</dt>
      <dd data-testid="due-date">{d.due_date ? formatDate(d.due_date) : '—'}</dd>
      {d.appointment_date ? (
        <>
          <dt>{t('services.appointment_date')}</dt>
          <dd data-testid="appointment-date">{formatDate(d.appointment_date)}</dd>
        </>
      ) : null}
    </dl>
  );
}

/** Form 05: every hand-over with its time, actor and note. */
function History({ ctx, events }: { ctx: PageContext; events: { at: string; actor_label: string; action: string; to_state: string; note: string | null; form: string | null }[] }) {
  const { t } = ctx;
  return (
    <>
      <h2>{t('services.history')}</h2>
      <Table
        rows={events}
        columns={[
          { label: t('services.time'), cell: (e) => formatDateTime(e.at) },
          { label: t('services.by'), cell: (e) => e.actor_label },
          { label: t('services.step'), cell: (e) => t(`services.event.${e.action}` as 'services.event.submit') },
          { label: t('services.status'), cell: (e) => t(stateLabel(e.to_state)) },
          { label: t('services.note'), cell: (e) => [e.note, e.form ? t('services.form_issued', { form: e.form }) : null].filter(Boolean).join(' — ') || '' },
        ]}
      />
    </>
  );
}
