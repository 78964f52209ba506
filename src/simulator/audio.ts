/**
 * Audio sources and sinks for the simulated media plane.
 *
 * - {@link loadClip}: WAV files (PCM 16-bit, any rate, mono or stereo → mono) and headerless `.raw`
 *   (16 kHz 16-bit mono little-endian, as pocketsphinx test files); `silence_stream://<ms>`.
 * - {@link AudioClip.samplesAt}: the clip at a given rate, band-limited through the channel rate (a
 *   16 kHz WAV played on an 8 kHz PCMA channel carries only 8 kHz audio, as on a real call).
 * - {@link WavWriter}: streaming WAV writer used by `uuid_record`.
 *
 * All PCM is signed 16-bit; all rates are in Hz; durations in ms.
 */
import { readFileSync } from 'node:fs';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

/** The file does not exist (playback reports `FILE NOT FOUND`). */
export class AudioFileNotFoundError extends Error {
  override readonly name = 'AudioFileNotFoundError' as const;
}

/** The file exists but is not a supported PCM WAV / raw file (playback reports `PLAYBACK ERROR`). */
export class AudioFormatError extends Error {
  override readonly name = 'AudioFormatError' as const;
}

/** A mono PCM clip held in memory, with per-rate resampled copies cached. */
export class AudioClip {
  private readonly byRate = new Map<number, Int16Array>();

  constructor(
    /** Path or pseudo-URL it was loaded from. */
    readonly path: string,
    /** Native sample rate of `samples`, Hz. */
    readonly sourceRate: number,
    /** Mono samples at `sourceRate`. */
    readonly samples: Int16Array,
  ) {}

  /** Duration in ms. */
  get durationMs(): number {
    return (this.samples.length * 1000) / this.sourceRate;
  }

  /**
   * The clip at `rate` Hz. When `viaRate` is given and differs from both rates, the clip is first
   * resampled to `viaRate` (the channel codec rate) and from there to `rate`, which band-limits it
   * the way an 8 kHz codec does.
   */
  samplesAt(rate: number, viaRate?: number): Int16Array {
    const key = rate * 1_000_000 + (viaRate ?? 0);
    let s = this.byRate.get(key);
    if (!s) {
      if (viaRate && viaRate < this.sourceRate && rate !== viaRate) {
        s = resampleLinear(this.samplesAt(viaRate), viaRate, rate);
      } else {
        s = resampleLinear(this.samples, this.sourceRate, rate);
      }
      this.byRate.set(key, s);
    }
    return s;
  }
}

const clipCache = new Map<string, AudioClip>();

/**
 * Loads (and caches by path) a clip.
 * @param path a WAV file, a `.raw` file (16 kHz s16le mono), or `silence_stream://<ms>`.
 * @throws AudioFileNotFoundError, AudioFormatError
 */
export function loadClip(path: string): AudioClip {
  const cached = clipCache.get(path);
  if (cached) return cached;
  let clip: AudioClip;
  const silence = /^silence_stream:\/\/(\d+)/.exec(path);
  if (silence) {
    const ms = Number(silence[1]);
    clip = new AudioClip(path, 8000, new Int16Array(Math.round(ms * 8)));
  } else {
    let data: Buffer;
    try {
      data = readFileSync(path);
    } catch {
      throw new AudioFileNotFoundError(`no such file: ${path}`);
    }
    clip = path.toLowerCase().endsWith('.raw') ? new AudioClip(path, 16000, pcmFromBytes(data, 0, data.length)) : parseWav(path, data);
  }
  if (clipCache.size > 500) clipCache.clear();
  clipCache.set(path, clip);
  return clip;
}

/** Removes a path from the clip cache (tests that rewrite files). */
export function forgetClip(path: string): void {
  clipCache.delete(path);
}

/** Parses a RIFF/WAVE PCM 16-bit file; multi-channel files are averaged to mono. */
export function parseWav(path: string, data: Buffer): AudioClip {
  if (data.length < 12 || data.toString('latin1', 0, 4) !== 'RIFF' || data.toString('latin1', 8, 12) !== 'WAVE') {
    throw new AudioFormatError(`not a RIFF/WAVE file: ${path}`);
  }
  let off = 12;
  let rate = 0;
  let channels = 0;
  let bits = 0;
  let format = 0;
  while (off + 8 <= data.length) {
    const id = data.toString('latin1', off, off + 4);
    let size = data.readUInt32LE(off + 4);
    const start = off + 8;
    if (id === 'fmt ') {
      format = data.readUInt16LE(start);
      channels = data.readUInt16LE(start + 2);
      rate = data.readUInt32LE(start + 4);
      bits = data.readUInt16LE(start + 14);
      if (format === 0xfffe && size >= 26) format = data.readUInt16LE(start + 24);
    } else if (id === 'data') {
      if (format !== 1 || bits !== 16 || channels < 1 || rate < 1000) {
        throw new AudioFormatError(`unsupported WAV (format ${format}, ${bits} bit, ${channels} ch, ${rate} Hz): ${path}`);
      }
      if (size === 0xffffffff || start + size > data.length) size = data.length - start; // streamed WAVs
      const mono = pcmFromBytes(data, start, start + size - (size % (2 * channels)));
      return new AudioClip(path, rate, channels === 1 ? mono : downmix(mono, channels));
    }
    off = start + size + (size & 1);
  }
  throw new AudioFormatError(`WAV without data chunk: ${path}`);
}

