import crypto from 'node:crypto';
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import type { Access } from '../../platform/auth/access.ts';
import { writeAudit, type AuditContext } from '../../platform/audit/audit.ts';
import { AppError, fieldProblem, notFound } from '../../platform/errors.ts';
import { AUDIO_TYPES, checkUpload, storeFile, type UploadedFile } from '../../platform/files/files.ts';
import { audioDurationMs } from '../../platform/files/audio.ts';
import { encodeMp3, pcmOfWav } from '../../platform/files/mp3.ts';
import { hmac, safeEqual } from '../../platform/http/security.ts';
import { MAX_SPEECH_CHARS, SPEEDS, SpeechError, VOICES, speechEngine, type SpeechEngine } from '../../platform/speech/tts.ts';
import { stationFor } from './fleet.ts';

/** Circular 39/2020: exactly three bulletin priorities. */
export const PRIORITIES = ['normal', 'priority', 'emergency'] as const;
export type Priority = (typeof PRIORITIES)[number];
export const CONTENT_KINDS = ['upload', 'recording', 'speech', 'relay'] as const;
export type ContentKind = (typeof CONTENT_KINDS)[number];
/** Longest single item: a programme is made of items, and a slot never cuts one (two hours is a long relay). */
export const MAX_ITEM_MS = 2 * 60 * 60 * 1000;

const base = {
  title: z.string().trim().min(3).max(200),
  priority: z.enum(PRIORITIES),
};
/** A sound file, uploaded or recorded in the browser (the file itself is checked by content). */
export const soundInput = z.object({ ...base, source: z.enum(['upload', 'recording']).default('upload') });
export const speechInput = z.object({
  ...base,
  speech_text: z.string().trim().min(2).max(MAX_SPEECH_CHARS),
  voice: z.enum(VOICES),
  speed: z.coerce.number().int().refine((n) => (SPEEDS as readonly number[]).includes(n), { message: 'radio.error.speed' }),
});
export const relayInput = z.object({
  ...base,
  stream_url: z.url({ protocol: /^https?$/, message: 'radio.error.stream_url' }).max(500),
  minutes: z.coerce.number().int().min(1).max(MAX_ITEM_MS / 60_000),
});

const engines = new WeakMap<AppContext, SpeechEngine>();
/** The configured speech engine, made once per platform. */
export function speechFor(ctx: AppContext): SpeechEngine {
  let e = engines.get(ctx);
  if (!e) engines.set(ctx, (e = speechEngine(ctx.config.tts)));
  return e;
}

interface NewContent {
  title: string;
  priority: Priority;
  kind: ContentKind;
  sound?: { file: UploadedFile; mime: string; durationMs: number };
  relay?: { url: string; durationMs: number };
  speech?: { text: string; voice: string; speed: number; engine: string };
}

async function insertContent(ctx: AppContext, access: Access, audit: AuditContext, unitId: string, c: NewContent) {
  const id = crypto.randomUUID();
  const actor = access.actor!;
  await ctx.database.db.transaction().execute(async (trx) => {
    const fileId = c.sound ? await storeFile(ctx, trx, c.sound.file, { mime: c.sound.mime, unitId, ownerId: actor.id }) : null;
    await trx
      .insertInto('radio_content')
      .values({
        id,
        unit_id: unitId,
        origin_unit_id: unitId,
        title: c.title,
        kind: c.kind,
        priority: c.priority,
        file_id: fileId,
        mime: c.sound?.mime ?? null,
        stream_url: c.relay?.url ?? null,
        speech_text: c.speech?.text ?? null,
        voice: c.speech?.voice ?? null,
        speed: c.speech?.speed ?? null,
        engine: c.speech?.engine ?? null,
        duration_ms: c.sound?.durationMs ?? c.relay!.durationMs,
        status: 'pending',
        created_by: actor.id,
        created_by_label: actor.displayName,
        created_at: new Date().toISOString(),
      })
      .execute();
    await writeAudit(ctx.database, trx, audit, { action: 'radio.content.create', entity: 'radio_content', entityId: id, unitId, detail: { kind: c.kind, priority: c.priority, title: c.title } });
  });
  return id;
}

/**
 * Checks a sound by content (type, size, a measurable duration within the longest item). With `compact`
 * — sound the platform makes itself: speech, a recording from the browser's microphone — PCM WAV is
 * stored as MP3 (a seventh of the size for devices on mobile links; what every IP loudspeaker plays).
 * Files officials upload are kept as they are.
 */
async function checkSound(ctx: AppContext, field: string, file: UploadedFile, compact = false) {
  const { mime } = await checkUpload(ctx, field, file, AUDIO_TYPES);
  const durationMs = await audioDurationMs(file.data);
  if (!durationMs) throw fieldProblem('no_sound', 400, field, 'radio.error.no_sound', { name: file.filename });
  if (durationMs > MAX_ITEM_MS) throw fieldProblem('too_long', 400, field, 'radio.error.too_long', { name: file.filename });
  const mp3 = compact && mime === 'audio/wav' ? await asMp3(file) : undefined;
  if (mp3) return { file: mp3, mime: 'audio/mpeg', durationMs: (await audioDurationMs(mp3.data)) ?? durationMs };
  return { file, mime, durationMs };
}

