import crypto from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { AppContext } from '../context.ts';
import { writeAudit, type AuditContext } from '../audit/audit.ts';
import { fieldProblem } from '../errors.ts';
import { unitsChanged } from '../auth/access.ts';
import { isCurrent, unitRepository, type UnitKind, type UnitLevel } from './repository.ts';

/**
 * Unit codes follow Decision 19/2025/QĐ-TTg: 2 digits for a province, 5 for a commune-level unit. Old
 * districts keep their 3-digit code. Villages have no national code; we use `<commune code>-<NN>`.
 */
export const UNIT_CODE_PATTERNS: Record<UnitLevel, RegExp> = {
  province: /^\d{2}$/,
  district: /^\d{3}$/,
  commune: /^\d{5}$/,
  village: /^\d{5}-\d{2,3}$/,
};

export interface NewUnit {
  id?: string;
  code: string;
  name: string;
  kind: UnitKind;
  level: UnitLevel;
  parentId: string | null;
  validFrom: string;
  validTo?: string | null;
  legalBasis?: string | null;
  note?: string | null;
}

export async function createUnit(ctx: AppContext, audit: AuditContext, input: NewUnit): Promise<string> {
  if (!UNIT_CODE_PATTERNS[input.level].test(input.code)) {
    throw fieldProblem('invalid_unit_code', 400, 'code', 'units.error.bad_code', { code: input.code });
  }
  const id = input.id ?? crypto.randomUUID();
  const { database } = ctx;
  await database.db.transaction().execute(async (trx) => {
    await insertUnit(trx, { ...input, id });
    await writeAudit(database, trx, audit, {
      action: 'unit.create',
      entity: 'unit',
      entityId: id,
      unitId: input.parentId,
      detail: { code: input.code, name: input.name },
    });
  });
  unitsChanged(database);
  return id;
}

/** Inserts one unit row; the caller owns the transaction and its audit event. */
export async function insertUnit(trx: Kysely<DB>, input: NewUnit & { id: string }) {
  await trx
    .insertInto('unit')
    .values({
      id: input.id,
      code: input.code,
      name: input.name,
      kind: input.kind,
      level: input.level,
      parent_id: input.parentId,
      valid_from: input.validFrom,
      valid_to: input.validTo ?? null,
      legal_basis: input.legalBasis ?? null,
      note: input.note ?? null,
      created_at: new Date().toISOString(),
    })
    .execute();
}

export interface MergeInput {
  predecessorIds: string[];
  successorId: string;
  effectiveDate: string;
  legalBasis: string;
}

export interface MergeResult {
  rehomed: Record<string, number>;
  villagesMoved: number;
}

/**
 * Merges units into a successor: the predecessors end on the effective date, their villages move under
 * the successor, and every record registered in a module's `unitColumns` is re-homed while its origin
 * column keeps the unit it was created in. One transaction, one audit event.
 */
export async function mergeUnits(ctx: AppContext, audit: AuditContext, input: MergeInput): Promise<MergeResult> {
  const { database } = ctx;
  const units = unitRepository(database);
  const predecessorIds = [...new Set(input.predecessorIds)].filter((id) => id !== input.successorId);
  const successor = await units.byId(input.successorId);
  if (!successor || !isCurrent(successor, input.effectiveDate)) {
    throw fieldProblem('merge_bad_successor', 409, 'successorId', 'units.error.bad_successor');
  }
  if (predecessorIds.length === 0) {
    throw fieldProblem('merge_no_predecessor', 400, 'predecessorIds', 'units.error.no_predecessor');
  }
  for (const id of predecessorIds) {
    const p = await units.byId(id);
    if (!p || p.level !== successor.level || p.valid_to !== null) {
      throw fieldProblem('merge_bad_predecessor', 409, 'predecessorIds', 'units.error.bad_predecessor', {
        name: p?.name ?? id,
      });
    }
  }
  const rehomed: Record<string, number> = {};
  let villagesMoved = 0;
  await database.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('unit')
      .set({ valid_to: input.effectiveDate })
      .where('id', 'in', predecessorIds)
      .execute();
    for (const pid of predecessorIds) {
      await trx
        .insertInto('unit_succession')
        .values({
          id: crypto.randomUUID(),
          predecessor_id: pid,
          successor_id: successor.id,
          effective_date: input.effectiveDate,
          legal_basis: input.legalBasis,
        })
        .execute();
    }
    const moved = await trx
      .updateTable('unit')
      .set({ parent_id: successor.id })
      .where('parent_id', 'in', predecessorIds)
      .where('level', '=', 'village')
      .executeTakeFirst();
    villagesMoved = Number(moved.numUpdatedRows);
    for (const col of ctx.unitColumns) {
      const result = await sql`update ${sql.table(col.table)} set ${sql.ref(col.column)} = ${successor.id}
        where ${sql.ref(col.column)} in (${sql.join(predecessorIds)})`.execute(trx);
      rehomed[`${col.table}.${col.column}`] = Number(result.numAffectedRows ?? 0);
    }
    await writeAudit(database, trx, audit, {
      action: 'unit.merge',
      entity: 'unit',
      entityId: successor.id,
      unitId: successor.id,
      detail: { predecessorIds, effectiveDate: input.effectiveDate, legalBasis: input.legalBasis, rehomed, villagesMoved },
    });
  });
  unitsChanged(database);
  return { rehomed, villagesMoved };
}
