import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.ts';
import { Browser, testApp, type TestApp } from '../support/app.ts';
import { signIn } from '../support/auth.ts';
import { INDICATORS, takeSnapshots } from '../../src/modules/teams/indicators.ts';
import { teamsRepository } from '../../src/modules/teams/repository.ts';
import { localToday } from '../../src/platform/i18n/index.ts';
import { monthsEnding, unitDashboard } from '../../src/modules/teams/dashboard.ts';

describe.each(DIALECTS)('digital-citizen indicators on %s', (dialect) => {
  let t: TestApp;
  let official: Browser;
  const month = localToday().slice(0, 7);
  const thisYear = month.slice(0, 4);

  beforeAll(async () => {
    t = await testApp(dialect);
    official = new Browser(t.app);
    await signIn(official, 'huongdao.tuphap');
  });
  afterAll(() => t.close());

  it('snapshots each village’s values from its records, and the commune as their sum', async () => {
    await takeSnapshots(t.ctx, month);
    const db = t.ctx.database.db;
    const villages = (await db.selectFrom('unit').select('id').where('parent_id', '=', 'u-25201').where('level', '=', 'village').execute()).map((v) => v.id);
    const figures = await teamsRepository(t.ctx.database).villageFigures(villages, Number(month.slice(0, 4)));
    const snaps = await db.selectFrom('cdt_snapshot').selectAll().where('month', '=', month).where('source', '=', 'records').execute();
    const smartphone = INDICATORS.find((i) => i.code === 'smartphone')!;
    for (const f of figures) {
      const s = snaps.find((x) => x.unit_id === f.unitId && x.indicator === 'smartphone')!;
      expect([s.numerator, s.denominator]).toEqual(smartphone.fromRecords!(f));
    }
    const commune = snaps.find((x) => x.unit_id === 'u-25201' && x.indicator === 'payment_account')!;
    expect(commune.denominator).toBe(figures.reduce((n, f) => n + f.aged15, 0));
    expect(commune.numerator).toBe(figures.reduce((n, f) => n + f.payment15, 0));
    // Taking it again in the same month replaces, never doubles.
    const before = snaps.length;
    await takeSnapshots(t.ctx, month);
    expect((await db.selectFrom('cdt_snapshot').select('unit_id').where('month', '=', month).where('source', '=', 'records').execute()).length).toBe(before);
  });

  it('shows the commune’s indicators against this year’s targets, village by village', async () => {
    const page = await official.get('/chi-so');
    expect(page.statusCode).toBe(303);
    const body = (await official.get(String(page.headers.location))).body;
    expect(body).toContain('Chỉ số công dân số — Xã Hướng Đạo');
    expect(body).toContain('Người trưởng thành có VNeID mức 2');
    expect(body).toContain(`Xếp hạng thôn, tổ dân phố (tháng ${month.slice(5)}/${month.slice(0, 4)})`);
    expect(body).toMatch(/Đạt|Chưa đạt/);
    // The catalogue: code, definition, unit, period and source of each, with the contributed ones.
    expect(body).toContain(`Danh mục chỉ số (${INDICATORS.length + 1})`);
    expect(body).toMatch(/<td data-label="[^"]+">vneid_level2<\/td><td data-label="[^"]+">Người trưởng thành có VNeID mức 2<\/td>/);
    expect(body).toContain('Hằng tháng');
    expect(body).toContain('Phân hệ services');
  });

  it('takes entered values with their source, refusing a zero denominator or more than 100 %', async () => {
    // Entered for this month (the page shows each indicator's latest month).
    const today = localToday();
    const url = '/chi-so/u-25201';
    const csrf = await official.csrf(url);
    const post = (fields: Record<string, string>) => official.post(`${url}/so-lieu`, { _csrf: csrf, ...fields });
    const zero = await post({ indicator: 'officials_trained', numerator: '0', denominator: '0', source: 'Văn phòng xã', source_date: today });
    expect(zero.statusCode).toBe(400);
    expect(zero.body).toContain('Mẫu số: phải lớn hơn 0');
    const over = await post({ indicator: 'officials_trained', numerator: '30', denominator: '25', source: 'Văn phòng xã', source_date: today });
    expect(over.statusCode).toBe(400);
    expect(over.body).toContain('không được lớn hơn mẫu số');
    const computed = await post({ indicator: 'smartphone', numerator: '1', denominator: '2', source: 'Văn phòng xã', source_date: today });
    expect(computed.statusCode).toBe(400);
    expect(computed.body).toContain('Chỉ số: hãy chọn trong danh sách');
    const before = await t.ctx.database.db.selectFrom('cdt_snapshot').select(['numerator', 'denominator']).where('unit_id', '=', 'u-25201').where('indicator', '=', 'officials_trained').where('month', '=', month).executeTakeFirst();
    expect((await post({ indicator: 'officials_trained', numerator: '24', denominator: '25', source: `Văn phòng UBND xã, báo cáo tháng ${month}`, source_date: today })).statusCode).toBe(303);
    const after = await t.ctx.database.db.selectFrom('cdt_snapshot').selectAll().where('unit_id', '=', 'u-25201').where('indicator', '=', 'officials_trained').where('month', '=', month).executeTakeFirstOrThrow();
    expect(after).toMatchObject({ numerator: 24, denominator: 25, source: `Văn phòng UBND xã, báo cáo tháng ${month}`, source_date: today });
    expect(before).not.toEqual({ numerator: 24, denominator: 25 });
    expect((await official.get(url)).body).toContain(`Văn phòng UBND xã, báo cáo tháng ${month}`);
  });

  it('sets yearly targets between 0 and 100 %', async () => {
    // This year's target: the page and the village view draw the current year's.
    const year = Number(localToday().slice(0, 4));
    const url = '/chi-so/u-25201';
    const csrf = await official.csrf(url);
    const bad = await official.post(`${url}/chi-tieu`, { _csrf: csrf, indicator: 'fibre', year: String(year), target: '150' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Chỉ tiêu (%):');
    expect((await official.post(`${url}/chi-tieu`, { _csrf: csrf, indicator: 'fibre', year: String(year), target: '83' })).statusCode).toBe(303);
    const row = await t.ctx.database.db.selectFrom('cdt_target').select('target').where('unit_id', '=', 'u-25201').where('indicator', '=', 'fibre').where('year', '=', year).executeTakeFirstOrThrow();
    expect(row.target).toBe(83);
  });

  it('shows the figures other modules contribute (dossiers filed online), which take targets too', async () => {
    const commune = (await t.ctx.database.db.selectFrom('unit').selectAll().where('id', '=', 'u-25201').executeTakeFirstOrThrow());
    const { rows } = await unitDashboard(t.ctx, commune);
    const online = rows.find((r) => r.code === 'dossiers_online')!;
    const since = new Date(`${localToday().slice(0, 4)}-01-01T00:00:00+07:00`).toISOString();
    const all = await t.ctx.database.db.selectFrom('svc_dossier').select(['channel']).where('unit_id', '=', 'u-25201').where('received_at', '>=', since).execute();
    expect([online.numerator, online.denominator]).toEqual([all.filter((d) => d.channel === 'online').length, all.length]);
    expect(online.source).toBe('module:services');
    const url = '/chi-so/u-25201';
    const csrf = await official.csrf(url);
    expect((await official.post(`${url}/chi-tieu`, { _csrf: csrf, indicator: 'dossiers_online', year: thisYear, target: '90' })).statusCode).toBe(303);
    const body = (await official.get(url)).body;
    expect(body).toContain('Hồ sơ thủ tục hành chính nộp trực tuyến');
    expect(body).toContain('Tính trực tiếp từ phân hệ services');
  });

  it('lets a team member read their commune’s indicators but change nothing; other communes are out of reach', async () => {
    const member = new Browser(t.app);
    await signIn(member, 'huongdao.totv');
    const page = await member.get('/chi-so/u-25201');
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('Đặt chỉ tiêu năm');
    const csrf = await member.csrf('/chi-so/u-25201');
    expect((await member.post('/chi-so/u-25201/chi-tieu', { _csrf: csrf, indicator: 'fibre', year: thisYear, target: '10' })).statusCode).toBe(404);
    const outsider = new Browser(t.app);
    await signIn(outsider, 'langcong.chutich');
    expect((await outsider.get('/chi-so/u-25201')).statusCode).toBe(404);
    const token = await outsider.csrf('/chi-so/u-25202');
    expect((await outsider.post('/chi-so/u-25201/chi-tieu', { _csrf: token, indicator: 'fibre', year: thisYear, target: '10' })).statusCode).toBe(404);
  });

  it('draws each indicator’s trend as an SVG chart with its target line, readable without JavaScript', async () => {
    const body = (await official.get('/chi-so/u-25201')).body;
    expect((body.match(/<svg class="chart"/g) ?? []).length).toBeGreaterThanOrEqual(INDICATORS.length);
    expect(body).toContain('<title id="chart-fibre-t">Hộ gia đình có cáp quang</title>');
    // The chart's description carries the figures: this month's fibre share as the table shows it.
    const snap = await t.ctx.database.db.selectFrom('cdt_snapshot').selectAll().where('unit_id', '=', 'u-25201').where('indicator', '=', 'fibre').where('month', '=', month).executeTakeFirstOrThrow();
    const shown = `${month.slice(5)}/${month.slice(0, 4)}: ${((100 * snap.numerator) / snap.denominator).toFixed(1).replace('.', ',')}%`;
    const desc = body.slice(body.indexOf('<desc id="chart-fibre-d">'), body.indexOf('</desc>', body.indexOf('<desc id="chart-fibre-d">')));
    expect(desc).toContain(shown);
    // The target set earlier (83 %) is drawn as the dashed line with its label.
    const svg = body.slice(body.indexOf('<svg', body.indexOf('chart-fibre-t') - 400), body.indexOf('</svg>', body.indexOf('chart-fibre-t')));
    expect(svg).toContain('class="chart-target"');
    expect(svg).toContain('Chỉ tiêu 83%');
    // 24 months on request: the first label is two years back.
    const first = monthsEnding(month, 24)[0]!;
    expect((await official.get('/chi-so/u-25201?thang=24')).body).toContain(`>${first.slice(5)}/${first.slice(0, 4)}</text>`);
  });

  it('ranks the villages by the mean of their indicators, or by the one chosen', async () => {
    const commune = await t.ctx.database.db.selectFrom('unit').selectAll().where('id', '=', 'u-25201').executeTakeFirstOrThrow();
    const byMean = (await unitDashboard(t.ctx, commune)).peers!;
    expect(byMean.level).toBe('village');
    expect(byMean.list.length).toBeGreaterThan(3);
    for (const p of byMean.list) {
      const vals = [...p.values.values()].filter((v): v is number => v !== null);
      expect(p.score).toBeCloseTo(vals.reduce((a, b) => a + b, 0) / vals.length, 6);
    }
    expect(byMean.list.map((p) => p.score)).toEqual([...byMean.list.map((p) => p.score)].sort((a, b) => b! - a!));
    const byFibre = (await unitDashboard(t.ctx, commune, { rankBy: 'fibre' })).peers!;
    const fibre = byFibre.list.map((p) => p.values.get('fibre')!);
    expect(fibre).toEqual([...fibre].sort((a, b) => b - a));
    expect(byFibre.list.map((p) => p.rank)).toEqual(byFibre.list.map((_, i) => i + 1));
    const page = (await official.get('/chi-so/u-25201?xep=fibre')).body;
    expect(page).toContain(`<a href="/chi-so/${byFibre.list[0]!.id}">${byFibre.list[0]!.name}</a>`);
    expect(page.indexOf(byFibre.list[0]!.name)).toBeLessThan(page.indexOf(byFibre.list.at(-1)!.name));
  });

  it('shows the province the sum over its communes, entered values carried forward, and ranks the communes', async () => {
    const db = t.ctx.database.db;
    const province = await db.selectFrom('unit').selectAll().where('id', '=', 'u-25').executeTakeFirstOrThrow();
    const communes = (await db.selectFrom('unit').select('id').where('parent_id', '=', 'u-25').where('level', '=', 'commune').where('valid_to', 'is', null).execute()).map((c) => c.id);
    const dash = await unitDashboard(t.ctx, province);
    const fibreRows = await db.selectFrom('cdt_snapshot').select(['numerator', 'denominator']).where('unit_id', 'in', communes).where('indicator', '=', 'fibre').where('month', '=', month).execute();
    const fibre = dash.rows.find((r) => r.code === 'fibre')!;
    expect([fibre.numerator, fibre.denominator]).toEqual([fibreRows.reduce((s, r) => s + r.numerator, 0), fibreRows.reduce((s, r) => s + r.denominator, 0)]);
    // Entered values: each commune's latest up to the month, summed (computed here the plain way).
    const entered = await db.selectFrom('cdt_snapshot').selectAll().where('unit_id', 'in', communes).where('indicator', '=', 'officials_trained').orderBy('month').execute();
    expect(new Set(entered.map((r) => r.unit_id)).size).toBeGreaterThan(1);
    const trained = dash.rows.find((r) => r.code === 'officials_trained')!;
    for (const point of trained.trend) {
      const latest = new Map<string, (typeof entered)[number]>();
      for (const r of entered) if (r.month <= point.month) latest.set(r.unit_id, r);
      expect([point.numerator, point.denominator]).toEqual([[...latest.values()].reduce((s, r) => s + r.numerator, 0), [...latest.values()].reduce((s, r) => s + r.denominator, 0)]);
    }
    expect(trained.source).toBe(`aggregate:${new Set(entered.map((r) => r.unit_id)).size}`);
    expect(dash.peers!.level).toBe('commune');
    expect(dash.peers!.list.map((p) => p.id).sort()).toEqual([...communes].sort());

    const admin = new Browser(t.app);
    await signIn(admin, 'tinh.quantri');
    const start = await admin.get('/chi-so');
    expect(start.headers.location).toBe('/chi-so/u-25');
    const page = (await admin.get('/chi-so/u-25')).body;
    expect(page).toContain('Chỉ số công dân số — Tỉnh Phú Thọ');
    expect(page).toContain('Xếp hạng xã, phường');
    expect(page).toContain('<a href="/chi-so/u-25201">Xã Hướng Đạo</a>');
    expect(page).toContain('Tổng hợp số liệu của');
    // The province sets its own targets; values are entered by the communes only.
    expect(page).toContain('Đặt chỉ tiêu năm');
    expect(page).not.toContain('Nhập số liệu từ nguồn khác');
    const csrf = await admin.csrf('/chi-so/u-25');
    expect((await admin.post('/chi-so/u-25/chi-tieu', { _csrf: csrf, indicator: 'vneid_level2', year: thisYear, target: '88' })).statusCode).toBe(303);
    expect((await db.selectFrom('cdt_target').select('target').where('unit_id', '=', 'u-25').where('indicator', '=', 'vneid_level2').executeTakeFirstOrThrow()).target).toBe(88);
    expect((await admin.post('/chi-so/u-25/so-lieu', { _csrf: csrf, indicator: 'officials_trained', numerator: '1', denominator: '2', source: 'Sở', source_date: localToday() })).statusCode).toBe(404);
  });

  it('shows a village its own figures against the commune’s targets; a village head reaches no other village', async () => {
    const head = new Browser(t.app);
    await signIn(head, 'huongdao.dongbua');
    const page = await head.get('/chi-so/u-25201-01');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('chỉ tiêu là chỉ tiêu năm của xã');
    expect(page.body).toContain('<a href="/chi-so/u-25201">← Chỉ số công dân số — Xã Hướng Đạo</a>');
    const village = await t.ctx.database.db.selectFrom('unit').selectAll().where('id', '=', 'u-25201-01').executeTakeFirstOrThrow();
    const dash = await unitDashboard(t.ctx, village);
    const snap = await t.ctx.database.db.selectFrom('cdt_snapshot').selectAll().where('unit_id', '=', 'u-25201-01').where('indicator', '=', 'fibre').where('month', '=', month).executeTakeFirstOrThrow();
    const fibre = dash.rows.find((r) => r.code === 'fibre')!;
    expect([fibre.numerator, fibre.denominator, fibre.target]).toEqual([snap.numerator, snap.denominator, 83]);
    expect(dash.rows.some((r) => r.entered)).toBe(false);
    expect((await head.get('/chi-so/u-25201-02')).statusCode).toBe(404);
    expect((await head.get('/chi-so/u-25')).statusCode).toBe(404);
  });

  it('prints a report with the same figures and charts, without forms', async () => {
    const page = await official.get('/chi-so/u-25201/bao-cao');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Báo cáo chỉ số công dân số — Xã Hướng Đạo');
    expect(page.body).toContain('người lập: Lê Thị Mai');
    expect(page.body).toContain('<svg class="chart"');
    expect(page.body).toContain('Xếp hạng thôn, tổ dân phố');
    const main = page.body.slice(page.body.indexOf('<main'), page.body.indexOf('</main>'));
    expect(main).not.toContain('<form');
  });

  it('keeps the contributed figures month by month for the trend', async () => {
    await takeSnapshots(t.ctx, month);
    const row = await t.ctx.database.db.selectFrom('cdt_snapshot').selectAll().where('unit_id', '=', 'u-25201').where('indicator', '=', 'dossiers_online').where('month', '=', month).executeTakeFirstOrThrow();
    expect(row.source).toBe('module:services');
    const commune = await t.ctx.database.db.selectFrom('unit').selectAll().where('id', '=', 'u-25201').executeTakeFirstOrThrow();
    const live = (await unitDashboard(t.ctx, commune)).rows.find((r) => r.code === 'dossiers_online')!;
    expect([row.numerator, row.denominator]).toEqual([live.numerator, live.denominator]);
    expect(live.trend.at(-1)).toEqual({ month, numerator: row.numerator, denominator: row.denominator });
  });
});
