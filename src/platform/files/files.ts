import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import type { Kysely } from 'kysely';
import type { AppContext } from '../context.ts';
import type { DB } from '../db/schema.ts';
import { fieldProblem } from '../errors.ts';

/** A file posted in a multipart form, as the body carries it (fields stay plain strings). */
export interface UploadedFile {
  kind: 'upload';
  filename: string;
  /** What the browser claimed; never trusted — the content decides. */
  declaredType: string;
  data: Buffer;
  /** Larger than UPLOAD_LIMIT_BYTES: the data is cut off and must be refused. */
  tooLarge: boolean;
}

export const isUpload = (v: unknown): v is UploadedFile => typeof v === 'object' && v !== null && (v as UploadedFile).kind === 'upload';

/**
 * Multipart forms: fields arrive in `request.body` as strings (so CSRF and the usual parsing work),
 * files as {@link UploadedFile}. An empty file input (nothing chosen) is dropped. Register it in the
 * encapsulated context of the module that takes uploads, not on the root: the plugin adds three
 * hooks to every request of its context (they cost ~10 % of the throughput of unrelated routes).
 */
export async function registerUploads(app: FastifyInstance, ctx: AppContext) {
  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    // An oversized file is cut off and flagged, so the form can name it and keep what was typed.
    throwFileSizeLimit: false,
    limits: { fileSize: ctx.config.uploadLimitBytes, files: 20, fields: 300, fieldSize: 100_000, parts: 320 },
    async onFile(part) {
      let data = await part.toBuffer();
      const tooLarge = part.file.truncated;
      if (tooLarge) data = Buffer.alloc(0);
      const value: UploadedFile | undefined =
        part.filename || data.length ? { kind: 'upload', filename: part.filename, declaredType: part.mimetype, data, tooLarge } : undefined;
      (part as unknown as { value: unknown }).value = value;
    },
  });
}

/** Types accepted for dossier papers and results. */
export const DOCUMENT_TYPES = ['application/pdf', 'image/jpeg', 'image/png'] as const;

/** Sound for the radio's loudspeakers. */
export const AUDIO_TYPES = ['audio/mpeg', 'audio/ogg', 'audio/wav'] as const;
/** How a type is named to people, where its subtype is not the name they know. */
const TYPE_NAMES: Record<string, string> = { 'audio/mpeg': 'MP3', 'application/geo+json': 'GeoJSON' };
/** Types recognised as plain text rather than by a signature. */
const TEXT_TYPES: readonly string[] = ['text/csv', 'application/geo+json'];

const human = (bytes: number) => (bytes >= 1024 * 1024 ? `${Math.round(bytes / 1024 / 1024)} MB` : `${Math.round(bytes / 1024)} KB`);

/**
 * Checks an upload by its content: size within the limit and a detected type among `allowed`
 * (a renamed .exe or a text file called .pdf is refused). Throws a 400 naming the field.
 */
export async function checkUpload(ctx: AppContext, field: string, file: UploadedFile, allowed: readonly string[] = DOCUMENT_TYPES): Promise<{ mime: string }> {
  if (file.tooLarge) throw fieldProblem('file_too_large', 400, field, 'files.error.too_large', { name: file.filename, limit: human(ctx.config.uploadLimitBytes) });
  if (file.data.length === 0) throw fieldProblem('file_empty', 400, field, 'files.error.empty', { name: file.filename });
  // Loaded on first upload: the idle process need not hold the detectors.
  const { fileTypeFromBuffer } = await import('file-type');
  // Text formats have no signature: one of them is allowed when the file is plain UTF-8 text (its parser checks the rest).
  const textType = allowed.find((m) => TEXT_TYPES.includes(m));
  const found = (await fileTypeFromBuffer(file.data)) ?? (textType && isPlainText(file.data) ? { mime: textType } : undefined);
  // `audio/ogg; codecs=opus` is an OGG file like any other.
  const mime = found?.mime.split(';')[0]!.trim();
  if (!mime || !allowed.includes(mime)) {
    throw fieldProblem('file_type', 400, field, 'files.error.type', { name: file.filename, allowed: allowed.map((m) => TYPE_NAMES[m] ?? m.split('/')[1]!.toUpperCase()).join(', ') });
  }
  return { mime };
}

/** Text a CSV can be: valid UTF-8 without control characters other than tab and line breaks. */
function isPlainText(data: Buffer): boolean {
  // In UTF-8 a control character is a single byte below 0x20.
  for (const b of data) if (b < 0x09 || b === 0x0b || b === 0x0c || (b > 0x0d && b < 0x20)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(data);
    return true;
  } catch {
    return false;
  }
}

const filePath = (ctx: AppContext, id: string) => path.join(ctx.config.dataDir, 'files', id.slice(0, 2), id);

/**
 * Stores a checked upload: bytes on disk under DATA_DIR/files, its row in the caller's transaction.
 * The bytes are written first; a rolled-back row leaves an unreferenced file, never a row without bytes.
 */
export async function storeFile(ctx: AppContext, trx: Kysely<DB>, file: UploadedFile, meta: { mime: string; unitId: string; ownerId: string | null }): Promise<string> {
  const id = crypto.randomUUID();
  const target = filePath(ctx, id);
  await fs.mkdir(path.dirname(target), { recursive: true });
  await fs.writeFile(target, file.data, { flag: 'wx' });
  await trx
    .insertInto('platform_file')
    .values({
      id,
      unit_id: meta.unitId,
      owner_id: meta.ownerId,
      name: path.basename(file.filename || 'tep').slice(0, 200),
      mime: meta.mime,
      size: file.data.length,
      sha256: crypto.createHash('sha256').update(file.data).digest('hex'),
      created_at: new Date().toISOString(),
    })
    .execute();
  return id;
}

/** A stored file's row and bytes (the caller authorizes first). */
export async function readStoredFile(ctx: AppContext, id: string) {
  const row = await ctx.database.db.selectFrom('platform_file').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  return { row, data: await fs.readFile(filePath(ctx, id)) };
}
