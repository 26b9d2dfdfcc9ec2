import type { MessageKey, Translate } from '../../platform/i18n/index.ts';
import { formatMoney } from '../../platform/i18n/index.ts';
import type { Procedure } from './schemas.ts';
import { OPEN_STATES } from './workflow.ts';

export const stateLabel = (state: string): MessageKey => `services.state.${state}` as MessageKey;
export const channelLabel = (c: string): MessageKey => `services.channel.${c}` as MessageKey;

/** "Trong ngày" / "3 ngày làm việc". */
export const daysText = (t: Translate, days: number) => (days === 0 ? t('services.same_day') : t('services.working_days', { days }));

export function feeText(t: Translate, fee: Procedure['channels'][number]['fee']): string {
  const base =
    fee.kind === 'free' ? t('services.fee.free') : fee.amount !== null && fee.amount > 0 ? formatMoney(fee.amount) : t('services.fee.province');
  return fee.note ? `${base} — ${fee.note}` : base;
}

/** Where an open dossier stands against its due date on `today` (local dates). */
export function deadlineOf(d: { state: string; due_date: string | null }, today: string): 'overdue' | 'due_soon' | null {
  if (!OPEN_STATES.includes(d.state) || !d.due_date) return null;
  if (d.due_date < today) return 'overdue';
  // Due today or tomorrow: the desk's lists warn before it is late.
  const tomorrow = new Date(Date.parse(`${today}T00:00:00Z`) + 86400_000).toISOString().slice(0, 10);
  return d.due_date <= tomorrow ? 'due_soon' : null;
}

/** The state as a tag; overdue open dossiers are marked, and those due by tomorrow. */
export function StateTag({ t, d, today }: { t: Translate; d: { state: string; due_date: string | null }; today: string }) {
  const deadline = deadlineOf(d, today);
  return (
    <span class={`tag tag-${d.state}${deadline === 'overdue' ? ' tag-overdue' : deadline === 'due_soon' ? ' tag-due-soon' : ''}`}>
      {t(stateLabel(d.state))}
      {deadline === 'overdue' ? ` · ${t('services.overdue')}` : deadline === 'due_soon' ? ` · ${t('services.due_soon')}` : ''}
    </span>
  );
}
