import type { AppContext } from '../context.ts';
import { randomToken, sha256 } from '../http/security.ts';
import { loadGrants } from './accounts.ts';
import { requiresMfa } from './roles.ts';
import type { Actor } from './access.ts';

/** Sessions live in the database (any copy of the server can serve any request); only a hash of the token is stored. */
export async function createSession(
  ctx: AppContext,
  accountId: string,
  opts: { mfaPassed: boolean; ip: string | null; userAgent: string | null },
): Promise<string> {
  const token = randomToken();
  const now = new Date();
  await ctx.database.db
    .insertInto('auth_session')
    .values({
      id: sha256(token),
      account_id: accountId,
      mfa_passed: opts.mfaPassed ? 1 : 0,
      created_at: now.toISOString(),
      last_seen_at: now.toISOString(),
      expires_at: new Date(now.getTime() + ctx.config.sessionMaxHours * 3600000).toISOString(),
      ip: opts.ip,
      user_agent: opts.userAgent?.slice(0, 300) ?? null,
    })
    .execute();
  return token;
}

export async function destroySession(ctx: AppContext, token: string) {
  await ctx.database.db.deleteFrom('auth_session').where('id', '=', sha256(token)).execute();
}

export type SessionState =
  | { status: 'none' }
  | { status: 'expired' }
  /** Password accepted, second factor still owed: only the TOTP pages are open. */
  | { status: 'mfa_pending'; accountId: string; sessionId: string }
  | { status: 'active'; actor: Actor; sessionId: string };

/** Touching last_seen on every request would make every read a write; once a minute is enough. */
const TOUCH_EVERY_MS = 60_000;

/**
 * Resolves a session token: idle and absolute expiry, disabled accounts, pending second factor.
 * An expired session is deleted.
 */
export async function resolveSession(ctx: AppContext, token: string | undefined): Promise<SessionState> {
  if (!token) return { status: 'none' };
  const id = sha256(token);
  const row = await ctx.database.db
    .selectFrom('auth_session as s')
    .innerJoin('auth_account as a', 'a.id', 's.account_id')
    .select([
      's.id',
      's.mfa_passed',
      's.last_seen_at',
      's.expires_at',
      'a.id as account_id',
      'a.kind',
      'a.display_name',
      'a.unit_id',
      'a.disabled_at',
    ])
    .where('s.id', '=', id)
    .executeTakeFirst();
  if (!row) return { status: 'none' };
  const grants = await loadGrants(ctx, row.account_id);
  const now = Date.now();
  const idleMinutes = requiresMfa(grants.map((g) => g.role)) ? ctx.config.sessionIdleMinutesAdmin : ctx.config.sessionIdleMinutes;
  const lastSeen = new Date(row.last_seen_at).getTime();
  if (row.disabled_at || now > new Date(row.expires_at).getTime() || now - lastSeen > idleMinutes * 60000) {
    await ctx.database.db.deleteFrom('auth_session').where('id', '=', id).execute();
    return { status: 'expired' };
  }
  if (now - lastSeen > TOUCH_EVERY_MS) {
    await ctx.database.db.updateTable('auth_session').set({ last_seen_at: new Date(now).toISOString() }).where('id', '=', id).execute();
  }
  if (row.kind === 'official' && row.mfa_passed !== 1) {
    return { status: 'mfa_pending', accountId: row.account_id, sessionId: id };
  }
  return {
    status: 'active',
    sessionId: id,
    actor: { id: row.account_id, kind: row.kind, displayName: row.display_name, unitId: row.unit_id, grants },
  };
}

export async function markMfaPassed(ctx: AppContext, sessionId: string) {
  await ctx.database.db.updateTable('auth_session').set({ mfa_passed: 1 }).where('id', '=', sessionId).execute();
}