/**
 * The MP3 of a PCM WAV file (same name, `.mp3`), or undefined when the WAV holds another encoding — or
 * when the encoder failed: the WAV is then kept, playable, rather than the official's work lost.
 */
export async function asMp3(file: UploadedFile): Promise<UploadedFile | undefined> {
  const pcm = pcmOfWav(file.data);
  if (!pcm) return undefined;
  const data = await encodeMp3(pcm).catch(() => undefined);
  return data && { ...file, filename: `${file.filename.replace(/\.wav$/i, '')}.mp3`, declaredType: 'audio/mpeg', data };
}

export async function addSound(ctx: AppContext, access: Access, audit: AuditContext, input: z.output<typeof soundInput>, file: UploadedFile | undefined) {
  const station = await stationFor(ctx, access, 'radio.manage');
  if (!file) throw fieldProblem('no_file', 400, 'audio', 'radio.error.no_file');
  const sound = await checkSound(ctx, 'audio', file, input.source === 'recording');
  return insertContent(ctx, access, audit, station.id, { title: input.title, priority: input.priority, kind: input.source, sound });
}

/** Speech from text: spoken now by the configured engine, then stored and measured like any sound. */
export async function addSpeech(ctx: AppContext, access: Access, audit: AuditContext, input: z.output<typeof speechInput>) {
  const station = await stationFor(ctx, access, 'radio.manage');
  const engine = speechFor(ctx);
  let audio: Buffer;
  try {
    audio = await engine.synthesize(input.speech_text, { voice: input.voice, speed: input.speed });
  } catch (err) {
    if (err instanceof SpeechError) throw new AppError('speech_failed', 502, 'radio.error.speech_failed');
    throw err;
  }
  const file: UploadedFile = { kind: 'upload', filename: 'doc-van-ban.wav', declaredType: 'audio/wav', data: audio, tooLarge: false };
  let sound;
  try {
    sound = await checkSound(ctx, 'speech_text', file, true);
  } catch (err) {
    // The engine's answer is not playable sound: the service's fault, not the official's.
    if (err instanceof AppError) throw new AppError('speech_failed', 502, 'radio.error.speech_failed');
    throw err;
  }
  return insertContent(ctx, access, audit, station.id, { title: input.title, priority: input.priority, kind: 'speech', sound, speech: { text: input.speech_text, voice: input.voice, speed: input.speed, engine: engine.name } });
}

export async function addRelay(ctx: AppContext, access: Access, audit: AuditContext, input: z.output<typeof relayInput>) {
  const station = await stationFor(ctx, access, 'radio.manage');
  return insertContent(ctx, access, audit, station.id, { title: input.title, priority: input.priority, kind: 'relay', relay: { url: input.stream_url, durationMs: input.minutes * 60_000 } });
}

export async function contentFor(ctx: AppContext, access: Access, id: string, action: 'radio.read' | 'radio.manage' | 'radio.approve') {
  const c = await ctx.database.db.selectFrom('radio_content').selectAll().where('id', '=', id).executeTakeFirst();
  if (!c) throw notFound();
  await access.authorize(action, { unitId: c.unit_id });
  return c;
}

/**
 * The leader's decision: approved content may air, rejected content never (with the reason, for its
 * author). Decided once: a second decision is refused (make new content to change what airs).
 */
export async function decideContent(ctx: AppContext, access: Access, audit: AuditContext, id: string, decision: { approve: boolean; note: string }) {
  access.require('radio.approve');
  const c = await contentFor(ctx, access, id, 'radio.approve');
  if (!decision.approve && decision.note.trim().length < 5) throw fieldProblem('reason_required', 400, 'note', 'radio.error.reason');
  const actor = access.actor!;
  await ctx.database.db.transaction().execute(async (trx) => {
    const r = await trx
      .updateTable('radio_content')
      .set({ status: decision.approve ? 'approved' : 'rejected', decided_by: actor.id, decided_by_label: actor.displayName, decided_at: new Date().toISOString(), decision_note: decision.note.trim() || null })
      .where('id', '=', c.id)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw new AppError('already_decided', 409, 'radio.error.already_decided');
    await writeAudit(ctx.database, trx, audit, { action: decision.approve ? 'radio.content.approve' : 'radio.content.reject', entity: 'radio_content', entityId: c.id, unitId: c.unit_id, detail: { title: c.title, note: decision.note.trim() } });
  });
}

/**
 * The address a device fetches an approved sound from: a per-item HMAC under the server secret, so
 * devices need no session; it stops working when the item is no longer approved.
 */
export const mediaToken = (ctx: AppContext, id: string) => hmac(ctx.secret, `radio.media:${id}`);
export const mediaPath = (ctx: AppContext, id: string) => `/truyen-thanh/phat/${id}?k=${mediaToken(ctx, id)}`;
export const mediaTokenValid = (ctx: AppContext, id: string, token: string) => safeEqual(mediaToken(ctx, id), token);
