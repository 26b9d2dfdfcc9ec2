import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { idleWorker } from '../worker.ts';

/**
 * Text-to-speech behind one interface. The default engine is offline: espeak-ng's Vietnamese voices —
 * Debian's `espeak-ng` program when it is installed, otherwise the same engine compiled to WebAssembly
 * (npm `espeak-ng`), so speech works after `npm ci` alone. `TTS_URL` selects an HTTP service instead.
 */
export interface SpeechEngine {
  /** Shown to officials: which engine made the audio. */
  readonly name: string;
  /** Audio bytes (WAV, MP3 or OGG: the caller checks them by content like any upload). */
  synthesize(text: string, options: SpeechOptions): Promise<Buffer>;
}

/** The three Vietnamese accents (DOMAIN.md §4: northern, central, southern), as espeak-ng names its voices. */
export const VOICES = ['vi', 'vi-vn-x-central', 'vi-vn-x-south'] as const;
export type Voice = (typeof VOICES)[number];
/** Words per minute: slow, normal, fast for a loudspeaker in the open air. */
export const SPEEDS = [120, 150, 180] as const;
export const MAX_SPEECH_CHARS = 5000;

export interface SpeechOptions {
  voice: Voice;
  speed: number;
}

export class SpeechError extends Error {}

const ESPEAK_BIN = '/usr/bin/espeak-ng';

/** espeak-ng's arguments; the text goes last, never read as an option. */
const espeakArgs = (o: SpeechOptions) => ['-v', o.voice, '-s', String(Math.round(o.speed))];

/** Debian's espeak-ng program: the text on stdin, the WAV on stdout. */
export function espeakProgram(bin = ESPEAK_BIN): SpeechEngine {
  return {
    name: 'espeak-ng (Debian)',
    synthesize: (text, o) =>
      new Promise((resolve, reject) => {
        const child = execFile(bin, [...espeakArgs(o), '--stdout'], { encoding: 'buffer', maxBuffer: 200 * 1024 * 1024, timeout: 60_000 }, (err, stdout) =>
          err ? reject(new SpeechError(`espeak-ng failed: ${err.message}`)) : resolve(stdout),
        );
        child.stdin?.end(text, 'utf8');
      }),
  };
}

// The WebAssembly build runs in a worker thread (a long bulletin takes ~0.3 s of CPU: not on the
// event loop), compiled once; the worker ends after a minute idle and gives its memory back.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
let factory, compiled;
parentPort.on('message', async ({ id, args, text }) => {
  try {
    factory ??= (await import(workerData.moduleUrl)).default;
    compiled ??= await WebAssembly.compile(fs.readFileSync(new URL('espeak-ng.wasm', workerData.moduleUrl)));
    const espeak = await factory({
      print() {}, printErr() {},
      instantiateWasm(imports, done) { WebAssembly.instantiate(compiled, imports).then((i) => done(i)); return {}; },
      arguments: [...args, '-w', '/out.wav', ' ' + text],
    });
    const wav = espeak.FS.readFile('/out.wav');
    parentPort.postMessage({ id, result: wav }, [wav.buffer]);
  } catch (err) {
    parentPort.postMessage({ id, error: String(err && err.message || err) });
  }
});
`;

export function espeakWasm(): SpeechEngine {
  const run = idleWorker(WORKER_SOURCE, { moduleUrl: pathToFileURL(createRequire(import.meta.url).resolve('espeak-ng')).href });
  return {
    name: 'espeak-ng (WebAssembly)',
    async synthesize(text, o) {
      try {
        const wav = await run<Uint8Array>({ args: espeakArgs(o), text });
        return Buffer.from(wav.buffer, wav.byteOffset, wav.byteLength);
      } catch (err) {
        throw new SpeechError(`espeak-ng failed: ${(err as Error).message}`);
      }
    },
  };
}

/**
 * An HTTP speech service (a commercial Vietnamese voice, or a self-hosted one): POST JSON
 * `{ text, voice, speed }` with `Authorization: Bearer <TTS_API_KEY>`; the answer's body is the audio.
 */
export function httpSpeech(url: string, apiKey?: string): SpeechEngine {
  return {
    name: `HTTP (${new URL(url).host})`,
    async synthesize(text, o) {
      let res: Response;
      try {
        res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
          body: JSON.stringify({ text, voice: o.voice, speed: o.speed }),
          signal: AbortSignal.timeout(60_000),
        });
      } catch (err) {
        throw new SpeechError(`speech service unreachable: ${(err as Error).message}`);
      }
      if (!res.ok) throw new SpeechError(`speech service answered ${res.status}`);
      return Buffer.from(await res.arrayBuffer());
    },
  };
}

/** The configured engine: the HTTP service if `TTS_URL` is set, else espeak-ng (Debian's, or WebAssembly). */
export function speechEngine(config: { url?: string | undefined; apiKey?: string | undefined }): SpeechEngine {
  if (config.url) return httpSpeech(config.url, config.apiKey);
  return existsSync(ESPEAK_BIN) ? espeakProgram() : espeakWasm();
}