function pcmFromBytes(data: Buffer, start: number, end: number): Int16Array {
  const n = Math.floor((end - start) / 2);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = data.readInt16LE(start + 2 * i);
  return out;
}

function downmix(interleaved: Int16Array, channels: number): Int16Array {
  const n = Math.floor(interleaved.length / channels);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += interleaved[i * channels + c]!;
    out[i] = Math.round(sum / channels);
  }
  return out;
}

/**
 * Linear-interpolation resampler. When downsampling by 2× or more, a boxcar of the ratio's width is
 * applied first to limit aliasing. Returns `src` itself when the rates are equal.
 */
export function resampleLinear(src: Int16Array, from: number, to: number): Int16Array {
  if (from === to || src.length === 0) return src;
  let input = src;
  const ratio = from / to;
  if (ratio >= 2) {
    const w = Math.round(ratio);
    const f = new Int16Array(src.length);
    let acc = 0;
    for (let i = 0; i < src.length; i++) {
      acc += src[i]!;
      if (i >= w) acc -= src[i - w]!;
      f[i] = Math.round(acc / Math.min(i + 1, w));
    }
    input = f;
  }
  const n = Math.floor((input.length * to) / from);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const pos = i * ratio;
    const i0 = Math.floor(pos);
    const frac = pos - i0;
    const a = input[i0] ?? 0;
    const b = input[i0 + 1] ?? a;
    out[i] = Math.round(a + (b - a) * frac);
  }
  return out;
}

/**
 * Copies `spf` samples of `samples` starting at sample `start` into `out` at `outOffset` with
 * `stride` (2 = interleave into one channel of a stereo buffer). Samples past the end are zeros.
 * @returns false when `start` is at or after the end of the clip.
 */
export function copyFrame(
  samples: Int16Array,
  start: number,
  spf: number,
  out: Int16Array,
  outOffset = 0,
  stride = 1,
): boolean {
  if (start >= samples.length) {
    for (let i = 0; i < spf; i++) out[outOffset + i * stride] = 0;
    return false;
  }
  for (let i = 0; i < spf; i++) out[outOffset + i * stride] = samples[start + i] ?? 0;
  return true;
}

/** Adds `b` into `a` with clipping to 16 bits (mixed forks, eavesdrop). */
export function mixInto(a: Int16Array, b: Int16Array): void {
  for (let i = 0; i < a.length; i++) {
    const v = a[i]! + (b[i] ?? 0);
    a[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
}

/** Builds a 44-byte canonical WAV header. `dataBytes` may be 0 for a placeholder. */
export function wavHeader(rate: number, channels: number, dataBytes: number): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'latin1');
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVE', 8, 'latin1');
  h.write('fmt ', 12, 'latin1');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * channels * 2, 28);
  h.writeUInt16LE(channels * 2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'latin1');
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

/** Encodes mono PCM as a complete WAV file buffer (tests and fixtures). */
export function encodeWav(samples: Int16Array, rate: number, channels = 1): Buffer {
  const body = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  return Buffer.concat([wavHeader(rate, channels, body.length), body]);
}

/**
 * Streaming WAV writer: appends interleaved PCM in batches and patches the header on close.
 * Writes are serialised on one promise chain so the media tick never blocks on disk I/O.
 */
export class WavWriter {
  private fh: FileHandle | undefined;
  private chain: Promise<void>;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private position = 44;
  /** PCM bytes accepted so far. */
  dataBytes = 0;
  private closed = false;

  constructor(
    readonly path: string,
    readonly rate: number,
    readonly channels: number,
  ) {
    this.chain = (async () => {
      await mkdir(dirname(path), { recursive: true });
      this.fh = await open(path, 'w');
      await this.fh.write(wavHeader(rate, channels, 0), 0, 44, 0);
    })();
  }

  /** Queues interleaved samples; flushed in ~64 KiB batches. */
  append(samples: Int16Array): void {
    if (this.closed) return;
    const b = Buffer.from(samples.buffer.slice(samples.byteOffset, samples.byteOffset + samples.byteLength));
    this.pending.push(b);
    this.pendingBytes += b.length;
    this.dataBytes += b.length;
    if (this.pendingBytes >= 65536) this.flush();
  }

  private flush(): void {
    if (this.pendingBytes === 0) return;
    const data = Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    const at = this.position;
    this.position += data.length;
    this.chain = this.chain.then(async () => {
      await this.fh?.write(data, 0, data.length, at);
    });
  }

  /** Flushes, patches the header sizes and closes the file. Resolves when the file is complete. */
  close(): Promise<void> {
    if (this.closed) return this.chain;
    this.closed = true;
    this.flush();
    const total = this.dataBytes;
    this.chain = this.chain
      .then(async () => {
        await this.fh?.write(wavHeader(this.rate, this.channels, total), 0, 44, 0);
      })
      .finally(async () => {
        await this.fh?.close();
      });
    return this.chain;
  }
}
