import { describe, expect, it } from 'vitest';
import { audioDurationMs } from '../../src/platform/files/audio.ts';
import { encodeMp3, pcmOfWav } from '../../src/platform/files/mp3.ts';
import { espeakProgram, espeakWasm } from '../../src/platform/speech/tts.ts';
import { toneWav } from '../support/audio.ts';

const isMp3 = (b: Buffer) => b.subarray(0, 3).toString('latin1') === 'ID3' || (b[0] === 0xff && (b[1]! & 0xe0) === 0xe0);

describe('MP3 from PCM WAV', () => {
  it('reads 16-bit PCM, mono or stereo, and leaves other encodings alone', () => {
    const mono = pcmOfWav(toneWav(1))!;
    expect(mono).toMatchObject({ sampleRate: 16000, channels: 1 });
    expect(mono.samples.length).toBe(16000);
    expect(mono.samples[4]).toBe(Math.round(Math.sin((2 * Math.PI * 440 * 4) / 16000) * 0.5 * 32767));
    expect(pcmOfWav(toneWav(0.5, { rate: 44100, channels: 2 }))).toMatchObject({ sampleRate: 44100, channels: 2 });
    expect(pcmOfWav(toneWav(1, { bits: 8 }))).toBeUndefined();
    expect(pcmOfWav(toneWav(1, { bits: 32, format: 3 }))).toBeUndefined(); // float
    expect(pcmOfWav(toneWav(1, { rate: 96000 }))).toBeUndefined(); // no MP3 at that rate
    expect(pcmOfWav(toneWav(1, { channels: 3 }))).toBeUndefined();
    expect(pcmOfWav(Buffer.from('ID3 not a wav at all, only some bytes to be long enough for a header'))).toBeUndefined();
    // A header with no sound after it.
    expect(pcmOfWav(toneWav(0))).toBeUndefined();
  });

  it('reads what espeak-ng writes to a pipe, whose header cannot give the data length', async () => {
    const piped = await espeakProgram().synthesize('Xin chào bà con.', { voice: 'vi', speed: 150 });
    const written = await espeakWasm().synthesize('Xin chào bà con.', { voice: 'vi', speed: 150 });
    for (const wav of [piped, written]) {
      const pcm = pcmOfWav(wav)!;
      expect(pcm).toMatchObject({ sampleRate: 22050, channels: 1 });
      expect(pcm.samples.length).toBe(Math.floor((wav.length - 44) / 2));
    }
  });

  it('encodes to an MP3 a fraction of the size that plays as long', async () => {
    for (const [wav, seconds] of [
      [toneWav(3), 3],
      [toneWav(2, { rate: 44100, channels: 2 }), 2],
    ] as const) {
      const mp3 = await encodeMp3(pcmOfWav(wav)!);
      expect(isMp3(mp3)).toBe(true);
      const { fileTypeFromBuffer } = await import('file-type');
      expect((await fileTypeFromBuffer(mp3))?.mime).toBe('audio/mpeg');
      // The encoder's delay and padding add a few frames at most.
      expect(Math.abs((await audioDurationMs(mp3))! - seconds * 1000)).toBeLessThan(150);
      expect(mp3.length).toBeLessThan(wav.length / 4);
    }
    // Several at once share the worker.
    const many = await Promise.all([1, 2, 3].map((s) => encodeMp3(pcmOfWav(toneWav(s))!)));
    expect(await Promise.all(many.map(async (m) => Math.round((await audioDurationMs(m))! / 1000)))).toEqual([1, 2, 3]);
  });
});
