import type { Database } from '../db/connect.ts';
import type { UnitTable } from '../db/schema.ts';

export type Unit = UnitTable;

/** Unit levels; `kind` says what the unit is called (xã, phường, thôn…), `level` where it sits. */
export const UNIT_LEVELS = ['province', 'district', 'commune', 'village'] as const;
export type UnitLevel = (typeof UNIT_LEVELS)[number];
export const UNIT_KINDS = [
  'province',
  'city',
  'district',
  'town',
  'commune',
  'ward',
  'township',
  'special_zone',
  'village',
  'residential_group',
] as const;
export type UnitKind = (typeof UNIT_KINDS)[number];

/** Is the unit in force on the given date (YYYY-MM-DD)? valid_to is the first day it no longer is. */
export const isCurrent = (u: Pick<Unit, 'valid_from' | 'valid_to'>, on: string) =>
  u.valid_from <= on && (u.valid_to === null || u.valid_to > on);

export const today = () => new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Ho_Chi_Minh' });

export function unitRepository(database: Database) {
  const { db } = database;
  type End = 'predecessor_id' | 'successor_id';
  /** Units on the other end of the succession links whose `from` end is the given unit. */
  const linked = (id: string, from: End, to: End) =>
    db
      .selectFrom('unit_succession as s')
      .innerJoin('unit as u', 'u.id', `s.${to}`)
      .selectAll('u')
      .select(['s.effective_date', 's.legal_basis as succession_basis'])
      .where(`s.${from}`, '=', id)
      .orderBy('u.name')
      .execute();
  return {
    byId: (id: string) => db.selectFrom('unit').selectAll().where('id', '=', id).executeTakeFirst(),
    byCode: (code: string) => db.selectFrom('unit').selectAll().where('code', '=', code).executeTakeFirst(),
    children: (parentId: string) =>
      db.selectFrom('unit').selectAll().where('parent_id', '=', parentId).orderBy('code').execute(),
    /** Units of a level in force today, optionally under one parent. */
    current: (level: UnitLevel, parentId?: string) => {
      const on = today();
      let q = db
        .selectFrom('unit')
        .selectAll()
        .where('level', '=', level)
        .where('valid_from', '<=', on)
        .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>', on)]));
      if (parentId) q = q.where('parent_id', '=', parentId);
      return q.orderBy('name').execute();
    },
    /** The units this one was formed from. */
    predecessors: (id: string) => linked(id, 'successor_id', 'predecessor_id'),
    /** The units this one became part of. */
    successors: (id: string) => linked(id, 'predecessor_id', 'successor_id'),
  };
}
