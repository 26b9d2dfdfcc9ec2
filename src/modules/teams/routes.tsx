import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import { AppError, type FieldError } from '../../platform/errors.ts';
import { pageContext, parseInput, sendPage, setFlash, signedIn, formStrings } from '../../platform/http/kernel.ts';
import { formatDate, type MessageKey, localToday } from '../../platform/i18n/index.ts';
import { Layout } from '../../platform/ui/layout.tsx';
import { Button, Checkbox, ErrorSummary, FileInput, Form, SelectInput, Table, TextArea, TextInput } from '../../platform/ui/components.tsx';
import { isUpload, readStoredFile } from '../../platform/files/files.ts';
import type { PageContext } from '../../platform/ui/context.ts';
import {
  MEMBER_ROLES,
  addMember,
  createHousehold,
  endMembership,
  householdInput,
  leaveInput,
  listHouseholds,
  memberInput,
  removeResident,
  residentInput,
  saveResident,
  saveTeam,
  teamInput,
  updateHousehold,
  viewHousehold,
  villageFor,
} from './commands.ts';
import { ADULT_AGE, HOUSEHOLDS_PAGE, teamsRepository } from './repository.ts';
import { ACTIVITY_TOPICS, activities, activityInput, householdActivityInput, recordActivity, recordHouseholdActivity } from './activities.ts';
import { pageNumberOf } from '../../platform/http/query.ts';

export const TEAMS = '/to-cong-nghe';
export const HOUSEHOLD = '/ho-gia-dinh';

type Values = Record<string, string>;
const yes = (v: number | undefined) => v === 1;
const memberRoleLabel = (r: string): MessageKey => `teams.role.${r as (typeof MEMBER_ROLES)[number]}`;

const TEAM_LABELS = { decision_number: 'teams.decision_number', decision_date: 'teams.decision_date', zalo_link: 'teams.zalo_link' } as const;
const MEMBER_LABELS = { full_name: 'teams.member_name', role: 'teams.member_role', phone: 'teams.phone', joined_on: 'teams.joined_on' } as const;
const HOUSEHOLD_LABELS = { head_name: 'teams.head_name', address: 'teams.address' } as const;
const RESIDENT_LABELS = { full_name: 'teams.resident_name', birth_year: 'teams.birth_year' } as const;
const HOUSEHOLD_FLAGS = ['fibre', 'digital_address', 'pays_utilities_online'] as const;
const RESIDENT_FLAGS = ['smartphone', 'vneid_level2', 'online_services_account', 'payment_account', 'zalo_group'] as const;

const ACTIVITY_LABELS = { date: 'teams.activity.date', topic: 'teams.activity.topic', people_helped: 'teams.activity.people', notes: 'teams.activity.notes', resident: 'teams.activity.residents' } as const;
const topicOptions = (t: PageContext['t']) => (Object.keys(ACTIVITY_TOPICS) as (keyof typeof ACTIVITY_TOPICS)[]).map((k) => ({ value: k, label: t(`teams.topic.${k}`) }));


/**
 * Community digital-technology teams (one per village) and the households they support (DOMAIN.md §5).
 * Officials of a commune see all its villages; a village head and the team's members their village
 * only. Every look-up of households is audited.
 */
