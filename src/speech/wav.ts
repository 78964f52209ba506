/**
 * WAV (RIFF/WAVE) reading and writing for 16-bit linear PCM — the format FreeSWITCH plays and
 * records (`L16`), the format of TTS prompts and of the test corpora. Shared by media ingest,
 * recordings and speech.
 *
 * Layout written: canonical 44-byte header (`RIFF` size `WAVE`, `fmt ` chunk of 16 bytes with
 * format 1 = PCM, `data` chunk), little-endian, samples interleaved by channel.
 * Layout read: any chunk order, unknown chunks (`LIST`, `fact`, …) skipped, odd-sized chunks
 * padded, `WAVE_FORMAT_EXTENSIBLE` (0xFFFE) accepted when its sub-format is PCM, and a `data`
 * size of 0 or 0xFFFFFFFF (written by streaming recorders that never patched the header)
 * or larger than the file is taken to mean "until the end of the buffer".
 */
import { readFile, writeFile } from 'node:fs/promises';
import { WavFormatError } from './errors.js';

/** Decoded 16-bit PCM audio. */
export interface PcmAudio {
  /** Samples per second per channel, in Hz (e.g. 8000, 16000, 22050). */
  readonly sampleRateHz: number;
  /** Number of interleaved channels (1 = mono, 2 = stereo). */
  readonly channels: number;
  /** Interleaved signed 16-bit samples in host order; length = frames × channels. */
  readonly samples: Int16Array;
}

/** Size in bytes of the header written by `createWavHeader` / `encodeWav`. */
export const WAV_HEADER_BYTES = 44;

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Parse a RIFF/WAVE buffer holding 16-bit PCM.
 * @throws WavFormatError if it is not RIFF/WAVE, has no `fmt `/`data` chunk, or is not 16-bit PCM.
 */
export function decodeWav(buffer: Uint8Array): PcmAudio {
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  if (buffer.byteLength < 12 || fourcc(view, 0) !== 'RIFF' || fourcc(view, 8) !== 'WAVE') {
    throw new WavFormatError('not a RIFF/WAVE buffer');
  }
  let fmt: { format: number; channels: number; sampleRateHz: number; bitsPerSample: number; blockAlign: number } | undefined;
  let offset = 12;
  while (offset + 8 <= buffer.byteLength) {
    const id = fourcc(view, offset);
    const declared = view.getUint32(offset + 4, true);
    const bodyStart = offset + 8;
    if (id === 'fmt ') {
      if (declared < 16 || bodyStart + 16 > buffer.byteLength) throw new WavFormatError('truncated fmt chunk');
      let format = view.getUint16(bodyStart, true);
      if (format === WAVE_FORMAT_EXTENSIBLE && declared >= 40 && bodyStart + 26 <= buffer.byteLength) {
        format = view.getUint16(bodyStart + 24, true); // first two bytes of the sub-format GUID
      }
      fmt = {
        format,
        channels: view.getUint16(bodyStart + 2, true),
        sampleRateHz: view.getUint32(bodyStart + 4, true),
        blockAlign: view.getUint16(bodyStart + 12, true),
        bitsPerSample: view.getUint16(bodyStart + 14, true),
      };
    } else if (id === 'data') {
      if (!fmt) throw new WavFormatError('data chunk before fmt chunk');
      if (fmt.format !== WAVE_FORMAT_PCM) throw new WavFormatError(`unsupported WAV format ${fmt.format} (only PCM)`);
      if (fmt.bitsPerSample !== 16) throw new WavFormatError(`unsupported ${fmt.bitsPerSample}-bit WAV (only 16-bit)`);
      if (fmt.channels < 1 || fmt.sampleRateHz < 1) throw new WavFormatError('invalid channel count or sample rate');
      const available = buffer.byteLength - bodyStart;
      const size = declared === 0 || declared === 0xffffffff || declared > available ? available : declared;
      const frameBytes = 2 * fmt.channels;
      const usable = size - (size % frameBytes);
      return { sampleRateHz: fmt.sampleRateHz, channels: fmt.channels, samples: readInt16LE(buffer, bodyStart, usable / 2) };
    }
    offset = bodyStart + declared + (declared & 1);
  }
  throw new WavFormatError(fmt ? 'no data chunk' : 'no fmt chunk');
}

