/**
 * How long a sound file plays, read from its own headers and frames (music-metadata: MP3, OGG Vorbis
 * and Opus, WAV); undefined when the file has no measurable sound (a broken or empty stream).
 * The caller has already checked the type by content (`checkUpload` with `AUDIO_TYPES`).
 */
export async function audioDurationMs(data: Uint8Array): Promise<number | undefined> {
  const { parseBuffer } = await import('music-metadata');
  try {
    const meta = await parseBuffer(data, undefined, { duration: true, skipCovers: true });
    const seconds = meta.format.duration;
    return seconds && Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) : undefined;
  } catch {
    return undefined;
  }
}
