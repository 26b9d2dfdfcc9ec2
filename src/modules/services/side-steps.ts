import type { Updateable } from 'kysely';
import type { AppContext } from '../../platform/context.ts';
import type { Access } from '../../platform/auth/access.ts';
import { writeAudit, type AuditContext } from '../../platform/audit/audit.ts';
import { AppError, fieldProblem, type FieldError, invalidInput } from '../../platform/errors.ts';
import type { MessageKey } from '../../platform/i18n/index.ts';
import { stripDiacritics } from '../../platform/search.ts';
import { addEvent, agencyChanged, dossierForActor, type DossierRow } from './commands.ts';
import { localToday } from './calendar.ts';
import { notifyApplicant } from './notify.ts';
import type { AgencyTable, DossierTable } from './schema.ts';
import { decideSide, type DossierState, type SideFacts, type SideStep, type WorkflowRole } from './workflow.ts';

export const sideFacts = (d: DossierRow): SideFacts => ({
  state: d.state as DossierState,
  paymentStatus: d.payment_status,
  feeAmount: d.fee_amount,
  dueDate: d.due_date,
  apologyAt: d.apology_at,
  rating: d.rating,
});

/** Decides a side step for the actor, or throws 404 (no part in the dossier) / 409 (with the reason). */
async function sideStep(ctx: AppContext, access: Access, dossierId: string, step: SideStep, input: { note?: string | undefined; newDate?: string | undefined } = {}) {
  const { d, roles } = await dossierForActor(ctx, access, dossierId);
  const today = localToday();
  const decision = decideSide(sideFacts(d), step, { roles, today, ...input });
  if (!decision.ok) {
    const key = `services.refusal.${decision.reason}` as MessageKey;
    if (decision.reason === 'note_required' || decision.reason === 'new_date') {
      throw fieldProblem('invalid_input', 400, decision.reason === 'note_required' ? 'note' : 'new_date', key);
    }
    throw new AppError('transition_refused', 409, key, { state: d.state, action: step });
  }
  return { d, roles, today };
}

/** Writes a side step: the change (guarded by the state read), its history line and its audit event. */
async function record(ctx: AppContext, audit: AuditContext, d: DossierRow, step: SideStep, set: Updateable<DossierTable>, detail: Record<string, unknown>, note: string | null, form: string | null, guard: (keyof DossierTable)[], notice?: Parameters<typeof notifyApplicant>[3], noticeExtra?: Parameters<typeof notifyApplicant>[4]) {
  await ctx.database.db.transaction().execute(async (trx) => {
    let q = trx.updateTable('svc_dossier').set({ ...set, updated_at: new Date().toISOString() }).where('id', '=', d.id).where('state', '=', d.state);
    // The fields the decision looked at must still be as read: a double click applies once.
    for (const col of guard) q = d[col] === null ? q.where(col, 'is', null) : q.where(col, '=', d[col] as never);
    const updated = await q.executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) throw new AppError('transition_refused', 409, 'services.refusal.not_allowed_from_state', { state: d.state, action: step });
    await addEvent(trx, d, audit, step, d.state, d.state, note, form);
    await writeAudit(ctx.database, trx, audit, { action: `services.dossier.${step}`, entity: 'svc_dossier', entityId: d.id, unitId: d.unit_id, detail: { code: d.code, ...detail } });
    if (notice) await notifyApplicant(ctx, trx, d, notice, noticeExtra);
  });
  ctx.notifier.kick();
}

/** The largest fee the desk may enter (a guard against a slipped digit), in đồng. */
export const MAX_FEE = 100_000_000;

/** The desk sets the fee of a dossier (e.g. copies × unit price) or marks it exempt. */
export async function setFee(ctx: AppContext, access: Access, audit: AuditContext, dossierId: string, input: { amount: number; exempt: boolean; note?: string | undefined }): Promise<void> {
  if (!input.exempt && (!Number.isInteger(input.amount) || input.amount < 0 || input.amount > MAX_FEE)) {
    throw fieldProblem('invalid_input', 400, 'amount', 'services.error.fee_amount', { max: MAX_FEE.toLocaleString('vi-VN') });
  }
  const { d } = await sideStep(ctx, access, dossierId, 'set_fee');
  const amount = input.exempt ? 0 : input.amount;
  const status = input.exempt ? 'exempt' : amount > 0 ? 'unpaid' : 'none';
  await record(ctx, audit, d, 'set_fee', { fee_amount: amount, payment_status: status }, { from: d.fee_amount, to: amount, status }, input.note?.trim() || null, null, ['payment_status']);
}

/** The desk confirms the fee was paid (by VietQR transfer, seen on the commune's account, or in cash). */
export async function confirmPayment(ctx: AppContext, access: Access, audit: AuditContext, dossierId: string, method: 'transfer' | 'cash'): Promise<void> {
  const { d } = await sideStep(ctx, access, dossierId, 'confirm_payment');
  await record(ctx, audit, d, 'confirm_payment', { payment_status: 'paid', paid_at: new Date().toISOString(), payment_method: method }, { amount: d.fee_amount, method }, null, null, ['payment_status'], 'paid');
}

