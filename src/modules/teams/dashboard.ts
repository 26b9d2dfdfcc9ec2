import type { AppContext } from '../../platform/context.ts';
import { descendantUnits } from '../../platform/auth/access.ts';
import { localToday, type MessageKey } from '../../platform/i18n/index.ts';
import type { Unit } from '../../platform/units/repository.ts';
import { INDICATORS } from './indicators.ts';

/**
 * The steering committee's dashboard of one unit — a village, a commune or the province: each
 * indicator's current value against the year's target, its trend month by month, and the units one
 * level down ranked side by side. Everything is read from the monthly snapshots (`cdt_snapshot`); the
 * figures other modules contribute are computed live for the current value and snapshotted monthly
 * for the trend.
 *
 * A province's value is the sum over its current communes: the daily job snapshots computed
 * indicators for every level (each the sum of the one below); an entered value stands until the next
 * one is entered, so each commune's latest value up to the month is carried forward before summing.
 */
export type DashboardLevel = 'village' | 'commune' | 'province';

export interface Point {
  month: string;
  numerator: number;
  denominator: number;
}

export interface DashboardRow {
  code: string;
  label: MessageKey;
  definition: readonly MessageKey[];
  numerator: number | null;
  denominator: number | null;
  percent: number | null;
  target: number | null;
  /** `records`, an entered value's named source, `module:<id>` (computed live), or `aggregate:<n>` (summed over n units). */
  source: string | null;
  /** The date the value refers to, or its month (YYYY-MM) for a monthly snapshot. */
  sourceDate: string | null;
  /** One point per month of the window where a value exists, oldest first. */
  trend: Point[];
  entered: boolean;
}

export interface Peer {
  id: string;
  name: string;
  /** Percent per indicator code, in the latest month (and, for entered ones, the latest value). */
  values: Map<string, number | null>;
  /** The mean of its values; the ranking's order unless one indicator is chosen. */
  score: number | null;
  rank: number;
}

export interface Dashboard {
  unit: Unit;
  level: DashboardLevel;
  year: number;
  months: string[];
  /** The unit whose targets apply (a village follows its commune's). */
  targetUnitId: string;
  rows: DashboardRow[];
  peers: { level: 'village' | 'commune'; month: string | null; list: Peer[]; codes: string[] } | null;
}

export const percentOf = (n: number, d: number) => (d ? (100 * n) / d : null);

/** `count` months ending with `last` (YYYY-MM), oldest first. */
export function monthsEnding(last: string, count: number): string[] {
  const [y, m] = last.split('-').map(Number) as [number, number];
  const out: string[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const d = new Date(Date.UTC(y, m - 1 - i, 1));
    out.push(`${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`);
  }
  return out;
}

const currentChildren = (ctx: AppContext, parentId: string, level: 'village' | 'commune') =>
  ctx.database.db.selectFrom('unit').select(['id', 'name']).where('parent_id', '=', parentId).where('level', '=', level).where('valid_to', 'is', null).orderBy('name').execute();

