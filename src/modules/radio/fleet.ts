import crypto from 'node:crypto';
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import type { Access } from '../../platform/auth/access.ts';
import { writeAudit, type AuditContext } from '../../platform/audit/audit.ts';
import { AppError, fieldProblem, notFound } from '../../platform/errors.ts';
import { unitRepository } from '../../platform/units/repository.ts';
import { DEVICE_ID } from './protocol.ts';
import { linkFor, memoryOf } from './link.ts';

/** A heartbeat older than this and the cluster counts as offline (three missed beats of 30 s). */
export const OFFLINE_AFTER_MS = 90_000;

const optionalNumber = (min: number, max: number) => z.preprocess((v) => (v === '' || v === undefined ? null : v), z.coerce.number().min(min).max(max).nullable());
export const clusterInput = z.object({
  name: z.string().trim().min(2).max(100),
  village_id: z.string().min(1).max(60),
  device_id: z.string().trim().toLowerCase().regex(DEVICE_ID, { message: 'radio.error.device_id' }),
  speakers: z.coerce.number().int().min(1).max(50),
  power_source: z.enum(['mains', 'dc']),
  firmware: z.string().trim().max(40).optional().default(''),
  latitude: optionalNumber(8, 24),
  longitude: optionalNumber(102, 110),
});

/** The actor's commune (its radio station), for `action`. */
export async function stationFor(ctx: AppContext, access: Access, action: string) {
  const unit = await unitRepository(ctx.database).byId(access.actor!.unitId);
  if (!unit || unit.level !== 'commune' || unit.valid_to !== null) throw notFound();
  await access.authorize(action, { unitId: unit.id });
  return unit;
}

export const villagesOf = (ctx: AppContext, communeId: string) =>
  ctx.database.db.selectFrom('unit').select(['id', 'name']).where('parent_id', '=', communeId).where('level', '=', 'village').where('valid_to', 'is', null).orderBy('code').execute();

export async function addCluster(ctx: AppContext, access: Access, audit: AuditContext, input: z.output<typeof clusterInput>) {
  const station = await stationFor(ctx, access, 'radio.manage');
  if (!(await villagesOf(ctx, station.id)).some((v) => v.id === input.village_id)) throw fieldProblem('bad_village', 400, 'village_id', 'radio.error.village');
  if (await ctx.database.db.selectFrom('radio_cluster').select('id').where('device_id', '=', input.device_id).executeTakeFirst()) throw fieldProblem('device_taken', 409, 'device_id', 'radio.error.device_taken');
  const id = crypto.randomUUID();
  const at = new Date().toISOString();
  await ctx.database.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('radio_cluster')
      .values({ id, unit_id: station.id, origin_unit_id: station.id, village_id: input.village_id, name: input.name, latitude: input.latitude, longitude: input.longitude, speakers: input.speakers, device_id: input.device_id, firmware: input.firmware, power_source: input.power_source, online: 0, created_at: at, updated_at: at })
      .execute();
    await writeAudit(ctx.database, trx, audit, { action: 'radio.cluster.add', entity: 'radio_cluster', entityId: id, unitId: station.id, detail: { device: input.device_id } });
  });
  return id;
}

export async function clusterFor(ctx: AppContext, access: Access, id: string, action: 'radio.read' | 'radio.manage') {
  const c = await ctx.database.db.selectFrom('radio_cluster').selectAll().where('id', '=', id).executeTakeFirst();
  if (!c) throw notFound();
  await access.authorize(action, { unitId: c.unit_id });
  return c;
}

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

/**
 * Issues (or rotates) the device's secret: returned once, stored only as its hash; the previous one
 * stops working at once. A revoked cluster gets a new secret only by this, on purpose.
 */
/**
 * Issues a device its secret; a new one for a device that has one (rotation) only when the official
 * has confirmed that the old one ends at once.
 */
export async function issueSecret(ctx: AppContext, access: Access, audit: AuditContext, id: string, opts: { rotationConfirmed?: boolean } = {}) {
  const c = await clusterFor(ctx, access, id, 'radio.manage');
  if (c.secret_hash && !opts.rotationConfirmed) throw fieldProblem('rotation_unconfirmed', 400, 'confirm_rotate', 'radio.error.rotate_unconfirmed');
  const secret = crypto.randomBytes(24).toString('base64url');
  await ctx.database.db.transaction().execute(async (trx) => {
    await trx.updateTable('radio_cluster').set({ secret_hash: sha256(secret), secret_issued_at: new Date().toISOString(), revoked_at: null, updated_at: new Date().toISOString() }).where('id', '=', c.id).execute();
    await writeAudit(ctx.database, trx, audit, { action: c.secret_hash ? 'radio.credentials.rotate' : 'radio.credentials.issue', entity: 'radio_cluster', entityId: c.id, unitId: c.unit_id, detail: { device: c.device_id } });
  });
  // The old secret ends now: a device still connected with it is cut off and must sign in again.
  linkFor(ctx)?.disconnect?.(c.device_id);
  return { deviceId: c.device_id, secret };
}

export async function revokeSecret(ctx: AppContext, access: Access, audit: AuditContext, id: string) {
  const c = await clusterFor(ctx, access, id, 'radio.manage');
  if (!c.secret_hash) throw new AppError('no_secret', 409, 'radio.error.no_secret');
  await ctx.database.db.transaction().execute(async (trx) => {
    await trx.updateTable('radio_cluster').set({ secret_hash: null, revoked_at: new Date().toISOString(), online: 0, updated_at: new Date().toISOString() }).where('id', '=', c.id).execute();
    await writeAudit(ctx.database, trx, audit, { action: 'radio.credentials.revoke', entity: 'radio_cluster', entityId: c.id, unitId: c.unit_id, detail: { device: c.device_id } });
  });
  linkFor(ctx)?.disconnect?.(c.device_id);
}

