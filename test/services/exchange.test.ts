import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.ts';
import { Browser, testApp, type TestApp } from '../support/app.ts';
import { signIn } from '../support/auth.ts';
import { systemContext } from '../../src/platform/audit/audit.ts';
import { FileExchange, exportStatuses, importStatuses, statusFileSchema, FORMAT } from '../../src/modules/services/exchange.ts';

describe.each(DIALECTS)('upstream status exchange through files on %s', (dialect) => {
  let t: TestApp;
  let dir: string;
  let exchange: FileExchange;
  beforeAll(async () => {
    t = await testApp(dialect);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xaso-exchange-'));
    exchange = new FileExchange(dir);
  });
  afterAll(async () => {
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const db = () => t.ctx.database.db;
  const outbox = () => fs.readdirSync(path.join(dir, 'outbox')).sort();

  it('exports every status change once, in national codes, without personal data', async () => {
    const first = await exportStatuses(t.ctx, exchange, { settleMs: 0 });
    expect(first.records).toBeGreaterThan(100);
    const file = statusFileSchema.parse(JSON.parse(fs.readFileSync(path.join(dir, 'outbox', first.batch!), 'utf8')));
    expect(file.format).toBe(FORMAT);
    expect(file.records).toHaveLength(first.records);
    const received = file.records.find((r) => r.status === 2)!;
    expect(received.agencyCode).toMatch(/^000\.00\.25\.X/);
    expect(received.dueDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const someone = await db().selectFrom('svc_dossier').select(['applicant_name', 'applicant_phone']).executeTakeFirstOrThrow();
    const raw = fs.readFileSync(path.join(dir, 'outbox', first.batch!), 'utf8');
    expect(raw).not.toContain(someone.applicant_phone!);
    expect(raw).not.toContain(someone.applicant_name);
    expect(await exportStatuses(t.ctx, exchange, { settleMs: 0 })).toEqual({ records: 0, batch: null });

    // A new step goes out in the next batch, alone.
    const desk = new Browser(t.app);
    await signIn(desk, 'huongdao.tuphap');
    const fresh = await db().selectFrom('svc_dossier').select(['id', 'code']).where('unit_id', '=', 'u-25201').where('state', '=', 'new').executeTakeFirstOrThrow();
    expect((await desk.post(`/mot-cua/${fresh.id}/receive`, { _csrf: await desk.csrf(`/mot-cua/${fresh.id}`) })).statusCode).toBe(303);
    const next = await exportStatuses(t.ctx, exchange, { settleMs: 0 });
    expect(next.records).toBe(1);
    expect(outbox()).toHaveLength(2);
    const batch = statusFileSchema.parse(JSON.parse(fs.readFileSync(path.join(dir, 'outbox', next.batch!), 'utf8')));
    expect(batch.records[0]).toMatchObject({ dossierCode: fresh.code, status: 2, channel: 2 });
  });

  it('imports the upstream system’s statuses once, reports unknown codes and rejects a bad file whole', async () => {
    const d = await db().selectFrom('svc_dossier').select(['id', 'code', 'procedure_code']).where('unit_id', '=', 'u-25201').where('state', '=', 'processing').executeTakeFirstOrThrow();
    const good = {
      format: FORMAT,
      generatedAt: '2026-11-28T08:00:00+07:00',
      source: 'Hệ thống thông tin giải quyết TTHC tỉnh Phú Thọ',
      records: [
        { dossierCode: d.code, procedureCode: d.procedure_code, agencyCode: '000.00.25.H10', status: 4, at: '2026-11-28T07:30:00+07:00', dueDate: null, channel: 1, note: 'Đồng bộ từ hệ thống tỉnh' },
        { dossierCode: '000.00.25.X99999-261128-0001', procedureCode: '1.001193', agencyCode: '000.00.25.X99999', status: 1, at: '2026-11-28T07:00:00+07:00', dueDate: null, channel: 2, note: null },
      ],
    };
    const inbox = path.join(dir, 'inbox');
    fs.mkdirSync(inbox, { recursive: true });
    fs.writeFileSync(path.join(inbox, 'a.json'), JSON.stringify(good));
    const bad = structuredClone(good);
    bad.records[0]!.status = 11;
    fs.writeFileSync(path.join(inbox, 'b.json'), JSON.stringify(bad));
    fs.writeFileSync(path.join(inbox, 'c.json'), '{ not json');
    const report = await importStatuses(t.ctx, exchange, systemContext('test'));
    expect(report.files).toBe(3);
    expect(report.recorded).toBe(1);
    expect(report.unknown).toEqual(['000.00.25.X99999-261128-0001']);
    expect(report.rejected.map((r) => r.file)).toEqual(['b.json', 'c.json']);
    expect(report.rejected[0]!.reason).toMatch(/^records\.0\.status: /);
    expect(fs.readdirSync(path.join(dir, 'processed'))).toEqual(['a.json']);
    expect(fs.readFileSync(path.join(dir, 'rejected', 'c.json.error.txt'), 'utf8')).toBe('not valid JSON\n');
    expect(fs.readdirSync(inbox)).toEqual([]);
    // The same batch again changes nothing.
    fs.writeFileSync(path.join(inbox, 'a2.json'), JSON.stringify(good));
    expect((await importStatuses(t.ctx, exchange, systemContext('test'))).recorded).toBe(0);
    const desk = new Browser(t.app);
    await signIn(desk, 'huongdao.tuphap');
    const page = await desk.get(`/mot-cua/${d.id}`);
    expect(page.body).toContain('Trạng thái trên hệ thống cấp trên');
    expect(page.body).toContain('4 — Đang xử lý');
    expect(page.body).toContain('Đồng bộ từ hệ thống tỉnh');
  });
});
