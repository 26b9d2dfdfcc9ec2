import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.ts';
import { Browser, testApp, type TestApp } from '../support/app.ts';
import { signIn } from '../support/auth.ts';
import { INDICATORS, takeSnapshots } from '../../src/modules/teams/indicators.ts';
import { teamsRepository } from '../../src/modules/teams/repository.ts';
import { localToday } from '../../src/platform/i18n/index.ts';

describe.each(DIALECTS)('digital-citizen indicators on %s', (dialect) => {
  let t: TestApp;
  let official: Browser;
  const month = localToday().slice(0, 7);

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
    expect(body).toContain(`Theo thôn, tổ dân phố (tháng ${month})`);
    expect(body).toMatch(/Đạt|Chưa đạt/);
  });

  it('takes entered values with their source, refusing a zero denominator or more than 100 %', async () => {
    const url = '/chi-so/u-25201';
    const csrf = await official.csrf(url);
    const post = (fields: Record<string, string>) => official.post(`${url}/so-lieu`, { _csrf: csrf, ...fields });
    const zero = await post({ indicator: 'officials_trained', numerator: '0', denominator: '0', source: 'Văn phòng xã', source_date: '2026-11-20' });
    expect(zero.statusCode).toBe(400);
    expect(zero.body).toContain('Mẫu số: phải lớn hơn 0');
    const over = await post({ indicator: 'officials_trained', numerator: '30', denominator: '25', source: 'Văn phòng xã', source_date: '2026-11-20' });
    expect(over.statusCode).toBe(400);
    expect(over.body).toContain('không được lớn hơn mẫu số');
    const computed = await post({ indicator: 'smartphone', numerator: '1', denominator: '2', source: 'Văn phòng xã', source_date: '2026-11-20' });
    expect(computed.statusCode).toBe(400);
    expect(computed.body).toContain('Chỉ số: hãy chọn trong danh sách');
    const before = await t.ctx.database.db.selectFrom('cdt_snapshot').select(['numerator', 'denominator']).where('unit_id', '=', 'u-25201').where('indicator', '=', 'officials_trained').where('month', '=', '2026-11').executeTakeFirst();
    expect((await post({ indicator: 'officials_trained', numerator: '24', denominator: '25', source: 'Văn phòng UBND xã, báo cáo tháng 11', source_date: '2026-11-20' })).statusCode).toBe(303);
    const after = await t.ctx.database.db.selectFrom('cdt_snapshot').selectAll().where('unit_id', '=', 'u-25201').where('indicator', '=', 'officials_trained').where('month', '=', '2026-11').executeTakeFirstOrThrow();
    expect(after).toMatchObject({ numerator: 24, denominator: 25, source: 'Văn phòng UBND xã, báo cáo tháng 11', source_date: '2026-11-20' });
    expect(before).not.toEqual({ numerator: 24, denominator: 25 });
    expect((await official.get(url)).body).toContain('Văn phòng UBND xã, báo cáo tháng 11');
  });

  it('sets yearly targets between 0 and 100 %', async () => {
    const url = '/chi-so/u-25201';
    const csrf = await official.csrf(url);
    const bad = await official.post(`${url}/chi-tieu`, { _csrf: csrf, indicator: 'fibre', year: '2026', target: '150' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Chỉ tiêu (%):');
    expect((await official.post(`${url}/chi-tieu`, { _csrf: csrf, indicator: 'fibre', year: '2026', target: '83' })).statusCode).toBe(303);
    const row = await t.ctx.database.db.selectFrom('cdt_target').select('target').where('unit_id', '=', 'u-25201').where('indicator', '=', 'fibre').where('year', '=', 2026).executeTakeFirstOrThrow();
    expect(row.target).toBe(83);
  });

  it('shows the figures other modules contribute (dossiers filed online), which take targets too', async () => {
    const { communeIndicators } = await import('../../src/modules/teams/indicators.ts');
    const rows = await communeIndicators(t.ctx, 'u-25201');
    const online = rows.find((r) => r.code === 'dossiers_online')!;
    const since = new Date(`${localToday().slice(0, 4)}-01-01T00:00:00+07:00`).toISOString();
    const all = await t.ctx.database.db.selectFrom('svc_dossier').select(['channel']).where('unit_id', '=', 'u-25201').where('received_at', '>=', since).execute();
    expect([online.numerator, online.denominator]).toEqual([all.filter((d) => d.channel === 'online').length, all.length]);
    expect(online.source).toBe('module:services');
    const url = '/chi-so/u-25201';
    const csrf = await official.csrf(url);
    expect((await official.post(`${url}/chi-tieu`, { _csrf: csrf, indicator: 'dossiers_online', year: '2026', target: '90' })).statusCode).toBe(303);
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
    expect((await member.post('/chi-so/u-25201/chi-tieu', { _csrf: csrf, indicator: 'fibre', year: '2026', target: '10' })).statusCode).toBe(404);
    const outsider = new Browser(t.app);
    await signIn(outsider, 'langcong.chutich');
    expect((await outsider.get('/chi-so/u-25201')).statusCode).toBe(404);
    const token = await outsider.csrf('/chi-so/u-25202');
    expect((await outsider.post('/chi-so/u-25201/chi-tieu', { _csrf: token, indicator: 'fibre', year: '2026', target: '10' })).statusCode).toBe(404);
  });
});
