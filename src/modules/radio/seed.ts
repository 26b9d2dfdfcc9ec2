import crypto from 'node:crypto';
import type { AppContext } from '../../platform/context.ts';
import type { SeedOptions } from '../../platform/modules/define-module.ts';
import { storeFile, type UploadedFile } from '../../platform/files/files.ts';
import { audioDurationMs } from '../../platform/files/audio.ts';
import { localToday } from '../../platform/i18n/index.ts';
import type { SpeechEngine } from '../../platform/speech/tts.ts';
import { asMp3, speechFor } from './content.ts';

/** The demo bulletin, spoken by the offline engine at the first demo start. */
const DEMO_BULLETIN =
  'Ủy ban nhân dân xã Hướng Đạo thông báo. Từ ngày mười tháng mười hai, bà con các thôn đưa gia súc, gia cầm đến nhà văn hóa thôn để tiêm phòng vắc xin. ' +
  'Bà con cài đặt ứng dụng định danh điện tử VNeID và kích hoạt tài khoản mức hai tại nhà văn hóa thôn vào sáng thứ bảy hằng tuần, có tổ công nghệ số cộng đồng hỗ trợ.';

/** The demo bulletin spoken and made MP3 as an official's would be — once per process and engine. */
const bulletins = new Map<string, Promise<{ file: UploadedFile; durationMs: number } | undefined>>();
function demoBulletin(engine: SpeechEngine) {
  let made = bulletins.get(engine.name);
  if (!made) {
    made = (async () => {
      const wav: UploadedFile = { kind: 'upload', filename: 'ban-tin-xa.wav', declaredType: 'audio/wav', data: await engine.synthesize(DEMO_BULLETIN, { voice: 'vi', speed: 150 }), tooLarge: false };
      const file = (await asMp3(wav)) ?? wav;
      const durationMs = await audioDurationMs(file.data);
      return durationMs ? { file, durationMs } : undefined;
    })();
    made.catch(() => bulletins.delete(engine.name));
    bulletins.set(engine.name, made);
  }
  return made;
}

/**
 * Demo: a few speaker clusters in Hướng Đạo's villages (run as virtual devices by `serve --demo`), a
 * bulletin made by text-to-speech and approved by the chairman, and a programme airing it every day at
 * 06:00 and 17:00 in all clusters — so the dashboard, the schedule and the reports have something to show.
 */
export async function seedRadio(ctx: AppContext, options: SeedOptions) {
  if (!options.demo) return;
  const { db } = ctx.database;
  if (!(await db.selectFrom('radio_cluster').select('id').where('unit_id', '=', 'u-25201').executeTakeFirst())) {
    const villages = await db.selectFrom('unit').select(['id', 'name', 'code']).where('parent_id', '=', 'u-25201').where('level', '=', 'village').where('valid_to', 'is', null).orderBy('code').limit(4).execute();
    const at = new Date().toISOString();
    for (const [i, v] of villages.entries()) {
      await db
        .insertInto('radio_cluster')
        .values({ id: crypto.randomUUID(), unit_id: 'u-25201', origin_unit_id: 'u-25201', village_id: v.id, name: `Cụm loa ${v.name}`, latitude: 21.42 + [0, 0.008, 0.003, -0.006][i % 4]!, longitude: 105.47 + [0, 0.004, 0.011, 0.007][i % 4]!, speakers: 3 + (i % 3), device_id: `huongdao-${String(i + 1).padStart(2, '0')}`, firmware: '1.4.2', power_source: i % 2 ? 'dc' : 'mains', online: 0, created_at: at, updated_at: at })
        .execute();
    }
  }
  if (await db.selectFrom('radio_content').select('id').where('unit_id', '=', 'u-25201').executeTakeFirst()) return;
  const [official, leader] = await Promise.all(
    ['commune_official', 'commune_leader'].map((role) =>
      db.selectFrom('auth_role_grant as g').innerJoin('auth_account as a', 'a.id', 'g.account_id').select(['a.id', 'a.display_name']).where('g.unit_id', '=', 'u-25201').where('g.role', '=', role).orderBy('a.username').executeTakeFirst(),
    ),
  );
  if (!official || !leader) return;
  const engine = speechFor(ctx);
  const bulletin = await demoBulletin(engine);
  if (!bulletin) return;
  const { file, durationMs } = bulletin;
  const at = new Date().toISOString();
  const contentId = crypto.randomUUID();
  await db.transaction().execute(async (trx) => {
    const fileId = await storeFile(ctx, trx, file, { mime: file.declaredType, unitId: 'u-25201', ownerId: official.id });
    await trx
      .insertInto('radio_content')
      .values({ id: contentId, unit_id: 'u-25201', origin_unit_id: 'u-25201', title: 'Bản tin của xã: tiêm phòng và kích hoạt VNeID', kind: 'speech', priority: 'normal', file_id: fileId, mime: file.declaredType, stream_url: null, speech_text: DEMO_BULLETIN, voice: 'vi', speed: 150, engine: engine.name, duration_ms: durationMs, status: 'approved', created_by: official.id, created_by_label: official.display_name, created_at: at, decided_by: leader.id, decided_by_label: leader.display_name, decided_at: at, decision_note: null })
      .execute();
    for (const [name, start] of [['Bản tin sáng', 6 * 3600], ['Bản tin chiều', 17 * 3600]] as const) {
      const id = crypto.randomUUID();
      await trx
        .insertInto('radio_schedule')
        .values({ id, unit_id: 'u-25201', origin_unit_id: 'u-25201', name, kind: 'daily', date_from: localToday(), date_to: null, weekdays: '1234567', start_s: start, duration_ms: durationMs, target_kind: 'all', status: 'approved', created_by: official.id, created_by_label: official.display_name, created_at: at, decided_by: leader.id, decided_by_label: leader.display_name, decided_at: at, decision_note: null, cancelled_by_label: null, cancelled_at: null })
        .execute();
      await trx.insertInto('radio_schedule_item').values({ schedule_id: id, position: 1, content_id: contentId }).execute();
    }
    await trx.insertInto('radio_station').values({ unit_id: 'u-25201', schedule_version: 1, updated_at: at }).onConflict((oc) => oc.column('unit_id').doUpdateSet({ schedule_version: 1, updated_at: at })).execute();
  });
}
