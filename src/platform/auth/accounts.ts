import crypto from 'node:crypto';
import type { AppContext } from '../context.ts';
import { writeAudit, type AuditContext } from '../audit/audit.ts';
import { fieldProblem } from '../errors.ts';
import { hashPassword, verifyPassword, PASSWORD_MIN_LENGTH } from './password.ts';
import { checkTotp } from './totp.ts';
import { isRole, requiresMfa, type Role } from './roles.ts';
import type { Grant } from './access.ts';
import { forgetSessions } from './sessions.ts';

export interface NewOfficial {
  username: string;
  displayName: string;
  password: string;
  unitId: string;
  grants: { role: Role; unitId: string; field?: string | null }[];
  totpSecret?: string | null;
}

export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{2,63}$/;

/** Creates an official's account with its role grants. Refuses a taken username or a weak password. */
export async function createOfficial(ctx: AppContext, audit: AuditContext, input: NewOfficial): Promise<string> {
  const username = input.username.trim().toLowerCase();
  if (!USERNAME_PATTERN.test(username)) throw fieldProblem('bad_username', 400, 'username', 'accounts.error.username');
  if (input.password.length < PASSWORD_MIN_LENGTH) {
    throw fieldProblem('weak_password', 400, 'password', 'accounts.error.password', { min: PASSWORD_MIN_LENGTH });
  }
  for (const g of input.grants) if (!isRole(g.role)) throw fieldProblem('bad_role', 400, 'role', 'accounts.error.role');
  const { database } = ctx;
  const taken = await database.db.selectFrom('auth_account').select('id').where('username', '=', username).executeTakeFirst();
  if (taken) throw fieldProblem('username_taken', 409, 'username', 'accounts.error.username_taken');
  const id = crypto.randomUUID();
  const now = new Date().toISOString();
  const passwordHash = await hashPassword(input.password);
  await database.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('auth_account')
      .values({
        id,
        kind: 'official',
        username,
        display_name: input.displayName,
        unit_id: input.unitId,
        origin_unit_id: input.unitId,
        password_hash: passwordHash,
        totp_secret: input.totpSecret ?? null,
        totp_enabled: input.totpSecret ? 1 : 0,
        created_at: now,
      })
      .execute();
    for (const g of input.grants) {
      await trx
        .insertInto('auth_role_grant')
        .values({
          id: crypto.randomUUID(),
          account_id: id,
          role: g.role,
          field: g.field ?? null,
          unit_id: g.unitId,
          origin_unit_id: g.unitId,
          created_at: now,
        })
        .execute();
    }
    await writeAudit(database, trx, audit, {
      action: 'account.create',
      entity: 'account',
      entityId: id,
      unitId: input.unitId,
      detail: { username, grants: input.grants },
    });
  });
  return id;
}

export async function loadGrants(ctx: Pick<AppContext, 'database'>, accountId: string): Promise<Grant[]> {
  const rows = await ctx.database.db
    .selectFrom('auth_role_grant')
    .select(['role', 'unit_id', 'field'])
    .where('account_id', '=', accountId)
    .execute();
  return toGrants(rows);
}

export const toGrants = (rows: { role: string; unit_id: string; field: string | null }[]): Grant[] =>
  rows.filter((r) => isRole(r.role)).map((r) => ({ role: r.role as Role, unitId: r.unit_id, field: r.field }));

export type PasswordLoginResult =
  | { ok: true; accountId: string; needsTotp: boolean; needsTotpSetup: boolean }
  | { ok: false; reason: 'failed' | 'locked' | 'disabled'; minutes?: number };

/**
 * Checks a username and password. Unknown users and wrong passwords give the same answer and take the
 * same time; the fifth failure in a row locks the account; an account unused for too long is disabled.
 */
