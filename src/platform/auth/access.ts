import { sql, type SelectQueryBuilder } from 'kysely';
import type { Database } from '../db/connect.ts';
import { readCache, type ReadCache } from '../db/cache.ts';
import { AppError, forbidden } from '../errors.ts';
import type { PermissionTable, Role } from './roles.ts';

/** A role held at a unit (and so over every unit below it). */
export interface Grant {
  role: Role;
  unitId: string;
  field: string | null;
}

/** The signed-in person as every handler and command sees them. */
export interface Actor {
  id: string;
  kind: 'official' | 'citizen';
  displayName: string;
  unitId: string;
  grants: Grant[];
}

/** The record being reached: the unit it belongs to and, for citizens' records, its owner. */
export interface ResourceRef {
  unitId?: string | null;
  ownerId?: string | null;
}

/** Units an actor may act on for an action: every unit, or a list of unit ids. */
export type UnitScope = 'all' | readonly string[];

/**
 * Decides every access: deny by default. One instance per request memoises the actor's unit subtrees.
 * `can` answers; `authorize` throws 404 for a record outside the actor's scope (a record of another
 * unit must not even be confirmed to exist) and 403 when the actor lacks the permission altogether.
 */
export class Access {
  private readonly scopes = new Map<string, Promise<UnitScope>>();

  constructor(
    private readonly database: Database,
    private readonly permissions: PermissionTable,
    readonly actor: Actor | null,
  ) {}

  private rule(action: string) {
    const rule = this.permissions[action];
    if (!rule) throw new Error(`Unknown permission: ${action}`);
    return rule;
  }

  /** Does the actor hold any role that grants the action, anywhere? */
  holds(action: string): boolean {
    const rule = this.rule(action);
    if (!this.actor) return false;
    return this.actor.grants.some((g) => rule.includes(g.role));
  }

  /** The units where the actor may perform the action (their grant units and everything below). */
  unitsFor(action: string): Promise<UnitScope> {
    let scope = this.scopes.get(action);
    if (!scope) {
      scope = this.computeScope(action);
      this.scopes.set(action, scope);
    }
    return scope;
  }

  private async computeScope(action: string): Promise<UnitScope> {
    const rule = this.rule(action);
    const grants = (this.actor?.grants ?? []).filter((g) => rule.includes(g.role));
    if (grants.some((g) => g.role === 'system_admin')) return 'all';
    if (grants.length === 0) return [];
    return descendantUnits(
      this.database,
      grants.map((g) => g.unitId),
    );
  }

  async can(action: string, resource: ResourceRef = {}): Promise<boolean> {
    if (!this.actor) return false;
    const rule = this.rule(action);
    if (rule.includes('own') && resource.ownerId && resource.ownerId === this.actor.id) return true;
    if (resource.unitId === undefined) return this.holds(action);
    if (resource.unitId === null) return (await this.unitsFor(action)) === 'all';
    const scope = await this.unitsFor(action);
    return scope === 'all' || scope.includes(resource.unitId);
  }

  /** Throws 403 if the actor has no role granting the action at all. */
  require(action: string): void {
    if (!this.holds(action)) throw forbidden();
  }

  /** Throws 404 when the record lies outside the actor's scope for the action. */
  async authorize(action: string, resource: ResourceRef): Promise<void> {
    if (!(await this.can(action, resource))) {
      // Same answer as a missing record; the error handler audits the attempt.
      throw new AppError('out_of_scope', 404, 'error.not_found', { action, unitId: resource.unitId ?? '' });
    }
  }
}

/** Ids of the given units and all units below them (villages move with their commune on a merge). */
export function descendantUnits(database: Database, roots: readonly string[]): Promise<readonly string[]> {
  if (roots.length === 0) return Promise.resolve([]);
  return subtrees.get(database, [...new Set(roots)].sort().join(','));
}

/**
 * Subtrees are read on every scoped request and change only when units are created or merged: kept
 * for 30 s, dropped at once by the unit commands of this process (see `unitsChanged`).
 */
const subtrees = readCache(30_000, async (database, key: string) => {
  const rows = await sql<{ id: string }>`
    with recursive sub(id) as (
      select id from unit where id in (${sql.join(key.split(','))})
      union
      select u.id from unit u join sub on u.parent_id = sub.id
    )
    select id from sub`.execute(database.db);
  return Object.freeze(rows.rows.map((r) => r.id));
});

/** Caches of unit facts, dropped together whenever the unit tree changes (see `unitsChanged`). */
const unitCaches: ReadCache<string, unknown>[] = [subtrees];

/** A read cache of facts about units (kept `ttlMs`), dropped at once by this process's unit commands. */
export function unitReadCache<T>(ttlMs: number, load: (database: Database, unitId: string) => Promise<T>): ReadCache<string, T> {
  const cache = readCache(ttlMs, load);
  unitCaches.push(cache);
  return cache;
}

/** Call after committing a change to the unit tree. */
export const unitsChanged = (database: Database) => {
  for (const cache of unitCaches) cache.invalidate(database);
};

/** Restricts a query to rows whose unit column lies in the scope. The one helper every list uses. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- works on any table with a unit column
export function scopeToUnits<QB extends SelectQueryBuilder<any, any, any>>(qb: QB, column: string, scope: UnitScope): QB {
  if (scope === 'all') return qb;
  if (scope.length === 0) return qb.where(sql<boolean>`1 = 0`) as QB;
  return qb.where(sql.ref(column), 'in', scope) as QB;
}
