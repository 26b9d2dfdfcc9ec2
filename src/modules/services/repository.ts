import { sql, type Kysely } from 'kysely';
import type { Database } from '../../platform/db/connect.ts';
import { batchedLookup } from '../../platform/db/batch.ts';
import type { DB } from '../../platform/db/schema.ts';
import { scopeToUnits, type UnitScope } from '../../platform/auth/access.ts';
import { likePattern } from '../../platform/search.ts';
import { procedureSchema, type Procedure } from './schemas.ts';
import type { CalendarOverride } from './calendar.ts';
import './schema.ts';
import { OPEN_STATES } from './workflow.ts';

export { OPEN_STATES };

export interface ProcedureRow {
  id: string;
  provinceId: string;
  procedure: Procedure;
}

/**
 * Parsed procedures by their stored JSON: validating a catalogue entry is done once per version, and
 * the same object (hence the same form definition) serves every request.
 */
const parsed = new Map<string, ProcedureRow>();
const toProcedure = (r: { id: string; province_id: string; data: string }): ProcedureRow => {
  const key = `${r.id}\u0000${r.data}`;
  let row = parsed.get(key);
  if (!row) {
    if (parsed.size > 2000) parsed.clear();
    row = { id: r.id, provinceId: r.province_id, procedure: procedureSchema.parse(JSON.parse(r.data)) };
    parsed.set(key, row);
  }
  return row;
};

export interface DossierFilters {
  state?: string | undefined;
  procedureCode?: string | undefined;
  /** Only dossiers past their due date and not finished, as of `today`. */
  overdueOn?: string | undefined;
  limit?: number;
  offset?: number;
}

/** The open states (workflow.ts) as SQL literals: a partial index's predicate must appear as text to be used. */
const OPEN_STATES_SQL = sql.raw(OPEN_STATES.map((x) => `'${x}'`).join(', '));

