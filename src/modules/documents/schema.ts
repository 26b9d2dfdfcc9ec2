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

declare module '../../platform/db/schema.ts' {
  interface DB {
    doc_incoming: IncomingTable;
    doc_reader: ReaderTable;
  }
}
