import type { MessageKey, Translate } from '../../platform/i18n/index.ts';
import { formatMoney } from '../../platform/i18n/index.ts';
import type { Procedure } from './schemas.ts';

export const stateLabel = (state: string): MessageKey => `services.state.${state}` as MessageKey;
export const channelLabel = (c: string): MessageKey => `services.channel.${c}` as MessageKey;

/** "Trong ngày" / "3 ngày làm việc". */
export const daysText = (t: Translate, days: number) => (days === 0 ? t('services.same_day') : t('services.working_days', { days }));

export function feeText(t: Translate, fee: Procedure['channels'][number]['fee']): string {
  const base =
    fee.kind === 'free' ? t('services.fee.free') : fee.amount !== null && fee.amount > 0 ? formatMoney(fee.amount) : t('services.fee.province');
  return fee.note ? `${base} — ${fee.note}` : base;
}

/** The state as a tag; overdue open dossiers are marked. */
export function StateTag({ t, state, overdue }: { t: Translate; state: string; overdue?: boolean }) {
  return (
    <span class={`tag tag-${state}${overdue ? ' tag-overdue' : ''}`}>
      {t(stateLabel(state))}
      {overdue ? ` · ${t('services.overdue')}` : ''}
    </span>
  );
}
