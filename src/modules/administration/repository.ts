import { scopeToUnits, type UnitScope } from '../../platform/auth/access.ts';
import type { Database } from '../../platform/db/connect.ts';

/** The administration module's reads: accounts, units and audit events, always scoped. */
export function administrationRepository(database: Database) {
  const { db } = database;
  return {
    units: (scope: UnitScope) =>
      scopeToUnits(db.selectFrom('unit').selectAll(), 'unit.id', scope)
        .orderBy('level')
        .orderBy('name')
        .limit(2000)
        .execute(),
    accounts: (scope: UnitScope) =>
      scopeToUnits(
        db
          .selectFrom('auth_account')
          .innerJoin('unit', 'unit.id', 'auth_account.unit_id')
          .select([
            'auth_account.id',
            'auth_account.username',
            'auth_account.display_name',
            'auth_account.kind',
            'auth_account.unit_id',
            'auth_account.last_login_at',
            'auth_account.disabled_at',
            'unit.name as unit_name',
          ])
          .where('auth_account.kind', '=', 'official'),
        'auth_account.unit_id',
        scope,
      )
        .orderBy('auth_account.username')
        .limit(1000)
        .execute(),
    account: (id: string) => db.selectFrom('auth_account').selectAll().where('id', '=', id).executeTakeFirst(),
    grants: (accountId: string) =>
      db
        .selectFrom('auth_role_grant')
        .innerJoin('unit', 'unit.id', 'auth_role_grant.unit_id')
        .select(['auth_role_grant.role', 'auth_role_grant.field', 'unit.name as unit_name', 'unit.id as unit_id'])
        .where('account_id', '=', accountId)
        .execute(),
    auditEvents: (scope: UnitScope, limit = 200) =>
      scopeToUnits(db.selectFrom('audit_event').selectAll(), 'audit_event.unit_id', scope)
        .orderBy('seq', 'desc')
        .limit(limit)
        .execute(),
    auditEvent: (seq: number) => db.selectFrom('audit_event').selectAll().where('seq', '=', seq).executeTakeFirst(),
  };
}
