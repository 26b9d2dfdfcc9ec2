import crypto from 'node:crypto';
import type { AppContext } from '../../platform/context.ts';
import type { SeedOptions } from '../../platform/modules/define-module.ts';

/** Demo: a few speaker clusters in Hướng Đạo's villages (no credentials yet: they show as never seen). */
export async function seedRadio(ctx: AppContext, options: SeedOptions) {
  if (!options.demo) return;
  const { db } = ctx.database;
  if (await db.selectFrom('radio_cluster').select('id').where('unit_id', '=', 'u-25201').executeTakeFirst()) return;
  const villages = await db.selectFrom('unit').select(['id', 'name', 'code']).where('parent_id', '=', 'u-25201').where('level', '=', 'village').where('valid_to', 'is', null).orderBy('code').limit(4).execute();
  const at = new Date().toISOString();
  for (const [i, v] of villages.entries()) {
    await db
      .insertInto('radio_cluster')
      .values({ id: crypto.randomUUID(), unit_id: 'u-25201', origin_unit_id: 'u-25201', village_id: v.id, name: `Cụm loa ${v.name}`, latitude: 21.42 + [0, 0.008, 0.003, -0.006][i % 4]!, longitude: 105.47 + [0, 0.004, 0.011, 0.007][i % 4]!, speakers: 3 + (i % 3), device_id: `huongdao-${String(i + 1).padStart(2, '0')}`, firmware: '1.4.2', power_source: i % 2 ? 'dc' : 'mains', online: 0, created_at: at, updated_at: at })
      .execute();
  }
}
