import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import type { Migration } from '../db/migrate.ts';
import type { PermissionTable } from '../auth/roles.ts';
import type { MessageKey } from '../i18n/index.ts';
import type { PageContext, Shell } from '../ui/context.ts';
import type { Child } from '../ui/jsx.ts';
import type { Unit } from '../units/repository.ts';
import type { AppContext } from '../context.ts';

/** A link a module contributes to one of the three shells, shown only to actors holding `permission`. */
export interface NavItem {
  shell: Shell;
  href: string;
  label: MessageKey;
  /** Omit for public links. */
  permission?: string;
  order?: number;
  /** The menu it sits in, with the others of that area (one link alone is shown as a plain link). */
  group?: NavGroup;
}

/** The back office's menus, so the navigation stays one short row (`nav.group.<name>` labels them). */
export const NAV_GROUPS = ['services', 'documents', 'digital', 'portal', 'system'] as const;
export type NavGroup = (typeof NAV_GROUPS)[number];

/** A figure a module contributes to the steering committee's dashboards (computed per unit). */
export interface IndicatorDefinition {
  code: string;
  label: MessageKey;
  /** How it is counted: numerator over denominator, in words. */
  definition: MessageKey;
  unit: 'percent' | 'count';
  compute: (ctx: AppContext, unitIds: readonly string[]) => Promise<{ numerator: number; denominator: number }>;
}

/** A table column holding a unit id: a merge re-homes it to the successor; `originColumn` keeps the first. */
export interface UnitColumn {
  table: string;
  column: string;
  originColumn?: string;
}

/** Work a module runs in the background: at start, then every `everyMs` (idempotent: every copy may run it). */
export interface JobDefinition {
  name: string;
  everyMs: number;
  run: (ctx: AppContext, now: Date) => Promise<unknown>;
}

/**
 * A block a module adds to a commune's public home page (`/xa/:code`): announcements, news, public
 * services, products… Shown in `order`, only when the module is enabled; `null` shows nothing.
 */
export interface PortalSection {
  id: string;
  order: number;
  render: (ctx: AppContext, page: PageContext, commune: Unit) => Promise<Child | null>;
}

/**
 * A module's devices on MQTT (the radio's speaker clusters): who they are (credentials), what they may
 * use (ACL), what the platform listens to and does with it. The platform runs the broker and its own
 * client (`platform/mqtt/hub.ts`); one module at most provides this.
 */
export interface DeviceHooks {
  authenticate: (ctx: AppContext, username: string, password: string) => Promise<string | null>;
  canSubscribe: (identity: string, topic: string) => boolean;
  canPublish: (identity: string, topic: string) => boolean;
  /** Topic filters the platform's client subscribes to. */
  subscriptions: string[];
  onMessage: (ctx: AppContext, topic: string, payload: Buffer) => Promise<void>;
  onRefused?: (ctx: AppContext, event: { kind: 'connect' | 'subscribe' | 'publish'; clientId: string; identity?: string; topic?: string }) => void;
  /** Given the platform's publisher once the hub is connected (null when it closes), to send commands. */
  attach?: (ctx: AppContext, link: DeviceHubLink | null) => void;
}

/** What a module may ask of the running device hub. */
export interface DeviceHubLink {
  publish: (topic: string, payload: string, options?: { qos?: 0 | 1; retain?: boolean }) => Promise<void>;
  /**
   * Ends at once every connection signed in as this identity (credentials rotated or revoked); how
   * many. Only the embedded broker can; with an external one the device is refused when it next signs in.
   */
  disconnect?: (identity: string) => number;
}

export interface SeedOptions {
  demo: boolean;
}

/**
 * A module's manifest: everything the platform needs to mount a capability. Other modules may use
 * only the module's `index.ts` (lint-enforced).
 */
export interface ModuleManifest {
  id: string;
  dependsOn?: string[];
  migrations?: Migration[];
  permissions?: PermissionTable;
  nav?: NavItem[];
  /** Registers the module's routes; called inside its own Fastify encapsulation context. */
  routes?: (app: FastifyInstance, ctx: AppContext) => void | Promise<void>;
  /** Idempotent: safe to run at every start. */
  seed?: (ctx: AppContext, options: SeedOptions) => Promise<void>;
  settings?: z.ZodType;
  indicators?: IndicatorDefinition[];
  unitColumns?: UnitColumn[];
  jobs?: JobDefinition[];
  portalSections?: PortalSection[];
  devices?: DeviceHooks;
}

export const defineModule = (manifest: ModuleManifest): ModuleManifest => manifest;

/** Orders modules so that each comes after those it depends on; refuses unknown or circular deps. */
export function orderModules(modules: readonly ModuleManifest[]): ModuleManifest[] {
  const byId = new Map(modules.map((m) => [m.id, m]));
  const ordered: ModuleManifest[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (m: ModuleManifest, path: string[]) => {
    if (state.get(m.id) === 'done') return;
    if (state.get(m.id) === 'visiting') throw new Error(`Module dependency cycle: ${[...path, m.id].join(' -> ')}`);
    state.set(m.id, 'visiting');
    for (const dep of m.dependsOn ?? []) {
      const d = byId.get(dep);
      if (!d) throw new Error(`Module ${m.id} depends on unknown module ${dep}`);
      visit(d, [...path, m.id]);
    }
    state.set(m.id, 'done');
    ordered.push(m);
  };
  for (const m of modules) visit(m, []);
  return ordered;
}
