import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import { notFound } from '../../platform/errors.ts';
import { parseOrThrow, setFlash, signedIn } from '../../platform/http/kernel.ts';
import { formatDate, formatMoney, type MessageKey } from '../../platform/i18n/index.ts';
import { Button, Form, SelectInput, TextArea, TextInput } from '../../platform/ui/components.tsx';
import type { PageContext } from '../../platform/ui/context.ts';
import { unitRepository } from '../../platform/units/repository.ts';
import { dossierForActor, type DossierRow } from './commands.ts';
import { servicesRepository } from './repository.ts';
import type { AgencyTable } from './schema.ts';
import { confirmPayment, feeDue, issueApology, rateDossier, RATINGS, setFee, vietQrBanks, vietQrPayload } from './side-steps.ts';
import type { SideStep } from './workflow.ts';

const paymentLabel = (d: Pick<DossierRow, 'payment_status'>): MessageKey => `services.payment.${d.payment_status ?? 'unknown'}` as MessageKey;
const ratingLabel = (r: number): MessageKey => `services.rating.${r}` as MessageKey;

export interface FeeAccount {
  bankName: string;
  number: string;
  holder: string;
}

/** The commune's account for fees as shown to payers (bank by name), if it has entered one. */
export async function feeAccount(agency: AgencyTable | undefined): Promise<FeeAccount | undefined> {
  if (!agency?.bank_bin || !agency.bank_account) return undefined;
  const bank = (await vietQrBanks()).find((b) => b.bin === agency.bank_bin);
  return bank ? { bankName: `${bank.shortName} — ${bank.name}`, number: agency.bank_account, holder: agency.bank_account_name ?? '' } : undefined;
}

/** The fee and its state; for the applicant with a fee due, the VietQR code to pay it. */
export function PaymentInfo({ ctx, d, account, payer }: { ctx: PageContext; d: DossierRow; account: FeeAccount | undefined; payer: boolean }) {
  const { t } = ctx;
  const showQr = payer && feeDue(d) && account;
  return (
    <section aria-labelledby="fee-h" data-testid="payment">
      <h2 id="fee-h">{t('services.fee')}</h2>
      <p>
        {d.fee_amount !== null && d.fee_amount > 0 ? `${formatMoney(d.fee_amount)} — ` : ''}
        {t(paymentLabel(d))}
        {d.payment_status === 'paid' && d.paid_at ? ` — ${t('services.payment.paid_on', { date: formatDate(d.paid_at), method: t(`services.payment.${d.payment_method ?? 'cash'}` as MessageKey) })}` : ''}
      </p>
      {showQr ? (
        <div class="vietqr">
          <h3>{t('services.payment.pay_title')}</h3>
          <p class="hint">{t('services.payment.pay_hint')}</p>
          <img src={`/ho-so/${d.id}/vietqr.svg`} width={220} height={220} alt={t('services.payment.qr_alt', { amount: formatMoney(d.fee_amount!), code: d.code ?? '' })} />
          <dl class="summary-list">
            <dt>{t('services.payment.bank')}</dt>
            <dd>{account.bankName}</dd>
            <dt>{t('services.payment.account')}</dt>
            <dd>{account.number}</dd>
            <dt>{t('services.payment.account_name')}</dt>
            <dd>{account.holder}</dd>
            <dt>{t('services.fee_amount')}</dt>
            <dd>{formatMoney(d.fee_amount!)}</dd>
            <dt>{t('services.payment.content')}</dt>
            <dd>{d.code}</dd>
          </dl>
        </div>
      ) : payer && feeDue(d) ? (
        <p class="notice">{t('services.payment.no_account')}</p>
      ) : null}
    </section>
  );
}

/** Form 04's state (and its PDF), once issued. */
export function ApologyInfo({ ctx, d }: { ctx: PageContext; d: DossierRow }) {
  if (!d.apology_at) return null;
  return (
    <p class="notice" data-testid="apology">
      {ctx.t('services.apology.issued', { date: formatDate(d.apology_at), newDate: d.appointment_date ? formatDate(d.appointment_date) : '—' })}{' '}
      <a href={`/ho-so/${d.id}/mau-04.pdf`}>{ctx.t('services.apology.pdf')}</a>
    </p>
  );
}

