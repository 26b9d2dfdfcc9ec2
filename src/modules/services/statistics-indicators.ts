import type { AppContext } from '../../platform/context.ts';
import { localToday } from '../../platform/i18n/index.ts';

/**
 * The services' contribution to the steering committee's indicators: of the dossiers the units
 * received this year, those filed online (the one-stop figure the province follows).
 */
export async function onlineShare(ctx: AppContext, unitIds: readonly string[]): Promise<{ numerator: number; denominator: number }> {
  if (unitIds.length === 0) return { numerator: 0, denominator: 0 };
  const r = await ctx.database.db
    .selectFrom('svc_dossier')
    .select((eb) => [eb.fn.countAll<number>().as('all'), eb.fn.sum<number>(eb.case().when('channel', '=', 'online').then(1).else(0).end()).as('online')])
    .where('unit_id', 'in', unitIds)
    // Local midnight of 1 January as a UTC instant: timestamps are stored as UTC ISO strings.
    .where('received_at', '>=', new Date(`${localToday().slice(0, 4)}-01-01T00:00:00+07:00`).toISOString())
    .executeTakeFirst();
  return { numerator: Number(r?.online ?? 0), denominator: Number(r?.all ?? 0) };
}