/** The broker's question: is this a device of ours with this secret? Its device id, or null. */
export async function authenticateDevice(ctx: AppContext, username: string, password: string): Promise<string | null> {
  if (!DEVICE_ID.test(username) || !password) return null;
  const c = await ctx.database.db.selectFrom('radio_cluster').select(['device_id', 'secret_hash']).where('device_id', '=', username).where('revoked_at', 'is', null).executeTakeFirst();
  if (!c?.secret_hash) return null;
  const given = Buffer.from(sha256(password), 'hex');
  return crypto.timingSafeEqual(given, Buffer.from(c.secret_hash, 'hex')) ? c.device_id : null;
}

/** At most this many rows per device and minute for refusals: a flood of bad connections costs no more. */
export const REFUSALS_LOGGED_PER_MINUTE = 10;

/**
 * Logs a refusal by the broker (bad credentials, a foreign topic), rate-limited per device id: beyond
 * the limit in a minute they are counted, and the count is written when the next minute's first comes.
 */
export async function logRefusal(ctx: AppContext, deviceId: string, kind: string, detail: string, now = Date.now()) {
  const key = deviceId.slice(0, 64);
  const refusalWindows = memoryOf(ctx).refusals;
  let w = refusalWindows.get(key);
  if (!w || now - w.start >= 60_000) {
    if (w?.suppressed) await logDevice(ctx, key, 'refused_suppressed', String(w.suppressed));
    if (refusalWindows.size > 10_000) refusalWindows.clear();
    refusalWindows.set(key, (w = { start: now, count: 0, suppressed: 0 }));
  }
  if (w.count >= REFUSALS_LOGGED_PER_MINUTE) {
    w.suppressed++;
    return;
  }
  w.count++;
  await logDevice(ctx, key, kind, detail);
}

export async function logDevice(ctx: AppContext, deviceId: string, kind: string, detail: string) {
  await ctx.database.db.insertInto('radio_device_log').values({ id: crypto.randomUUID(), device_id: deviceId.slice(0, 64), kind, detail: detail.slice(0, 300), at: new Date().toISOString() }).execute();
}

/** Online: said so in a heartbeat received within `OFFLINE_AFTER_MS`. */
export const isOnline = (c: { online: number; last_seen_at: string | null }, now = Date.now()) => c.online === 1 && !!c.last_seen_at && now - Date.parse(c.last_seen_at) < OFFLINE_AFTER_MS;

/**
 * Credentials for virtual clusters (the simulator, the demo): makes sure `count` clusters with device
 * ids `<prefix>-0001…` exist in the commune (spread over its villages), gives each a fresh secret
 * (audited as the system) and returns them. Real devices get theirs one by one from an official.
 */
export async function provisionVirtual(ctx: AppContext, unitId: string, options: { prefix: string; count: number; audit: AuditContext }) {
  const { db } = ctx.database;
  const villages = await villagesOf(ctx, unitId);
  if (!villages.length) throw new Error(`unit ${unitId} has no villages to place clusters in`);
  const existing = await db.selectFrom('radio_cluster').select(['id', 'device_id']).where('unit_id', '=', unitId).where('device_id', 'like', `${options.prefix}-%`).orderBy('device_id').execute();
  const ids = Array.from({ length: options.count }, (_, i) => `${options.prefix}-${String(i + 1).padStart(4, '0')}`);
  const have = new Set(existing.map((e) => e.device_id));
  const at = new Date().toISOString();
  const fresh = ids.flatMap((deviceId, i) => {
    if (have.has(deviceId)) return [];
    const v = villages[i % villages.length]!;
    return { id: crypto.randomUUID(), unit_id: unitId, origin_unit_id: unitId, village_id: v.id, name: `Cụm loa mô phỏng ${i + 1} (${v.name})`, latitude: null, longitude: null, speakers: 4, device_id: deviceId, firmware: 'sim-1.0', power_source: 'mains', online: 0, created_at: at, updated_at: at };
  });
  for (let i = 0; i < fresh.length; i += 200) await db.insertInto('radio_cluster').values(fresh.slice(i, i + 200)).execute();
  return issueVirtualSecrets(ctx, unitId, ids, options.audit);
}

/** Fresh secrets for the given devices of a commune (virtual clusters only: the demo's and the simulator's). */
export async function issueVirtualSecrets(ctx: AppContext, unitId: string, deviceIds: readonly string[], audit: AuditContext) {
  const creds = deviceIds.map((deviceId) => ({ deviceId, secret: crypto.randomBytes(24).toString('base64url') }));
  const at = new Date().toISOString();
  await ctx.database.db.transaction().execute(async (trx) => {
    for (const c of creds) await trx.updateTable('radio_cluster').set({ secret_hash: sha256(c.secret), secret_issued_at: at, revoked_at: null, updated_at: at }).where('unit_id', '=', unitId).where('device_id', '=', c.deviceId).execute();
    await writeAudit(ctx.database, trx, audit, { action: 'radio.credentials.virtual', entity: 'radio_cluster', entityId: unitId, unitId, detail: { devices: creds.length } });
  });
  return creds;
}
