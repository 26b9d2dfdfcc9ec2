import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import type { Access } from '../../platform/auth/access.ts';
import { writeAudit, systemContext, type AuditContext } from '../../platform/audit/audit.ts';
import { fieldProblem, notFound } from '../../platform/errors.ts';
import { localToday, type MessageKey } from '../../platform/i18n/index.ts';
import { unitRepository } from '../../platform/units/repository.ts';
import { descendantUnits } from '../../platform/auth/access.ts';
import { notFuture } from './commands.ts';
import { teamsRepository, type VillageFigures } from './repository.ts';

/**
 * The digital-citizen indicators (DOMAIN.md §5) as data: what is counted over what, and where the
 * value comes from. `fromRecords` computes a village's numerator and denominator from its household
 * records; the others are entered per commune with their source (police statistics, telecom, the
 * commune's own lists). Targets are yearly percentages per commune.
 */
export interface IndicatorSpec {
  code: string;
  label: MessageKey;
  numerator: MessageKey;
  denominator: MessageKey;
  /** How the value is read: a share of the denominator. */
  unit: 'percent';
  period: 'month';
  source: MessageKey;
  fromRecords?: (f: VillageFigures) => [number, number];
}

export const INDICATORS: readonly IndicatorSpec[] = [
  { code: 'smartphone', label: 'teams.ind.smartphone', numerator: 'teams.ind.n.smartphone', denominator: 'teams.ind.d.adults', unit: 'percent', period: 'month', source: 'teams.ind.src.records', fromRecords: (f) => [f.smartphone, f.adults] },
  { code: 'fibre', label: 'teams.ind.fibre', numerator: 'teams.ind.n.fibre', denominator: 'teams.ind.d.households', unit: 'percent', period: 'month', source: 'teams.ind.src.records', fromRecords: (f) => [f.fibre, f.households] },
  { code: 'vneid_level2', label: 'teams.ind.vneid_level2', numerator: 'teams.ind.n.vneid_level2', denominator: 'teams.ind.d.adults', unit: 'percent', period: 'month', source: 'teams.ind.src.records', fromRecords: (f) => [f.vneid, f.adults] },
  { code: 'payment_account', label: 'teams.ind.payment_account', numerator: 'teams.ind.n.payment_account', denominator: 'teams.ind.d.aged15', unit: 'percent', period: 'month', source: 'teams.ind.src.records', fromRecords: (f) => [f.payment15, f.aged15] },
  { code: 'utilities_online', label: 'teams.ind.utilities_online', numerator: 'teams.ind.n.utilities_online', denominator: 'teams.ind.d.households', unit: 'percent', period: 'month', source: 'teams.ind.src.records', fromRecords: (f) => [f.paysOnline, f.households] },
  { code: 'online_services', label: 'teams.ind.online_services', numerator: 'teams.ind.n.online_services', denominator: 'teams.ind.d.adults', unit: 'percent', period: 'month', source: 'teams.ind.src.records', fromRecords: (f) => [f.onlineServices, f.adults] },
  { code: 'digital_address', label: 'teams.ind.digital_address', numerator: 'teams.ind.n.digital_address', denominator: 'teams.ind.d.households', unit: 'percent', period: 'month', source: 'teams.ind.src.records', fromRecords: (f) => [f.digitalAddress, f.households] },
  { code: 'ecommerce_products', label: 'teams.ind.ecommerce_products', numerator: 'teams.ind.n.ecommerce_products', denominator: 'teams.ind.d.products', unit: 'percent', period: 'month', source: 'teams.ind.src.entered' },
  { code: 'officials_trained', label: 'teams.ind.officials_trained', numerator: 'teams.ind.n.officials_trained', denominator: 'teams.ind.d.officials', unit: 'percent', period: 'month', source: 'teams.ind.src.entered' },
  { code: 'officials_equipped', label: 'teams.ind.officials_equipped', numerator: 'teams.ind.n.officials_equipped', denominator: 'teams.ind.d.officials', unit: 'percent', period: 'month', source: 'teams.ind.src.entered' },
];

export const indicatorByCode = (code: string) => INDICATORS.find((i) => i.code === code);
const thisMonth = () => localToday().slice(0, 7);

