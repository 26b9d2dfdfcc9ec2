import type { AppContext } from '../context.ts';
import type { Access } from '../auth/access.ts';
import { descendantUnits } from '../auth/access.ts';
import { writeAudit, type AuditContext } from '../audit/audit.ts';
import { fieldProblem } from '../errors.ts';
import { checkUpload, type UploadedFile } from '../files/files.ts';

/**
 * Administrative boundaries (the commune's outline on maps that use no online tiles), imported as
 * GeoJSON — the form in which provinces hold their communes' boundaries. Longitude, latitude in
 * WGS 84, as GeoJSON requires.
 */
export type Position = [number, number];
export type Boundary = { type: 'Polygon'; coordinates: Position[][] } | { type: 'MultiPolygon'; coordinates: Position[][][] };

/** The form field the boundary file is posted in. */
export const BOUNDARY_FIELD = 'boundary';
/** Property names a feature's unit code is looked for under (case does not matter). */
const CODE_PROPERTIES = ['code', 'ma', 'ma_xa', 'maxa', 'ma_dvhc', 'madvhc', 'unit_code'];
/** Vietnam, its islands included, with a margin: a position outside is a swapped pair or another datum. */
const LNG = [101, 118] as const;
const LAT = [6, 24] as const;
/** Enough for the detailed outline of every commune of a province. */
const MAX_POSITIONS = 500_000;

const problem = (key: 'units.boundary.error.json' | 'units.boundary.error.shape' | 'units.boundary.error.outside' | 'units.boundary.error.empty' | 'units.boundary.error.unknown' | 'units.boundary.error.no_code' | 'units.boundary.error.too_big', params?: Record<string, string | number>) =>
  fieldProblem('bad_boundary', 400, BOUNDARY_FIELD, key, params);

/** A ring of positions, checked and closed if its last position does not repeat its first. */
function ring(value: unknown, count: { n: number }): Position[] {
  if (!Array.isArray(value) || value.length < 3) throw problem('units.boundary.error.shape');
  const out: Position[] = value.map((p: unknown) => {
    if (!Array.isArray(p) || p.length < 2 || typeof p[0] !== 'number' || typeof p[1] !== 'number' || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) throw problem('units.boundary.error.shape');
    const [lng, lat] = p as [number, number];
    if (lng < LNG[0] || lng > LNG[1] || lat < LAT[0] || lat > LAT[1]) throw problem('units.boundary.error.outside', { lng, lat });
    return [lng, lat];
  });
  const [first, last] = [out[0]!, out[out.length - 1]!];
  if (first[0] !== last[0] || first[1] !== last[1]) out.push([first[0], first[1]]);
  if (out.length < 4) throw problem('units.boundary.error.shape');
  count.n += out.length;
  if (count.n > MAX_POSITIONS) throw problem('units.boundary.error.too_big', { max: MAX_POSITIONS });
  return out;
}

const polygon = (value: unknown, count: { n: number }): Position[][] => {
  if (!Array.isArray(value) || value.length === 0) throw problem('units.boundary.error.shape');
  return value.map((r) => ring(r, count));
};

/** A Polygon or MultiPolygon geometry, checked; anything else is refused. */
function geometry(value: unknown, count: { n: number }): Boundary {
  const g = value as { type?: unknown; coordinates?: unknown } | null;
  if (g?.type === 'Polygon') return { type: 'Polygon', coordinates: polygon(g.coordinates, count) };
  if (g?.type === 'MultiPolygon') {
    if (!Array.isArray(g.coordinates) || g.coordinates.length === 0) throw problem('units.boundary.error.shape');
    return { type: 'MultiPolygon', coordinates: g.coordinates.map((p) => polygon(p, count)) };
  }
  throw problem('units.boundary.error.shape');
}

function codeOf(properties: unknown): string | undefined {
  if (!properties || typeof properties !== 'object') return undefined;
  for (const [k, v] of Object.entries(properties)) {
    if (CODE_PROPERTIES.includes(k.toLowerCase()) && (typeof v === 'string' || typeof v === 'number') && String(v).trim()) return String(v).trim();
  }
  return undefined;
}

/**
 * Reads a GeoJSON file: a geometry or a Feature (the boundary of the unit it is imported for), or a
 * FeatureCollection whose features name their unit by code (`code`, `ma`, `ma_xa`, `ma_dvhc`…).
 */