export async function unitDashboard(ctx: AppContext, unit: Unit, opts: { months?: number; rankBy?: string | null } = {}): Promise<Dashboard> {
  const { db } = ctx.database;
  const level = unit.level as DashboardLevel;
  const year = Number(localToday().slice(0, 4));
  const months = monthsEnding(localToday().slice(0, 7), opts.months ?? 12);
  const from = months[0]!;
  const contributed = ctx.modules.flatMap((m) => (m.indicators ?? []).map((ind) => ({ module: m.id, ind })));
  const entered = INDICATORS.filter((i) => !i.fromRecords).map((i) => i.code);
  const computed = [...INDICATORS.filter((i) => i.fromRecords).map((i) => i.code), ...contributed.map((c) => c.ind.code)];

  // Computed figures are snapshotted for every level (the job sums each into the one above); entered
  // ones exist per commune only, so a province carries its communes' forward and sums them.
  const communes = level === 'province' ? await currentChildren(ctx, unit.id, 'commune') : [];
  const sources = level === 'province' ? communes.map((c) => c.id) : [unit.id];
  const targetUnitId = level === 'village' ? (unit.parent_id ?? unit.id) : unit.id;

  const [computedRows, enteredRows, targetRows] = await Promise.all([
    db.selectFrom('cdt_snapshot').select(['indicator', 'month', 'numerator as n', 'denominator as d']).where('unit_id', '=', unit.id).where('indicator', 'in', computed).where('month', '>=', from).execute(),
    sources.length && level !== 'village'
      ? db.selectFrom('cdt_snapshot').select(['unit_id', 'indicator', 'month', 'numerator', 'denominator', 'source', 'source_date']).where('unit_id', 'in', sources).where('indicator', 'in', entered).orderBy('month').execute()
      : [],
    db.selectFrom('cdt_target').select(['indicator', 'target']).where('unit_id', '=', targetUnitId).where('year', '=', year).execute(),
  ]);
  const targets = new Map(targetRows.map((t) => [t.indicator, t.target]));

  const series = new Map<string, Point[]>();
  for (const r of computedRows) {
    const list = series.get(r.indicator) ?? [];
    list.push({ month: r.month, numerator: Number(r.n), denominator: Number(r.d) });
    series.set(r.indicator, list);
  }
  for (const list of series.values()) list.sort((a, b) => a.month.localeCompare(b.month));

  // Entered values: per unit, the latest up to each month, summed.
  const enteredBy = new Map<string, Map<string, typeof enteredRows>>();
  for (const r of enteredRows) {
    const byUnit = enteredBy.get(r.indicator) ?? new Map<string, typeof enteredRows>();
    const list = byUnit.get(r.unit_id) ?? [];
    list.push(r);
    byUnit.set(r.unit_id, list);
    enteredBy.set(r.indicator, byUnit);
  }
  const latestEntered = (code: string, upTo?: string) => {
    const picked: (typeof enteredRows)[number][] = [];
    for (const list of enteredBy.get(code)?.values() ?? []) {
      let last: (typeof enteredRows)[number] | undefined;
      for (const r of list) if (upTo === undefined || r.month <= upTo) last = r;
      if (last) picked.push(last);
    }
    return picked;
  };

  const rows: DashboardRow[] = [];
  for (const spec of INDICATORS) {
    const base = { code: spec.code, label: spec.label, definition: [spec.numerator, spec.denominator], target: targets.get(spec.code) ?? null, entered: !spec.fromRecords };
    if (spec.fromRecords) {
      const trend = series.get(spec.code) ?? [];
      const last = trend.at(-1);
      rows.push({ ...base, trend, numerator: last?.numerator ?? null, denominator: last?.denominator ?? null, percent: last ? percentOf(last.numerator, last.denominator) : null, source: last ? 'records' : null, sourceDate: last?.month ?? null });
      continue;
    }
    if (level === 'village') continue; // entered per commune: not a village's figure
    const trend: Point[] = [];
    for (const month of months) {
      const picked = latestEntered(spec.code, month);
      if (picked.length) trend.push({ month, numerator: picked.reduce((s, r) => s + r.numerator, 0), denominator: picked.reduce((s, r) => s + r.denominator, 0) });
    }
    const now = latestEntered(spec.code);
    const n = now.reduce((s, r) => s + r.numerator, 0);
    const d = now.reduce((s, r) => s + r.denominator, 0);
    const single = now.length === 1 && level !== 'province' ? now[0]! : null;
    rows.push({
      ...base,
      trend,
      numerator: now.length ? n : null,
      denominator: now.length ? d : null,
      percent: now.length ? percentOf(n, d) : null,
      source: single ? single.source : now.length ? `aggregate:${now.length}` : null,
      sourceDate: now.length ? now.map((r) => r.source_date).sort().at(-1)! : null,
    });
  }
  if (contributed.length && level !== 'village') {
    const subtree = await descendantUnits(ctx.database, [unit.id]);
    for (const { module, ind } of contributed) {
      const v = await ind.compute(ctx, subtree);
      rows.push({ code: ind.code, label: ind.label, definition: [ind.definition], numerator: v.numerator, denominator: v.denominator, percent: percentOf(v.numerator, v.denominator), target: targets.get(ind.code) ?? null, source: `module:${module}`, sourceDate: localToday(), trend: series.get(ind.code) ?? [], entered: false });
    }
  }
  // Weakest first: furthest below target, then lowest value; those without a value last.
  const gap = (r: DashboardRow) => (r.percent === null ? -Infinity : (r.target ?? 0) - r.percent);
  rows.sort((a, b) => gap(b) - gap(a) || (a.percent ?? 0) - (b.percent ?? 0));

  const peers = level === 'commune' ? await villagePeers(ctx, unit.id, opts.rankBy ?? null) : level === 'province' ? await communePeers(ctx, communes, computed, enteredBy, opts.rankBy ?? null) : null;
  return { unit, level, year, months, targetUnitId, rows, peers };
}