/**
 * Records this month's computed values for every current village, its commune and the province
 * (each the sum of the level below), and per commune the figures other modules contribute. Run daily
 * by the module's job: the month's row is replaced until the month ends, then it stays as the trend.
 */
export async function takeSnapshots(ctx: AppContext, month = thisMonth()) {
  const { db } = ctx.database;
  const current = await db.selectFrom('unit').select(['id', 'parent_id', 'level']).where('level', 'in', ['village', 'commune']).where('valid_to', 'is', null).execute();
  const villages = current.filter((u) => u.level === 'village');
  const communes = current.filter((u) => u.level === 'commune');
  const parentOf = new Map(current.map((u) => [u.id, u.parent_id]));
  const figures = await teamsRepository(ctx.database).villageFigures(villages.map((v) => v.id), Number(month.slice(0, 4)));
  const at = new Date().toISOString();
  type Row = { unit_id: string; indicator: string; numerator: number; denominator: number; source: string };
  const villageRows: Row[] = figures.flatMap((f) =>
    INDICATORS.filter((ind) => ind.fromRecords).map((ind) => {
      const [n, d] = ind.fromRecords!(f);
      return { unit_id: f.unitId, indicator: ind.code, numerator: n, denominator: d, source: 'records' };
    }),
  );
  // What other modules contribute, per commune (their live figure kept as the month's point of the trend).
  const contributed = ctx.modules.flatMap((m) => (m.indicators ?? []).map((ind) => ({ source: `module:${m.id}`, ind })));
  const moduleRows: Row[] = [];
  for (const c of contributed.length ? communes : []) {
    const subtree = await descendantUnits(ctx.database, [c.id]);
    for (const { source, ind } of contributed) {
      const v = await ind.compute(ctx, subtree);
      moduleRows.push({ unit_id: c.id, indicator: ind.code, numerator: v.numerator, denominator: v.denominator, source });
    }
  }
  // Each level is the sum of the one below: villages into communes, communes into provinces.
  const communeRows = [...rollUp(villageRows, parentOf), ...moduleRows];
  const all = [...villageRows, ...communeRows, ...rollUp(communeRows, parentOf)];
  await db.transaction().execute(async (trx) => {
    const codes = [...INDICATORS.filter((i) => i.fromRecords).map((i) => i.code), ...contributed.map((c) => c.ind.code)];
    await trx.deleteFrom('cdt_snapshot').where('month', '=', month).where('indicator', 'in', codes).execute();
    for (let i = 0; i < all.length; i += 400) {
      await trx
        .insertInto('cdt_snapshot')
        .values(all.slice(i, i + 400).map((r) => ({ ...r, month, source_date: localToday(), recorded_at: at })))
        .execute();
    }
    await writeAudit(ctx.database, trx, systemContext('teams.snapshots'), { action: 'teams.indicator.snapshot', entity: 'cdt_snapshot', detail: { month, rows: all.length } });
  });
  return all.length;
}

/** Sums rows into their units' parents, per indicator (and source). */
export function rollUp<R extends { unit_id: string; indicator: string; numerator: number; denominator: number; source: string }>(rows: readonly R[], parentOf: ReadonlyMap<string, string | null>) {
  const sums = new Map<string, { unit_id: string; indicator: string; numerator: number; denominator: number; source: string }>();
  for (const r of rows) {
    const parent = parentOf.get(r.unit_id);
    if (!parent) continue;
    const key = `${parent}|${r.indicator}`;
    const s = sums.get(key) ?? { unit_id: parent, indicator: r.indicator, numerator: 0, denominator: 0, source: r.source };
    s.numerator += r.numerator;
    s.denominator += r.denominator;
    sums.set(key, s);
  }
  return [...sums.values()];
}

export const enteredValueInput = z.object({
  indicator: z.string().max(40),
  numerator: z.coerce.number().int().min(0).max(10_000_000),
  denominator: z.coerce.number().int().min(0).max(10_000_000),
  source: z.string().trim().min(2).max(120),
  source_date: z.iso.date().refine(notFuture, { message: 'teams.error.future_date' }),
});