export function registerTeamsRoutes(app: FastifyInstance, ctx: AppContext) {
  const repo = teamsRepository(ctx.database);

  /** Renders `body` with errors from an AppError carrying field problems, else rethrows. */
  const fieldErrors = (err: unknown): FieldError[] => {
    if (err instanceof AppError && err.fields.length) return err.fields;
    throw err;
  };

  app.get(TEAMS, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    request.access.require('team.read');
    const scope = await request.access.unitsFor('team.read');
    const ids = scope === 'all' ? (await ctx.database.db.selectFrom('unit').select('id').where('level', '=', 'village').where('valid_to', 'is', null).execute()).map((u) => u.id) : scope;
    const villages = await repo.villagesOverview(ids);
    const parents = [...new Set(villages.map((v) => v.parent_id).filter((p): p is string => !!p))];
    const names = new Map(parents.length ? (await ctx.database.db.selectFrom('unit').select(['id', 'name']).where('id', 'in', parents).execute()).map((u) => [u.id, u.name]) : []);
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    const established = villages.filter((v) => v.team_id).length;
    return sendPage(
      reply,
      <Layout ctx={page} title={t('teams.title')} shell="admin">
        <h1>{t('teams.title')}</h1>
        <p>{t('teams.summary', { teams: established, villages: villages.length })}</p>
        <Table
          rows={villages}
          columns={[
            { label: t('teams.commune'), cell: (v) => names.get(v.parent_id ?? '') ?? '—' },
            { label: t('teams.village'), cell: (v) => <a href={`${TEAMS}/${v.id}`}>{v.name}</a> },
            { label: t('teams.decision'), cell: (v) => (v.team_id ? `${v.decision_number ?? ''} — ${formatDate(v.decision_date ?? '')}` : <strong>{t('teams.not_established')}</strong>) },
            { label: t('teams.members_serving'), cell: (v) => String(v.members ?? 0) },
            { label: t('teams.households'), cell: (v) => String(v.households ?? 0) },
          ]}
        />
      </Layout>,
    );
  });

  const renderTeam = async (request: FastifyRequest, reply: FastifyReply, villageId: string, errors: FieldError[] = [], values: Values = {}, form = '', status = 200) => {
    const village = await villageFor(ctx, request.access, villageId, 'team.read');
    const team = await repo.teamOf(village.id);
    const members = team ? await repo.members(team.id) : [];
    const canManage = await request.access.can('team.manage', { unitId: village.id });
    const canHouseholds = await request.access.can('household.read', { unitId: village.id });
    const canRecord = await request.access.can('activity.record', { unitId: village.id });
    const recent = await activities(ctx, village.id);
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    const v = (name: string, fallback: string | null | undefined) => (form && name in values ? values[name] : (fallback ?? ''));
    const serving = members.filter((m) => !m.left_on);
    const former = members.filter((m) => m.left_on);
    const errs = (f: string) => (form === f ? errors : []);
    return sendPage(
      reply,
      <Layout ctx={page} title={t('teams.team_of', { village: village.name })} shell="admin">
        <p>
          <a href={TEAMS}>← {t('teams.title')}</a>
        </p>
        <h1>{t('teams.team_of', { village: village.name })}</h1>
        <ErrorSummary ctx={page} errors={errors} scope={form.startsWith('leave-') ? form : undefined} />
        {team ? (
          <dl>
            <dt>{t('teams.decision')}</dt>
            <dd>
              {team.decision_number} — {formatDate(team.decision_date)}
              {team.decision_file_id ? (
                <>
                  {' '}
                  (<a href={`${TEAMS}/${village.id}/quyet-dinh.pdf`}>{t('teams.decision_file')}</a>)
                </>
              ) : null}
            </dd>
            <dt>{t('teams.zalo_link')}</dt>
            <dd>{team.zalo_link ? <a href={team.zalo_link} rel="noopener noreferrer">{team.zalo_link}</a> : '—'}</dd>
          </dl>
        ) : (
          <p>
            <strong>{t('teams.not_established')}</strong>
          </p>
        )}
        {canHouseholds ? (
          <p>
            <a href={`${TEAMS}/${village.id}/ho`}>{t('teams.households_of', { village: village.name })}</a>
          </p>
        ) : null}
        {canRecord && team ? (
          <Form ctx={page} action={`${TEAMS}/${village.id}/hoat-dong`} label={t('teams.activity.record')} files>
            <fieldset>
              <legend>{t('teams.activity.record')}</legend>
              <TextInput ctx={page} name="date" type="date" label={t('teams.activity.date')} errors={errs('activity')} value={form === 'activity' ? values.date : localToday()} required />
              <SelectInput ctx={page} name="topic" label={t('teams.activity.topic')} errors={errs('activity')} value={form === 'activity' ? values.topic : ''} options={topicOptions(t)} placeholder="" required />
              <TextInput ctx={page} name="people_helped" type="number" inputmode="numeric" label={t('teams.activity.people')} errors={errs('activity')} value={form === 'activity' ? values.people_helped : ''} required />
              <TextArea ctx={page} name="notes" label={t('teams.activity.notes')} errors={errs('activity')} value={form === 'activity' ? values.notes : ''} rows={2} />
              <FileInput ctx={page} name="photo" label={t('teams.activity.photo')} errors={errs('activity')} accept="image/jpeg,image/png" />
              <Button>{t('teams.activity.save')}</Button>
            </fieldset>
          </Form>
        ) : null}
        <h2>{t('teams.activity.title')}</h2>
        {recent.length ? (
          <Table
            rows={recent}
            columns={[
              { label: t('teams.activity.date'), cell: (a) => formatDate(a.date) },
              { label: t('teams.activity.topic'), cell: (a) => t(`teams.topic.${a.topic as keyof typeof ACTIVITY_TOPICS}`) },
              { label: t('teams.activity.people'), cell: (a) => String(a.people_helped) },
              { label: t('teams.activity.notes'), cell: (a) => a.notes ?? '' },
              { label: t('teams.activity.by'), cell: (a) => a.recorded_by_label },
            ]}
          />
        ) : (
          <p>{t('teams.activity.none')}</p>
        )}
        <h2>{t('teams.members_serving')}</h2>
        <Table
          rows={serving}
          columns={[
            { label: t('teams.member_name'), cell: (m) => m.full_name },
            { label: t('teams.member_role'), cell: (m) => t(memberRoleLabel(m.role)) },
            { label: t('teams.phone'), cell: (m) => (m.phone ? <a href={`tel:${m.phone}`}>{m.phone}</a> : '—') },
            { label: t('teams.joined_on'), cell: (m) => formatDate(m.joined_on) },
            ...(canManage
              ? [
                  {
                    label: t('teams.leave'),
                    cell: (m: (typeof serving)[number]) => (
                      <Form ctx={page} action={`${TEAMS}/${village.id}/thanh-vien/${m.id}/roi`} label={t('teams.leave')}>
                        <TextInput ctx={page} scope={`leave-${m.id}`} name="left_on" type="date" label={t('teams.left_on')} errors={errs(`leave-${m.id}`)} value={form === `leave-${m.id}` ? values.left_on : ''} required />
                        <Checkbox name="confirm" label={t('teams.confirm_leave', { name: m.full_name })} required />
                        <Button kind="danger">{t('teams.leave')}</Button>
                      </Form>
                    ),
                  },
                ]
              : []),
          ]}
        />
        {former.length ? (
          <>
            <h2>{t('teams.history')}</h2>
            <Table
              rows={former}
              columns={[
                { label: t('teams.member_name'), cell: (m) => m.full_name },
                { label: t('teams.member_role'), cell: (m) => t(memberRoleLabel(m.role)) },
                { label: t('teams.joined_on'), cell: (m) => formatDate(m.joined_on) },
                { label: t('teams.left_on'), cell: (m) => formatDate(m.left_on ?? '') },
              ]}
            />
          </>
        ) : null}
        {canManage && team ? (
          <Form ctx={page} action={`${TEAMS}/${village.id}/thanh-vien`} label={t('teams.add_member')}>
            <fieldset>
              <legend>{t('teams.add_member')}</legend>
              <TextInput ctx={page} name="full_name" label={t('teams.member_name')} errors={errs('member')} value={form === 'member' ? values.full_name : ''} required />
              <SelectInput ctx={page} name="role" label={t('teams.member_role')} errors={errs('member')} value={form === 'member' ? values.role : ''} options={MEMBER_ROLES.map((r) => ({ value: r, label: t(memberRoleLabel(r)) }))} placeholder="" required />
              <TextInput ctx={page} name="phone" type="tel" label={t('teams.phone')} hint={t('teams.phone_hint')} errors={errs('member')} value={form === 'member' ? values.phone : ''} />
              <TextInput ctx={page} name="joined_on" type="date" label={t('teams.joined_on')} errors={errs('member')} value={form === 'member' ? values.joined_on : ''} required />
              <Button>{t('teams.add_member')}</Button>
            </fieldset>
          </Form>
        ) : null}
        {canManage ? (
          <Form ctx={page} action={`${TEAMS}/${village.id}`} label={team ? t('teams.edit_team') : t('teams.establish')} files>
            <fieldset>
              <legend>{team ? t('teams.edit_team') : t('teams.establish')}</legend>
              <TextInput ctx={page} name="decision_number" label={t('teams.decision_number')} hint={t('teams.decision_number_hint')} errors={errs('team')} value={v('decision_number', team?.decision_number)} required />
              <TextInput ctx={page} name="decision_date" type="date" label={t('teams.decision_date')} errors={errs('team')} value={v('decision_date', team?.decision_date)} required />
              <FileInput ctx={page} name="decision_file" label={t('teams.decision_file')} hint={t('teams.decision_file_hint')} errors={errs('team')} accept="application/pdf" />
              <TextInput ctx={page} name="zalo_link" type="url" label={t('teams.zalo_link')} hint={t('teams.zalo_link_hint')} errors={errs('team')} value={v('zalo_link', team?.zalo_link)} />
              <Button>{t('teams.save')}</Button>
            </fieldset>
          </Form>
        ) : null}
      </Layout>,
      status,
    );
  };

  app.get(`${TEAMS}/:villageId`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    return renderTeam(request, reply, (request.params as { villageId: string }).villageId);
  });

  app.get(`${TEAMS}/:villageId/quyet-dinh.pdf`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const village = await villageFor(ctx, request.access, (request.params as { villageId: string }).villageId, 'team.read');
    const team = await repo.teamOf(village.id);
    if (!team?.decision_file_id) throw new AppError('not_found', 404, 'error.not_found');
    const file = await readStoredFile(ctx, team.decision_file_id);
    if (!file) throw new AppError('not_found', 404, 'error.not_found');
    return reply.type('application/pdf').header('cache-control', 'private, no-store').header('content-disposition', 'inline; filename="quyet-dinh-thanh-lap-to.pdf"').send(file.data);
  });

  app.post(`${TEAMS}/:villageId`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const { villageId } = request.params as { villageId: string };
    const body = (request.body ?? {}) as Record<string, unknown>;
    const parsed = parseInput(request, teamInput, { labels: TEAM_LABELS });
    if (!parsed.ok) return renderTeam(request, reply, villageId, parsed.errors, formStrings(body), 'team', 400);
    try {
      await saveTeam(ctx, request.access, request.auditContext, villageId, parsed.data, isUpload(body.decision_file) ? body.decision_file : undefined);
    } catch (err) {
      return renderTeam(request, reply, villageId, fieldErrors(err), formStrings(body), 'team', 400);
    }
    setFlash(reply, 'teams.flash.saved');
    return reply.redirect(`${TEAMS}/${villageId}`, 303);
  });

  app.post(`${TEAMS}/:villageId/thanh-vien`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const { villageId } = request.params as { villageId: string };
    const parsed = parseInput(request, memberInput, { labels: MEMBER_LABELS });
    if (!parsed.ok) return renderTeam(request, reply, villageId, parsed.errors, formStrings(request.body), 'member', 400);
    try {
      await addMember(ctx, request.access, request.auditContext, villageId, parsed.data);
    } catch (err) {
      return renderTeam(request, reply, villageId, fieldErrors(err), formStrings(request.body), 'member', 409);
    }
    setFlash(reply, 'teams.flash.member_added');
    return reply.redirect(`${TEAMS}/${villageId}`, 303);
  });

  app.post(`${TEAMS}/:villageId/thanh-vien/:memberId/roi`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const { villageId, memberId } = request.params as { villageId: string; memberId: string };
    const form = `leave-${memberId}`;
    const parsed = parseInput(request, leaveInput, { labels: { left_on: 'teams.left_on', confirm: 'teams.confirm' } });
    if (!parsed.ok) return renderTeam(request, reply, villageId, parsed.errors, formStrings(request.body), form, 400);
    try {
      await endMembership(ctx, request.access, request.auditContext, villageId, memberId, parsed.data.left_on);
    } catch (err) {
      return renderTeam(request, reply, villageId, fieldErrors(err), formStrings(request.body), form, 400);
    }
    setFlash(reply, 'teams.flash.member_left');
    return reply.redirect(`${TEAMS}/${villageId}`, 303);
  });

  app.post(`${TEAMS}/:villageId/hoat-dong`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const { villageId } = request.params as { villageId: string };
    const body = (request.body ?? {}) as Record<string, unknown>;
    const parsed = parseInput(request, activityInput, { labels: ACTIVITY_LABELS });
    if (!parsed.ok) return renderTeam(request, reply, villageId, parsed.errors, formStrings(body), 'activity', 400);
    try {
      await recordActivity(ctx, request.access, request.auditContext, villageId, parsed.data, isUpload(body.photo) ? body.photo : undefined);
    } catch (err) {
      return renderTeam(request, reply, villageId, fieldErrors(err), formStrings(body), 'activity', 400);
    }
    setFlash(reply, 'teams.flash.activity_recorded');
    return reply.redirect(`${TEAMS}/${villageId}`, 303);
  });

  // Households of a village.

  const householdFields = (page: PageContext, errors: FieldError[], values: Values, checked: (f: string) => boolean) => (
    <>
      <TextInput ctx={page} name="head_name" label={page.t('teams.head_name')} errors={errors} value={values.head_name} required />
      <TextInput ctx={page} name="address" label={page.t('teams.address')} hint={page.t('teams.address_hint')} errors={errors} value={values.address} required />
      {HOUSEHOLD_FLAGS.map((f) => (
        <Checkbox name={f} label={page.t(`teams.flag.${f}`)} checked={checked(f)} />
      ))}
    </>
  );

  const renderHouseholds = async (request: FastifyRequest, reply: FastifyReply, villageId: string, errors: FieldError[] = [], values: Values = {}, status = 200) => {
    const f = request.query as { q?: string; trang?: string };
    const pageNo = pageNumberOf(f.trang, 10_000);
    const q = (f.q ?? '').slice(0, 100);
    const { village, rows } = await listHouseholds(ctx, request.access, request.auditContext, villageId, { q, offset: (pageNo - 1) * HOUSEHOLDS_PAGE, limit: HOUSEHOLDS_PAGE + 1 });
    const canManage = await request.access.can('household.manage', { unitId: village.id });
    const [figures] = await repo.villageFigures([village.id]);
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    const qs = (p: number) => `?${new URLSearchParams({ ...(q ? { q } : {}), trang: String(p) })}`;
    const pct = (n: number, d: number) => (d ? `${Math.round((100 * n) / d)}% (${n}/${d})` : '—');
    return sendPage(
      reply,
      <Layout ctx={page} title={t('teams.households_of', { village: village.name })} shell="admin">
        <p>
          <a href={`${TEAMS}/${village.id}`}>← {t('teams.team_of', { village: village.name })}</a>
        </p>
        <h1>{t('teams.households_of', { village: village.name })}</h1>
        <p class="hint">{t('teams.privacy_note')}</p>
        <p>
          {canManage ? (
            <>
              <a href={`${TEAMS}/${village.id}/nhap`}>{t('teams.import.nav')}</a> ·{' '}
            </>
          ) : null}
          <a href={`${TEAMS}/${village.id}/ho.xlsx`}>{t('teams.import.export_xlsx')}</a>
        </p>
        <ErrorSummary ctx={page} errors={errors} />
        {figures ? (
          <Table
            caption={t('teams.figures_caption', { age: ADULT_AGE })}
            rows={[
              ['teams.flag.fibre', pct(figures.fibre, figures.households)],
              ['teams.flag.digital_address', pct(figures.digitalAddress, figures.households)],
              ['teams.flag.pays_utilities_online', pct(figures.paysOnline, figures.households)],
              ['teams.flag.smartphone', pct(figures.smartphone, figures.adults)],
              ['teams.flag.vneid_level2', pct(figures.vneid, figures.adults)],
              ['teams.flag.online_services_account', pct(figures.onlineServices, figures.adults)],
              ['teams.flag.payment_account', pct(figures.paymentAccount, figures.adults)],
              ['teams.flag.zalo_group', pct(figures.zaloGroup, figures.adults)],
            ] as [MessageKey, string][]}
            columns={[
              { label: t('teams.figure'), cell: (r) => t(r[0]) },
              { label: t('teams.share'), cell: (r) => r[1] },
            ]}
          />
        ) : null}
        <form method="get" action={`${TEAMS}/${village.id}/ho`} role="search">
          <TextInput ctx={page} name="q" type="search" label={t('teams.search')} errors={[]} value={q} />
          <Button kind="secondary">{t('teams.search_button')}</Button>
        </form>
        <Table
          rows={rows.slice(0, HOUSEHOLDS_PAGE)}
          columns={[
            { label: t('teams.head_name'), cell: (h) => <a href={`${HOUSEHOLD}/${h.id}`}>{h.head_name}</a> },
            { label: t('teams.address'), cell: (h) => h.address },
            { label: t('teams.residents'), cell: (h) => String(h.residents ?? 0) },
            { label: t('teams.flag.fibre'), cell: (h) => (yes(h.fibre) ? t('teams.yes') : t('teams.no')) },
          ]}
        />
        <p>
          {pageNo > 1 ? <a href={qs(pageNo - 1)}>← {t('teams.previous')}</a> : null} {rows.length > HOUSEHOLDS_PAGE ? <a href={qs(pageNo + 1)}>{t('teams.next')} →</a> : null}
        </p>
        {canManage ? (
          <Form ctx={page} action={`${TEAMS}/${village.id}/ho`} label={t('teams.add_household')}>
            <fieldset>
              <legend>{t('teams.add_household')}</legend>
              {householdFields(page, errors, values, (name) => values[name] === 'on')}
              <Button>{t('teams.add_household')}</Button>
            </fieldset>
          </Form>
        ) : null}
      </Layout>,
      status,
    );
  };

  app.get(`${TEAMS}/:villageId/ho`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    return renderHouseholds(request, reply, (request.params as { villageId: string }).villageId);
  });

  app.post(`${TEAMS}/:villageId/ho`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const { villageId } = request.params as { villageId: string };
    const parsed = parseInput(request, householdInput, { labels: HOUSEHOLD_LABELS });
    if (!parsed.ok) return renderHouseholds(request, reply, villageId, parsed.errors, formStrings(request.body), 400);
    const id = await createHousehold(ctx, request.access, request.auditContext, villageId, parsed.data);
    setFlash(reply, 'teams.flash.household_added');
    return reply.redirect(`${HOUSEHOLD}/${id}`, 303);
  });

  const renderHousehold = async (request: FastifyRequest, reply: FastifyReply, id: string, errors: FieldError[] = [], values: Values = {}, form = '', status = 200) => {
    const { household: h, residents } = await viewHousehold(ctx, request.access, request.auditContext, id);
    const canManage = await request.access.can('household.manage', { unitId: h.unit_id });
    const village = await villageFor(ctx, request.access, h.unit_id, 'household.read');
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    const errs = (f: string) => (form === f ? errors : []);
    const valueOf = (f: string, fallback: string) => (form && f in values ? values[f]! : fallback);
    const year = new Date().getUTCFullYear();
    const residentForm = (r: (typeof residents)[number] | null) => {
      const key = r ? `resident-${r.id}` : 'resident';
      const mine = form === key;
      const val = (f: string, fallback: string) => (mine && f in values ? values[f]! : fallback);
      return (
        <Form ctx={page} action={r ? `${HOUSEHOLD}/${h.id}/nhan-khau/${r.id}` : `${HOUSEHOLD}/${h.id}/nhan-khau`} label={r ? t('teams.edit_resident', { name: r.full_name }) : t('teams.add_resident')}>
          <fieldset>
            <legend>{r ? t('teams.edit_resident', { name: r.full_name }) : t('teams.add_resident')}</legend>
            <TextInput ctx={page} name="full_name" label={t('teams.resident_name')} errors={errs(key)} value={val('full_name', r?.full_name ?? '')} required />
            <TextInput ctx={page} name="birth_year" type="number" inputmode="numeric" label={t('teams.birth_year')} errors={errs(key)} value={val('birth_year', r ? String(r.birth_year) : '')} required />
            {RESIDENT_FLAGS.map((f) => (
              <Checkbox name={f} label={t(`teams.flag.${f}`)} checked={mine ? values[f] === 'on' : yes(r?.[f])} />
            ))}
            <Button>{t('teams.save')}</Button>
          </fieldset>
        </Form>
      );
    };
    return sendPage(
      reply,
      <Layout ctx={page} title={t('teams.household_of', { name: h.head_name })} shell="admin">
        <p>
          <a href={`${TEAMS}/${village.id}/ho`}>← {t('teams.households_of', { village: village.name })}</a>
        </p>
        <h1>{t('teams.household_of', { name: h.head_name })}</h1>
        <p>
          {h.address}, {village.name}
        </p>
        <ErrorSummary ctx={page} errors={errors} />
        <ul>
          {HOUSEHOLD_FLAGS.map((f) => (
            <li>
              {t(`teams.flag.${f}`)}: <strong>{yes(h[f]) ? t('teams.yes') : t('teams.no')}</strong>
            </li>
          ))}
        </ul>
        <h2>{t('teams.residents')}</h2>
        <Table
          rows={residents}
          columns={[
            { label: t('teams.resident_name'), cell: (r) => r.full_name },
            { label: t('teams.birth_year'), cell: (r) => `${r.birth_year}${year - r.birth_year < ADULT_AGE ? ` (${t('teams.minor')})` : ''}` },
            ...RESIDENT_FLAGS.map((f) => ({ label: t(`teams.flag.${f}`), cell: (r: (typeof residents)[number]) => (yes(r[f]) ? t('teams.yes') : t('teams.no')) })),
          ]}
        />
        {canManage && residents.length ? (
          <Form ctx={page} action={`${HOUSEHOLD}/${h.id}/hoat-dong`} label={t('teams.activity.record_household')}>
            <fieldset>
              <legend>{t('teams.activity.record_household')}</legend>
              <TextInput ctx={page} name="date" type="date" label={t('teams.activity.date')} errors={errs('activity')} value={form === 'activity' ? values.date : localToday()} required />
              <SelectInput ctx={page} name="topic" label={t('teams.activity.topic')} errors={errs('activity')} value={form === 'activity' ? values.topic : ''} options={topicOptions(t)} placeholder="" required />
              <fieldset>
                <legend>{t('teams.activity.residents')}</legend>
                <p class="hint">{t('teams.activity.residents_hint')}</p>
                {residents.map((r) => (
                  <label class="checkbox">
                    <input type="checkbox" name="resident" value={r.id} /> {r.full_name} ({r.birth_year})
                  </label>
                ))}
              </fieldset>
              <TextArea ctx={page} name="notes" label={t('teams.activity.notes')} errors={errs('activity')} value={form === 'activity' ? values.notes : ''} rows={2} />
              <Button>{t('teams.activity.save')}</Button>
            </fieldset>
          </Form>
        ) : null}
        {canManage ? (
          <>
            {residentForm(null)}
            {residents.map((r) => (
              <details open={form === `resident-${r.id}` || form === `remove-${r.id}`}>
                <summary>{t('teams.edit_resident', { name: r.full_name })}</summary>
                {residentForm(r)}
                <Form ctx={page} action={`${HOUSEHOLD}/${h.id}/nhan-khau/${r.id}/xoa`} label={t('teams.remove_resident')}>
                  <Checkbox name="confirm" label={t('teams.confirm_remove', { name: r.full_name })} required />
                  <Button kind="danger">{t('teams.remove_resident')}</Button>
                </Form>
              </details>
            ))}
            <Form ctx={page} action={`${HOUSEHOLD}/${h.id}`} label={t('teams.edit_household')}>
              <fieldset>
                <legend>{t('teams.edit_household')}</legend>
                {householdFields(page, errs('household'), { head_name: valueOf('head_name', h.head_name), address: valueOf('address', h.address) }, (f) => (form === 'household' ? values[f] === 'on' : yes(h[f as (typeof HOUSEHOLD_FLAGS)[number]])))}
                <Button>{t('teams.save')}</Button>
              </fieldset>
            </Form>
          </>
        ) : null}
      </Layout>,
      status,
    );
  };

  app.get(`${HOUSEHOLD}/:id`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    return renderHousehold(request, reply, (request.params as { id: string }).id);
  });

  app.post(`${HOUSEHOLD}/:id`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const { id } = request.params as { id: string };
    const parsed = parseInput(request, householdInput, { labels: HOUSEHOLD_LABELS });
    if (!parsed.ok) return renderHousehold(request, reply, id, parsed.errors, formStrings(request.body), 'household', 400);
    await updateHousehold(ctx, request.access, request.auditContext, id, parsed.data);
    setFlash(reply, 'teams.flash.saved');
    return reply.redirect(`${HOUSEHOLD}/${id}`, 303);
  });

  app.post(`${HOUSEHOLD}/:id/hoat-dong`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const { id } = request.params as { id: string };
    const parsed = parseInput(request, householdActivityInput, { labels: ACTIVITY_LABELS });
    if (!parsed.ok) return renderHousehold(request, reply, id, parsed.errors, formStrings(request.body), 'activity', 400);
    try {
      await recordHouseholdActivity(ctx, request.access, request.auditContext, id, parsed.data);
    } catch (err) {
      return renderHousehold(request, reply, id, fieldErrors(err), formStrings(request.body), 'activity', 400);
    }
    setFlash(reply, 'teams.flash.activity_recorded');
    return reply.redirect(`${HOUSEHOLD}/${id}`, 303);
  });

  app.post(`${HOUSEHOLD}/:id/nhan-khau`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const { id } = request.params as { id: string };
    const parsed = parseInput(request, residentInput, { labels: RESIDENT_LABELS });
    if (!parsed.ok) return renderHousehold(request, reply, id, parsed.errors, formStrings(request.body), 'resident', 400);
    await saveResident(ctx, request.access, request.auditContext, id, null, parsed.data);
    setFlash(reply, 'teams.flash.resident_saved');
    return reply.redirect(`${HOUSEHOLD}/${id}`, 303);
  });

  app.post(`${HOUSEHOLD}/:id/nhan-khau/:residentId`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const { id, residentId } = request.params as { id: string; residentId: string };
    const parsed = parseInput(request, residentInput, { labels: RESIDENT_LABELS });
    if (!parsed.ok) return renderHousehold(request, reply, id, parsed.errors, formStrings(request.body), `resident-${residentId}`, 400);
    await saveResident(ctx, request.access, request.auditContext, id, residentId, parsed.data);
    setFlash(reply, 'teams.flash.resident_saved');
    return reply.redirect(`${HOUSEHOLD}/${id}`, 303);
  });

  app.post(`${HOUSEHOLD}/:id/nhan-khau/:residentId/xoa`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const { id, residentId } = request.params as { id: string; residentId: string };
    const parsed = parseInput(request, z.object({ confirm: z.literal('on') }), { labels: { confirm: 'teams.confirm' } });
    if (!parsed.ok) return renderHousehold(request, reply, id, parsed.errors, {}, `remove-${residentId}`, 400);
    await removeResident(ctx, request.access, request.auditContext, id, residentId);
    setFlash(reply, 'teams.flash.resident_removed');
    return reply.redirect(`${HOUSEHOLD}/${id}`, 303);
  });
}