/** The rating given, or (for whoever may rate now) the form to give it. */
export function RatingBlock({ ctx, d, action }: { ctx: PageContext; d: DossierRow; action: string | null }) {
  const { t } = ctx;
  if (d.rating !== null) {
    return (
      <p data-testid="rating">
        {t('services.rating.thanks', { rating: t(ratingLabel(d.rating)) })}
        {d.rating_comment ? ` — “${d.rating_comment}”` : ''}
      </p>
    );
  }
  if (!action) return null;
  return (
    <Form ctx={ctx} action={action} label={t('services.rating.title')}>
      <fieldset>
        <legend>{t('services.rating.title')}</legend>
        {RATINGS.map((r) => (
          <label class="checkbox">
            <input type="radio" name="rating" value={String(r)} required /> {t(ratingLabel(r))}
          </label>
        ))}
        <TextArea ctx={ctx} name="comment" label={t('services.rating.comment')} rows={2} />
        <Button>{t('services.rating.submit')}</Button>
      </fieldset>
    </Form>
  );
}

/** The desk's forms for the side steps it may take now. */
export function DeskSideSteps({ ctx, d, steps, base }: { ctx: PageContext; d: DossierRow; steps: readonly SideStep[]; base: string }) {
  const { t } = ctx;
  return (
    <>
      {steps.includes('set_fee') ? (
        <Form ctx={ctx} action={`${base}/${d.id}/phi`} label={t('services.step.set_fee')}>
          <fieldset>
            <legend>{t('services.step.set_fee')}</legend>
            <TextInput ctx={ctx} name="amount" label={t('services.fee_amount')} type="number" inputmode="numeric" value={d.fee_amount === null ? '' : String(d.fee_amount)} />
            <label class="checkbox">
              <input type="checkbox" name="exempt" value="yes" checked={d.payment_status === 'exempt'} /> {t('services.fee_exempt')}
            </label>
            <TextArea ctx={ctx} name="note" label={t('services.note')} rows={2} />
            <Button kind="secondary">{t('services.action.set_fee')}</Button>
          </fieldset>
        </Form>
      ) : null}
      {steps.includes('confirm_payment') ? (
        <Form ctx={ctx} action={`${base}/${d.id}/thu-phi`} label={t('services.step.confirm_payment')}>
          <fieldset>
            <legend>{t('services.step.confirm_payment')}</legend>
            <SelectInput
              ctx={ctx}
              name="method"
              label={t('services.payment.method')}
              options={[
                { value: 'transfer', label: t('services.payment.transfer') },
                { value: 'cash', label: t('services.payment.cash') },
              ]}
              required
            />
            <Button>{t('services.action.confirm_payment')}</Button>
          </fieldset>
        </Form>
      ) : null}
      {steps.includes('apology') ? (
        <Form ctx={ctx} action={`${base}/${d.id}/xin-loi`} label={t('services.step.apology')}>
          <fieldset>
            <legend>{t('services.step.apology')}</legend>
            <TextArea ctx={ctx} name="note" label={t('services.apology.reason')} required rows={3} />
            <TextInput ctx={ctx} name="new_date" label={t('services.apology.new_date')} type="date" required />
            <Button kind="secondary">{t('services.action.apology')}</Button>
          </fieldset>
        </Form>
      ) : null}
      {steps.includes('rate') ? <RatingBlock ctx={ctx} d={d} action={`${base}/${d.id}/danh-gia`} /> : null}
    </>
  );
}

