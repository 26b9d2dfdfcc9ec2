import path from 'node:path';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, validatorCompiler } from 'fastify-type-provider-zod';
import { zodSerializerCompiler } from './platform/http/serializer.ts';
import type { Config } from './config.ts';
import type { AppContext } from './platform/context.ts';
import { connect, type Database } from './platform/db/connect.ts';
import { migrate, type Migration } from './platform/db/migrate.ts';
import { platformMigrations } from './platform/db/migrations.ts';
import { PLATFORM_PERMISSIONS, type PermissionTable } from './platform/auth/roles.ts';
import { orderModules, type ModuleManifest, type UnitColumn } from './platform/modules/define-module.ts';
import { registerKernel } from './platform/http/kernel.ts';
import { lazyChildLogger, requestIds } from './platform/http/request-log.ts';
import { registerErrorHandling } from './platform/http/errors.tsx';
import { registerAuthRoutes } from './platform/auth/routes.tsx';
import { registerShellRoutes } from './platform/ui/shell-routes.tsx';
import { createOidcClient, type OidcClient } from './platform/auth/oidc-client.ts';
import { ALL_MODULES } from './modules/index.ts';
import { Notifier } from './platform/notify/outbox.ts';
import { channelsFromConfig, type NotificationChannel } from './platform/notify/channels.ts';
import { registerNotificationRoutes } from './platform/notify/routes.tsx';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Records that hang off a unit in the platform's own tables; a merge re-homes them. */
const PLATFORM_UNIT_COLUMNS: UnitColumn[] = [
  { table: 'auth_account', column: 'unit_id', originColumn: 'origin_unit_id' },
  { table: 'auth_role_grant', column: 'unit_id', originColumn: 'origin_unit_id' },
  { table: 'platform_file', column: 'unit_id' },
  { table: 'platform_notification', column: 'unit_id' },
];

export function allMigrations(modules: readonly ModuleManifest[]): Migration[] {
  return [...platformMigrations, ...modules.flatMap((m) => m.migrations ?? [])].sort((a, b) => a.name.localeCompare(b.name));
}

/** The server secret: SESSION_SECRET, or one generated once and kept in the data directory. */
export function loadSecret(config: Config): string {
  if (config.sessionSecret) return config.sessionSecret;
  const file = path.join(config.dataDir, 'secret.key');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(config.dataDir, { recursive: true });
  const secret = crypto.randomBytes(32).toString('base64url');
  fs.writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

export interface ContextOptions {
  database?: Database;
  modules?: ModuleManifest[];
  oidc?: OidcClient | null;
  secret?: string;
  /** Replaces the channels the configuration names (tests). */
  channels?: NotificationChannel[];
}

/** Connects, migrates and assembles the context the app and the CLI share. */
export async function createContext(config: Config, options: ContextOptions = {}): Promise<AppContext> {
  const database = options.database ?? connect(config.databaseUrl);
  const modules = orderModules(options.modules ?? ALL_MODULES);
  await migrate(database, allMigrations(modules));
  const permissions: PermissionTable = { ...PLATFORM_PERMISSIONS };
  for (const m of modules) {
    for (const [action, rule] of Object.entries(m.permissions ?? {})) {
      if (permissions[action]) throw new Error(`Permission ${action} declared twice (module ${m.id})`);
      permissions[action] = rule;
    }
  }
  return {
    config,
    database,
    secret: options.secret ?? loadSecret(config),
    modules,
    permissions,
    nav: modules.flatMap((m) => m.nav ?? []),
    unitColumns: [...PLATFORM_UNIT_COLUMNS, ...modules.flatMap((m) => m.unitColumns ?? [])],
    oidc: options.oidc !== undefined ? options.oidc : config.oidc ? createOidcClient(config.oidc) : null,
    notifier: new Notifier(database, options.channels ?? channelsFromConfig(config)),
  };
}

/** Builds the HTTP application: platform plugins, then the modules, then error handling. */
export async function createApp(ctx: AppContext): Promise<FastifyInstance> {
  const portalHosts = ctx.config.portalHosts;
  const app = Fastify({
    logger: ctx.config.logLevel === 'silent' ? false : { level: ctx.config.logLevel, redact: ['req.headers.cookie', 'req.headers.authorization'] },
    // Each request's logger is made when something is logged at an enabled level (see lazyChildLogger).
    childLoggerFactory: lazyChildLogger,
    bodyLimit: ctx.config.bodyLimitBytes,
    genReqId: requestIds(),
    requestIdHeader: false,
    trustProxy: ctx.config.trustProxy,
    return503OnClosing: true,
    // A commune reached on its own host name: that host's home is the commune's portal. Without such
    // hosts configured no request pays for the look-up.
    ...(Object.keys(portalHosts).length
      ? {
          rewriteUrl: (req: { url?: string; headers: { host?: string } }) => {
            const host = (req.headers.host ?? '').split(':')[0]!.toLowerCase();
            const code = portalHosts[host];
            return code && (req.url === '/' || req.url?.startsWith('/?')) ? `/xa/${code}${req.url.slice(1)}` : (req.url ?? '/');
          },
        }
      : {}),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(zodSerializerCompiler);
  // Cookies are parsed by the kernel's one onRequest hook (one hook fewer on every request).
  await app.register(cookie, { hook: false });
  await app.register(formbody, { bodyLimit: ctx.config.bodyLimitBytes });
  await app.register(fastifyStatic, { root: path.join(root, 'public'), prefix: '/assets/', maxAge: '1d' });
  await app.register(fastifyStatic, {
    root: path.join(root, 'node_modules/@fontsource/be-vietnam-pro/files'),
    prefix: '/assets/fonts/',
    decorateReply: false,
    maxAge: '30d',
    immutable: true,
  });
  // Browsers ask for /favicon.ico where a page names no icon (a PDF or an image opened in a tab).
  app.get('/favicon.ico', (_request, reply) => reply.header('cache-control', 'public, max-age=86400').redirect('/assets/favicon.svg', 301));
  await app.register(swagger, {
    openapi: { info: { title: 'Xã Số API', version: '1' }, components: {} },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true });

  registerKernel(app, ctx);
  registerErrorHandling(app, ctx);

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    try {
      await ctx.database.db.selectFrom('unit').select('id').limit(1).execute();
      return { status: 'ready' };
    } catch {
      return reply.code(503).send({ status: 'unavailable' });
    }
  });

  registerAuthRoutes(app, ctx);
  registerShellRoutes(app, ctx);
  registerNotificationRoutes(app, ctx);
  for (const m of ctx.modules) {
    if (m.routes) await app.register(async (scope) => m.routes!(scope, ctx));
  }
  return app;
}
