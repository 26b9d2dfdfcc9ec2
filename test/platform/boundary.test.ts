import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.ts';
import { Browser, testApp, type TestApp } from '../support/app.ts';
import { signIn } from '../support/auth.ts';
import { parseBoundaries } from '../../src/platform/units/boundary.ts';
import { AppError } from '../../src/platform/errors.ts';

const square = (lng: number, lat: number, d: number) => [
  [lng, lat],
  [lng + d, lat],
  [lng + d, lat + d],
  [lng, lat + d],
  [lng, lat],
];
const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const messageOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err instanceof AppError ? err.fields[0] : err;
  }
  return undefined;
};

describe('reading boundaries from GeoJSON', () => {
  it('takes a polygon, a multipolygon, a feature, or a collection naming units by code', () => {
    expect(parseBoundaries(json({ type: 'Polygon', coordinates: [square(105.46, 21.41, 0.02)] }))).toEqual([{ boundary: { type: 'Polygon', coordinates: [square(105.46, 21.41, 0.02)] } }]);
    // An unclosed ring is closed; a hole stays a ring of its polygon.
    const open = square(105.46, 21.41, 0.02).slice(0, 4);
    const hole = square(105.47, 21.42, 0.002);
    const [{ boundary }] = parseBoundaries(json({ type: 'Feature', properties: {}, geometry: { type: 'MultiPolygon', coordinates: [[open, hole], [square(105.5, 21.5, 0.01)]] } })) as unknown as [{ boundary: { coordinates: number[][][][] } }];
    expect(boundary.coordinates[0]![0]).toEqual(square(105.46, 21.41, 0.02));
    expect(boundary.coordinates[0]![1]).toEqual(hole);
    const collection = parseBoundaries(
      json({
        type: 'FeatureCollection',
        features: [
          { type: 'Feature', properties: { MA_XA: '25201', ten: 'Xã Hướng Đạo' }, geometry: { type: 'Polygon', coordinates: [square(105.46, 21.41, 0.02)] } },
          { type: 'Feature', properties: { code: 25202 }, geometry: { type: 'Polygon', coordinates: [square(105.5, 21.4, 0.02)] } },
        ],
      }),
    );
    expect(collection.map((c) => c.code)).toEqual(['25201', '25202']);
  });

  it('refuses what is not an area in Vietnam, saying what is wrong', () => {
    expect(messageOf(() => parseBoundaries(Buffer.from('{"type": "Polygon", ')))).toMatchObject({ field: 'boundary', key: 'units.boundary.error.json' });
    expect(messageOf(() => parseBoundaries(json({ type: 'Point', coordinates: [105.4, 21.4] })))).toMatchObject({ key: 'units.boundary.error.shape' });
    expect(messageOf(() => parseBoundaries(json({ type: 'Polygon', coordinates: [[[105.4, 21.4], [105.5, 21.4]]] })))).toMatchObject({ key: 'units.boundary.error.shape' });
    // Latitude first by mistake: [21.4, 105.4] lies far outside.
    expect(messageOf(() => parseBoundaries(json({ type: 'Polygon', coordinates: [square(21.4, 105.4, 0.1)] })))).toMatchObject({ key: 'units.boundary.error.outside', params: { lng: 21.4, lat: 105.4 } });
    expect(messageOf(() => parseBoundaries(json({ type: 'FeatureCollection', features: [] })))).toMatchObject({ key: 'units.boundary.error.empty' });
    expect(messageOf(() => parseBoundaries(json({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { ten: 'Xã A' }, geometry: { type: 'Polygon', coordinates: [square(105.4, 21.4, 0.1)] } }] })))).toMatchObject({
      key: 'units.boundary.error.no_code',
      params: { n: 1 },
    });
  });
});

