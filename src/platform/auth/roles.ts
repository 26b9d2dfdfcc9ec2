import type { MessageKey } from '../i18n/index.ts';

/**
 * Roles are held at a unit and reach every unit below it. The table is data: what each role may do is
 * listed in `PERMISSIONS` (platform) and in each module's manifest, merged at start-up.
 */
export const ROLES = {
  system_admin: { level: 'any', admin: true },
  province_admin: { level: 'province', admin: true },
  commune_leader: { level: 'commune', admin: false },
  commune_official: { level: 'commune', admin: false },
  document_clerk: { level: 'commune', admin: false },
  village_head: { level: 'village', admin: false },
  team_member: { level: 'village', admin: false },
  camera_viewer: { level: 'commune', admin: false },
  citizen: { level: 'any', admin: false },
} as const satisfies Record<string, { level: string; admin: boolean }>;

export type Role = keyof typeof ROLES;
export const isRole = (v: string): v is Role => v in ROLES;
export const roleLabel = (r: Role): MessageKey => `role.${r}`;

/** Fields of work of a commune official (lĩnh vực); a grant of commune_official names one. */
export const OFFICIAL_FIELDS = ['civil_status', 'land', 'culture_information', 'office', 'finance', 'social'] as const;
export type OfficialField = (typeof OFFICIAL_FIELDS)[number];

/** Administrator roles must pass TOTP; others may opt in. */
export const requiresMfa = (roles: readonly Role[]) => roles.some((r) => ROLES[r].admin);

/** A permission names who may do it; `own` means the record's owner (a citizen's own records). */
export type PermissionRule = readonly (Role | 'own')[];
export type PermissionTable = Record<string, PermissionRule>;

const OFFICIALS: Role[] = [
  'system_admin',
  'province_admin',
  'commune_leader',
  'commune_official',
  'document_clerk',
  'village_head',
  'team_member',
  'camera_viewer',
];

/** The platform kernel's permissions. */
export const PLATFORM_PERMISSIONS: PermissionTable = {
  'backoffice.access': OFFICIALS,
  'province.access': ['system_admin', 'province_admin'],
  'unit.read': OFFICIALS,
  'unit.manage': ['system_admin', 'province_admin'],
  'account.read': ['system_admin', 'province_admin', 'commune_leader', 'own'],
  'account.manage': ['system_admin', 'province_admin'],
  'audit.read': ['system_admin', 'province_admin', 'commune_leader'],
  'notification.read': ['system_admin', 'province_admin', 'commune_leader', 'commune_official'],
  'notification.retry': ['system_admin', 'province_admin', 'commune_leader', 'commune_official'],
};
