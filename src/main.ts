import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import SQLite from 'better-sqlite3';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createApp, createContext } from './app.ts';
import { seedAll, DEMO_ACCOUNTS, DEMO_PASSWORD } from './platform/seed.ts';
import { verifyAudit, systemContext } from './platform/audit/audit.ts';
import { createOfficial, disableInactiveAccounts } from './platform/auth/accounts.ts';
import { isRole } from './platform/auth/roles.ts';
import { unitRepository } from './platform/units/repository.ts';
import { mergeUnits } from './platform/units/commands.ts';
import type { DevIdp } from './platform/auth/dev-idp.ts';
import { createOidcClient } from './platform/auth/oidc-client.ts';
import { AppError, fieldMessage } from './platform/errors.ts';
import { translator } from './platform/i18n/index.ts';

const USAGE = `Usage: xaso <command> [options]
  serve [--demo]            start the platform (--demo: seed demo data, run the development e-ID provider)
  migrate                   apply pending database migrations
  seed [--demo]             load administrative units (and demo accounts with --demo)
  create-admin --username U --name "Full Name" --unit CODE [--role system_admin|province_admin]
                            create an administrator; the password is read from XASO_PASSWORD or stdin
  merge-units --from CODE[,CODE…] --into CODE --date YYYY-MM-DD --basis "legal basis"
                            merge units into a successor: villages, accounts and records move, keeping their origin
  backup FILE               online backup of the SQLite database (PostgreSQL: use pg_dump, see README)
  restore FILE              replace the SQLite database with a backup (server must be stopped)
  audit verify              check the audit log's hash chain; exit 1 if anything was changed or removed
  exchange export|import --dir DIR
                            dossier status exchange with the upstream system through files (docs/EXCHANGE.md)
  radio simulate --devices N [--unit CODE] [--for SECONDS]
                            run N virtual speaker clusters of the commune (default 25201) against the broker
                            (MQTT_URL, else the running server's embedded broker on MQTT_PORT); docs/RADIO.md`;

async function main(argv: string[]) {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      demo: { type: 'boolean', default: false },
      username: { type: 'string' },
      name: { type: 'string' },
      unit: { type: 'string' },
      role: { type: 'string', default: 'system_admin' },
      from: { type: 'string' },
      into: { type: 'string' },
      date: { type: 'string' },
      basis: { type: 'string' },
      dir: { type: 'string' },
      devices: { type: 'string' },
      for: { type: 'string' },
    },
  });
  const config = loadConfig(process.env, { demo: values.demo });
  switch (command ?? '') {
    case 'serve':
      return serve(config);
    case 'migrate': {
      const ctx = await createContext(config);
      console.log('Migrations applied.');
      return ctx.database.close();
    }
    case 'seed': {
      const ctx = await createContext(config);
      const r = await seedAll(ctx, { demo: values.demo });
      console.log(`Seeded ${r.units} units and ${r.accounts} accounts.`);
      return ctx.database.close();
    }
    case 'create-admin':
      return createAdmin(config, values);
    case 'merge-units':
      return mergeUnitsCommand(config, values);
    case 'backup':
      return backup(config, positionals[0]);
    case 'restore':
      return restore(config, positionals[0]);
    case 'exchange':
      if (positionals[0] !== 'export' && positionals[0] !== 'import') break;
      return exchangeCommand(config, positionals[0], values.dir);
    case 'radio':
      if (positionals[0] !== 'simulate') break;
      return radioSimulate(config, values);
    case 'audit': {
      if (positionals[0] !== 'verify') break;
      const ctx = await createContext(config);
      const report = await verifyAudit(ctx.database);
      await ctx.database.close();
      if (report.problems.length === 0) {
        console.log(`Audit log intact: ${report.checked} events checked.`);
        return;
      }
      for (const p of report.problems) console.log(`event ${p.seq}: ${p.problem === 'changed' ? 'content changed' : 'an earlier event was removed or changed (chain broken)'}`);
      console.log(`Audit log TAMPERED: ${report.problems.length} problem(s) in ${report.checked} events.`);
      process.exitCode = 1;
      return;
    }
  }
  console.log(USAGE);
  process.exitCode = command ? 2 : 0;
}

