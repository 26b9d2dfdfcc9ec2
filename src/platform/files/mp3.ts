import { createRequire } from 'node:module';
import { idleWorker } from '../worker.ts';

/** Plain PCM sound read from a WAV file: interleaved 16-bit samples. */
export interface Pcm {
  sampleRate: number;
  channels: number;
  samples: Int16Array;
}

/** Sample rates an MP3 stream can carry (MPEG-1, -2 and -2.5 layer III). */
const MP3_RATES = new Set([8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000]);

/**
 * The sound of a WAV file when it is 16-bit PCM, mono or stereo, at a rate MP3 can carry; otherwise
 * undefined (the file is then kept as it is). A length of the data chunk larger than the file — what a
 * program writing to a pipe puts there, as `espeak-ng --stdout` does — is read as "to the end".
 */
export function pcmOfWav(wav: Uint8Array): Pcm | undefined {
  const b = Buffer.from(wav.buffer, wav.byteOffset, wav.byteLength);
  if (b.length < 44 || b.toString('latin1', 0, 4) !== 'RIFF' || b.toString('latin1', 8, 12) !== 'WAVE') return undefined;
  let format: { tag: number; channels: number; rate: number; bits: number } | undefined;
  for (let at = 12; at + 8 <= b.length; ) {
    const id = b.toString('latin1', at, at + 4);
    const size = b.readUInt32LE(at + 4);
    const body = at + 8;
    if (id === 'fmt ' && body + 16 <= b.length) {
      const tag = b.readUInt16LE(body);
      // WAVE_FORMAT_EXTENSIBLE names the real format in its sub-format GUID's first two bytes.
      const real = tag === 0xfffe && size >= 40 && body + 26 <= b.length ? b.readUInt16LE(body + 24) : tag;
      format = { tag: real, channels: b.readUInt16LE(body + 2), rate: b.readUInt32LE(body + 4), bits: b.readUInt16LE(body + 14) };
    } else if (id === 'data') {
      if (!format || format.tag !== 1 || format.bits !== 16 || format.channels < 1 || format.channels > 2 || !MP3_RATES.has(format.rate)) return undefined;
      const end = Math.min(b.length, body + size);
      const frames = Math.floor((end - body) / (2 * format.channels));
      if (frames === 0) return undefined;
      // A copy (aligned, and the caller's buffer stays whole); WAV is little-endian, as the hosts we run on.
      const samples = new Int16Array(b.buffer.slice(b.byteOffset + body, b.byteOffset + body + frames * format.channels * 2));
      return { sampleRate: format.rate, channels: format.channels, samples };
    }
    at = body + size + (size % 2);
  }
  return undefined;
}

// LAME compiled to WebAssembly (npm `wasm-media-encoders`), in a worker thread: two minutes of speech
// take ~2 s of CPU, which must not stall the event loop. The worker ends after a minute idle.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
let encoder;
parentPort.on('message', async ({ id, samples, sampleRate, channels, kbps }) => {
  try {
    encoder ??= await require(workerData.module).createMp3Encoder();
    encoder.configure({ sampleRate, channels, bitrate: kbps });
    const parts = [];
    let length = 0;
    const keep = (bytes) => { parts.push(bytes.slice()); length += bytes.length; };
    const frames = samples.length / channels;
    const CHUNK = 16384;
    for (let f = 0; f < frames; f += CHUNK) {
      const n = Math.min(CHUNK, frames - f);
      const planes = [];
      for (let c = 0; c < channels; c++) {
        const plane = new Float32Array(n);
        for (let i = 0; i < n; i++) plane[i] = samples[(f + i) * channels + c] / 32768;
        planes.push(plane);
      }
      keep(encoder.encode(planes));
    }
    keep(encoder.finalize());
    const out = new Uint8Array(length);
    let at = 0;
    for (const p of parts) { out.set(p, at); at += p.length; }
    parentPort.postMessage({ id, result: out }, [out.buffer]);
  } catch (err) {
    parentPort.postMessage({ id, error: String((err && err.message) || err) });
  }
});
`;

let run: ReturnType<typeof idleWorker> | undefined;

/**
 * MP3 of PCM sound, at a constant bit rate fit for speech through loudspeakers (48 kbit/s a channel):
 * about a seventh of the WAV's size at 22 kHz, and the format every IP loudspeaker plays.
 */
export async function encodeMp3(pcm: Pcm, kbpsPerChannel = 48): Promise<Buffer> {
  run ??= idleWorker(WORKER_SOURCE, { module: createRequire(import.meta.url).resolve('wasm-media-encoders') });
  const samples = pcm.samples.slice(); // transferred to the worker
  const mp3 = await run<Uint8Array>({ samples, sampleRate: pcm.sampleRate, channels: pcm.channels, kbps: kbpsPerChannel * pcm.channels }, [samples.buffer]);
  return Buffer.from(mp3.buffer, mp3.byteOffset, mp3.byteLength);
}
