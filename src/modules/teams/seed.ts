import crypto from 'node:crypto';
import type { AppContext } from '../../platform/context.ts';
import { systemContext, writeAudit } from '../../platform/audit/audit.ts';
import { foldVietnamese } from '../../platform/search.ts';
import type { MemberRole } from './commands.ts';
import { INDICATORS, takeSnapshots } from './indicators.ts';
import { localToday } from '../../platform/i18n/index.ts';
import { seedCommittees } from './committee-seed.ts';

const PILOTS = ['u-25201', 'u-25202', 'u-25203', 'u-25204'];
const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Vũ', 'Đỗ', 'Bùi', 'Đặng', 'Ngô', 'Dương', 'Lưu'];
const MIDDLE_M = ['Văn', 'Đức', 'Quang', 'Minh', 'Hữu'];
const MIDDLE_F = ['Thị', 'Thu', 'Ngọc', 'Thanh', 'Phương'];
const GIVEN_M = ['An', 'Bình', 'Cường', 'Dũng', 'Hải', 'Hùng', 'Khoa', 'Long', 'Nam', 'Phong', 'Quân', 'Sơn', 'Thắng', 'Tuấn', 'Việt'];
const GIVEN_F = ['Anh', 'Châu', 'Dung', 'Hà', 'Hạnh', 'Hoa', 'Hương', 'Lan', 'Linh', 'Mai', 'Nga', 'Oanh', 'Thảo', 'Trang', 'Yến'];
const TEAM_ROLES: MemberRole[] = ['youth_union', 'women_union', 'police', 'teacher', 'telecom'];

/** A small deterministic generator, so every demo installation shows the same villages. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Demo mode: a team in every village of the pilot communes (established by an illustrative decision of
 * 2022, led by the village head, four or five members, some who left), a year of support sessions and
 * about forty households per village with plausible digital-citizen facts. All names are invented. Runs once.
 */
export async function seedTeams(ctx: AppContext, opts: { demo: boolean }) {
  if (!opts.demo) return;
  await seedCommittees(ctx);
  const { db } = ctx.database;
  if (await db.selectFrom('cdt_team').select('id').limit(1).executeTakeFirst()) return;
  const villages = await db.selectFrom('unit').select(['id', 'name', 'parent_id']).where('parent_id', 'in', PILOTS).where('level', '=', 'village').where('valid_to', 'is', null).orderBy('id').execute();
  if (!villages.length) return;
  const rnd = random(20221015);
  const pick = <T,>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const person = (female: boolean) => `${pick(FAMILY)} ${pick(female ? MIDDLE_F : MIDDLE_M)} ${pick(female ? GIVEN_F : GIVEN_M)}`;
  const phone = () => `09${String(Math.floor(rnd() * 1e8)).padStart(8, '0')}`;
  const at = new Date().toISOString();
  const year = new Date().getUTCFullYear();
  let households = 0;
  await db.transaction().execute(async (trx) => {
    for (const [vi, v] of villages.entries()) {
      const teamId = crypto.randomUUID();
      await trx
        .insertInto('cdt_team')
        .values({
          id: teamId,
          unit_id: v.id,
          origin_unit_id: v.id,
          decision_number: `${120 + vi}/QĐ-UBND`,
          decision_date: '2022-10-15',
          decision_file_id: null,
          zalo_link: `https://zalo.me/g/demo${v.id.replace(/\W/g, '')}`,
          created_at: at,
          updated_at: at,
        })
        .execute();
      const members: { full_name: string; role: MemberRole; joined_on: string; left_on: string | null }[] = [{ full_name: person(rnd() < 0.3), role: 'village_head', joined_on: '2022-10-15', left_on: null }];
      for (const role of TEAM_ROLES) if (rnd() < 0.85) members.push({ full_name: person(role === 'women_union' || rnd() < 0.4), role, joined_on: '2022-10-15', left_on: null });
      if (rnd() < 0.4) members.push({ full_name: person(false), role: 'youth_union', joined_on: '2022-10-15', left_on: '2024-03-31' });
      for (const m of members) {
        await trx
          .insertInto('cdt_member')
          .values({ id: crypto.randomUUID(), team_id: teamId, phone: phone(), created_at: at, ...m })
          .execute();
      }
      // A year of support sessions: two to four a month.
      const topics = ['vneid', 'public_service_account', 'cashless_payment', 'smartphone', 'online_dossier', 'ecommerce', 'safe_internet', 'meeting'] as const;
      const activities = [];
      for (let m = 0; m < 12; m++) {
        const month = new Date(Date.UTC(year, new Date().getUTCMonth() - m, 1));
        for (let k = 0, n = 2 + Math.floor(rnd() * 3); k < n; k++) {
          const day = 1 + Math.floor(rnd() * 27);
          const date = `${month.toISOString().slice(0, 8)}${String(day).padStart(2, '0')}`;
          if (date > at.slice(0, 10)) continue;
          const topic = pick(topics);
          activities.push({
            id: crypto.randomUUID(),
            unit_id: v.id,
            origin_unit_id: v.id,
            date,
            topic,
            people_helped: topic === 'meeting' ? 15 + Math.floor(rnd() * 40) : 1 + Math.floor(rnd() * 8),
            households_touched: 0,
            notes: null,
            photo_file_id: null,
            recorded_by: null,
            recorded_by_label: members[0]!.full_name,
            created_at: at,
          });
        }
      }
      if (activities.length) await trx.insertInto('cdt_activity').values(activities).execute();
      // Each village has its own pace: a base rate of adoption between 45 % and 90 %.
      const pace = 0.45 + rnd() * 0.45;
      const count = 30 + Math.floor(rnd() * 20);
      for (let h = 0; h < count; h++) {
        const id = crypto.randomUUID();
        const head = person(rnd() < 0.25);
        const address = `Xóm ${1 + Math.floor(rnd() * 5)}, ${v.name}`;
        const yesIf = (p: number) => (rnd() < p ? 1 : 0);
        await trx
          .insertInto('cdt_household')
          .values({
            id,
            unit_id: v.id,
            origin_unit_id: v.id,
            head_name: head,
            address,
            fibre: yesIf(pace + 0.05),
            digital_address: yesIf(pace - 0.2),
            pays_utilities_online: yesIf(pace - 0.15),
            search_text: foldVietnamese(`${head} ${address}`),
            created_at: at,
            updated_at: at,
          })
          .execute();
        const size = 1 + Math.floor(rnd() * 5);
        for (let r = 0; r < size; r++) {
          const birth = r === 0 ? year - 30 - Math.floor(rnd() * 40) : year - Math.floor(rnd() * 75);
          const adult = year - birth >= 18;
          await trx
            .insertInto('cdt_resident')
            .values({
              id: crypto.randomUUID(),
              household_id: id,
              full_name: r === 0 ? head : person(rnd() < 0.5),
              birth_year: birth,
              smartphone: adult ? yesIf(pace + 0.1) : yesIf(0.3),
              vneid_level2: adult ? yesIf(pace) : 0,
              online_services_account: adult ? yesIf(pace - 0.25) : 0,
              payment_account: year - birth >= 15 ? yesIf(pace - 0.1) : 0,
              zalo_group: adult ? yesIf(pace - 0.05) : 0,
              updated_at: at,
            })
            .execute();
        }
        households++;
      }
    }
    await writeAudit(ctx.database, trx, systemContext('seed'), { action: 'seed.teams', entity: 'cdt_team', detail: { teams: villages.length, households } });
  });
  await seedIndicators(ctx, rnd);
}

