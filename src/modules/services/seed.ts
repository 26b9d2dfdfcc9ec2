import crypto from 'node:crypto';
import type { AppContext } from '../../platform/context.ts';
import { writeAudit, systemContext } from '../../platform/audit/audit.ts';
import { procedureColumns } from './commands.ts';
import { stripDiacritics } from '../../platform/search.ts';
import { computeFee, procedureSchema } from './schemas.ts';
import { DEFAULT_PROCEDURES } from './data/procedures.ts';
import { WorkCalendar, localTime } from './calendar.ts';
import { nextSequence } from './repository.ts';
import { DEMO_GIVEN as GIVEN, DEMO_SURNAMES as SURNAMES, demoFormValues } from './demo-values.ts';
import { ACTIONS, NATIONAL_STATUS, type DossierAction, type DossierState } from './workflow.ts';

/**
 * Reference data at every start (idempotent, never overwriting an edit): the default catalogue for
 * each current province, and an agency identifier for each current commune lacking one. The derived
 * identifier `000.00.<province>.X<commune>` is a placeholder until the province enters the real one.
 * In demo mode also a few months of dossiers for the pilot communes.
 */
export async function seedServices(ctx: AppContext, opts: { demo: boolean }) {
  const { db } = ctx.database;
  const provinces = await db.selectFrom('unit').select(['id', 'code']).where('level', '=', 'province').where('valid_to', 'is', null).execute();
  const at = new Date().toISOString();
  for (const province of provinces) {
    const have = new Set((await db.selectFrom('svc_procedure').select('code').where('province_id', '=', province.id).execute()).map((r) => r.code));
    const missing = DEFAULT_PROCEDURES.map((p) => procedureSchema.parse(p)).filter((p) => !have.has(p.code));
    const communes = await db
      .selectFrom('unit')
      .leftJoin('svc_agency', 'svc_agency.unit_id', 'unit.id')
      .select(['unit.id', 'unit.code'])
      .where('unit.parent_id', '=', province.id)
      .where('unit.level', '=', 'commune')
      .where('unit.valid_to', 'is', null)
      .where('svc_agency.unit_id', 'is', null)
      .execute();
    if (!missing.length && !communes.length) continue;
    await db.transaction().execute(async (trx) => {
      for (const p of missing) {
        await trx
          .insertInto('svc_procedure')
          .values({ id: crypto.randomUUID(), province_id: province.id, code: p.code, ...procedureColumns(p, at) })
          .execute();
      }
      for (const c of communes) await trx.insertInto('svc_agency').values({ unit_id: c.id, agency_code: `000.00.${province.code}.X${c.code}` }).execute();
      await writeAudit(ctx.database, trx, systemContext('seed'), {
        action: 'seed.services',
        entity: 'svc_procedure',
        unitId: province.id,
        detail: { procedures: missing.length, agencies: communes.length },
      });
    });
  }
  if (opts.demo) {
    await seedDemoFeeAccounts(ctx);
    await seedDemoDossiers(ctx);
  }
}

/**
 * Demo only: a fictional fee account for each pilot commune (VietinBank's BIN, a made-up number), so
 * the VietQR payment can be tried. A real installation enters its own on the administration page.
 */
async function seedDemoFeeAccounts(ctx: AppContext) {
  const { db } = ctx.database;
  const pilots = await db.selectFrom('svc_agency').innerJoin('unit', 'unit.id', 'svc_agency.unit_id').select(['unit.id', 'unit.code', 'unit.name']).where('unit.id', 'in', PILOTS).where('svc_agency.bank_account', 'is', null).execute();
  for (const u of pilots) {
    await db
      .updateTable('svc_agency')
      .set({ bank_bin: '970415', bank_account: `11360000${u.code}`, bank_account_name: `UBND ${stripDiacritics(u.name).toUpperCase()}` })
      .where('unit_id', '=', u.id)
      .execute();
  }
}

const PILOTS = ['u-25201', 'u-25202', 'u-25203', 'u-25204'];

/** A small deterministic generator, so every demo start builds the same spread. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** An instant moved into office hours (a late step happens at 08:00 the next morning). */
function officeTime(t: number): number {
  const { minutes } = localTime(new Date(t));
  if (minutes >= 7 * 60 && minutes < 17 * 60) return t;
  const shift = minutes >= 17 * 60 ? 24 * 60 - minutes + 8 * 60 : 8 * 60 - minutes;
  return t + shift * 60_000;
}

