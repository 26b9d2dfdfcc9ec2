import type { Database } from '../../platform/db/connect.ts';
import { likePattern } from '../../platform/search.ts';
import './schema.ts';

export const HOUSEHOLDS_PAGE = 50;

/** Adults for the indicators: aged 18 or more in the current year (by year of birth). */
export const ADULT_AGE = 18;
/** The payment-account indicator counts people aged 15 or more (DOMAIN.md §5). */
export const PAYMENT_AGE = 15;

export interface VillageFigures {
  unitId: string;
  households: number;
  fibre: number;
  digitalAddress: number;
  paysOnline: number;
  adults: number;
  smartphone: number;
  vneid: number;
  onlineServices: number;
  paymentAccount: number;
  zaloGroup: number;
  /** People aged 15 or more, and those of them with a payment account (the national indicator's base). */
  aged15: number;
  payment15: number;
}

export function teamsRepository(database: Database) {
  const { db } = database;
  return {
    teamOf(unitId: string) {
      return db.selectFrom('cdt_team').selectAll().where('unit_id', '=', unitId).executeTakeFirst();
    },

    /** Members, serving first (by role order set by the caller), then those who left. */
    members(teamId: string) {
      return db.selectFrom('cdt_member').selectAll().where('team_id', '=', teamId).orderBy('left_on', 'desc').orderBy('joined_on').execute();
    },

    /** Per village of the list: the team (if any), its serving members and the households recorded. */
    async villagesOverview(villageIds: readonly string[]) {
      if (villageIds.length === 0) return [];
      return db
        .selectFrom('unit')
        .leftJoin('cdt_team', 'cdt_team.unit_id', 'unit.id')
        .select((eb) => [
          'unit.id',
          'unit.name',
          'unit.parent_id',
          'cdt_team.id as team_id',
          'cdt_team.decision_number',
          'cdt_team.decision_date',
          eb.selectFrom('cdt_member').select((e) => e.fn.countAll<number>().as('n')).whereRef('cdt_member.team_id', '=', 'cdt_team.id').where('cdt_member.left_on', 'is', null).as('members'),
          eb.selectFrom('cdt_household').select((e) => e.fn.countAll<number>().as('n')).whereRef('cdt_household.unit_id', '=', 'unit.id').as('households'),
        ])
        .where('unit.id', 'in', villageIds)
        .where('unit.level', '=', 'village')
        .where('unit.valid_to', 'is', null)
        .orderBy('unit.parent_id')
        .orderBy('unit.name')
        .execute();
    },

    household(id: string) {
      return db.selectFrom('cdt_household').selectAll().where('id', '=', id).executeTakeFirst();
    },

    residents(householdId: string) {
      return db.selectFrom('cdt_resident').selectAll().where('household_id', '=', householdId).orderBy('birth_year').orderBy('full_name').execute();
    },

    /** A village's households, searched without diacritics on the head's name and the address. */
    households(unitId: string, opts: { q?: string; offset?: number; limit?: number }) {
      let q = db
        .selectFrom('cdt_household')
        .select((eb) => [
          'cdt_household.id',
          'cdt_household.head_name',
          'cdt_household.address',
          'cdt_household.fibre',
          'cdt_household.digital_address',
          'cdt_household.pays_utilities_online',
          eb.selectFrom('cdt_resident').select((e) => e.fn.countAll<number>().as('n')).whereRef('cdt_resident.household_id', '=', 'cdt_household.id').as('residents'),
        ])
        .where('unit_id', '=', unitId);
      const pattern = opts.q ? likePattern(opts.q) : null;
      if (pattern) q = q.where('search_text', 'like', pattern);
      return q
        .orderBy('head_name')
        .orderBy('id')
        .limit(opts.limit ?? HOUSEHOLDS_PAGE)
        .offset(opts.offset ?? 0)
        .execute();
    },

    /** The digital-citizen figures of each village from its household records (counts, not shares). */
    async villageFigures(unitIds: readonly string[], year = new Date().getUTCFullYear()): Promise<VillageFigures[]> {
      if (unitIds.length === 0) return [];
      const adultBorn = year - ADULT_AGE;
      const households = await db
        .selectFrom('cdt_household')
        .select((eb) => [
          'unit_id',
          eb.fn.countAll<number>().as('households'),
          eb.fn.sum<number>('fibre').as('fibre'),
          eb.fn.sum<number>('digital_address').as('digital_address'),
          eb.fn.sum<number>('pays_utilities_online').as('pays_online'),
        ])
        .where('unit_id', 'in', unitIds)
        .groupBy('unit_id')
        .execute();
      const residents = await db
        .selectFrom('cdt_resident')
        .innerJoin('cdt_household', 'cdt_household.id', 'cdt_resident.household_id')
        .select((eb) => [
          'cdt_household.unit_id',
          eb.fn.countAll<number>().as('adults'),
          eb.fn.sum<number>('cdt_resident.smartphone').as('smartphone'),
          eb.fn.sum<number>('cdt_resident.vneid_level2').as('vneid'),
          eb.fn.sum<number>('cdt_resident.online_services_account').as('online_services'),
          eb.fn.sum<number>('cdt_resident.payment_account').as('payment_account'),
          eb.fn.sum<number>('cdt_resident.zalo_group').as('zalo_group'),
        ])
        .where('cdt_household.unit_id', 'in', unitIds)
        .where('cdt_resident.birth_year', '<=', adultBorn)
        .groupBy('cdt_household.unit_id')
        .execute();
      const fifteen = await db
        .selectFrom('cdt_resident')
        .innerJoin('cdt_household', 'cdt_household.id', 'cdt_resident.household_id')
        .select((eb) => ['cdt_household.unit_id', eb.fn.countAll<number>().as('people'), eb.fn.sum<number>('cdt_resident.payment_account').as('payment')])
        .where('cdt_household.unit_id', 'in', unitIds)
        .where('cdt_resident.birth_year', '<=', year - PAYMENT_AGE)
        .groupBy('cdt_household.unit_id')
        .execute();
      const byUnit = new Map(residents.map((r) => [r.unit_id, r]));
      const byUnit15 = new Map(fifteen.map((r) => [r.unit_id, r]));
      return households.map((h) => {
        const r = byUnit.get(h.unit_id);
        return {
          unitId: h.unit_id,
          households: Number(h.households),
          fibre: Number(h.fibre ?? 0),
          digitalAddress: Number(h.digital_address ?? 0),
          paysOnline: Number(h.pays_online ?? 0),
          adults: Number(r?.adults ?? 0),
          smartphone: Number(r?.smartphone ?? 0),
          vneid: Number(r?.vneid ?? 0),
          onlineServices: Number(r?.online_services ?? 0),
          paymentAccount: Number(r?.payment_account ?? 0),
          zaloGroup: Number(r?.zalo_group ?? 0),
          aged15: Number(byUnit15.get(h.unit_id)?.people ?? 0),
          payment15: Number(byUnit15.get(h.unit_id)?.payment ?? 0),
        };
      });
    },
  };
}