export async function checkPasswordLogin(
  ctx: AppContext,
  audit: AuditContext,
  usernameRaw: string,
  password: string,
): Promise<PasswordLoginResult> {
  const { database, config } = ctx;
  const username = usernameRaw.trim().toLowerCase();
  const account = await database.db
    .selectFrom('auth_account')
    .selectAll()
    .where('username', '=', username)
    .where('kind', '=', 'official')
    .executeTakeFirst();
  const passwordOk = await verifyPassword(account?.password_hash ?? null, password);
  const now = new Date();
  if (!account) {
    await recordLoginEvent(ctx, audit, null, 'auth.login_failed', null, { username });
    return { ok: false, reason: 'failed' };
  }
  if (account.disabled_at) return { ok: false, reason: 'disabled' };
  if (account.locked_until && new Date(account.locked_until) > now) {
    const minutes = Math.ceil((new Date(account.locked_until).getTime() - now.getTime()) / 60000);
    return { ok: false, reason: 'locked', minutes };
  }
  if (!passwordOk) {
    const failures = account.failed_logins + 1;
    const lock = failures >= config.loginMaxFailures;
    await database.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('auth_account')
        .set({
          failed_logins: lock ? 0 : failures,
          locked_until: lock ? new Date(now.getTime() + config.lockoutMinutes * 60000).toISOString() : account.locked_until,
        })
        .where('id', '=', account.id)
        .execute();
      await writeAudit(database, trx, audit, {
        action: lock ? 'auth.locked' : 'auth.login_failed',
        entity: 'account',
        entityId: account.id,
        unitId: account.unit_id,
        detail: { failures },
      });
    });
    return lock ? { ok: false, reason: 'locked', minutes: config.lockoutMinutes } : { ok: false, reason: 'failed' };
  }
  const lastUse = new Date(account.last_login_at ?? account.created_at);
  if (now.getTime() - lastUse.getTime() > config.accountInactiveDays * 86400000) {
    await disableAccount(ctx, audit, account.id, 'inactive');
    return { ok: false, reason: 'disabled' };
  }
  const grants = await loadGrants(ctx, account.id);
  const mustUseTotp = requiresMfa(grants.map((g) => g.role)) || account.totp_enabled === 1;
  return {
    ok: true,
    accountId: account.id,
    needsTotp: mustUseTotp && account.totp_enabled === 1,
    needsTotpSetup: mustUseTotp && account.totp_enabled !== 1,
  };
}

/** Verifies a TOTP code for the account; a code is accepted once only. Counts as a login failure if wrong. */
export async function checkAccountTotp(ctx: AppContext, audit: AuditContext, accountId: string, code: string, secretOverride?: string) {
  const { database } = ctx;
  const account = await database.db.selectFrom('auth_account').selectAll().where('id', '=', accountId).executeTakeFirstOrThrow();
  const secret = secretOverride ?? account.totp_secret;
  if (!secret) return false;
  const step = await checkTotp(secret, code.trim(), account.totp_last_step);
  await database.db.transaction().execute(async (trx) => {
    if (step !== null) {
      await trx
        .updateTable('auth_account')
        .set({ totp_last_step: step, ...(secretOverride ? { totp_secret: secretOverride, totp_enabled: 1 } : {}) })
        .where('id', '=', accountId)
        .execute();
    }
    await writeAudit(database, trx, audit, {
      action: step === null ? 'auth.totp_failed' : secretOverride ? 'auth.totp_enabled' : 'auth.totp_passed',
      entity: 'account',
      entityId: accountId,
      unitId: account.unit_id,
    });
  });
  return step !== null;
}

/** Marks a successful sign-in: resets failures, stamps the time, audits. */
export async function recordLogin(ctx: AppContext, audit: AuditContext, accountId: string, method: string) {
  const { database } = ctx;
  await database.db.transaction().execute(async (trx) => {
    const account = await trx
      .updateTable('auth_account')
      .set({ failed_logins: 0, locked_until: null, last_login_at: new Date().toISOString() })
      .where('id', '=', accountId)
      .returning(['unit_id'])
      .executeTakeFirstOrThrow();
    await writeAudit(database, trx, audit, {
      action: 'auth.login',
      entity: 'account',
      entityId: accountId,
      unitId: account.unit_id,
      detail: { method },
    });
  });
}

