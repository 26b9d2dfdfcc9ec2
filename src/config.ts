import { z } from 'zod';
import path from 'node:path';

/**
 * Typed configuration read from environment variables. Every variable has a safe default so that
 * `npm start` runs a whole commune on one machine; a malformed value stops start-up with one line
 * naming the variable and what is expected (see {@link ConfigError}).
 */
export interface Config {
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  publicUrl: string;
  dataDir: string;
  databaseUrl: string;
  sessionSecret: string | undefined;
  sessionIdleMinutes: number;
  sessionIdleMinutesAdmin: number;
  sessionMaxHours: number;
  /** How long a resolved session is reused in-process (0: look it up on every request). */
  sessionCacheMs: number;
  accountInactiveDays: number;
  loginMaxFailures: number;
  lockoutMinutes: number;
  bodyLimitBytes: number;
  /** Largest accepted uploaded file (multipart forms). */
  uploadLimitBytes: number;
  /** Behind a load balancer: take the client address from X-Forwarded-For. */
  trustProxy: boolean;
  /** Host name → commune code: the host's `/` is that commune's portal. */
  portalHosts: Record<string, string>;
  logLevel: string;
  oidc: { issuer: string; clientId: string; clientSecret: string } | undefined;
  devIdp: { enabled: boolean; port: number };
  /** Devices' MQTT: the embedded broker's port (0: any free one), or an external broker's URL instead. */
  mqtt: { port: number; url: string | null };
  /** An HTTP text-to-speech service; unset: espeak-ng, offline. */
  tts: { url?: string | undefined; apiKey?: string | undefined };
  /** Notification channels; each is off unless configured (the in-app inbox is always on). */
  notify: {
    smtpUrl: string | undefined;
    mailFrom: string;
    sms: { apiUrl: string; apiKey: string; secretKey: string; brandname: string } | undefined;
    zalo: { apiUrl: string; accessToken: string; templateId: string } | undefined;
  };
  /** Directory shared with the upstream dossier system (services/exchange.ts); off when unset. */
  exchangeDir: string | undefined;
  demo: boolean;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly expected: string,
  ) {
    super(`${variable}: ${expected}`);
    this.name = 'ConfigError';
  }
}

const intIn = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `an integer from ${min} to ${max}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `an integer from ${min} to ${max}`);

const bool = z.enum(['1', '0', 'true', 'false', 'yes', 'no']).transform((v) => ['1', 'true', 'yes'].includes(v));

const url = (protocols: string[]) =>
  z.string().refine((v) => {
    try {
      return protocols.includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, `a URL starting with ${protocols.join(' or ')}//`);

const databaseUrl = z
  .string()
  .refine(
    (v) => /^sqlite:.+/.test(v) || /^postgres(ql)?:\/\/.+/.test(v),
    'sqlite:PATH (e.g. sqlite:./data/xaso.db) or postgres://user@host:5432/db',
  );

/** The variables we read, each with its parser and default. */
const variables = {
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: intIn(0, 65535).default(3000),
  PUBLIC_URL: url(['http:', 'https:']).optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: databaseUrl.optional(),
  SESSION_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  SESSION_IDLE_MINUTES: intIn(1, 24 * 60).default(30),
  SESSION_IDLE_MINUTES_ADMIN: intIn(1, 24 * 60).default(15),
  SESSION_MAX_HOURS: intIn(1, 24 * 7).default(12),
  SESSION_CACHE_MS: intIn(0, 60_000).default(2000),
  ACCOUNT_INACTIVE_DAYS: intIn(1, 3650).default(45),
  LOGIN_MAX_FAILURES: intIn(1, 100).default(5),
  LOCKOUT_MINUTES: intIn(1, 24 * 60).default(15),
  BODY_LIMIT_BYTES: intIn(1024, 1024 * 1024 * 1024).default(1024 * 1024),
  UPLOAD_LIMIT_BYTES: intIn(1024, 1024 * 1024 * 1024).default(10 * 1024 * 1024),
  TRUST_PROXY: bool.default(false),
  // A commune's own host name for its portal: `xahuongdao.example.vn=25201,xatamdao.example.vn=25204`.
  PORTAL_HOSTS: z
    .string()
    .refine((v) => v.split(',').every((pair) => /^[a-z0-9.-]+=\d{5}$/i.test(pair.trim())), 'host=commune-code pairs separated by commas, e.g. xahuongdao.example.vn=25201')
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  OIDC_ISSUER: url(['http:', 'https:']).optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  DEV_IDP: bool.optional(),
  DEV_IDP_PORT: intIn(0, 65535).default(3001),
  MQTT_PORT: intIn(0, 65535).default(1884),
  MQTT_URL: z.string().url().optional(),
  SMTP_URL: url(['smtp:', 'smtps:']).optional(),
  MAIL_FROM: z.string().min(3).default('Xã Số <no-reply@localhost>'),
  SMS_API_URL: url(['http:', 'https:']).default('https://rest.esms.vn'),
  SMS_API_KEY: z.string().min(1).optional(),
  SMS_SECRET_KEY: z.string().min(1).optional(),
  SMS_BRANDNAME: z.string().min(1).max(11).optional(),
  ZALO_API_URL: url(['http:', 'https:']).default('https://business.openapi.zalo.me'),
  ZALO_ACCESS_TOKEN: z.string().min(1).optional(),
  ZALO_TEMPLATE_ID: z.string().min(1).optional(),
  EXCHANGE_DIR: z.string().min(1).optional(),
  TTS_URL: url(['http:', 'https:']).optional(),
  TTS_API_KEY: z.string().min(1).optional(),
} as const;