/** Demo trends: this month computed from the records, the eleven before it a little lower; targets and entered values per pilot commune. */
async function seedIndicators(ctx: AppContext, rnd: () => number) {
  const { db } = ctx.database;
  const month = localToday().slice(0, 7);
  await takeSnapshots(ctx, month);
  const current = await db.selectFrom('cdt_snapshot').selectAll().where('month', '=', month).execute();
  const at = new Date().toISOString();
  const past: typeof current = [];
  for (let k = 1; k < 12; k++) {
    const d = new Date(`${month}-01T00:00:00Z`);
    d.setUTCMonth(d.getUTCMonth() - k);
    const m = d.toISOString().slice(0, 7);
    for (const c of current) past.push({ ...c, month: m, numerator: Math.max(0, Math.round(c.numerator * (1 - 0.03 * k))), source_date: `${m}-28`, recorded_at: at });
  }
  const year = Number(month.slice(0, 4));
  const targets = { smartphone: 85, fibre: 80, vneid_level2: 80, payment_account: 75, utilities_online: 60, online_services: 70, digital_address: 70, ecommerce_products: 100, officials_trained: 100, officials_equipped: 100 } as const;
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < past.length; i += 400) await trx.insertInto('cdt_snapshot').values(past.slice(i, i + 400)).execute();
    for (const commune of PILOTS) {
      for (const spec of INDICATORS) await trx.insertInto('cdt_target').values({ unit_id: commune, indicator: spec.code, year, target: targets[spec.code as keyof typeof targets] ?? 80, updated_at: at }).execute();
      const officials = 20 + Math.floor(rnd() * 6);
      const products = 8 + Math.floor(rnd() * 10);
      const entered = [
        { indicator: 'officials_trained', numerator: officials - Math.floor(rnd() * 3), denominator: officials, source: 'Văn phòng UBND xã (minh họa)' },
        { indicator: 'officials_equipped', numerator: officials - Math.floor(rnd() * 4), denominator: officials, source: 'Văn phòng UBND xã (minh họa)' },
        { indicator: 'ecommerce_products', numerator: Math.floor(products * (0.5 + rnd() * 0.5)), denominator: products, source: 'Hợp tác xã và hộ sản xuất (minh họa)' },
      ];
      for (const e of entered) await trx.insertInto('cdt_snapshot').values({ unit_id: commune, month, source_date: localToday(), recorded_at: at, ...e }).execute();
    }
  });
}
