import type { Generated } from 'kysely';

/** The services module's tables (prefix `svc_`), merged into the platform's DB interface. */
export interface ProcedureTable {
  id: string;
  province_id: string;
  code: string;
  name: string;
  sector: string;
  /** Name, code and sector folded (no diacritics, lower case) for search. */
  search_text: string;
  /** The whole procedure as JSON (schemas.ts procedureSchema). */
  data: string;
  active: Generated<number>;
  updated_at: string;
}

export interface AgencyTable {
  unit_id: string;
  /** The agency's electronic identifier, the first part of dossier codes (e.g. 000.00.31.H10). */
  agency_code: string;
  /** The commune's account that receives fees (VietQR): the bank's BIN, the number, the holder. */
  bank_bin: string | null;
  bank_account: string | null;
  bank_account_name: string | null;
}

export interface SequenceTable {
  agency_code: string;
  day: string;
  last: number;
}

export interface CalendarDayTable {
  date: string;
  kind: 'off' | 'work';
  name: string;
  updated_at: string;
}

export interface DossierTable {
  id: string;
  /** `<agency id>-<YYMMDD>-<NNNN>`; null while a draft. */
  code: string | null;
  procedure_id: string;
  procedure_code: string;
  procedure_name: string;
  /** The competent commune, which handles it (a merge re-homes it). */
  unit_id: string;
  origin_unit_id: string;
  /** The commune whose desk received it (Decree 118/2025: may differ from the competent one). */
  receiving_unit_id: string;
  channel: string;
  state: string;
  national_status: number;
  applicant_name: string;
  applicant_id_number: string | null;
  applicant_phone: string | null;
  applicant_email: string | null;
  /** The citizen's account, when filed online. */
  citizen_id: string | null;
  form_data: string;
  days: number;
  cutoff_1500: number;
  fee_amount: number | null;
  submitted_at: string | null;
  received_at: string | null;
  due_date: string | null;
  paused_at: string | null;
  paused_from: string | null;
  supplement_requests: Generated<number>;
  assignee_id: string | null;
  finished_at: string | null;
  returned_at: string | null;
  idempotency_key: string | null;
  /** none (no fee), unpaid, paid, exempt. */
  payment_status: string | null;
  paid_at: string | null;
  /** transfer (VietQR) or cash, as confirmed by the desk. */
  payment_method: string | null;
  /** 1 not satisfied … 4 very satisfied; once, after the result. */
  rating: number | null;
  rating_comment: string | null;
  rated_at: string | null;
  /** Form 04: when the apology was issued, why, and the new date promised. */
  apology_at: string | null;
  apology_reason: string | null;
  appointment_date: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface DossierEventTable {
  id: Generated<number>;
  dossier_id: string;
  at: string;
  actor_id: string | null;
  actor_label: string;
  action: string;
  from_state: string | null;
  to_state: string;
  note: string | null;
  form: string | null;
}

export interface AttachmentTable {
  id: string;
  dossier_id: string;
  file_id: string;
  /** A paper of the dossier, or the result. */
  kind: 'paper' | 'result';
  label: string;
  created_at: string;
}

export interface ExchangeCursorTable {
  name: string;
  last_event_id: number;
  updated_at: string;
}

/** A status the upstream system (the province's official dossier system) reported for a dossier. */
export interface UpstreamStatusTable {
  id: string;
  dossier_id: string;
  status: number;
  at: string;
  note: string | null;
  source: string;
  imported_at: string;
}

declare module '../../platform/db/schema.ts' {
  interface DB {
    svc_procedure: ProcedureTable;
    svc_agency: AgencyTable;
    svc_sequence: SequenceTable;
    svc_calendar_day: CalendarDayTable;
    svc_dossier: DossierTable;
    svc_dossier_event: DossierEventTable;
    svc_attachment: AttachmentTable;
    svc_exchange_cursor: ExchangeCursorTable;
    svc_upstream_status: UpstreamStatusTable;
  }
}
