import type { Config } from '../config.ts';
import type { Database } from './db/connect.ts';
import type { PermissionTable } from './auth/roles.ts';
import type { ModuleManifest, NavItem, UnitColumn } from './modules/define-module.ts';
import type { OidcClient } from './auth/oidc-client.ts';
import type { Notifier } from './notify/outbox.ts';

/** What the app is built from: passed explicitly (no DI container), as in `createApp(deps)`. */
export interface AppContext {
  config: Config;
  database: Database;
  secret: string;
  modules: ModuleManifest[];
  permissions: PermissionTable;
  nav: NavItem[];
  unitColumns: UnitColumn[];
  oidc: OidcClient | null;
  /** The notification outbox and its channels. */
  notifier: Notifier;
}