/** Form 04: the apology for an overdue dossier, with the reason and the new date, sent to the applicant. */
export async function issueApology(ctx: AppContext, access: Access, audit: AuditContext, dossierId: string, input: { reason: string; newDate: string }): Promise<void> {
  const errors: FieldError[] = [];
  const reason = input.reason.trim().slice(0, 2000);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input.newDate) || Number.isNaN(Date.parse(input.newDate))) errors.push({ field: 'new_date', key: 'services.refusal.new_date' });
  if (!reason) errors.push({ field: 'note', key: 'services.refusal.note_required' });
  if (errors.length) throw invalidInput(errors);
  const { d } = await sideStep(ctx, access, dossierId, 'apology', { note: reason, newDate: input.newDate });
  await record(ctx, audit, d, 'apology', { apology_at: new Date().toISOString(), apology_reason: reason, appointment_date: input.newDate }, { due: d.due_date, newDate: input.newDate }, reason, '04', ['apology_at'], 'apology', {
    note: reason,
    dueDate: input.newDate,
  });
}

export const RATINGS = [4, 3, 2, 1] as const;

/** The applicant rates the service once the result is returned (or the desk records a rating given there). */
export async function rateDossier(ctx: AppContext, access: Access, audit: AuditContext, dossierId: string, input: { rating: number; comment?: string | undefined }): Promise<WorkflowRole[]> {
  if (!(RATINGS as readonly number[]).includes(input.rating)) throw fieldProblem('invalid_input', 400, 'rating', 'services.error.rating');
  const { d, roles } = await sideStep(ctx, access, dossierId, 'rate');
  const comment = input.comment?.trim().slice(0, 1000) || null;
  const by = roles.includes('applicant') ? 'applicant' : 'desk';
  await record(ctx, audit, d, 'rate', { rating: input.rating, rating_comment: comment, rated_at: new Date().toISOString() }, { rating: input.rating, by }, comment, null, ['rating']);
  return roles;
}

/** Whether the dossier's fee is to be paid now (so a VietQR code is shown). */
export const feeDue = (d: Pick<DossierRow, 'payment_status' | 'fee_amount'>) => d.payment_status === 'unpaid' && (d.fee_amount ?? 0) > 0;

/**
 * The VietQR payload (NAPAS 247 transfer to the commune's account, amount and the dossier code as the
 * transfer content), or null when the commune has not entered an account.
 */
export async function vietQrPayload(agency: Pick<AgencyTable, 'bank_bin' | 'bank_account'> | undefined, d: Pick<DossierRow, 'code' | 'fee_amount'>): Promise<string | null> {
  if (!agency?.bank_bin || !agency.bank_account || !d.fee_amount || !d.code) return null;
  const { QRPay } = await import('vietnam-qr-pay');
  return QRPay.initVietQR({ bankBin: agency.bank_bin, bankNumber: agency.bank_account, amount: String(d.fee_amount), purpose: stripDiacritics(d.code).slice(0, 50) }).build();
}

/** Banks that take VietQR transfers (NAPAS 247), for the province admin's choice. */
export async function vietQrBanks(): Promise<{ bin: string; name: string; shortName: string }[]> {
  const { Banks } = await import('vietnam-qr-pay');
  return Banks.filter((b) => b.vietQRStatus === 1)
    .map((b) => ({ bin: b.bin, name: b.name, shortName: b.shortName }))
    .sort((a, b) => a.shortName.localeCompare(b.shortName));
}

/** A province admin enters a commune's electronic agency identifier and its fee account. */
export async function setAgency(ctx: AppContext, audit: AuditContext, unitId: string, input: { agencyCode: string; bankBin: string | null; bankAccount: string | null; bankAccountName: string | null }): Promise<void> {
  const errors: FieldError[] = [];
  if (!/^\d{3}\.\d{2}\.\d{2}\.[A-Z0-9]{1,10}$/.test(input.agencyCode)) errors.push({ field: 'agency_code', key: 'services.error.agency_code' });
  const anyBank = input.bankBin || input.bankAccount || input.bankAccountName;
  if (anyBank) {
    if (!input.bankBin || !(await vietQrBanks()).some((b) => b.bin === input.bankBin)) errors.push({ field: 'bank_bin', key: 'services.error.bank_bin' });
    if (!input.bankAccount || !/^[0-9A-Za-z]{4,19}$/.test(input.bankAccount)) errors.push({ field: 'bank_account', key: 'services.error.bank_account' });
    if (!input.bankAccountName?.trim()) errors.push({ field: 'bank_account_name', key: 'services.error.bank_account_name' });
  }
  if (errors.length) throw invalidInput(errors);
  const row = { agency_code: input.agencyCode, bank_bin: anyBank ? input.bankBin : null, bank_account: anyBank ? input.bankAccount : null, bank_account_name: anyBank ? input.bankAccountName!.trim().toUpperCase() : null };
  await ctx.database.db.transaction().execute(async (trx) => {
    const taken = await trx.selectFrom('svc_agency').select('unit_id').where('agency_code', '=', input.agencyCode).where('unit_id', '!=', unitId).executeTakeFirst();
    if (taken) throw fieldProblem('agency_code_taken', 409, 'agency_code', 'services.error.agency_code_taken');
    await trx
      .insertInto('svc_agency')
      .values({ unit_id: unitId, ...row })
      .onConflict((oc) => oc.column('unit_id').doUpdateSet(row))
      .execute();
    await writeAudit(ctx.database, trx, audit, { action: 'services.agency.set', entity: 'svc_agency', entityId: unitId, unitId, detail: row });
  });
  agencyChanged(ctx.database);
}
