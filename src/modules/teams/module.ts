import { defineModule } from '../../platform/modules/define-module.ts';
import { registerUploads } from '../../platform/files/files.ts';
import { teamsMigrations } from './migrations.ts';
import { registerTeamsRoutes } from './routes.tsx';
import { registerHouseholdImportRoutes } from './import-routes.tsx';
import { registerIndicatorRoutes } from './indicator-routes.tsx';
import { registerCommitteeRoutes } from './committee-routes.tsx';
import { registerIndicatorImportRoutes } from './indicator-import-routes.tsx';
import { takeSnapshots } from './indicators.ts';
import { seedTeams } from './seed.ts';

const COMMUNE_AND_ABOVE = ['system_admin', 'province_admin', 'commune_leader', 'commune_official'] as const;

/** Community digital-technology teams, households and their digital-citizen facts (DOMAIN.md §5). */
export const teamsModule = defineModule({
  id: 'teams',
  migrations: teamsMigrations,
  permissions: {
    'team.read': [...COMMUNE_AND_ABOVE, 'village_head', 'team_member'],
    // Teams are established by the commune chairman's decision: the commune records them.
    'team.manage': ['commune_leader', 'commune_official'],
    'household.read': [...COMMUNE_AND_ABOVE, 'village_head', 'team_member'],
    'household.manage': ['commune_official', 'village_head', 'team_member'],
    'activity.record': ['commune_official', 'village_head', 'team_member'],
    'indicator.read': [...COMMUNE_AND_ABOVE, 'village_head', 'team_member'],
    // A province admin sets the province's targets (and may set its communes').
    'indicator.manage': ['province_admin', 'commune_leader', 'commune_official'],
    // The steering committee of a commune or the province (members, decision, regulation, plans, tasks).
    'committee.read': [...COMMUNE_AND_ABOVE],
    'committee.manage': ['province_admin', 'commune_leader', 'commune_official'],
  },
  nav: [
    { shell: 'admin', href: '/to-cong-nghe', label: 'teams.title', permission: 'team.read', order: 20, group: 'digital' },
    { shell: 'admin', href: '/chi-so', label: 'teams.ind.title', permission: 'indicator.read', order: 21, group: 'digital' },
    { shell: 'admin', href: '/ban-chi-dao', label: 'committee.title', permission: 'committee.read', order: 22, group: 'digital' },
  ],
  unitColumns: [
    { table: 'cdt_team', column: 'unit_id', originColumn: 'origin_unit_id' },
    { table: 'cdt_household', column: 'unit_id', originColumn: 'origin_unit_id' },
  ],
  routes: async (app, ctx) => {
    await registerUploads(app, ctx);
    registerTeamsRoutes(app, ctx);
    registerHouseholdImportRoutes(app, ctx);
    registerIndicatorRoutes(app, ctx);
    registerCommitteeRoutes(app, ctx);
    registerIndicatorImportRoutes(app, ctx);
  },
  seed: seedTeams,
  // This month's values from the household records (the month's row is replaced daily, then stays).
  jobs: [{ name: 'teams.indicator-snapshots', everyMs: 24 * 3600_000, run: (ctx) => takeSnapshots(ctx) }],
});
