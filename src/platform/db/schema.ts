import type { Generated } from 'kysely';

/**
 * The platform's tables as Kysely sees them. Timestamps are ISO-8601 strings in UTC in both dialects
 * (timestamptz on PostgreSQL, parsed back to ISO strings); flags are integers 0/1; JSON is text.
 * Modules add their own tables to this interface through declaration merging in their schema files.
 */
export interface UnitTable {
  id: string;
  code: string;
  name: string;
  kind: string;
  level: string;
  parent_id: string | null;
  valid_from: string;
  valid_to: string | null;
  legal_basis: string | null;
  note: string | null;
  created_at: string;
}

export interface UnitSuccessionTable {
  id: string;
  predecessor_id: string;
  successor_id: string;
  effective_date: string;
  legal_basis: string | null;
}

export interface AccountTable {
  id: string;
  kind: 'official' | 'citizen';
  username: string | null;
  display_name: string;
  unit_id: string;
  origin_unit_id: string;
  password_hash: string | null;
  totp_secret: string | null;
  totp_enabled: Generated<number>;
  totp_last_step: number | null;
  failed_logins: Generated<number>;
  locked_until: string | null;
  last_login_at: string | null;
  disabled_at: string | null;
  disabled_reason: string | null;
  oidc_subject: string | null;
  personal_number: string | null;
  birth_date: string | null;
  address: string | null;
  phone: string | null;
  email: string | null;
  created_at: string;
}

export interface RoleGrantTable {
  id: string;
  account_id: string;
  role: string;
  field: string | null;
  unit_id: string;
  origin_unit_id: string;
  created_at: string;
}

export interface SessionTable {
  id: string;
  account_id: string;
  mfa_passed: Generated<number>;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  ip: string | null;
  user_agent: string | null;
}

export interface AuditEventTable {
  seq: Generated<number>;
  at: string;
  actor_id: string | null;
  actor_label: string;
  action: string;
  entity: string;
  entity_id: string | null;
  unit_id: string | null;
  ip: string | null;
  request_id: string | null;
  detail: string;
  prev_hash: string;
  hash: string;
}

export interface RateLimitTable {
  key: string;
  reset_at: number;
  count: number;
}

/** The last number given in a series (`scope`) for a period (a year, a day). */
export interface PlatformSequenceTable {
  scope: string;
  period: string;
  last: number;
}

export interface FileTable {
  id: string;
  unit_id: string;
  owner_id: string | null;
  /** The name the uploader gave the file (shown, never used as a path). */
  name: string;
  /** The type detected from the content. */
  mime: string;
  size: number;
  sha256: string;
  created_at: string;
}

/** A unit's outline (GeoJSON Polygon or MultiPolygon, see `units/boundary.ts`). */
export interface UnitBoundaryTable {
  unit_id: string;
  geometry: string;
  updated_at: string;
  updated_by: string;
}

export interface DB {
  unit: UnitTable;
  unit_succession: UnitSuccessionTable;
  unit_boundary: UnitBoundaryTable;
  auth_account: AccountTable;
  auth_role_grant: RoleGrantTable;
  auth_session: SessionTable;
  audit_event: AuditEventTable;
  http_rate_limit: RateLimitTable;
  platform_file: FileTable;
  platform_sequence: PlatformSequenceTable;
}
