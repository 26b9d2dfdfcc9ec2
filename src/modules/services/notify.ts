import type { Kysely } from 'kysely';
import type { AppContext } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import { formatDate, translator, type MessageKey } from '../../platform/i18n/index.ts';
import type { DossierTable } from './schema.ts';

/** What the applicant is told about: the status changes that concern them, and the desk's notices. */
export type ApplicantEvent = 'new' | 'received' | 'refused' | 'supplement_requested' | 'done' | 'returned' | 'withdrawn' | 'stopped' | 'apology' | 'paid';

const NOTIFIED = new Set<string>(['new', 'received', 'refused', 'supplement_requested', 'done', 'returned', 'withdrawn', 'stopped']);
export const notifiesApplicant = (state: string): state is ApplicantEvent => NOTIFIED.has(state);

type DossierFacts = Pick<DossierTable, 'id' | 'code' | 'unit_id' | 'procedure_name' | 'citizen_id' | 'applicant_email' | 'applicant_phone' | 'due_date'>;

/**
 * Queues the applicant's notice of a dossier event in the caller's transaction (so it is sent only if
 * the change commits, and is never lost): the inbox of their account, and e-mail, SMS and Zalo where
 * configured and an address is known. Messages are in Vietnamese; tracking needs only the code.
 */
export async function notifyApplicant(
  ctx: AppContext,
  trx: Kysely<DB>,
  d: DossierFacts,
  event: ApplicantEvent,
  extra: { note?: string | null; dueDate?: string | null } = {},
): Promise<void> {
  const t = translator('vi');
  const due = extra.dueDate ?? d.due_date;
  const parts = [
    t(`services.notice.${event}` as MessageKey, { code: d.code ?? '', procedure: d.procedure_name }),
    extra.note ? t('services.notice.note', { note: extra.note }) : '',
    due && ['new', 'received', 'supplement_requested', 'apology'].includes(event) ? t('services.notice.due', { date: formatDate(due) }) : '',
  ];
  const link = d.citizen_id ? `${ctx.config.publicUrl}/ho-so/${d.id}` : `${ctx.config.publicUrl}/tra-cuu?ma=${encodeURIComponent(d.code ?? '')}`;
  await ctx.notifier.enqueue(
    trx,
    { unitId: d.unit_id, accountId: d.citizen_id, email: d.applicant_email, phone: d.applicant_phone },
    {
      subject: t('services.notice.subject', { code: d.code ?? '' }),
      body: parts.filter(Boolean).join(' '),
      link,
      source: 'services.dossier',
      sourceId: d.id,
    },
  );
}