async function serve(config: Config) {
  const started = Date.now();
  let idp: DevIdp | undefined;
  if (config.devIdp.enabled) {
    // Loaded only when used: the development provider is never part of a production process. It runs
    // in a child process (dist/dev-idp-worker.mjs, bundled next to this file): see dev-idp-process.ts.
    const { startDevIdpProcess } = await import('./platform/auth/dev-idp-process.ts');
    idp = await startDevIdpProcess(new URL('./dev-idp-worker.mjs', import.meta.url), { host: config.host, port: config.devIdp.port, redirectUris: [`${config.publicUrl}/auth/oidc/callback`] });
  }
  const ctx = await createContext(config, {
    oidc: idp ? createOidcClient({ issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret }) : undefined,
  });
  if (config.demo) await seedAll(ctx, { demo: true });
  const app = await createApp(ctx);
  const sweep = () => disableInactiveAccounts(ctx, systemContext('inactivity-sweep')).catch((err: unknown) => app.log.error({ err }, 'inactive-account sweep failed'));
  // Idempotent, so every copy may run it: at start and then hourly.
  await sweep();
  const timers = [setInterval(() => void sweep(), 3600_000)];
  // The modules' background jobs (e.g. deadline warnings), each at start and then on its interval.
  for (const job of ctx.modules.flatMap((m) => m.jobs ?? [])) {
    const run = () => job.run(ctx, new Date()).catch((err: unknown) => app.log.error({ err, job: job.name }, 'job failed'));
    void run();
    timers.push(setInterval(() => void run(), job.everyMs));
  }
  for (const timer of timers) timer.unref();
  // The outbox: sends what earlier runs left, then whatever commits queue (and retries on its timer).
  ctx.notifier.start();
  void ctx.notifier.dispatch().catch((err: unknown) => app.log.error({ err }, 'notification dispatch failed'));
  // Devices (the radio's speaker clusters): the embedded MQTT broker, or the client of an external one.
  const { startDeviceHub } = await import('./platform/mqtt/hub.ts');
  const hub = await startDeviceHub(ctx, app.log, { host: config.host });
  // Demo: the demo commune's speaker clusters are virtual devices in this process, so the radio is alive.
  const demoRadio = config.demo && hub ? await startDemoRadio(ctx, hub.url).catch((err: unknown) => app.log.error({ err }, 'demo radio failed')) : undefined;
  await app.listen({ host: config.host, port: config.port });
  const shutdown = async (signal: string) => {
    app.log.info({ signal }, 'shutting down');
    for (const timer of timers) clearInterval(timer);
    await app.close();
    await demoRadio?.stop();
    await hub?.close();
    await ctx.notifier.stop();
    await idp?.close();
    await ctx.database.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  const lines = [
    '',
    `Xã Số is running at ${config.publicUrl}  (started in ${Date.now() - started} ms)`,
    `  database: ${config.databaseUrl.startsWith('sqlite:') ? config.databaseUrl : 'PostgreSQL'}   data: ${config.dataDir}`,
  ];
  if (config.demo) {
    lines.push(`  demo accounts (password "${DEMO_PASSWORD}"; administrators set up TOTP at first sign-in):`);
    for (const a of DEMO_ACCOUNTS) lines.push(`    ${a.username.padEnd(20)} ${a.role}${a.field ? ` (${a.field})` : ''}`);
  }
  if (hub) lines.push(`  devices (speaker clusters) connect over MQTT to ${hub.url}${config.mqtt.url ? ' (external broker)' : ' (embedded broker)'}`);
  if (idp) lines.push(`  citizens sign in through the development e-ID provider at ${idp.issuer} (test citizens, no password)`);
  lines.push(`  API documentation: ${config.publicUrl}/api/docs`, '');
  console.log(lines.join('\n'));
}

/** The demo's clusters of Hướng Đạo, given fresh secrets at each start and run as virtual devices. */
async function startDemoRadio(ctx: Awaited<ReturnType<typeof createContext>>, url: string) {
  const { issueVirtualSecrets, simulate } = await import('./modules/radio/index.ts');
  const rows = await ctx.database.db.selectFrom('radio_cluster').select('device_id').where('unit_id', '=', 'u-25201').where('device_id', 'like', 'huongdao-%').execute();
  if (!rows.length) return undefined;
  const creds = await issueVirtualSecrets(ctx, 'u-25201', rows.map((r) => r.device_id), systemContext('radio-demo'));
  return simulate(url, creds, { heartbeatS: 30 });
}

async function radioSimulate(config: Config, values: { devices?: string | undefined; unit?: string | undefined; for?: string | undefined }) {
  const count = Number(values.devices ?? '');
  if (!Number.isInteger(count) || count < 1 || count > 20_000) throw new UsageError('radio simulate needs --devices N (1 to 20000)');
  const seconds = values.for === undefined ? undefined : Number(values.for);
  if (seconds !== undefined && !(seconds > 0)) throw new UsageError('--for needs a number of seconds');
  const { provisionVirtual, simulate } = await import('./modules/radio/index.ts');
  const ctx = await createContext(config);
  let sim: Awaited<ReturnType<typeof simulate>>;
  try {
    const unit = await unitRepository(ctx.database).byCode(values.unit ?? '25201');
    if (!unit || unit.level !== 'commune') throw new UsageError(`no commune with code ${values.unit ?? '25201'} (run "xaso seed" first?)`);
    const creds = await provisionVirtual(ctx, unit.id, { prefix: `sim-${unit.code}`, count, audit: systemContext('radio-simulate') });
    const url = config.mqtt.url ?? `mqtt://127.0.0.1:${config.mqtt.port}`;
    try {
      sim = await simulate(url, creds, { heartbeatS: 30 });
    } catch (err) {
      throw new UsageError(`cannot reach the MQTT broker at ${url} (is "xaso serve" running? ${(err as Error).message})`);
    }
    console.log(`${count} virtual speaker clusters of ${unit.name} connected to ${url}; they heartbeat every 30 s and obey commands. Ctrl+C stops them.`);
  } finally {
    await ctx.database.close();
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
    if (seconds) setTimeout(resolve, seconds * 1000);
  });
  await sim.stop();
  console.log('Virtual clusters stopped.');
}

