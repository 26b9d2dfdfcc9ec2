import type { Generated } from 'kysely';

/** A document received by a unit, registered in its incoming register (sổ văn bản đến). */
export interface IncomingTable {
  id: string;
  unit_id: string;
  origin_unit_id: string;
  year: number;
  /** Consecutive per year per unit (ArrivalNumber), from 1 on 1 January. */
  arrival_number: number;
  arrival_date: string;
  /** The issuing agency (OrganName). */
  author_org: string;
  /** The number (CodeNumber) and the symbol (CodeNotation): `15` and `QĐ-UBND`. */
  code_number: string;
  code_notation: string;
  issued_date: string;
  type_code: string;
  /** The abstract (trích yếu, Subject). */
  subject: string;
  urgency: string;
  secrecy: string;
  /** The scan or the electronic original (PDF, checked by content). */
  file_id: string;
  due_date: string | null;
  status: string;
  /** Folded number, symbol, author and abstract: search without diacritics. */
  search_text: string;
  registered_by: string;
  created_at: string;
}

/** Who may open a document that is not unclassified (besides nobody else). */
export interface ReaderTable {
  document_id: string;
  account_id: string;
  granted_by: string;
  granted_at: string;
}

/** A document the unit issues: drafted, signed and numbered, then issued (sổ văn bản đi). */
export interface OutgoingTable {
  id: string;
  unit_id: string;
  origin_unit_id: string;
  type_code: string;
  subject: string;
  /** The drafting unit's abbreviation, for an official letter's symbol (`UBND-VX`). */
  drafting_dept: string;
  urgency: string;
  secrecy: string;
  /** The leader who signs. */
  signer_id: string;
  /** `draft`, `signed` (numbered) or `issued`. */
  status: string;
  /** `regular` or `classified`: classified documents are numbered in their own series. */
  series: string;
  year: number | null;
  number: number | null;
  /** Number and symbol once signed: `15/QĐ-UBND`, `12/UBND-VX`. */
  code: string | null;
  signed_date: string | null;
  /** Outside recipients (one per line); units on the platform are `doc_outgoing_recipient`. */
  outside_recipients: string;
  file_id: string;
  /** The PDF as signed (a PKCS#7 signature inside); recipients get this one. */
  signed_file_id: string | null;
  /** `test` (the local test certificate) or `ca`. */
  signature_kind: string | null;
  /** The issued document of the same issuer this one replaces, once issued. */
  replaces_id: string | null;
  recall_reason: string | null;
  search_text: string;
  created_by: string;
  created_at: string;
  updated_at: string;
}

/** A version of an outgoing draft's file: 1 at drafting, then each revision. */
export interface OutgoingVersionTable {
  document_id: string;
  version: number;
  file_id: string;
  uploaded_by: string;
  note: string;
  at: string;
}

export interface OutgoingRecipientTable {
  document_id: string;
  unit_id: string;
  /** The incoming document it became at the recipient, once issued. */
  incoming_id: string | null;
  /** When the recipient's register received it (the acknowledgement of receipt). */
  received_at: string | null;
}

/** The leader's instruction on an incoming document: who leads, who co-ordinates, by when. */
export interface AssignmentTable {
  id: string;
  document_id: string;
  unit_id: string;
  instructed_by: string;
  lead_id: string;
  deadline: string;
  comment: string;
  /** `open` or `done`. */
  status: string;
  result_note: string | null;
  /** The number and symbol of the reply issued, when there is one. */
  reply_code: string | null;
  done_at: string | null;
  created_at: string;
}

export interface AssigneeTable {
  assignment_id: string;
  account_id: string;
  /** `lead` or `co` (co-ordinating). */
  role: string;
}

/** A document's handling history: presented, instructed, progress, delegated, done. */
export interface DocEventTable {
  id: string;
  document_id: string;
  event: string;
  actor_id: string;
  actor_label: string;
  note: string | null;
  at: string;
}

/** A file (hồ sơ) of the year's file plan: documents on one matter, kept together. */
export interface DocFileTable {
  id: string;
  unit_id: string;
  origin_unit_id: string;
  year: number;
  /** The file's code in the plan, e.g. `01.VP`. */
  code: string;
  title: string;
  /** Who keeps it (an official's name or post). */
  keeper: string;
  /** How long it is kept, e.g. `10 năm`, `Vĩnh viễn`. */
  retention: string;
  created_at: string;
}

/** A document filed in a file; one document may be in several. */
export interface DocFileItemTable {
  file_id: string;
  /** `incoming` or `outgoing`. */
  document_kind: string;
  document_id: string;
  added_by: string;
  added_at: string;
}

/** A report the province asks of its communes: a template, a deadline. */
export interface ReportRequestTable {
  id: string;
  unit_id: string;
  title: string;
  description: string;
  template_file_id: string | null;
  deadline: string;
  created_by: string;
  created_at: string;
}

/** A commune's report for a request (the latest replaces an earlier one; each is audited). */
export interface ReportSubmissionTable {
  request_id: string;
  unit_id: string;
  file_id: string;
  note: string;
  submitted_by: string;
  submitted_at: string;
}

/**
 * The search index's row for a document (incoming or outgoing): what searches filter on and show.
 * Its words (metadata and the text inside its file) live in the dialect's full-text index: an FTS5
 * table `doc_search_fts` (rowid = seq) on SQLite, the `tsv` column with a GIN index on PostgreSQL.
 */
export interface DocSearchTable {
  seq: Generated<number>;
  /** `incoming` or `outgoing`. */
  kind: string;
  document_id: string;
  unit_id: string;
  origin_unit_id: string;
  year: number;
  /** The document's date (issued, or signed for an outgoing one; drafted for a draft). */
  doc_date: string;
  /** Number and symbol (`15/QĐ-UBND`), '' for a draft. */
  code: string;
  author: string;
  author_key: string;
  subject: string;
  type_code: string;
  urgency: string;
  secrecy: string;
  status: string;
  file_id: string;
  /** `pending` (its file's text not read yet), `done`, `empty` (no text layer) or `failed`. */
  text_state: string;
}

/** A search an official saved by name (the query string of the search page). */
export interface SavedSearchTable {
  id: string;
  account_id: string;
  name: string;
  query: string;
  created_at: string;
}

declare module '../../platform/db/schema.ts' {
  interface DB {
    doc_report_request: ReportRequestTable;
    doc_report_submission: ReportSubmissionTable;
    doc_file: DocFileTable;
    doc_file_item: DocFileItemTable;
    doc_assignment: AssignmentTable;
    doc_assignee: AssigneeTable;
    doc_event: DocEventTable;
    doc_incoming: IncomingTable;
    doc_reader: ReaderTable;
    doc_outgoing: OutgoingTable;
    doc_outgoing_recipient: OutgoingRecipientTable;
    doc_search: DocSearchTable;
    doc_saved_search: SavedSearchTable;
    doc_outgoing_version: OutgoingVersionTable;
  }
}
