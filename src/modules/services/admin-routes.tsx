import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import { AppError, type FieldError } from '../../platform/errors.ts';
import { pageContext, parseInput, sendPage, setFlash, signedIn } from '../../platform/http/kernel.ts';
import { formatDate } from '../../platform/i18n/index.ts';
import { Layout } from '../../platform/ui/layout.tsx';
import { Button, ErrorSummary, FileInput, Form, SelectInput, Table, TextInput } from '../../platform/ui/components.tsx';
import { isUpload } from '../../platform/files/files.ts';
import { unitRepository } from '../../platform/units/repository.ts';
import { importCatalogue, removeCalendarDay, setCalendarDay, workCalendar } from './commands.ts';
import { localToday } from './calendar.ts';
import { servicesRepository } from './repository.ts';
import type { FastifyReply } from 'fastify';

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

  const render = async (request: FastifyRequest, reply: FastifyReply, errors: FieldError[] = [], values: Record<string, string> = {}, status = 200) => {
    const year = Number((request.query as { nam?: string }).nam) || Number(localToday().slice(0, 4));
    const calendar = await workCalendar(ctx);
    const entries = new Set((await repo.calendarOverrides()).map((o) => o.date));
    const province = await provinceOf(request);
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    return sendPage(
      reply,
      <Layout ctx={page} title={t('services.admin.title')} shell="admin">
        <h1>{t('services.admin.title')}</h1>
        <ErrorSummary ctx={page} errors={errors} />
        <h2>{t('services.admin.calendar', { year })}</h2>
        <p>
          {year > 2000 ? <a href={`${BASE}?nam=${year - 1}`}>{t('services.admin.year', { year: year - 1 })}</a> : null} ·{' '}
          <a href={`${BASE}?nam=${year + 1}`}>{t('services.admin.year', { year: year + 1 })}</a>
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
        <h2>{t('services.admin.catalogue', { province: province.name })}</h2>
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
}