export function parseBoundaries(data: Uint8Array): { code?: string; boundary: Boundary }[] {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(data).toString('utf8').replace(/^\uFEFF/, ''));
  } catch {
    throw problem('units.boundary.error.json');
  }
  const count = { n: 0 };
  const doc = json as { type?: unknown; features?: unknown; geometry?: unknown; properties?: unknown } | null;
  if (doc?.type === 'FeatureCollection') {
    if (!Array.isArray(doc.features) || doc.features.length === 0) throw problem('units.boundary.error.empty');
    return doc.features.map((f: { geometry?: unknown; properties?: unknown } | null, i: number) => {
      const code = codeOf(f?.properties);
      if (!code) throw problem('units.boundary.error.no_code', { n: i + 1 });
      return { code, boundary: geometry(f?.geometry, count) };
    });
  }
  if (doc?.type === 'Feature') return [{ boundary: geometry(doc.geometry, count) }];
  return [{ boundary: geometry(json, count) }];
}

/**
 * Imports boundaries for `unitId`: a single one for the unit itself, or a collection matched by code
 * to the unit and the units under it. All or nothing: an unknown code names it and stores nothing.
 * Needs `unit.manage` on the unit (province administrators). Returns how many units got a boundary.
 */
export async function importBoundaries(ctx: AppContext, access: Access, audit: AuditContext, unitId: string, file: UploadedFile | undefined): Promise<number> {
  await access.authorize('unit.manage', { unitId });
  if (!file) throw problem('units.boundary.error.empty');
  await checkUpload(ctx, BOUNDARY_FIELD, file, ['application/geo+json']);
  const parsed = parseBoundaries(file.data);
  const db = ctx.database.db;
  const within = await descendantUnits(ctx.database, [unitId]);
  const rows = await db.selectFrom('unit').select(['id', 'code']).where('id', 'in', within).execute();
  const byCode = new Map(rows.map((r) => [r.code, r.id]));
  const unknown = parsed.filter((p) => p.code !== undefined && !byCode.has(p.code)).map((p) => p.code!);
  if (unknown.length) throw problem('units.boundary.error.unknown', { codes: [...new Set(unknown)].slice(0, 10).join(', ') });
  const at = new Date().toISOString();
  const values = parsed.map((p) => ({ unit_id: p.code === undefined ? unitId : byCode.get(p.code)!, geometry: JSON.stringify(p.boundary), updated_at: at, updated_by: audit.actorLabel }));
  await db.transaction().execute(async (trx) => {
    for (const v of values) {
      await trx
        .insertInto('unit_boundary')
        .values(v)
        .onConflict((oc) => oc.column('unit_id').doUpdateSet({ geometry: v.geometry, updated_at: v.updated_at, updated_by: v.updated_by }))
        .execute();
    }
    await writeAudit(ctx.database, trx, audit, { action: 'unit.boundary.import', entity: 'unit', entityId: unitId, unitId, detail: { units: values.map((v) => v.unit_id) } });
  });
  return values.length;
}

/** What a unit's page shows of its boundary: how many points, when and by whom it was imported. */
export async function boundaryRow(ctx: AppContext, unitId: string): Promise<{ points: number; updated_at: string; updated_by: string } | undefined> {
  const row = await ctx.database.db.selectFrom('unit_boundary').select(['geometry', 'updated_at', 'updated_by']).where('unit_id', '=', unitId).executeTakeFirst();
  if (!row) return undefined;
  return { points: ringsOf(JSON.parse(row.geometry) as Boundary).reduce((n, r) => n + r.length, 0), updated_at: row.updated_at, updated_by: row.updated_by };
}

/** A unit's boundary, if one was imported. */
export async function boundaryOf(ctx: AppContext, unitId: string): Promise<Boundary | undefined> {
  const row = await ctx.database.db.selectFrom('unit_boundary').select('geometry').where('unit_id', '=', unitId).executeTakeFirst();
  return row ? (JSON.parse(row.geometry) as Boundary) : undefined;
}

/** Every ring of a boundary, outer and inner: drawn as one path by the even-odd rule, holes stay holes. */
export function ringsOf(b: Boundary): Position[][] {
  return b.type === 'Polygon' ? b.coordinates : b.coordinates.flat();
}