describe.each(DIALECTS)('units’ boundaries on %s', (dialect) => {
  let t: TestApp;
  let province: Browser;
  beforeAll(async () => {
    t = await testApp(dialect);
    province = new Browser(t.app);
    await signIn(province, 'tinh.quantri');
  });
  afterAll(() => t.close());
  const db = () => t.ctx.database.db;
  const stored = async () => (await db().selectFrom('unit_boundary').select('unit_id').orderBy('unit_id').execute()).map((r) => r.unit_id);
  const post = async (b: Browser, unit: string, data: Buffer, name = 'ranh-gioi.geojson') => {
    const csrf = await b.csrf(`/admin/units/${unit}`);
    return b.postMultipart(`/admin/units/${unit}/ranh-gioi`, { _csrf: csrf }, { boundary: { name, type: 'application/geo+json', data } });
  };

  it('a province administrator imports the communes’ and villages’ outlines in one file; the radio map draws the commune’s', async () => {
    const radio = new Browser(t.app);
    await signIn(radio, 'huongdao.vhtt');
    const before = (await radio.get('/truyen-thanh/truc-tiep')).body;
    expect(before).not.toContain('class="boundary"');
    expect(before).toContain('Chưa có ranh giới của xã');

    const file = json({
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', properties: { ma: '25201' }, geometry: { type: 'Polygon', coordinates: [square(105.45, 21.40, 0.04)] } },
        { type: 'Feature', properties: { ma: '25201-01' }, geometry: { type: 'Polygon', coordinates: [square(105.46, 21.41, 0.01)] } },
      ],
    });
    const res = await post(province, 'u-25', file);
    expect(res.statusCode, res.body.slice(0, 300)).toBe(303);
    expect(await stored()).toEqual(['u-25201', 'u-25201-01']);
    const page = await province.get('/admin/units/u-25201');
    expect(page.body).toContain('Đã có ranh giới (5 điểm)');
    const audit = await db().selectFrom('audit_event').select(['action', 'detail']).where('action', '=', 'unit.boundary.import').execute();
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]!.detail) as unknown).toEqual({ units: ['u-25201', 'u-25201-01'] });

    const map = (await radio.get('/truyen-thanh/truc-tiep')).body;
    expect(map).toMatch(/<path class="boundary" d="M[\d.,L]+Z" fill-rule="evenodd"/);
    expect(map).toContain('Đường viền là ranh giới của xã.');
    expect(map).not.toContain('class="area"');
  });

  it('refuses an unknown code, a file that is not GeoJSON, and anyone but the province’s administrators — storing nothing', async () => {
    const before = await stored();
    const unknown = await post(province, 'u-25', json({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { ma: '25201' }, geometry: { type: 'Polygon', coordinates: [square(105.45, 21.4, 0.04)] } }, { type: 'Feature', properties: { ma: '99999' }, geometry: { type: 'Polygon', coordinates: [square(105.5, 21.4, 0.04)] } }] }));
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body).toContain('Tệp ranh giới (GeoJSON): không có đơn vị nào mang mã 99999 thuộc đơn vị này.');
    expect(unknown.body).toContain('aria-invalid="true"');
    // A picture renamed .geojson: its content decides.
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
    const picture = await post(province, 'u-25201', png);
    expect(picture.statusCode).toBe(400);
    expect(picture.body).toContain('GeoJSON');
    // A commune in another province is out of this administrator's reach; so is everything for a commune official.
    expect((await post(province, 'u-26', json({ type: 'Polygon', coordinates: [square(105.5, 21.3, 0.05)] }))).statusCode).toBe(404);
    const official = new Browser(t.app);
    await signIn(official, 'huongdao.vhtt');
    expect((await official.get('/admin/units/u-25201')).body).not.toContain('Nhập ranh giới');
    expect((await post(official, 'u-25201', json({ type: 'Polygon', coordinates: [square(105.5, 21.3, 0.05)] }))).statusCode).toBe(404);
    // Without the form's token, nothing either.
    const forged = await province.postMultipart('/admin/units/u-25201/ranh-gioi', {}, { boundary: { name: 'x.geojson', type: 'application/geo+json', data: json({ type: 'Polygon', coordinates: [square(105.5, 21.3, 0.05)] }) } });
    expect(forged.statusCode).toBe(403);
    expect(await stored()).toEqual(before);
  });
});