async function exchangeCommand(config: Config, what: 'export' | 'import', dir: string | undefined) {
  const target = dir ?? config.exchangeDir;
  if (!target) throw new UsageError('exchange needs --dir DIR (or EXCHANGE_DIR)');
  const { FileExchange, exportStatuses, importStatuses } = await import('./modules/services/index.ts');
  const ctx = await createContext(config);
  try {
    const exchange = new FileExchange(path.resolve(target));
    if (what === 'export') {
      const r = await exportStatuses(ctx, exchange);
      console.log(r.batch ? `Exported ${r.records} status change(s) to ${path.join(target, 'outbox', r.batch)}.` : 'Nothing new to export.');
    } else {
      const r = await importStatuses(ctx, exchange, systemContext('cli'));
      console.log(`Read ${r.files} file(s): ${r.recorded} status(es) recorded, ${r.unknown.length} unknown dossier code(s), ${r.rejected.length} file(s) rejected.`);
      for (const f of r.rejected) console.log(`  rejected ${f.file}: ${f.reason}`);
      if (r.rejected.length) process.exitCode = 1;
    }
  } finally {
    await ctx.database.close();
  }
}

async function createAdmin(config: Config, values: { username?: string; name?: string; unit?: string; role?: string }) {
  if (!values.username || !values.name || !values.unit) throw new UsageError('create-admin needs --username, --name and --unit');
  if (!values.role || !isRole(values.role)) throw new UsageError(`unknown role ${values.role}`);
  const password = process.env.XASO_PASSWORD ?? fs.readFileSync(0, 'utf8').trim();
  const ctx = await createContext(config);
  try {
    const unit = await unitRepository(ctx.database).byCode(values.unit);
    if (!unit) throw new UsageError(`no unit with code ${values.unit} (run "xaso seed" first?)`);
    await createOfficial(ctx, systemContext('cli'), {
      username: values.username,
      displayName: values.name,
      password,
      unitId: unit.id,
      grants: [{ role: values.role, unitId: unit.id }],
    });
    console.log(`Created ${values.username} (${values.role} at ${unit.name}). TOTP is set up at first sign-in.`);
  } finally {
    await ctx.database.close();
  }
}

