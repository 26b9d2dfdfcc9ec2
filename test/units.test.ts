import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './support/databases.ts';
import { testApp, type TestApp } from './support/app.ts';
import { seedPlatform, DEMO_ACCOUNTS } from '../src/platform/seed.ts';
import { DEMO_UNITS } from '../src/platform/units/demo-units.ts';
import { createUnit, mergeUnits } from '../src/platform/units/commands.ts';
import { unitRepository } from '../src/platform/units/repository.ts';
import { systemContext } from '../src/platform/audit/audit.ts';
import { AppError } from '../src/platform/errors.ts';
import { descendantUnits } from '../src/platform/auth/access.ts';

describe.each(DIALECTS)('administrative units on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp(dialect);
  });
  afterAll(() => t.close());

  it('seeds Phú Thọ with the four pilot communes, Hướng Đạo with 14 villages, and the ended Vĩnh Phúc', async () => {
    const units = unitRepository(t.ctx.database);
    const phuTho = await units.byCode('25');
    expect(phuTho?.name).toBe('Tỉnh Phú Thọ');
    const communes = await units.current('commune', phuTho!.id);
    expect(communes.map((c) => c.name).sort()).toEqual(['Xã Hướng Đạo', 'Xã Lãng Công', 'Xã Tam Đảo', 'Xã Thổ Tang']);
    const huongDao = communes.find((c) => c.name === 'Xã Hướng Đạo')!;
    expect(await units.children(huongDao.id)).toHaveLength(14);
    const vinhPhuc = await units.byCode('26');
    expect(vinhPhuc?.valid_to).toBe('2025-07-01');
    expect((await units.successors(vinhPhuc!.id)).map((s) => s.name)).toEqual(['Tỉnh Phú Thọ']);
    const thoTang = communes.find((c) => c.name === 'Xã Thổ Tang')!;
    expect((await units.predecessors(thoTang.id)).map((p) => p.name)).toContain('Thị trấn Thổ Tang');
  });

  it('seeds idempotently: a second run adds nothing', async () => {
    const again = await seedPlatform(t.ctx, { demo: true });
    expect(again).toEqual({ units: 0, accounts: 0 });
    const count = await t.ctx.database.db.selectFrom('unit').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(DEMO_UNITS.length);
    const accounts = await t.ctx.database.db.selectFrom('auth_account').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(accounts.n)).toBe(DEMO_ACCOUNTS.length);
  });

  it('refuses a unit code that does not follow Decision 19/2025', async () => {
    await expect(
      createUnit(t.ctx, systemContext(), { code: '123', name: 'Xã Sai Mã', kind: 'commune', level: 'commune', parentId: 'u-25', validFrom: '2026-01-01' }),
    ).rejects.toMatchObject({ code: 'invalid_unit_code', fields: [{ field: 'code', key: 'units.error.bad_code' }] });
  });

  it('merges communes: villages, accounts and grants move to the successor, each keeping its origin', async () => {
    const db = t.ctx.database.db;
    const successor = await createUnit(t.ctx, systemContext(), {
      code: '25299',
      name: 'Xã Hướng Đạo Mới',
      kind: 'commune',
      level: 'commune',
      parentId: 'u-25',
      validFrom: '2026-12-01',
    });
    // The subtree is cached for scoped requests; the merge must drop it at once.
    expect(await descendantUnits(t.ctx.database, [successor])).toEqual([successor]);
    const result = await mergeUnits(t.ctx, systemContext(), {
      predecessorIds: ['u-25201', 'u-25202'],
      successorId: successor,
      effectiveDate: '2026-12-01',
      legalBasis: 'Nghị quyết thử nghiệm',
    });
    expect(result.villagesMoved).toBe(14 + 4);
    expect(await descendantUnits(t.ctx.database, [successor])).toHaveLength(1 + 18);
    const units = unitRepository(t.ctx.database);
    expect(await units.children(successor)).toHaveLength(18);
    expect((await units.byId('u-25201'))?.valid_to).toBe('2026-12-01');
    expect((await units.predecessors(successor)).map((p) => p.id).sort()).toEqual(['u-25201', 'u-25202']);
    const leader = await db.selectFrom('auth_account').selectAll().where('username', '=', 'langcong.chutich').executeTakeFirstOrThrow();
    expect(leader.unit_id).toBe(successor);
    expect(leader.origin_unit_id).toBe('u-25202');
    const grant = await db.selectFrom('auth_role_grant').selectAll().where('account_id', '=', leader.id).executeTakeFirstOrThrow();
    expect(grant.unit_id).toBe(successor);
    expect(grant.origin_unit_id).toBe('u-25202');
    // A village head's grant stays at the village, which now sits under the successor.
    const head = await db.selectFrom('auth_account').selectAll().where('username', '=', 'huongdao.dongbua').executeTakeFirstOrThrow();
    expect(head.unit_id).toBe('u-25201-01');
    expect((await units.byId('u-25201-01'))?.parent_id).toBe(successor);
    const event = await db.selectFrom('audit_event').selectAll().where('action', '=', 'unit.merge').executeTakeFirstOrThrow();
    expect(JSON.parse(event.detail)).toMatchObject({ predecessorIds: ['u-25201', 'u-25202'], villagesMoved: 18 });
  });

  it('refuses to merge an ended unit and changes nothing', async () => {
    const before = await t.ctx.database.db.selectFrom('unit_succession').selectAll().execute();
    const err = await mergeUnits(t.ctx, systemContext(), {
      predecessorIds: ['u-25201'],
      successorId: 'u-25203',
      effectiveDate: '2026-12-15',
      legalBasis: 'x',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('merge_bad_predecessor');
    expect(await t.ctx.database.db.selectFrom('unit_succession').selectAll().execute()).toEqual(before);
  });
});