async function recordLoginEvent(
  ctx: AppContext,
  audit: AuditContext,
  accountId: string | null,
  action: string,
  unitId: string | null,
  detail: Record<string, unknown>,
) {
  await ctx.database.db.transaction().execute((trx) =>
    writeAudit(ctx.database, trx, audit, { action, entity: 'account', entityId: accountId, unitId, detail }),
  );
}

export async function disableAccount(ctx: AppContext, audit: AuditContext, accountId: string, reason: string) {
  const { database } = ctx;
  await database.db.transaction().execute(async (trx) => {
    const account = await trx
      .updateTable('auth_account')
      .set({ disabled_at: new Date().toISOString(), disabled_reason: reason })
      .where('id', '=', accountId)
      .returning(['unit_id'])
      .executeTakeFirstOrThrow();
    await trx.deleteFrom('auth_session').where('account_id', '=', accountId).execute();
    await writeAudit(database, trx, audit, {
      action: 'account.disable',
      entity: 'account',
      entityId: accountId,
      unitId: account.unit_id,
      detail: { reason },
    });
  });
  forgetSessions(database, { accountId });
}

/** Disables every official's account unused for longer than the configured number of days. */
export async function disableInactiveAccounts(ctx: AppContext, audit: AuditContext): Promise<number> {
  const cutoff = new Date(Date.now() - ctx.config.accountInactiveDays * 86400000).toISOString();
  const stale = await ctx.database.db
    .selectFrom('auth_account')
    .select('id')
    .where('kind', '=', 'official')
    .where('disabled_at', 'is', null)
    .where((eb) =>
      eb.or([
        eb.and([eb('last_login_at', 'is not', null), eb('last_login_at', '<', cutoff)]),
        eb.and([eb('last_login_at', 'is', null), eb('created_at', '<', cutoff)]),
      ]),
    )
    .execute();
  for (const { id } of stale) await disableAccount(ctx, audit, id, 'inactive');
  return stale.length;
}

export interface CitizenClaims {
  subject: string;
  fullName: string;
  personalNumber: string | null;
  birthDate: string | null;
  address: string | null;
  phone: string | null;
  email: string | null;
}

/** Finds or creates the citizen's account from the identity provider's claims, refreshing the profile. */
export async function upsertCitizen(ctx: AppContext, audit: AuditContext, claims: CitizenClaims, unitId: string): Promise<string> {
  const { database } = ctx;
  const existing = await database.db
    .selectFrom('auth_account')
    .select(['id', 'unit_id'])
    .where('oidc_subject', '=', claims.subject)
    .executeTakeFirst();
  const profile = {
    display_name: claims.fullName,
    personal_number: claims.personalNumber,
    birth_date: claims.birthDate,
    address: claims.address,
    phone: claims.phone,
    email: claims.email,
  };
  const id = existing?.id ?? crypto.randomUUID();
  await database.db.transaction().execute(async (trx) => {
    if (existing) {
      await trx.updateTable('auth_account').set(profile).where('id', '=', id).execute();
    } else {
      const now = new Date().toISOString();
      await trx
        .insertInto('auth_account')
        .values({ id, kind: 'citizen', oidc_subject: claims.subject, unit_id: unitId, origin_unit_id: unitId, created_at: now, ...profile })
        .execute();
      await trx
        .insertInto('auth_role_grant')
        .values({ id: crypto.randomUUID(), account_id: id, role: 'citizen', field: null, unit_id: unitId, origin_unit_id: unitId, created_at: now })
        .execute();
      await writeAudit(database, trx, audit, { action: 'account.create_citizen', entity: 'account', entityId: id, unitId });
    }
  });
  return id;
}

/** `0123******89`: personal numbers are never shown whole in lists. */
export const maskPersonalNumber = (n: string | null) => (n && n.length >= 6 ? `${n.slice(0, 4)}${'*'.repeat(n.length - 6)}${n.slice(-2)}` : n);
