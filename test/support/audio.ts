/** A WAV file of a 440 Hz tone: `seconds` long, 16-bit unless told, as a browser's recorder or a program writes it. */
export function toneWav(seconds: number, { rate = 16000, channels = 1, bits = 16, format = 1 } = {}): Buffer {
  const frames = Math.round(seconds * rate);
  const bytes = bits / 8;
  const data = Buffer.alloc(frames * channels * bytes);
  for (let f = 0; f < frames; f++) {
    const v = Math.sin((2 * Math.PI * 440 * f) / rate) * 0.5;
    for (let c = 0; c < channels; c++) {
      const at = (f * channels + c) * bytes;
      if (bits === 16) data.writeInt16LE(Math.round(v * 32767), at);
      else if (bits === 8) data.writeUInt8(Math.round(128 + v * 127), at);
      else data.writeFloatLE(v, at);
    }
  }
  const head = Buffer.alloc(44);
  head.write('RIFF', 0);
  head.writeUInt32LE(36 + data.length, 4);
  head.write('WAVEfmt ', 8);
  head.writeUInt32LE(16, 16);
  head.writeUInt16LE(format, 20);
  head.writeUInt16LE(channels, 22);
  head.writeUInt32LE(rate, 24);
  head.writeUInt32LE(rate * channels * bytes, 28);
  head.writeUInt16LE(channels * bytes, 32);
  head.writeUInt16LE(bits, 34);
  head.write('data', 36);
  head.writeUInt32LE(data.length, 40);
  return Buffer.concat([head, data]);
}