type Env = Record<string, string | undefined>;

/** Reads and validates the environment; throws {@link ConfigError} on the first bad variable. */
export function loadConfig(env: Env = process.env, overrides: { demo?: boolean } = {}): Config {
  const v: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(variables)) {
    const raw = env[name] === '' ? undefined : env[name];
    const parsed = (schema as z.ZodType).safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const expected =
        issue?.code === 'invalid_value'
          ? `one of ${(issue as { values: unknown[] }).values.join(', ')}`
          : (issue?.message ?? 'a valid value');
      throw new ConfigError(name, `expected ${expected}, got ${JSON.stringify(raw)}`);
    }
    v[name] = parsed.data;
  }
  const port = v.PORT as number;
  const host = v.HOST as string;
  const dataDir = path.resolve(v.DATA_DIR as string);
  const nodeEnv = v.NODE_ENV as Config['env'];
  const demo = overrides.demo ?? false;
  const oidcParts = [v.OIDC_ISSUER, v.OIDC_CLIENT_ID, v.OIDC_CLIENT_SECRET];
  if (oidcParts.some(Boolean) && !oidcParts.every(Boolean)) {
    throw new ConfigError('OIDC_ISSUER', 'OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be set together');
  }
  const smsParts = [v.SMS_API_KEY, v.SMS_SECRET_KEY, v.SMS_BRANDNAME];
  if (smsParts.some(Boolean) && !smsParts.every(Boolean)) {
    throw new ConfigError('SMS_API_KEY', 'SMS_API_KEY, SMS_SECRET_KEY and SMS_BRANDNAME must be set together');
  }
  if (Boolean(v.ZALO_ACCESS_TOKEN) !== Boolean(v.ZALO_TEMPLATE_ID)) {
    throw new ConfigError('ZALO_ACCESS_TOKEN', 'ZALO_ACCESS_TOKEN and ZALO_TEMPLATE_ID must be set together');
  }
  const devIdpEnabled = (v.DEV_IDP as boolean | undefined) ?? (demo && !v.OIDC_ISSUER);
  if (nodeEnv === 'production' && !v.SESSION_SECRET) {
    throw new ConfigError('SESSION_SECRET', 'expected a secret of at least 32 characters when NODE_ENV=production');
  }
  if (nodeEnv === 'production' && devIdpEnabled) {
    throw new ConfigError('DEV_IDP', 'the development identity provider cannot run when NODE_ENV=production');
  }
  const displayHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return {
    env: nodeEnv,
    host,
    port,
    publicUrl: ((v.PUBLIC_URL as string | undefined) ?? `http://${displayHost}:${port}`).replace(/\/$/, ''),
    dataDir,
    databaseUrl: (v.DATABASE_URL as string | undefined) ?? `sqlite:${path.join(dataDir, 'xaso.db')}`,
    sessionSecret: v.SESSION_SECRET as string | undefined,
    sessionIdleMinutes: v.SESSION_IDLE_MINUTES as number,
    sessionIdleMinutesAdmin: v.SESSION_IDLE_MINUTES_ADMIN as number,
    sessionMaxHours: v.SESSION_MAX_HOURS as number,
    sessionCacheMs: v.SESSION_CACHE_MS as number,
    accountInactiveDays: v.ACCOUNT_INACTIVE_DAYS as number,
    loginMaxFailures: v.LOGIN_MAX_FAILURES as number,
    lockoutMinutes: v.LOCKOUT_MINUTES as number,
    bodyLimitBytes: v.BODY_LIMIT_BYTES as number,
    uploadLimitBytes: v.UPLOAD_LIMIT_BYTES as number,
    trustProxy: v.TRUST_PROXY as boolean,
    portalHosts: Object.fromEntries(
      ((v.PORTAL_HOSTS as string | undefined) ?? '')
        .split(',')
        .map((pair) => pair.trim().toLowerCase().split('='))
        .filter((pair): pair is [string, string] => pair.length === 2),
    ),
    logLevel: v.LOG_LEVEL as string,
    oidc: v.OIDC_ISSUER
      ? {
          issuer: v.OIDC_ISSUER as string,
          clientId: v.OIDC_CLIENT_ID as string,
          clientSecret: v.OIDC_CLIENT_SECRET as string,
        }
      : undefined,
    devIdp: { enabled: devIdpEnabled, port: v.DEV_IDP_PORT as number },
    mqtt: { port: v.MQTT_PORT as number, url: (v.MQTT_URL as string | undefined) ?? null },
    tts: { url: v.TTS_URL as string | undefined, apiKey: v.TTS_API_KEY as string | undefined },
    notify: {
      smtpUrl: v.SMTP_URL as string | undefined,
      mailFrom: v.MAIL_FROM as string,
      sms: v.SMS_API_KEY
        ? { apiUrl: v.SMS_API_URL as string, apiKey: v.SMS_API_KEY as string, secretKey: v.SMS_SECRET_KEY as string, brandname: v.SMS_BRANDNAME as string }
        : undefined,
      zalo: v.ZALO_ACCESS_TOKEN ? { apiUrl: v.ZALO_API_URL as string, accessToken: v.ZALO_ACCESS_TOKEN as string, templateId: v.ZALO_TEMPLATE_ID as string } : undefined,
    },
    exchangeDir: v.EXCHANGE_DIR ? path.resolve(v.EXCHANGE_DIR as string) : undefined,
    demo,
  };
}