/** Fees (VietQR), form 04 and the rating: the routes beside the workflow's. */
export function registerSideStepRoutes(app: FastifyInstance, ctx: AppContext, DESK_BASE: string) {
  const repo = servicesRepository(ctx.database);
  const units = unitRepository(ctx.database);
  const id = (request: FastifyRequest) => (request.params as { id: string }).id;
  const back = (reply: FastifyReply, to: string, flash: MessageKey) => {
    setFlash(reply, flash);
    return reply.redirect(to, 303);
  };

  // The VietQR code of the fee due (the applicant and the officials of the dossier).
  app.get('/ho-so/:id/vietqr.svg', async (request, reply) => {
    if (!signedIn(request, reply)) return reply;
    const { d } = await dossierForActor(ctx, request.access, id(request));
    const payload = feeDue(d) ? await vietQrPayload(await repo.agency(d.unit_id), d) : null;
    if (!payload) throw notFound();
    const { qrSvg } = await import('../../platform/pdf/document.ts');
    return reply.type('image/svg+xml').header('cache-control', 'private, no-store').send(await qrSvg(payload));
  });

  // Form 04 as a PDF.
  app.get('/ho-so/:id/mau-04.pdf', async (request, reply) => {
    if (!signedIn(request, reply)) return reply;
    const { d } = await dossierForActor(ctx, request.access, id(request));
    if (!d.apology_at) throw notFound();
    const [unit, events] = await Promise.all([units.byId(d.unit_id), repo.events(d.id)]);
    const { apologyPdf } = await import('./receipt.ts');
    const pdf = await apologyPdf({ dossier: d, communeName: unit?.name ?? '', signerName: [...events].reverse().find((e) => e.action === 'apology')?.actor_label ?? null });
    return reply.type('application/pdf').header('content-disposition', `inline; filename="mau-04-${d.code ?? d.id}.pdf"`).header('cache-control', 'private, no-store').send(pdf);
  });

  app.post(`${DESK_BASE}/:id/phi`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const body = parseOrThrow(request, z.object({ amount: z.string().max(12).optional(), exempt: z.string().optional(), note: z.string().max(1000).optional() }), { labels: { amount: 'services.fee_amount' } });
    const exempt = body.exempt === 'yes';
    const amount = body.amount?.trim() ? Number(body.amount.trim()) : exempt ? 0 : NaN;
    await setFee(ctx, request.access, request.auditContext, id(request), { amount, exempt, note: body.note });
    return back(reply, `${DESK_BASE}/${id(request)}`, 'services.flash.fee_set');
  });

  app.post(`${DESK_BASE}/:id/thu-phi`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const body = parseOrThrow(request, z.object({ method: z.enum(['transfer', 'cash']) }), { labels: { method: 'services.payment.method' } });
    await confirmPayment(ctx, request.access, request.auditContext, id(request), body.method);
    return back(reply, `${DESK_BASE}/${id(request)}`, 'services.flash.paid');
  });

  app.post(`${DESK_BASE}/:id/xin-loi`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const body = parseOrThrow(request, z.object({ note: z.string().max(2000).default(''), new_date: z.string().max(10).default('') }), { labels: { note: 'services.apology.reason', new_date: 'services.apology.new_date' } });
    await issueApology(ctx, request.access, request.auditContext, id(request), { reason: body.note, newDate: body.new_date });
    return back(reply, `${DESK_BASE}/${id(request)}`, 'services.flash.apology');
  });

  for (const [path, kind] of [
    [`${DESK_BASE}/:id/danh-gia`, 'official'],
    ['/ho-so/:id/danh-gia', 'citizen'],
  ] as const) {
    app.post(path, async (request, reply) => {
      if (!signedIn(request, reply, kind)) return reply;
      const body = parseOrThrow(request, z.object({ rating: z.string().max(2).default(''), comment: z.string().max(1000).optional() }), { labels: { comment: 'services.rating.comment' } });
      await rateDossier(ctx, request.access, request.auditContext, id(request), { rating: Number(body.rating), comment: body.comment });
      return back(reply, kind === 'official' ? `${DESK_BASE}/${id(request)}` : `/ho-so/${id(request)}`, 'services.flash.rated');
    });
  }
}
