import type { Generated } from 'kysely';

/**
 * The community digital-technology teams module's tables (prefix `cdt_`), merged into the platform's
 * DB interface. Personal data is kept to the minimum the indicators need: names, year of birth and
 * yes/no facts; no identity numbers, no full birth dates.
 */
export interface TeamTable {
  id: string;
  /** The village the team serves (one team per village). */
  unit_id: string;
  origin_unit_id: string;
  /** The commune chairman's establishing decision. */
  decision_number: string;
  decision_date: string;
  decision_file_id: string | null;
  /** The village's Zalo group (an https link), where the team posts news. */
  zalo_link: string | null;
  created_at: string;
  updated_at: string;
}

export interface TeamMemberTable {
  id: string;
  team_id: string;
  full_name: string;
  /** MEMBER_ROLES: village head (leads the team), youth union, women's union, police, teacher, telecom, other. */
  role: string;
  phone: string | null;
  joined_on: string;
  /** Set when the person leaves: the membership stays as history. */
  left_on: string | null;
  created_at: string;
}

export interface HouseholdTable {
  id: string;
  unit_id: string;
  origin_unit_id: string;
  head_name: string;
  /** Address inside the village (hamlet, lane, house number). */
  address: string;
  fibre: Generated<number>;
  /** Has a digital address (Vpostcode). */
  digital_address: Generated<number>;
  pays_utilities_online: Generated<number>;
  /** Folded head name and address for search without diacritics. */
  search_text: string;
  created_at: string;
  updated_at: string;
}

export interface ResidentTable {
  id: string;
  household_id: string;
  full_name: string;
  birth_year: number;
  smartphone: Generated<number>;
  /** National e-ID (VNeID) activated at level 2. */
  vneid_level2: Generated<number>;
  online_services_account: Generated<number>;
  payment_account: Generated<number>;
  /** Joined the village's Zalo group. */
  zalo_group: Generated<number>;
  updated_at: string;
}

export interface ImportTable {
  file_id: string;
  unit_id: string;
  households: number;
  residents: number;
  imported_at: string;
}

export interface ActivityTable {
  id: string;
  unit_id: string;
  origin_unit_id: string;
  date: string;
  /** ACTIVITY_TOPICS */
  topic: string;
  people_helped: number;
  households_touched: Generated<number>;
  notes: string | null;
  photo_file_id: string | null;
  recorded_by: string | null;
  recorded_by_label: string;
  created_at: string;
}

export interface ActivityHouseholdTable {
  activity_id: string;
  household_id: string;
}

export interface TargetTable {
  unit_id: string;
  indicator: string;
  year: number;
  /** Percent, 0–100. */
  target: number;
  updated_at: string;
}

export interface SnapshotTable {
  unit_id: string;
  indicator: string;
  /** YYYY-MM */
  month: string;
  numerator: number;
  denominator: number;
  /** `records` (computed from the households) or the named source of an entered value (police, telecom…). */
  source: string;
  /** The date the value refers to (the source's date for an entered value). */
  source_date: string;
  recorded_at: string;
}

/** A member of the digital-transformation steering committee of a commune or the province. */
export interface CommitteeMemberTable {
  id: string;
  unit_id: string;
  full_name: string;
  /** Their post (e.g. "Chủ tịch UBND xã"). */
  position: string;
  /** `head`, `deputy`, `member` or `secretary`. */
  committee_role: string;
  phone: string | null;
  joined_on: string;
  left_on: string | null;
  created_at: string;
}

/** The committee's establishing decision, its regulation and their amendments (the PDF is kept). */
export interface CommitteeDocumentTable {
  id: string;
  unit_id: string;
  /** `decision` or `regulation`. */
  kind: string;
  number: string;
  issued_on: string;
  title: string;
  file_id: string;
  created_at: string;
}

export interface CommitteePlanTable {
  id: string;
  unit_id: string;
  year: number;
  number: string;
  title: string;
  issued_on: string;
  created_at: string;
}

export interface CommitteeTaskTable {
  id: string;
  plan_id: string;
  title: string;
  /** A member of the committee who answers for it. */
  owner_id: string;
  deadline: string;
  /** `todo`, `doing` or `done`; overdue is computed (deadline passed, not done). */
  status: string;
  note: string | null;
  done_on: string | null;
  updated_at: string;
}

declare module '../../platform/db/schema.ts' {
  interface DB {
    cdt_team: TeamTable;
    cdt_member: TeamMemberTable;
    cdt_household: HouseholdTable;
    cdt_resident: ResidentTable;
    cdt_import: ImportTable;
    cdt_activity: ActivityTable;
    cdt_activity_household: ActivityHouseholdTable;
    cdt_target: TargetTable;
    cdt_snapshot: SnapshotTable;
    sc_member: CommitteeMemberTable;
    sc_document: CommitteeDocumentTable;
    sc_plan: CommitteePlanTable;
    sc_task: CommitteeTaskTable;
  }
}