async function mergeUnitsCommand(config: Config, values: { from?: string; into?: string; date?: string; basis?: string }) {
  if (!values.from || !values.into || !values.date || !values.basis) {
    throw new UsageError('merge-units needs --from, --into, --date and --basis');
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(values.date)) throw new UsageError('--date must be YYYY-MM-DD');
  const ctx = await createContext(config);
  try {
    const units = unitRepository(ctx.database);
    const byCode = async (code: string) => {
      const u = await units.byCode(code.trim());
      if (!u) throw new UsageError(`no unit with code ${code}`);
      return u;
    };
    const successor = await byCode(values.into);
    const predecessors = await Promise.all(values.from.split(',').map(byCode));
    const result = await mergeUnits(ctx, systemContext('cli'), {
      predecessorIds: predecessors.map((p) => p.id),
      successorId: successor.id,
      effectiveDate: values.date,
      legalBasis: values.basis,
    });
    const moved =
      Object.entries(result.rehomed)
        .filter(([, n]) => n > 0)
        .map(([col, n]) => `${n} ${col}`)
        .join(', ') || 'no other records';
    console.log(`Merged ${predecessors.map((p) => p.name).join(', ')} into ${successor.name}: ${result.villagesMoved} villages moved; re-homed ${moved}.`);
  } finally {
    await ctx.database.close();
  }
}

function sqlitePath(config: Config): string {
  if (!config.databaseUrl.startsWith('sqlite:')) {
    throw new UsageError('backup and restore handle SQLite; for PostgreSQL use pg_dump / pg_restore (see README)');
  }
  return path.resolve(config.databaseUrl.slice('sqlite:'.length));
}

async function backup(config: Config, file: string | undefined) {
  if (!file) throw new UsageError('backup needs a FILE');
  const source = new SQLite(sqlitePath(config), { readonly: true, fileMustExist: true });
  try {
    await source.backup(path.resolve(file));
  } finally {
    source.close();
  }
  console.log(`Backup written to ${path.resolve(file)}.`);
}

async function restore(config: Config, file: string | undefined) {
  if (!file) throw new UsageError('restore needs a FILE');
  const target = sqlitePath(config);
  const candidate = new SQLite(path.resolve(file), { readonly: true, fileMustExist: true });
  try {
    const check = candidate.pragma('integrity_check', { simple: true });
    const hasSchema = candidate.prepare("select count(*) as n from sqlite_master where name = 'platform_migration'").get() as { n: number };
    if (check !== 'ok' || hasSchema.n !== 1) throw new UsageError(`${file} is not a Xã Số database backup`);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    await candidate.backup(target);
  } finally {
    candidate.close();
  }
  for (const suffix of ['-wal', '-shm']) fs.rmSync(target + suffix, { force: true });
  console.log(`Restored ${target} from ${path.resolve(file)}.`);
}

class UsageError extends Error {}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof ConfigError) console.error(`Configuration error: ${err.message}`);
  else if (err instanceof UsageError) console.error(`xaso: ${err.message}`);
  else if (err instanceof AppError) {
    const t = translator('en');
    console.error(`xaso: ${err.fields.map((f) => fieldMessage(t, f)).join('; ') || t(err.messageKey, err.params)}`);
  } else console.error(err);
  process.exit(1);
});
