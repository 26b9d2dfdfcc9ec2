import crypto from 'node:crypto';
import type { AppContext } from './context.ts';
import { systemContext, writeAudit } from './audit/audit.ts';
import { createOfficial } from './auth/accounts.ts';
import type { Role } from './auth/roles.ts';
import { unitsChanged } from './auth/access.ts';
import { DEMO_SUCCESSIONS, DEMO_UNITS } from './units/demo-units.ts';
import { insertUnit } from './units/commands.ts';

/** Password of every demo account; printed at start-up in demo mode. Never used outside demo mode. */
export const DEMO_PASSWORD = 'xaso-demo-2026';

export interface DemoAccount {
  username: string;
  displayName: string;
  unit: string;
  role: Role;
  field?: string;
}

/** Officials of the demo: who may do what, where. Administrators set up TOTP at first sign-in. */
export const DEMO_ACCOUNTS: DemoAccount[] = [
  { username: 'admin', displayName: 'Quản trị hệ thống', unit: 'u-25', role: 'system_admin' },
  { username: 'tinh.quantri', displayName: 'Nguyễn Văn Tỉnh', unit: 'u-25', role: 'province_admin' },
  { username: 'huongdao.chutich', displayName: 'Trần Văn Hùng', unit: 'u-25201', role: 'commune_leader' },
  { username: 'huongdao.tuphap', displayName: 'Lê Thị Mai', unit: 'u-25201', role: 'commune_official', field: 'civil_status' },
  { username: 'huongdao.vhtt', displayName: 'Phạm Văn Nam', unit: 'u-25201', role: 'commune_official', field: 'culture_information' },
  { username: 'huongdao.vanthu', displayName: 'Đỗ Thị Lan', unit: 'u-25201', role: 'document_clerk' },
  { username: 'huongdao.dongbua', displayName: 'Nguyễn Văn Bình', unit: 'u-25201-01', role: 'village_head' },
  { username: 'huongdao.totv', displayName: 'Hoàng Thị Thu', unit: 'u-25201-01', role: 'team_member' },
  { username: 'huongdao.congan', displayName: 'Vũ Đức Anh', unit: 'u-25201', role: 'camera_viewer' },
  { username: 'langcong.chutich', displayName: 'Bùi Văn Quang', unit: 'u-25202', role: 'commune_leader' },
  { username: 'langcong.tuphap', displayName: 'Ngô Thị Hạnh', unit: 'u-25202', role: 'commune_official', field: 'civil_status' },
  { username: 'thotang.chutich', displayName: 'Đặng Văn Toàn', unit: 'u-25203', role: 'commune_leader' },
  { username: 'tamdao.chutich', displayName: 'Phan Thị Hương', unit: 'u-25204', role: 'commune_leader' },
];

/** Loads the administrative units (always) and, in demo mode, the demo officials. Idempotent. */
export async function seedPlatform(ctx: AppContext, opts: { demo: boolean }): Promise<{ units: number; accounts: number }> {
  const { database } = ctx;
  const existing = new Set((await database.db.selectFrom('unit').select('id').execute()).map((r) => r.id));
  const missing = DEMO_UNITS.filter((u) => !existing.has(u.id));
  const pairs = new Set(
    (await database.db.selectFrom('unit_succession').select(['predecessor_id', 'successor_id']).execute()).map(
      (r) => `${r.predecessor_id}>${r.successor_id}`,
    ),
  );
  const missingSuccessions = DEMO_SUCCESSIONS.filter((s) => !pairs.has(`${s.predecessor}>${s.successor}`));
  if (missing.length || missingSuccessions.length) {
    await database.db.transaction().execute(async (trx) => {
      // Parents first: the list is written top-down.
      for (const u of missing) await insertUnit(trx, { ...u, parentId: u.parent });
      for (const s of missingSuccessions) {
        await trx
          .insertInto('unit_succession')
          .values({ id: crypto.randomUUID(), predecessor_id: s.predecessor, successor_id: s.successor, effective_date: s.date, legal_basis: s.legalBasis })
          .execute();
      }
      await writeAudit(database, trx, systemContext('seed'), {
        action: 'seed.units',
        entity: 'unit',
        detail: { units: missing.length, successions: missingSuccessions.length },
      });
    });
    unitsChanged(database);
  }
  let accounts = 0;
  if (opts.demo) {
    const taken = new Set(
      (await database.db.selectFrom('auth_account').select('username').execute()).map((r) => r.username),
    );
    for (const a of DEMO_ACCOUNTS.filter((d) => !taken.has(d.username))) {
      await createOfficial(ctx, systemContext('seed'), {
        username: a.username,
        displayName: a.displayName,
        password: DEMO_PASSWORD,
        unitId: a.unit,
        grants: [{ role: a.role, unitId: a.unit, field: a.field ?? null }],
      });
      accounts++;
    }
  }
  return { units: missing.length, accounts };
}

/** The platform's seed, then every module's, in dependency order. Idempotent: runs at every demo start. */
export async function seedAll(ctx: AppContext, opts: { demo: boolean }): Promise<{ units: number; accounts: number }> {
  const result = await seedPlatform(ctx, opts);
  for (const m of ctx.modules) if (m.seed) await m.seed(ctx, opts);
  return result;
}