/** Ranks by one indicator when chosen (and known), else by the mean; ties keep the name order. */
function rank(list: Omit<Peer, 'rank' | 'score'>[], codes: string[], rankBy: string | null): Peer[] {
  const by = rankBy && codes.includes(rankBy) ? rankBy : null;
  const scored = list.map((p) => {
    const vals = codes.map((c) => p.values.get(c)).filter((v): v is number => typeof v === 'number');
    return { ...p, score: vals.length ? vals.reduce((s, v) => s + v, 0) / vals.length : null, rank: 0 };
  });
  const key = (p: (typeof scored)[number]) => (by ? (p.values.get(by) ?? null) : p.score);
  scored.sort((a, b) => (key(b) ?? -1) - (key(a) ?? -1));
  scored.forEach((p, i) => (p.rank = i + 1));
  return scored;
}

async function latestMonth(ctx: AppContext, unitIds: string[], codes: string[]) {
  if (!unitIds.length) return null;
  const r = await ctx.database.db.selectFrom('cdt_snapshot').select((eb) => eb.fn.max('month').as('m')).where('unit_id', 'in', unitIds).where('indicator', 'in', codes).executeTakeFirst();
  return r?.m ?? null;
}

async function villagePeers(ctx: AppContext, communeId: string, rankBy: string | null): Promise<Dashboard['peers']> {
  const villages = await currentChildren(ctx, communeId, 'village');
  const codes = INDICATORS.filter((i) => i.fromRecords).map((i) => i.code);
  const ids = villages.map((v) => v.id);
  const month = await latestMonth(ctx, ids, codes);
  const rows = month ? await ctx.database.db.selectFrom('cdt_snapshot').select(['unit_id', 'indicator', 'numerator', 'denominator']).where('unit_id', 'in', ids).where('month', '=', month).where('indicator', 'in', codes).execute() : [];
  const values = new Map<string, Map<string, number | null>>();
  for (const r of rows) {
    const m = values.get(r.unit_id) ?? new Map<string, number | null>();
    m.set(r.indicator, percentOf(r.numerator, r.denominator));
    values.set(r.unit_id, m);
  }
  return { level: 'village', month, codes, list: rank(villages.map((v) => ({ ...v, values: values.get(v.id) ?? new Map() })), codes, rankBy) };
}

async function communePeers(
  ctx: AppContext,
  communes: { id: string; name: string }[],
  computed: string[],
  enteredBy: Map<string, Map<string, { month: string; numerator: number; denominator: number }[]>>,
  rankBy: string | null,
): Promise<Dashboard['peers']> {
  const ids = communes.map((c) => c.id);
  const recordCodes = INDICATORS.filter((i) => i.fromRecords).map((i) => i.code);
  const month = await latestMonth(ctx, ids, recordCodes);
  const rows = month ? await ctx.database.db.selectFrom('cdt_snapshot').select(['unit_id', 'indicator', 'numerator', 'denominator']).where('unit_id', 'in', ids).where('month', '=', month).where('indicator', 'in', computed).execute() : [];
  const values = new Map<string, Map<string, number | null>>(ids.map((id) => [id, new Map()]));
  for (const r of rows) values.get(r.unit_id)!.set(r.indicator, percentOf(r.numerator, r.denominator));
  for (const [code, byUnit] of enteredBy) {
    for (const [unitId, list] of byUnit) {
      const last = list.at(-1);
      if (last) values.get(unitId)?.set(code, percentOf(last.numerator, last.denominator));
    }
  }
  const codes = [...INDICATORS.map((i) => i.code), ...computed.filter((c) => !recordCodes.includes(c))];
  return { level: 'commune', month, codes, list: rank(communes.map((c) => ({ ...c, values: values.get(c.id)! })), codes, rankBy) };
}