/** The only place with the services module's SQL. */
export function servicesRepository(database: Database) {
  const { db } = database;
  return {
    async procedures(provinceId: string, query?: string): Promise<ProcedureRow[]> {
      let q = db.selectFrom('svc_procedure').select(['id', 'province_id', 'data']).where('province_id', '=', provinceId).where('active', '=', 1);
      const pattern = query ? likePattern(query) : null;
      if (pattern) q = q.where('search_text', 'like', pattern);
      return (await q.orderBy('sector').orderBy('name').execute()).map(toProcedure);
    },

    async procedureById(id: string): Promise<ProcedureRow | undefined> {
      const r = await db.selectFrom('svc_procedure').select(['id', 'province_id', 'data']).where('id', '=', id).where('active', '=', 1).executeTakeFirst();
      return r ? toProcedure(r) : undefined;
    },

    async procedureByCode(provinceId: string, code: string): Promise<ProcedureRow | undefined> {
      const r = await db
        .selectFrom('svc_procedure')
        .select(['id', 'province_id', 'data'])
        .where('province_id', '=', provinceId)
        .where('code', '=', code)
        .where('active', '=', 1)
        .executeTakeFirst();
      return r ? toProcedure(r) : undefined;
    },

    async agencyCode(unitId: string): Promise<string | undefined> {
      return (await db.selectFrom('svc_agency').select('agency_code').where('unit_id', '=', unitId).executeTakeFirst())?.agency_code;
    },

    /** The commune's agency identifier and fee account. */
    async agency(unitId: string) {
      return db.selectFrom('svc_agency').selectAll().where('unit_id', '=', unitId).executeTakeFirst();
    },

    async calendarOverrides(): Promise<CalendarOverride[]> {
      return db.selectFrom('svc_calendar_day').select(['date', 'kind', 'name']).orderBy('date').execute();
    },

    async dossierById(id: string) {
      return db.selectFrom('svc_dossier').selectAll().where('id', '=', id).executeTakeFirst();
    },

    async dossierByCode(code: string) {
      return db.selectFrom('svc_dossier').selectAll().where('code', '=', code).executeTakeFirst();
    },

    /**
     * The public tracking answer (only what tracking shows), by the unique code. A hot path: the
     * look-ups that come while earlier reads are under way share one prepared query — on PostgreSQL a
     * round trip saved per look-up, on SQLite half the cost of a look-up (12 → 6 µs, measured on a
     * million rows).
     */
    trackingByCode: (() => {
      type Tracking = { code: string; procedure_name: string; state: string; national_status: number; due_date: string | null; appointment_date: string | null };
      const columns = 'select code, procedure_name, state, national_status, due_date, appointment_date from svc_dossier';
      const codeOf = (r: Tracking) => r.code;
      if (database.dialect === 'postgres') return batchedLookup(database.preparedRead<Tracking>('svc_tracking_by_codes', `${columns} where code = any(?)`), codeOf);
      // SQLite takes the codes as one JSON array: one statement for any number of them.
      const read = database.preparedRead<Tracking>('svc_tracking_by_codes', `${columns} where code in (select value from json_each(?))`);
      return batchedLookup((codes) => read(JSON.stringify(codes)), codeOf);
    })(),

    async dossierByIdempotencyKey(key: string) {
      return db.selectFrom('svc_dossier').selectAll().where('idempotency_key', '=', key).executeTakeFirst();
    },

    async attachments(dossierId: string) {
      return db
        .selectFrom('svc_attachment as a')
        .innerJoin('platform_file as f', 'f.id', 'a.file_id')
        .select(['a.id', 'a.kind', 'a.label', 'a.file_id', 'f.name', 'f.mime', 'f.size', 'a.created_at'])
        .where('a.dossier_id', '=', dossierId)
        .orderBy('a.created_at')
        .execute();
    },

    async events(dossierId: string) {
      return db.selectFrom('svc_dossier_event').selectAll().where('dossier_id', '=', dossierId).orderBy('id').execute();
    },

    /**
     * Dossiers of the units in scope, newest first: those the scope's communes handle, and those their
     * desks received for another commune. Dossiers hang off communes, so the scope is narrowed to its
     * communes; each part reads an index in order (unit, [state,] created_at) and stops after a page.
     */
    async dossiers(scope: UnitScope, f: DossierFilters = {}) {
      const limit = f.limit ?? 50;
      const offset = f.offset ?? 0;
      const base = () => {
        let q = db
          .selectFrom('svc_dossier')
          .select(['id', 'code', 'procedure_code', 'procedure_name', 'unit_id', 'receiving_unit_id', 'channel', 'state', 'applicant_name', 'submitted_at', 'received_at', 'due_date', 'assignee_id', 'finished_at', 'created_at'])
          .where('state', '!=', 'draft');
        if (f.state) q = q.where('state', '=', f.state);
        if (f.procedureCode) q = q.where('procedure_code', '=', f.procedureCode);
        // The overdue list reads most overdue first (the partial index of open dossiers by due date).
        if (f.overdueOn) return q.where(sql<boolean>`state in (${OPEN_STATES_SQL})`).where('due_date', '<', f.overdueOn).orderBy('due_date').orderBy('id').limit(offset + limit);
        return q.orderBy('created_at', 'desc').orderBy('id').limit(offset + limit);
      };
      const order = (a: { created_at: string; due_date: string | null; id: string }, b: typeof a) =>
        f.overdueOn
          ? (a.due_date ?? '').localeCompare(b.due_date ?? '') || a.id.localeCompare(b.id)
          : a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : a.id.localeCompare(b.id);
      if (scope === 'all') return (await base().offset(0).execute()).slice(offset, offset + limit);
      const communes = scope.length
        ? (await db.selectFrom('unit').select('id').where('id', 'in', scope).where('level', '=', 'commune').execute()).map((u) => u.id)
        : [];
      if (!communes.length) return [];
      const [handled, received] = await Promise.all([
        base().where('unit_id', 'in', communes).execute(),
        base().where(sql<boolean>`receiving_unit_id <> unit_id`).where('receiving_unit_id', 'in', communes).where('unit_id', 'not in', communes).execute(),
      ]);
      return [...handled, ...received].sort(order).slice(offset, offset + limit);
    },

    /** Dossiers submitted in [from, to) within the scope, for statistics. */
    async statisticsRows(scope: UnitScope, from: string, to: string) {
      const q = db
        .selectFrom('svc_dossier')
        .select(['unit_id', 'procedure_code', 'procedure_name', 'channel', 'state', 'received_at', 'due_date', 'finished_at', 'payment_status', 'payment_method', 'rating'])
        .where('state', '!=', 'draft')
        .where('submitted_at', '>=', from)
        .where('submitted_at', '<', to);
      return scopeToUnits(q, 'unit_id', scope).execute();
    },

    /**
     * Form 06, the tracking register: the dossiers received (or filed online) in the period, oldest
     * first, with the times of the hand-overs the register records. At most `limit` rows.
     */
    async registerRows(scope: UnitScope, from: string, to: string, limit = 5000) {
      let q = db
        .selectFrom('svc_dossier as d')
        .select([
          'd.id',
          'd.code',
          'd.procedure_name',
          'd.applicant_name',
          'd.applicant_phone',
          'd.form_data',
          'd.unit_id',
          'd.state',
          'd.submitted_at',
          'd.received_at',
          'd.due_date',
          'd.appointment_date',
          'd.finished_at',
          'd.returned_at',
          (eb) => eb.selectFrom('svc_dossier_event as e').select((e) => e.fn.min('e.at').as('at')).whereRef('e.dossier_id', '=', 'd.id').where('e.action', '=', 'assign').as('assigned_at'),
        ])
        .where('d.state', '!=', 'draft')
        .where('d.submitted_at', '>=', from)
        .where('d.submitted_at', '<', to);
      q = scopeToUnits(q, 'd.unit_id', scope);
      return q.orderBy('d.submitted_at').orderBy('d.id').limit(limit).execute();
    },

    /** Statuses the upstream system reported for the dossier (exchange.ts), in time order. */
    async upstreamStatuses(dossierId: string) {
      return db.selectFrom('svc_upstream_status').select(['status', 'at', 'note', 'source']).where('dossier_id', '=', dossierId).orderBy('at').execute();
    },

    async citizenDossiers(citizenId: string) {
      return db
        .selectFrom('svc_dossier')
        .select(['id', 'code', 'procedure_name', 'state', 'submitted_at', 'due_date', 'updated_at'])
        .where('citizen_id', '=', citizenId)
        .orderBy('updated_at', 'desc')
        .execute();
    },

    /** Officials of the units who could be assigned a dossier of `unitId` (commune officials there). */
    async specialists(unitId: string) {
      return specialistsOf(db, unitId).select(['a.id', 'a.display_name', 'g.field']).orderBy('a.display_name').execute();
    },
  };
}

/** The active commune officials of `unitId` (who may be assigned its dossiers), as a query to select from. */
export function specialistsOf(db: Kysely<DB>, unitId: string) {
  return db
    .selectFrom('auth_account as a')
    .innerJoin('auth_role_grant as g', 'g.account_id', 'a.id')
    .where('g.unit_id', '=', unitId)
    .where('g.role', '=', 'commune_official')
    .where('a.disabled_at', 'is', null);
}

/** Next number of the day's sequence for an agency, atomically (safe under concurrent submissions). */
export async function nextSequence(trx: Kysely<DB>, agencyCode: string, day: string): Promise<number> {
  const row = await trx
    .insertInto('svc_sequence')
    .values({ agency_code: agencyCode, day, last: 1 })
    .onConflict((oc) => oc.columns(['agency_code', 'day']).doUpdateSet({ last: sql<number>`svc_sequence.last + 1` }))
    .returning('last')
    .executeTakeFirstOrThrow();
  return Number(row.last);
}
