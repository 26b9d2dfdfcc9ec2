import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import { AppError, type FieldError } from '../../platform/errors.ts';
import { formText, pageContext, parseInput, sendPage, setFlash, signedIn } from '../../platform/http/kernel.ts';
import { formatDate } from '../../platform/i18n/index.ts';
import { Layout } from '../../platform/ui/layout.tsx';
import { Button, ErrorSummary, FileInput, Form, SelectInput, Table, TextInput } from '../../platform/ui/components.tsx';
import { isUpload } from '../../platform/files/files.ts';
import { unitRepository } from '../../platform/units/repository.ts';
import { editProcedureChannels, importCatalogue, removeCalendarDay, setCalendarDay, workCalendar, type ChannelEdit } from './commands.ts';
import { setAgency, vietQrBanks } from './side-steps.ts';
import { channelLabel, daysText, feeText } from './presenters.tsx';
import { servicesRepository } from './repository.ts';
import type { FastifyReply } from 'fastify';
import { YEARS, yearOf } from '../../platform/http/query.ts';

const BASE = '/mot-cua/quan-tri';

/**
 * Province administration of the services: the working calendar (announced days off, make-up days)
 * and the procedure catalogue as JSON (export, all-or-nothing import).
 */
export function registerServicesAdminRoutes(app: FastifyInstance, ctx: AppContext) {
  const repo = servicesRepository(ctx.database);
  const units = unitRepository(ctx.database);

  const requireManager = (request: FastifyRequest, reply: FastifyReply) => {
    if (!signedIn(request, reply)) return false;
    request.access.require('service.catalogue.manage');
    return true;
  };

  /** The province the manager administers: the province of their grant (a system admin: the first). */
  const provinceOf = async (request: FastifyRequest) => {
    const provinces = await units.current('province');
    const grant = request.actor!.grants.find((g) => g.role === 'province_admin');
    const p = provinces.find((x) => x.id === grant?.unitId) ?? provinces[0];
    if (!p) throw new AppError('not_found', 404, 'error.not_found');
    return p;
  };

  /** The province's current communes with their agency identifier and fee account. */
  const agenciesOf = (provinceId: string) =>
    ctx.database.db
      .selectFrom('unit')
      .leftJoin('svc_agency', 'svc_agency.unit_id', 'unit.id')
      .select(['unit.id', 'unit.name', 'svc_agency.agency_code', 'svc_agency.bank_bin', 'svc_agency.bank_account', 'svc_agency.bank_account_name'])
      .where('unit.parent_id', '=', provinceId)
      .where('unit.level', '=', 'commune')
      .where('unit.valid_to', 'is', null)
      .orderBy('unit.name')
      .execute();

  const render = async (request: FastifyRequest, reply: FastifyReply, errors: FieldError[] = [], values: Record<string, string> = {}, status = 200) => {
    const year = yearOf((request.query as { nam?: string }).nam);
    const calendar = await workCalendar(ctx);
    const entries = new Set((await repo.calendarOverrides()).map((o) => o.date));
    const province = await provinceOf(request);
    const [procedures, agencies] = await Promise.all([repo.procedures(province.id), agenciesOf(province.id)]);
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    return sendPage(
      reply,
      <Layout ctx={page} title={t('services.admin.title')} shell="admin">
        <h1>{t('services.admin.title')}</h1>
        <ErrorSummary ctx={page} errors={errors} />
        <h2>{t('services.admin.calendar', { year })}</h2>
        <p>
          {year > YEARS.min ? <a href={`${BASE}?nam=${year - 1}`}>{t('services.admin.year', { year: year - 1 })}</a> : null} ·{' '}
          {year < YEARS.max ? <a href={`${BASE}?nam=${year + 1}`}>{t('services.admin.year', { year: year + 1 })}</a> : null}
        </p>
        <Table
          rows={calendar.daysOf(year)}
          columns={[
            { label: t('services.admin.date'), cell: (d) => formatDate(d.date) },
            { label: t('services.admin.name'), cell: (d) => d.name },
            { label: t('services.admin.kind'), cell: (d) => t(`services.admin.kind.${d.kind}`) },
            {
              label: t('services.admin.entry'),
              cell: (d) =>
                entries.has(d.date) ? (
                  <Form ctx={page} action={`${BASE}/lich/${d.date}/xoa`} label={t('services.admin.remove')}>
                    <label class="checkbox">
                      <input type="checkbox" name="confirm" value="yes" required /> {t('services.admin.confirm_remove')}
                    </label>
                    <Button kind="danger">{t('services.admin.remove')}</Button>
                  </Form>
                ) : (
                  t('services.admin.by_rule')
                ),
            },
          ]}
        />
        <Form ctx={page} action={`${BASE}/lich`} label={t('services.admin.add')}>
          <fieldset>
            <legend>{t('services.admin.add')}</legend>
            <TextInput ctx={page} name="date" type="date" label={t('services.admin.date')} errors={errors} value={values.date} required />
            <SelectInput ctx={page} name="kind" label={t('services.admin.kind')} errors={errors} value={values.kind} options={[{ value: 'off', label: t('services.admin.kind.off') }, { value: 'work', label: t('services.admin.kind.work') }]} required />
            <TextInput ctx={page} name="name" label={t('services.admin.name')} hint={t('services.admin.name_hint')} errors={errors} value={values.name} required />
            <Button>{t('services.admin.save')}</Button>
          </fieldset>
        </Form>
        <h2>{t('services.admin.agencies')}</h2>
        <p class="hint">{t('services.admin.agencies_hint')}</p>
        <Table
          rows={agencies}
          columns={[
            { label: t('services.competent_commune'), cell: (a) => a.name },
            { label: t('services.admin.agency_code'), cell: (a) => a.agency_code ?? '—' },
            { label: t('services.payment.account'), cell: (a) => (a.bank_account ? `${a.bank_account} — ${a.bank_account_name ?? ''}` : t('services.admin.no_account')) },
            { label: '', cell: (a) => <a href={`${BASE}/co-quan/${a.id}`}>{t('services.admin.edit')}</a> },
          ]}
        />
        <h2>{t('services.admin.catalogue', { province: province.name })}</h2>
        <Table
          rows={procedures}
          columns={[
            { label: t('services.procedure'), cell: (p) => `${p.procedure.name} (${p.procedure.code})` },
            { label: t('services.admin.limits_fees'), cell: (p) => p.procedure.channels.map((c) => `${t(channelLabel(c.channel))}: ${daysText(t, c.days)}, ${feeText(t, c.fee)}`).join('; ') },
            { label: '', cell: (p) => <a href={`${BASE}/thu-tuc/${p.id}`}>{t('services.admin.edit')}</a> },
          ]}
        />
        <p>
          <a href={`${BASE}/danh-muc.json`}>{t('services.admin.export')}</a>
        </p>
        <Form ctx={page} action={`${BASE}/danh-muc`} label={t('services.admin.import')} files>
          <fieldset>
            <legend>{t('services.admin.import')}</legend>
            <FileInput ctx={page} name="file" label={t('services.admin.import_file')} hint={t('services.admin.import_hint')} errors={errors} accept=".json,application/json" required />
            <Button kind="secondary">{t('services.admin.import')}</Button>
          </fieldset>
        </Form>
      </Layout>,
      status,
    );
  };

  app.get(BASE, async (request, reply) => {
    if (!requireManager(request, reply)) return reply;
    return render(request, reply);
  });

  const CalendarEntry = z.object({
    date: z.iso.date(),
    kind: z.enum(['off', 'work']),
    name: z.string().trim().min(3).max(120),
  });

  app.post(`${BASE}/lich`, async (request, reply) => {
    if (!requireManager(request, reply)) return reply;
    const parsed = parseInput(request, CalendarEntry, { labels: { date: 'services.admin.date', kind: 'services.admin.kind', name: 'services.admin.name' } });
    if (!parsed.ok) return render(request, reply, parsed.errors, request.body as Record<string, string>, 400);
    await setCalendarDay(ctx, request.auditContext, parsed.data);
    setFlash(reply, 'services.admin.saved');
    return reply.redirect(`${BASE}?nam=${parsed.data.date.slice(0, 4)}`, 303);
  });

  app.post(`${BASE}/lich/:date/xoa`, async (request, reply) => {
    if (!requireManager(request, reply)) return reply;
    const { date } = request.params as { date: string };
    const parsed = parseInput(request, z.object({ confirm: z.literal('yes') }), { labels: { confirm: 'services.admin.confirm_remove' } });
    if (!parsed.ok) return render(request, reply, parsed.errors, {}, 400);
    await removeCalendarDay(ctx, request.auditContext, date);
    setFlash(reply, 'services.admin.removed');
    return reply.redirect(`${BASE}?nam=${date.slice(0, 4)}`, 303);
  });

  app.get(`${BASE}/danh-muc.json`, async (request, reply) => {
    if (!requireManager(request, reply)) return reply;
    const province = await provinceOf(request);
    const list = (await repo.procedures(province.id)).map((p) => p.procedure);
    return reply
      .type('application/json; charset=utf-8')
      .header('content-disposition', `attachment; filename="danh-muc-thu-tuc-${province.code}.json"`)
      .header('cache-control', 'private, no-store')
      .send(JSON.stringify(list, null, 2));
  });

  app.post(`${BASE}/danh-muc`, async (request, reply) => {
    if (!requireManager(request, reply)) return reply;
    const file = (request.body as Record<string, unknown> | undefined)?.file;
    let data: unknown;
    try {
      if (!isUpload(file) || file.tooLarge || !file.data.length) throw new Error('no file');
      data = JSON.parse(file.data.toString('utf8'));
    } catch {
      return render(request, reply, [{ field: 'file', key: 'services.admin.import_not_json' }], {}, 400);
    }
    try {
      const n = await importCatalogue(ctx, request.auditContext, (await provinceOf(request)).id, data);
      void n;
    } catch (err) {
      if (err instanceof AppError && err.status === 400) return render(request, reply, err.fields, {}, 400);
      throw err;
    }
    setFlash(reply, 'services.admin.imported');
    return reply.redirect(BASE, 303);
  });

  // ——— One commune's agency identifier and fee account ———
  const renderAgency = async (request: FastifyRequest, reply: FastifyReply, unitId: string, errors: FieldError[] = [], values?: Record<string, string>, status = 200) => {
    const province = await provinceOf(request);
    const agency = (await agenciesOf(province.id)).find((a) => a.id === unitId);
    if (!agency) throw new AppError('not_found', 404, 'error.not_found');
    const banks = await vietQrBanks();
    const v = values ?? { agency_code: agency.agency_code ?? '', bank_bin: agency.bank_bin ?? '', bank_account: agency.bank_account ?? '', bank_account_name: agency.bank_account_name ?? '' };
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    return sendPage(
      reply,
      <Layout ctx={page} title={`${t('services.admin.agency')} — ${agency.name}`} shell="admin">
        <h1>
          {t('services.admin.agency')} — {agency.name}
        </h1>
        <ErrorSummary ctx={page} errors={errors} />
        <Form ctx={page} action={`${BASE}/co-quan/${unitId}`}>
          <TextInput ctx={page} name="agency_code" label={t('services.admin.agency_code')} hint={t('services.admin.agency_code_hint')} errors={errors} value={v.agency_code} required />
          <fieldset>
            <legend>{t('services.admin.fee_account')}</legend>
            <p class="hint">{t('services.admin.fee_account_hint')}</p>
            <SelectInput ctx={page} name="bank_bin" label={t('services.payment.bank')} errors={errors} value={v.bank_bin} placeholder={t('services.admin.no_account')} options={banks.map((b) => ({ value: b.bin, label: `${b.shortName} — ${b.name}` }))} />
            <TextInput ctx={page} name="bank_account" label={t('services.payment.account')} errors={errors} value={v.bank_account} inputmode="numeric" />
            <TextInput ctx={page} name="bank_account_name" label={t('services.payment.account_name')} errors={errors} value={v.bank_account_name} />
          </fieldset>
          <Button>{t('services.admin.save')}</Button>
        </Form>
        <p>
          <a href={BASE}>{t('services.admin.back')}</a>
        </p>
      </Layout>,
      status,
    );
  };

  app.get(`${BASE}/co-quan/:unitId`, async (request, reply) => {
    if (!requireManager(request, reply)) return reply;
    return renderAgency(request, reply, (request.params as { unitId: string }).unitId);
  });

  app.post(`${BASE}/co-quan/:unitId`, async (request, reply) => {
    if (!requireManager(request, reply)) return reply;
    const { unitId } = request.params as { unitId: string };
    const province = await provinceOf(request);
    if (!(await agenciesOf(province.id)).some((a) => a.id === unitId)) throw new AppError('not_found', 404, 'error.not_found');
    const str = formText(request.body, 200);
    const values = { agency_code: str('agency_code'), bank_bin: str('bank_bin'), bank_account: str('bank_account'), bank_account_name: str('bank_account_name') };
    try {
      await setAgency(ctx, request.auditContext, unitId, { agencyCode: values.agency_code, bankBin: values.bank_bin || null, bankAccount: values.bank_account || null, bankAccountName: values.bank_account_name || null });
    } catch (err) {
      if (err instanceof AppError && (err.status === 400 || err.status === 409)) return renderAgency(request, reply, unitId, err.fields, values, err.status);
      throw err;
    }
    setFlash(reply, 'services.flash.agency_saved');
    return reply.redirect(BASE, 303);
  });

  // ——— One catalogue entry's time limits and fees ———
  const renderProcedure = async (request: FastifyRequest, reply: FastifyReply, id: string, errors: FieldError[] = [], values?: Record<string, string>, status = 200) => {
    const row = await repo.procedureById(id);
    const province = await provinceOf(request);
    if (!row || row.provinceId !== province.id) throw new AppError('not_found', 404, 'error.not_found');
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    const v = (k: string, fallback: string) => values?.[k] ?? fallback;
    return sendPage(
      reply,
      <Layout ctx={page} title={row.procedure.name} shell="admin">
        <h1>{row.procedure.name}</h1>
        <p>
          {t('services.admin.code')}: {row.procedure.code}
        </p>
        <ErrorSummary ctx={page} errors={errors} />
        <Form ctx={page} action={`${BASE}/thu-tuc/${id}`}>
          {row.procedure.channels.map((c, i) => (
            <fieldset>
              <legend>{t(channelLabel(c.channel))}</legend>
              <TextInput ctx={page} name={`channels_${i}_days`} label={t('services.admin.days')} hint={t('services.admin.days_hint')} type="number" inputmode="numeric" errors={errors} value={v(`days_${c.channel}`, String(c.days))} required />
              <SelectInput
                ctx={page}
                name={`channels_${i}_fee_kind`}
                label={t('services.admin.fee_kind')}
                errors={errors}
                value={v(`fee_kind_${c.channel}`, c.fee.kind)}
                options={(['free', 'fixed', 'per_unit', 'province'] as const).map((k) => ({ value: k, label: t(`services.admin.fee_kind.${k}`) }))}
                required
              />
              <TextInput ctx={page} name={`channels_${i}_fee_amount`} label={t('services.fee_amount')} type="number" inputmode="numeric" errors={errors} value={v(`fee_amount_${c.channel}`, c.fee.amount === null ? '' : String(c.fee.amount))} />
              <TextInput ctx={page} name={`channels_${i}_fee_note`} label={t('services.admin.fee_note')} errors={errors} value={v(`fee_note_${c.channel}`, c.fee.note)} />
            </fieldset>
          ))}
          <Button>{t('services.admin.save')}</Button>
        </Form>
        <p>
          <a href={BASE}>{t('services.admin.back')}</a>
        </p>
      </Layout>,
      status,
    );
  };

  app.get(`${BASE}/thu-tuc/:id`, async (request, reply) => {
    if (!requireManager(request, reply)) return reply;
    return renderProcedure(request, reply, (request.params as { id: string }).id);
  });

  app.post(`${BASE}/thu-tuc/:id`, async (request, reply) => {
    if (!requireManager(request, reply)) return reply;
    const { id } = request.params as { id: string };
    const row = await repo.procedureById(id);
    const province = await provinceOf(request);
    if (!row || row.provinceId !== province.id) throw new AppError('not_found', 404, 'error.not_found');
    const str = formText(request.body, 500);
    const values: Record<string, string> = {};
    const errors: FieldError[] = [];
    const edits: ChannelEdit[] = row.procedure.channels.map((c, i) => {
      const days = str(`channels_${i}_days`);
      const kind = str(`channels_${i}_fee_kind`);
      const amount = str(`channels_${i}_fee_amount`);
      Object.assign(values, { [`days_${c.channel}`]: days, [`fee_kind_${c.channel}`]: kind, [`fee_amount_${c.channel}`]: amount, [`fee_note_${c.channel}`]: str(`channels_${i}_fee_note`) });
      if (!/^\d{1,3}$/.test(days)) errors.push({ field: `channels_${i}_days`, key: 'services.admin.error.days' });
      if (amount && !/^\d{1,9}$/.test(amount)) errors.push({ field: `channels_${i}_fee_amount`, key: 'services.error.fee_amount', params: { max: '999.999.999' } });
      const feeKind = (['free', 'fixed', 'per_unit', 'province'] as const).find((k) => k === kind);
      if (!feeKind) errors.push({ field: `channels_${i}_fee_kind`, key: 'services.admin.error.fee_kind' });
      if ((feeKind === 'fixed' || feeKind === 'per_unit') && !amount) errors.push({ field: `channels_${i}_fee_amount`, key: 'services.admin.error.fee_amount_needed' });
      return { channel: c.channel, days: Number(days), fee: { ...c.fee, kind: feeKind ?? 'free', amount: feeKind === 'free' ? 0 : amount ? Number(amount) : null, note: str(`channels_${i}_fee_note`) } };
    });
    if (errors.length) return renderProcedure(request, reply, id, errors, values, 400);
    try {
      await editProcedureChannels(ctx, request.auditContext, province.id, id, edits);
    } catch (err) {
      if (err instanceof AppError && err.status === 400) return renderProcedure(request, reply, id, err.fields, values, 400);
      throw err;
    }
    setFlash(reply, 'services.admin.saved');
    return reply.redirect(BASE, 303);
  });
}
