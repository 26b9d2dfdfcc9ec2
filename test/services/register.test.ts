import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.ts';
import { Browser, testApp, type TestApp } from '../support/app.ts';
import { signIn } from '../support/auth.ts';
import { readXlsx } from '../../src/platform/xlsx.ts';
import { addDays, localToday } from '../../src/modules/services/calendar.ts';

describe.each(DIALECTS)('the tracking register (form 06) and spreadsheet exports on %s', (dialect) => {
  let t: TestApp;
  let desk: Browser;
  beforeAll(async () => {
    t = await testApp(dialect);
    desk = new Browser(t.app);
    await signIn(desk, 'huongdao.tuphap');
  });
  afterAll(() => t.close());
  const from = addDays(localToday(), -120);
  const to = localToday();

  it('lists the commune’s dossiers of the period with the columns of form 06, printable and as XLSX', async () => {
    const expected = await t.ctx.database.db
      .selectFrom('svc_dossier')
      .select(['code'])
      .where('unit_id', '=', 'u-25201')
      .where('state', '!=', 'draft')
      .orderBy('submitted_at')
      .orderBy('id')
      .execute();
    expect(expected.length).toBeGreaterThan(50);
    const page = await desk.get(`/mot-cua/so-theo-doi?tu=${from}&den=${to}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Chuyển hồ sơ đến bộ phận giải quyết');
    expect(page.body.match(/<tr><td>/g)).toHaveLength(expected.length);
    const xlsx = await desk.get(`/mot-cua/so-theo-doi.xlsx?tu=${from}&den=${to}`);
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
    const [sheet] = await readXlsx(xlsx.rawPayload);
    expect(sheet!.name).toBe('Sổ theo dõi hồ sơ');
    expect(sheet!.rows[1]![0]).toBe('STT');
    expect(sheet!.rows).toHaveLength(expected.length + 2);
    expect(sheet!.rows.slice(2).map((r) => r[1])).toEqual(expected.map((e) => e.code));
    expect(sheet!.rows[2]![0]).toBe(1);

    const other = new Browser(t.app);
    await signIn(other, 'langcong.tuphap');
    const theirs = await other.get(`/mot-cua/so-theo-doi?tu=${from}&den=${to}`);
    expect(theirs.body).not.toContain(expected[0]!.code!);
  });

  it('exports the statistics as XLSX with the same figures as the page', async () => {
    const page = await desk.get(`/mot-cua/thong-ke?tu=${from}&den=${to}`);
    const received = Number(/data-testid="stat-received">(\d+)</.exec(page.body)![1]);
    const xlsx = await desk.get(`/mot-cua/thong-ke.xlsx?tu=${from}&den=${to}`);
    const [sheet] = await readXlsx(xlsx.rawPayload);
    const header = sheet!.rows[1]!;
    expect(header).toContain('Hài lòng (%)');
    expect(header).toContain('Thanh toán trực tuyến (%)');
    const total = sheet!.rows.at(-1)!;
    expect(total[0]).toBe('Tổng cộng');
    expect(total[header.indexOf('Hồ sơ tiếp nhận')]).toBe(received);
  });
});
