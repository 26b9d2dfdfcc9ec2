import crypto from 'node:crypto';
import type { AppContext } from '../../platform/context.ts';
import type { Access } from '../../platform/auth/access.ts';
import { writeAudit, type AuditContext } from '../../platform/audit/audit.ts';
import { checkUpload, storeFile, type UploadedFile } from '../../platform/files/files.ts';
import { fieldProblem } from '../../platform/errors.ts';
import { communeFor } from './content.ts';

export const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
/** Widths kept: a large one for the article, a small one for lists and phones. */
export const SIZES = { large: 1200, small: 480 } as const;

/** Resizes a picture (never enlarging) to WebP, turned upright by its EXIF orientation and stripped of metadata (GPS included). */
export async function resize(data: Buffer, width: number) {
  const { default: sharp } = await import('sharp');
  const { data: out, info } = await sharp(data, { failOn: 'error' }).rotate().resize({ width, withoutEnlargement: true }).webp({ quality: 78 }).toBuffer({ resolveWithObject: true });
  return { data: out, width: info.width, height: info.height };
}

/** A picture ready to store: its two WebP sizes. */
export interface PreparedImage {
  large: Awaited<ReturnType<typeof resize>>;
  small: Awaited<ReturnType<typeof resize>>;
}

/** Makes the two sizes of a picture; an unreadable one is refused with the file named. */
export async function prepareImage(data: Buffer, filename = 'anh'): Promise<PreparedImage> {
  try {
    const [large, small] = await Promise.all([resize(data, SIZES.large), resize(data, SIZES.small)]);
    return { large, small };
  } catch {
    throw fieldProblem('bad_image', 400, 'image', 'portal.error.unreadable_image', { name: filename });
  }
}

/** Resizes (unless given prepared) and stores a picture of a unit's (two WebP sizes, the original not kept); audited when `audit` is given. */
export async function saveImage(ctx: AppContext, unitId: string, ownerId: string | null, data: Buffer | PreparedImage, alt: string, audit?: AuditContext, filename = 'anh') {
  const { large, small } = Buffer.isBuffer(data) ? await prepareImage(data, filename) : data;
  const id = crypto.randomUUID();
  const upload = (bytes: Buffer, size: string) => ({ kind: 'upload' as const, filename: `${id}-${size}.webp`, declaredType: 'image/webp', data: bytes, tooLarge: false });
  await ctx.database.db.transaction().execute(async (trx) => {
    const largeId = await storeFile(ctx, trx, upload(large.data, 'large'), { mime: 'image/webp', unitId, ownerId });
    const smallId = await storeFile(ctx, trx, upload(small.data, 'small'), { mime: 'image/webp', unitId, ownerId });
    await trx.insertInto('portal_image').values({ id, unit_id: unitId, large_file_id: largeId, small_file_id: smallId, width: large.width, height: large.height, alt, created_at: new Date().toISOString() }).execute();
    if (audit) await writeAudit(ctx.database, trx, audit, { action: 'portal.image.upload', entity: 'portal_image', entityId: id, unitId, detail: { width: large.width, height: large.height, bytes: large.data.length + small.data.length } });
  });
  return { id, width: large.width, height: large.height };
}

/** Stores an uploaded picture of the commune's, checked by content (JPEG, PNG or WebP). */
export async function uploadImage(ctx: AppContext, access: Access, audit: AuditContext, unitId: string, file: UploadedFile, alt: string) {
  const unit = await communeFor(ctx, access, unitId, 'portal.edit');
  await checkUpload(ctx, 'image', file, IMAGE_TYPES);
  return saveImage(ctx, unit.id, access.actor!.id, file.data, alt, audit, file.filename);
}
