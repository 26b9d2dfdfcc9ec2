import type { AppContext } from '../context.ts';
import type { Database } from '../db/connect.ts';
import { randomToken, sha256 } from '../http/security.ts';
import { toGrants } from './accounts.ts';
import { requiresMfa } from './roles.ts';
import type { Actor, Grant } from './access.ts';

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
  const id = sha256(token);
  await ctx.database.db.deleteFrom('auth_session').where('id', '=', id).execute();
  forgetSessions(ctx.database, { sessionId: id });
}

export type SessionState =
  | { status: 'none' }
  | { status: 'expired' }
  /** Password accepted, second factor still owed: only the TOTP pages are open. */
  | { status: 'mfa_pending'; accountId: string; sessionId: string }
  | { status: 'active'; actor: Actor; sessionId: string };

/** Touching last_seen on every request would make every read a write; once a minute is enough. */
const TOUCH_EVERY_MS = 60_000;
const CACHE_MAX_ENTRIES = 10_000;

interface SessionRow {
  mfa_passed: number;
  last_seen_at: string;
  expires_at: string;
  account_id: string;
  kind: 'official' | 'citizen';
  display_name: string;
  unit_id: string;
  disabled_at: string | null;
}

interface Cached {
  /** The stored id (SHA-256 of the token). */
  id: string;
  row: SessionRow;
  grants: Grant[];
  fetchedAt: number;
  lastSeenMs: number;
  expiresMs: number;
  idleMs: number;
  /** What the session amounts to while it is valid (active or awaiting the second factor). */
  state: SessionState;
}

interface SessionStore {
  session: (id: string) => Promise<SessionRow[]>;
  grants: (accountId: string) => Promise<{ role: string; unit_id: string; field: string | null }[]>;
  /**
   * Resolved sessions, kept for SESSION_CACHE_MS (2 s by default): the lookup runs on every request and
   * costs more than the rest of a small request. Sign-out, second factor and disabling an account clear
   * it at once in this process; another copy of the server sees such a change within the TTL. Keyed by
   * the token itself, so that a hit costs no hashing.
   */
  cache: Map<string, Cached>;
}

const stores = new WeakMap<Database, SessionStore>();

function sessionStore(database: Database): SessionStore {
  let s = stores.get(database);
  if (!s) {
    s = {
      session: database.preparedRead<SessionRow>(
        'session_lookup',
        `select s.mfa_passed, s.last_seen_at, s.expires_at, a.id as account_id, a.kind, a.display_name, a.unit_id, a.disabled_at
         from auth_session s join auth_account a on a.id = s.account_id where s.id = ?`,
      ),
      grants: database.preparedRead('grant_lookup', 'select role, unit_id, field from auth_role_grant where account_id = ?'),
      cache: new Map(),
    };
    stores.set(database, s);
  }
  return s;
}

/** Drops cached sessions (one session, or every session of an account) after a change to them. */
export function forgetSessions(database: Database, which: { sessionId?: string; accountId?: string }) {
  const { cache } = sessionStore(database);
  for (const [token, c] of cache) {
    if (c.id === which.sessionId || c.row.account_id === which.accountId) cache.delete(token);
  }
}

async function lookup(ctx: AppContext, token: string, now: number): Promise<Cached | null> {
  const store = sessionStore(ctx.database);
  const ttl = ctx.config.sessionCacheMs;
  const hit = store.cache.get(token);
  if (hit && now - hit.fetchedAt < ttl) return hit;
  const id = sha256(token);
  const [row] = await store.session(id);
  if (!row) {
    store.cache.delete(token);
    return null;
  }
  const grants = toGrants(await store.grants(row.account_id));
  const idleMinutes = requiresMfa(grants.map((g) => g.role)) ? ctx.config.sessionIdleMinutesAdmin : ctx.config.sessionIdleMinutes;
  const state: SessionState =
    row.kind === 'official' && row.mfa_passed !== 1
      ? { status: 'mfa_pending', accountId: row.account_id, sessionId: id }
      : {
          status: 'active',
          sessionId: id,
          actor: { id: row.account_id, kind: row.kind, displayName: row.display_name, unitId: row.unit_id, grants },
        };
  const entry: Cached = {
    id,
    row,
    grants,
    fetchedAt: now,
    lastSeenMs: new Date(row.last_seen_at).getTime(),
    expiresMs: new Date(row.expires_at).getTime(),
    idleMs: idleMinutes * 60000,
    state,
  };
  if (ttl > 0) {
    if (store.cache.size >= CACHE_MAX_ENTRIES) store.cache.clear();
    store.cache.set(token, entry);
  }
  return entry;
}

const isExpired = (c: Cached, now: number) => c.row.disabled_at !== null || now > c.expiresMs || now - c.lastSeenMs > c.idleMs;

/**
 * The answer from the cache alone, without a promise, when it needs no database work (the common
 * case: a fresh cache entry of a valid session that was touched recently). Otherwise undefined.
 */
export function cachedSession(ctx: AppContext, token: string | undefined, now = Date.now()): SessionState | undefined {
  if (!token) return { status: 'none' };
  const hit = sessionStore(ctx.database).cache.get(token);
  if (!hit || now - hit.fetchedAt >= ctx.config.sessionCacheMs || isExpired(hit, now) || now - hit.lastSeenMs > TOUCH_EVERY_MS) return undefined;
  return hit.state;
}

/**
 * Resolves a session token: idle and absolute expiry, disabled accounts, pending second factor.
 * An expired session is deleted.
 */
export async function resolveSession(ctx: AppContext, token: string | undefined): Promise<SessionState> {
  if (!token) return { status: 'none' };
  const now = Date.now();
  const found = await lookup(ctx, token, now);
  if (!found) return { status: 'none' };
  if (isExpired(found, now)) {
    await ctx.database.db.deleteFrom('auth_session').where('id', '=', found.id).execute();
    forgetSessions(ctx.database, { sessionId: found.id });
    return { status: 'expired' };
  }
  if (now - found.lastSeenMs > TOUCH_EVERY_MS) {
    const seen = new Date(now).toISOString();
    await ctx.database.db.updateTable('auth_session').set({ last_seen_at: seen }).where('id', '=', found.id).execute();
    found.row.last_seen_at = seen;
    found.lastSeenMs = now;
  }
  return found.state;
}

export async function markMfaPassed(ctx: AppContext, sessionId: string) {
  await ctx.database.db.updateTable('auth_session').set({ mfa_passed: 1 }).where('id', '=', sessionId).execute();
  forgetSessions(ctx.database, { sessionId });
}