/** Read and parse a WAV file. @throws WavFormatError, or the fs error if it cannot be read. */
export async function readWavFile(path: string): Promise<PcmAudio> {
  return decodeWav(await readFile(path));
}

/**
 * Build a canonical 44-byte WAV header for `dataBytes` bytes of 16-bit PCM.
 * Streaming writers can write it with `dataBytes = 0` first and rewrite it when done.
 */
export function createWavHeader(options: { sampleRateHz: number; channels: number; dataBytes: number }): Buffer {
  const { sampleRateHz, channels, dataBytes } = options;
  const header = Buffer.alloc(WAV_HEADER_BYTES);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(Math.min(0xffffffff, 36 + dataBytes), 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(WAVE_FORMAT_PCM, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(sampleRateHz, 24);
  header.writeUInt32LE(sampleRateHz * channels * 2, 28); // byte rate
  header.writeUInt16LE(channels * 2, 32); // block align
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(Math.min(0xffffffff, dataBytes), 40);
  return header;
}

/** Encode PCM audio as a complete WAV file (header + little-endian samples). */
export function encodeWav(audio: PcmAudio): Buffer {
  const data = int16ToLEBytes(audio.samples);
  return Buffer.concat([createWavHeader({ sampleRateHz: audio.sampleRateHz, channels: audio.channels, dataBytes: data.byteLength }), data]);
}

/** Encode and write a WAV file. */
export async function writeWavFile(path: string, audio: PcmAudio): Promise<void> {
  await writeFile(path, encodeWav(audio));
}

/**
 * Copy little-endian 16-bit samples out of a byte buffer (any alignment) into a new Int16Array.
 * Used for WAV data and for binary L16 WebSocket frames.
 */
export function readInt16LE(bytes: Uint8Array, byteOffset = 0, sampleCount = Math.floor((bytes.byteLength - byteOffset) / 2)): Int16Array {
  const out = new Int16Array(sampleCount);
  if (HOST_IS_LITTLE_ENDIAN) {
    new Uint8Array(out.buffer).set(bytes.subarray(byteOffset, byteOffset + sampleCount * 2));
  } else {
    const view = new DataView(bytes.buffer, bytes.byteOffset + byteOffset, sampleCount * 2);
    for (let i = 0; i < sampleCount; i++) out[i] = view.getInt16(i * 2, true);
  }
  return out;
}

/** Little-endian bytes of 16-bit samples (a view without copying on little-endian hosts). */
export function int16ToLEBytes(samples: Int16Array): Uint8Array {
  if (HOST_IS_LITTLE_ENDIAN) return new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
  const out = new Uint8Array(samples.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < samples.length; i++) view.setInt16(i * 2, samples[i]!, true);
  return out;
}

/** Split interleaved samples into one array per channel (e.g. stereo fork: [caller, agent]). */
export function deinterleave(samples: Int16Array, channels: number): Int16Array[] {
  if (channels === 1) return [samples];
  const frames = Math.floor(samples.length / channels);
  const out = Array.from({ length: channels }, () => new Int16Array(frames));
  for (let f = 0, i = 0; f < frames; f++) {
    for (let c = 0; c < channels; c++, i++) out[c]![f] = samples[i]!;
  }
  return out;
}

/** Interleave equal-length channel arrays (the shortest length wins). */
export function interleave(channels: readonly Int16Array[]): Int16Array {
  const n = channels.length;
  if (n === 1) return channels[0]!;
  const frames = Math.min(...channels.map((c) => c.length));
  const out = new Int16Array(frames * n);
  for (let f = 0, i = 0; f < frames; f++) {
    for (let c = 0; c < n; c++, i++) out[i] = channels[c]![f]!;
  }
  return out;
}

/** Duration in ms of `sampleCount` interleaved samples. */
export function pcmDurationMs(sampleCount: number, sampleRateHz: number, channels = 1): number {
  return (sampleCount / channels / sampleRateHz) * 1000;
}

function fourcc(view: DataView, offset: number): string {
  return String.fromCharCode(view.getUint8(offset), view.getUint8(offset + 1), view.getUint8(offset + 2), view.getUint8(offset + 3));
}