/** The path a demo dossier takes from reception, and where it stops. */
const PATHS: DossierAction[][] = [
  ['receive', 'assign', 'submit_for_approval', 'approve', 'return_result'],
  ['receive', 'assign', 'submit_for_approval', 'approve'],
  ['receive', 'assign', 'submit_for_approval'],
  ['receive', 'assign'],
  ['receive'],
  ['receive', 'request_supplement'],
  ['refuse'],
  [],
];

/**
 * About 90 days of dossiers for each pilot commune, filed online and at the counter, in every stage,
 * some late — so lists and statistics mean something on first start. Only when the commune has none.
 */
async function seedDemoDossiers(ctx: AppContext) {
  const { db } = ctx.database;
  const calendar = new WorkCalendar();
  const procedures = await db.selectFrom('svc_procedure').select(['id', 'code', 'name', 'data']).where('province_id', '=', 'u-25').execute();
  if (!procedures.length) return;
  for (const [i, unitId] of PILOTS.entries()) {
    const unit = await db.selectFrom('unit').select(['id', 'name']).where('id', '=', unitId).executeTakeFirst();
    if (!unit) continue;
    const unitName = unit.name.replace(/^Xã/, 'xã');
    const has = await db.selectFrom('svc_dossier').select('id').where('unit_id', '=', unitId).limit(1).executeTakeFirst();
    if (has) continue;
    const agency = (await db.selectFrom('svc_agency').select('agency_code').where('unit_id', '=', unitId).executeTakeFirst())?.agency_code;
    if (!agency) continue;
    const staff = await db
      .selectFrom('auth_role_grant as g')
      .innerJoin('auth_account as a', 'a.id', 'g.account_id')
      .select(['a.id', 'a.display_name', 'g.role'])
      .where('g.unit_id', '=', unitId)
      .where('g.role', 'in', ['commune_official', 'commune_leader'])
      .execute();
    const official = staff.find((s) => s.role === 'commune_official') ?? staff[0];
    const leader = staff.find((s) => s.role === 'commune_leader') ?? official;
    const random = rng(20260701 + i);
    const count = unitId === 'u-25201' ? 120 : 40;
    const now = Date.now();
    await db.transaction().execute(async (trx) => {
      for (let n = 0; n < count; n++) {
        const proc = procedures[Math.floor(random() * procedures.length)]!;
        const p = procedureSchema.parse(JSON.parse(proc.data));
        const online = p.channels.some((c) => c.channel === 'online') && random() < 0.55;
        const channel = online ? 'online' : 'in_person';
        const ch = p.channels.find((c) => c.channel === channel) ?? p.channels[0]!;
        // Office hours on a working day within the last ~90 days.
        let submitted = new Date(now - Math.floor(random() * 90) * 86400_000);
        while (!calendar.isWorkingDay(localTime(submitted).date)) submitted = new Date(submitted.getTime() - 86400_000);
        submitted = new Date(`${localTime(submitted).date}T${String(7 + Math.floor(random() * 9)).padStart(2, '0')}:${String(Math.floor(random() * 60)).padStart(2, '0')}:00+07:00`);
        const ageDays = (now - submitted.getTime()) / 86400_000;
        // Older dossiers are mostly finished; recent ones are still in the pipeline.
        const path = ageDays > 20 ? PATHS[random() < 0.85 ? 0 : Math.floor(random() * PATHS.length)]! : PATHS[Math.floor(random() * PATHS.length)]!;
        const id = crypto.randomUUID();
        const day = localTime(submitted).date.replaceAll('-', '').slice(2);
        const code = `${agency}-${day}-${String(await nextSequence(trx, agency, day)).padStart(4, '0')}`;
        const name = `${SURNAMES[Math.floor(random() * SURNAMES.length)]} ${GIVEN[Math.floor(random() * GIVEN.length)]}`;
        const idNumber = `0250${String(Math.floor(random() * 1e8)).padStart(8, '0')}`;
        const phone = `09${String(Math.floor(random() * 1e8)).padStart(8, '0')}`;
        const address = `Thôn ${1 + Math.floor(random() * 9)}, ${unitName}, tỉnh Phú Thọ`;
        let state: DossierState = online ? 'new' : 'received';
        const events: { at: Date; action: string; from: string | null; to: DossierState; actor: typeof official; note?: string }[] = [
          { at: submitted, action: online ? 'submit' : 'receive', from: null, to: state, actor: online ? undefined : official },
        ];
        let t = submitted.getTime();
        let receivedAt = online ? null : submitted;
        let due = online ? null : calendar.dueDate(submitted, ch.days, p.cutoff1500);
        let finished: Date | null = null;
        let returned: Date | null = null;
        for (const action of online ? path : path.filter((a) => a !== 'receive')) {
          // Each step a few hours to a few days later; a tenth of dossiers run late.
          t += (random() < 0.1 ? 3 + random() * 6 : random() * Math.max(1, ch.days)) * 86400_000 * 0.8 + 3600_000;
          t = officeTime(t);
          if (t > now) break;
          const rule = ACTIONS[action];
          const to = (rule.to === 'resume' ? 'received' : rule.to) as DossierState;
          const actor = action === 'approve' ? leader : official;
          const note = action === 'refuse' ? 'Hồ sơ không thuộc thẩm quyền giải quyết của xã.' : action === 'request_supplement' ? 'Bổ sung bản sao giấy tờ tùy thân còn hiệu lực.' : undefined;
          events.push({ at: new Date(t), action, from: state, to, actor, ...(note ? { note } : {}) });
          state = to;
          if (action === 'receive') {
            receivedAt = new Date(t);
            due = calendar.dueDate(receivedAt, ch.days, p.cutoff1500);
          }
          if (to === 'done' || to === 'refused') finished = new Date(t);
          if (to === 'returned') returned = new Date(t);
        }
        const iso = (d: Date | null) => (d ? d.toISOString() : null);
        // Fees: paid when the result is out (by VietQR transfer mostly when filed online); ratings from
        // most of those who received a result.
        const fee = computeFee(ch.fee, {});
        const paid = !!fee && fee > 0 && (state === 'returned' || (state === 'done' && random() < 0.5));
        const rating = state === 'returned' && random() < 0.7 ? [4, 4, 4, 3, 3, 3, 2, 1][Math.floor(random() * 8)]! : null;
        await trx
          .insertInto('svc_dossier')
          .values({
            id,
            code,
            procedure_id: proc.id,
            procedure_code: proc.code,
            procedure_name: proc.name,
            unit_id: unitId,
            origin_unit_id: unitId,
            receiving_unit_id: unitId,
            channel,
            state,
            national_status: NATIONAL_STATUS[state],
            applicant_name: name,
            applicant_id_number: idNumber,
            applicant_phone: phone,
            applicant_email: null,
            citizen_id: null,
            // Its own generator, so the form's details leave the spread of dossiers as it was.
            form_data: JSON.stringify(demoFormValues(p.form, { name, idNumber, address, phone }, submitted, rng(20260901 + i * 1000 + n))),
            days: ch.days,
            cutoff_1500: p.cutoff1500 ? 1 : 0,
            fee_amount: fee,
            payment_status: fee === null ? null : fee > 0 ? (paid ? 'paid' : 'unpaid') : 'none',
            paid_at: paid ? iso(returned ?? finished) : null,
            payment_method: paid ? (random() < (online ? 0.7 : 0.2) ? 'transfer' : 'cash') : null,
            rating,
            rated_at: rating ? iso(returned) : null,
            submitted_at: submitted.toISOString(),
            received_at: iso(receivedAt),
            due_date: due,
            paused_at: state === 'supplement_requested' ? iso(events.at(-1)!.at) : null,
            paused_from: state === 'supplement_requested' ? 'received' : null,
            supplement_requests: events.some((e) => e.action === 'request_supplement') ? 1 : 0,
            assignee_id: events.some((e) => e.action === 'assign') ? (official?.id ?? null) : null,
            finished_at: iso(finished),
            returned_at: iso(returned),
            idempotency_key: null,
            created_by: official?.id ?? null,
            created_at: submitted.toISOString(),
            updated_at: events.at(-1)!.at.toISOString(),
          })
          .execute();
        for (const e of events) {
          await trx
            .insertInto('svc_dossier_event')
            .values({
              dossier_id: id,
              at: e.at.toISOString(),
              actor_id: e.actor?.id ?? null,
              actor_label: e.actor?.display_name ?? name,
              action: e.action,
              from_state: e.from,
              to_state: e.to,
              note: e.note ?? null,
              form: e.action === 'refuse' ? '03' : e.action === 'request_supplement' ? '02' : e.action === 'receive' ? '01' : null,
            })
            .execute();
        }
      }
      await writeAudit(ctx.database, trx, systemContext('seed'), { action: 'seed.services.demo_dossiers', entity: 'svc_dossier', unitId, detail: { count } });
    });
  }
}