/** A commune's value of an indicator that does not come from the household records, with its source. */
export async function enterValue(ctx: AppContext, access: Access, audit: AuditContext, communeId: string, input: z.output<typeof enteredValueInput>) {
  const commune = await managedUnitFor(ctx, access, communeId);
  // Entered per commune; a province's value is the sum of its communes'.
  if (commune.level !== 'commune') throw notFound();
  const spec = indicatorByCode(input.indicator);
  if (!spec || spec.fromRecords) throw fieldProblem('bad_indicator', 400, 'indicator', 'teams.error.indicator');
  if (input.denominator === 0) throw fieldProblem('zero_denominator', 400, 'denominator', 'teams.error.zero_denominator');
  if (input.numerator > input.denominator) throw fieldProblem('over_100', 400, 'numerator', 'teams.error.over_100');
  const month = input.source_date.slice(0, 7);
  const values = { numerator: input.numerator, denominator: input.denominator, source: input.source, source_date: input.source_date, recorded_at: new Date().toISOString() };
  await ctx.database.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('cdt_snapshot')
      .values({ unit_id: commune.id, indicator: spec.code, month, ...values })
      .onConflict((oc) => oc.columns(['unit_id', 'indicator', 'month']).doUpdateSet(values))
      .execute();
    await writeAudit(ctx.database, trx, audit, { action: 'teams.indicator.enter', entity: 'cdt_snapshot', entityId: `${spec.code}:${month}`, unitId: commune.id, detail: { ...input } });
  });
}

export const targetInput = z.object({
  indicator: z.string().max(40),
  year: z.coerce.number().int().min(2020).max(2100),
  target: z.coerce.number().int().min(0).max(100),
});

export async function setTarget(ctx: AppContext, access: Access, audit: AuditContext, communeId: string, input: z.output<typeof targetInput>) {
  const commune = await managedUnitFor(ctx, access, communeId);
  if (!indicatorCodes(ctx).has(input.indicator)) throw fieldProblem('bad_indicator', 400, 'indicator', 'teams.error.indicator');
  const at = new Date().toISOString();
  await ctx.database.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('cdt_target')
      .values({ unit_id: commune.id, indicator: input.indicator, year: input.year, target: input.target, updated_at: at })
      .onConflict((oc) => oc.columns(['unit_id', 'indicator', 'year']).doUpdateSet({ target: input.target, updated_at: at }))
      .execute();
    await writeAudit(ctx.database, trx, audit, { action: 'teams.indicator.target', entity: 'cdt_target', entityId: `${input.indicator}:${input.year}`, unitId: commune.id, detail: { ...input } });
  });
}

/** A current commune or province the actor may enter values and set targets for, else 404. */
export async function managedUnitFor(ctx: AppContext, access: Access, unitId: string) {
  const unit = await unitRepository(ctx.database).byId(unitId);
  if (!unit || (unit.level !== 'commune' && unit.level !== 'province') || unit.valid_to !== null) throw notFound();
  await access.authorize('indicator.manage', { unitId: unit.id });
  return unit;
}

const DASHBOARD_LEVELS: readonly string[] = ['village', 'commune', 'province'];

/**
 * A current village, commune or province whose indicators the actor may read: in their scope, or the
 * commune of a village they serve (a village's team sees how its commune and the other villages are
 * doing: aggregates only). Anything else is a 404 to them, audited by `authorize`.
 */
export async function dashboardUnitFor(ctx: AppContext, access: Access, unitId: string) {
  const unit = await unitRepository(ctx.database).byId(unitId);
  if (!unit || !DASHBOARD_LEVELS.includes(unit.level) || unit.valid_to !== null) throw notFound();
  if (await access.can('indicator.read', { unitId: unit.id })) return unit;
  if (unit.level === 'commune') {
    const scope = await access.unitsFor('indicator.read');
    if (scope !== 'all' && scope.length) {
      const served = await ctx.database.db.selectFrom('unit').select('id').where('parent_id', '=', unit.id).where('id', 'in', scope).executeTakeFirst();
      if (served) return unit;
    }
  }
  await access.authorize('indicator.read', { unitId: unit.id });
  return unit;
}

/** Every indicator code a target may be set for: the catalogue's and those other modules contribute. */
export const indicatorCodes = (ctx: AppContext) => new Set([...INDICATORS.map((i) => i.code), ...ctx.modules.flatMap((m) => (m.indicators ?? []).map((i) => i.code))]);
