import type { AppContext } from '../../platform/context.ts';
import { formatDate, translator } from '../../platform/i18n/index.ts';
import { localToday } from './calendar.ts';
import { workCalendar } from './commands.ts';
import { stateLabel } from './presenters.tsx';

/** States whose clock runs (a supplement request pauses it; a new online dossier has none yet). */
const RUNNING = ['received', 'processing', 'awaiting_approval'] as const;

/**
 * Deadline warnings for officials (DOMAIN.md §2): every open dossier due by the next working day, or
 * already overdue, is brought to whoever must act on it now — the assigned specialist while processing,
 * the commune's leaders while awaiting approval, the desk's officials once received — in their inbox
 * (and by e-mail where they have an address). Once per dossier, person and day, however often it runs.
 */
export async function warnDueDossiers(ctx: AppContext, now = new Date()): Promise<{ dossiers: number; queued: number }> {
  const { db } = ctx.database;
  const calendar = await workCalendar(ctx);
  const today = localToday(now);
  const horizon = calendar.nextWorkingDay(today);
  const due = await db
    .selectFrom('svc_dossier')
    .select(['id', 'code', 'unit_id', 'procedure_name', 'state', 'due_date', 'appointment_date', 'assignee_id'])
    .where('state', 'in', [...RUNNING])
    .where('due_date', '<=', horizon)
    .orderBy('due_date')
    .limit(5000)
    .execute();
  if (!due.length) return { dossiers: 0, queued: 0 };
  const unitIds = [...new Set(due.map((d) => d.unit_id))];
  const staff = await db
    .selectFrom('auth_role_grant as g')
    .innerJoin('auth_account as a', 'a.id', 'g.account_id')
    .select(['a.id', 'a.email', 'g.role', 'g.unit_id'])
    .where('g.unit_id', 'in', unitIds)
    .where('g.role', 'in', ['commune_official', 'commune_leader'])
    .where('a.disabled_at', 'is', null)
    .execute();
  const assignees = new Map(
    (
      await db
        .selectFrom('auth_account')
        .select(['id', 'email'])
        .where('id', 'in', [...new Set(due.map((d) => d.assignee_id).filter((x): x is string => !!x)), '-'])
        .where('disabled_at', 'is', null)
        .execute()
    ).map((a) => [a.id, a]),
  );
  const t = translator('vi');
  const notices = due.flatMap((d) => {
    const overdue = d.due_date! < today;
    const recipients =
      d.state === 'processing' && d.assignee_id && assignees.has(d.assignee_id)
        ? [assignees.get(d.assignee_id)!]
        : staff.filter((s) => s.unit_id === d.unit_id && s.role === (d.state === 'awaiting_approval' ? 'commune_leader' : 'commune_official'));
    return recipients.map((r) => ({
      to: { unitId: d.unit_id, accountId: r.id, email: r.email },
      notice: {
        subject: t(overdue ? 'services.warning.overdue_subject' : 'services.warning.due_subject', { code: d.code ?? '' }),
        body:
          t('services.warning.body', { procedure: d.procedure_name, code: d.code ?? '', due: formatDate(d.due_date!), state: t(stateLabel(d.state)) }) +
          (overdue && !d.appointment_date ? ` ${t('services.warning.apology_hint')}` : ''),
        link: `${ctx.config.publicUrl}/mot-cua/${d.id}`,
        source: 'services.deadline',
        sourceId: d.id,
        dedupeKey: `svc-due:${d.id}:${today}:${r.id}`,
      },
    }));
  });
  // The day's warnings in a few statements; an hourly run after the first finds their keys taken.
  const queued = await db.transaction().execute((trx) => ctx.notifier.enqueueMany(trx, notices, now));
  if (queued) ctx.notifier.kick();
  return { dossiers: due.length, queued };
}
