/**
 * PromptStore — admin-uploaded IVR audio prompts (e.g. a water-outage notice) kept as files that
 * FreeSWITCH can play with `playback <absolute path>`.
 *
 * Upload pipeline (`save`):
 *   1. validate the name (`^[A-Za-z0-9_.-]{1,128}\.wav$`, no `..`, no leading `.`) and the size;
 *   2. parse the RIFF/WAVE header ourselves (any chunk order, `WAVE_FORMAT_EXTENSIBLE` resolved to
 *      its sub-format) and accept linear PCM (8-bit unsigned, 16/24/32-bit signed), IEEE float
 *      (32/64-bit), A-law and μ-law — anything else (ADPCM, GSM, MP3-in-WAV, RF64, RIFX) is
 *      `unsupported-format`; a cut-off upload is `not-wav`; no audio is `empty`; the duration is
 *      checked against `maxDurationMs` before any conversion;
 *   3. hand exactly the `data` chunk bytes to sox as headerless raw audio with the parsed format
 *      (so sox never guesses from a damaged or unpatched header) and convert to the telephony
 *      prompt format — mono, 16-bit signed PCM, 8000 Hz WAV:
 *        sox -G -D -t raw -r <rate> -c <ch> -b <bits> -e <enc> -L in.raw -t wav -c 1 -b 16 -e signed-integer out.part rate -h 8000
 *      Channels are averaged. The level is kept: `-G` only attenuates when resampling would clip
 *      (no normalisation); `-D` disables dither so the output is deterministic;
 *   4. read the result back with `decodeWav` (must be mono 8 kHz 16-bit, non-empty, within the
 *      duration limit), fsync it and `rename` it over `<dir>/<name>` — readers (FreeSWITCH, `list`)
 *      see either the old prompt or the new one, never a partial file. All temporary files live in
 *      a private `.tmp-*` directory inside `dir` (same filesystem, so the rename is atomic) that is
 *      removed whatever happens; nothing of a rejected upload is left behind.
 *
 * Child processes use `execFile` (no shell) with a timeout. Log lines carry names, sizes and
 * formats only.
 */
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { mkdir, mkdtemp, open, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { WavFormatError } from '../speech/errors.js';
import { decodeWav } from '../speech/wav.js';

/** Sample rate of stored prompts, in Hz (what FreeSWITCH plays on narrowband telephony legs). */
export const PROMPT_SAMPLE_RATE_HZ = 8000;
/** Default upload size limit: 20 MiB. */
export const DEFAULT_PROMPT_MAX_BYTES = 20 * 1024 * 1024;
/** Default prompt duration limit: 10 minutes, in ms. */
export const DEFAULT_PROMPT_MAX_DURATION_MS = 10 * 60 * 1000;
/** Default sox timeout, in ms. */
export const DEFAULT_PROMPT_CONVERT_TIMEOUT_MS = 60_000;

/** Prompt file names: ASCII letters, digits, `_`, `.`, `-`; 1–128 characters before `.wav`. */
export const PROMPT_NAME_PATTERN = /^[A-Za-z0-9_.-]{1,128}\.wav$/;

/**
 * Why a prompt operation failed. Suggested HTTP mapping:
 * - `invalid-name` — name does not match `PROMPT_NAME_PATTERN`, contains `..` or starts with `.` → 400
 * - `not-wav` — not a RIFF/WAVE file, or a malformed / truncated one → 415 (or 400)
 * - `unsupported-format` — a WAV whose encoding we do not convert (ADPCM, GSM, MP3-in-WAV, RF64, …) → 415
 * - `too-large` — upload larger than `maxBytes` → 413
 * - `too-long` — audio longer than `maxDurationMs` → 413
 * - `empty` — zero bytes, or a WAV without any audio frames → 400
 * - `convert-failed` — sox missing, failed, timed out, produced unexpected output, or the file
 *   could not be written → 500
 */
export type PromptErrorCode = 'invalid-name' | 'not-wav' | 'unsupported-format' | 'too-large' | 'too-long' | 'empty' | 'convert-failed';

/** A prompt was rejected or could not be stored. Test `code`, not the message. */
export class PromptError extends Error {
  override readonly name = 'PromptError' as const;
  /** Machine-readable reason; see `PromptErrorCode`. */
  readonly code: PromptErrorCode;

  constructor(code: PromptErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Encoding family of an uploaded WAV, derived from its format tag. */
export type PromptSourceEncoding = 'pcm' | 'float' | 'alaw' | 'mulaw';

/** The format of the file as uploaded (before conversion). */
export interface PromptSourceFormat {
  /** Sample rate in Hz. */
  readonly sampleRateHz: number;
  /** Channel count (1 = mono, 2 = stereo, …). */
  readonly channels: number;
  /** Bits per sample as declared in the `fmt ` chunk (valid bits; 8 for A-law/μ-law). */
  readonly bitsPerSample: number;
  /**
   * WAVE format tag: 1 PCM, 3 IEEE float, 6 A-law, 7 μ-law. For `WAVE_FORMAT_EXTENSIBLE` (0xFFFE)
   * files this is the tag of the sub-format GUID.
   */
  readonly formatTag: number;
  /** Encoding family of `formatTag`. */
  readonly encoding: PromptSourceEncoding;
}

/** A stored prompt as returned by `save`: always mono, 16-bit PCM, 8000 Hz. */
export interface PromptInfo {
  /** File name, e.g. `water-outage.wav`. */
  readonly name: string;
  /** Duration of the stored audio, in ms (sample count / 8). */
  readonly durationMs: number;
  /** Always 8000 (Hz). */
  readonly sampleRateHz: typeof PROMPT_SAMPLE_RATE_HZ;
  /** Always 1. */
  readonly channels: 1;
  /** Size of the stored file, in bytes (header included). */
  readonly bytes: number;
  /** Format of the upload before conversion. */
  readonly originalFormat: PromptSourceFormat;
}

/** One entry of `list()`. */
export interface PromptSummary {
  /** File name, e.g. `water-outage.wav`. */
  readonly name: string;
  /** Duration in ms, from the file's WAV header. */
  readonly durationMs: number;
  /** File size in bytes. */
  readonly bytes: number;
}

/** Options of `PromptStore`. */
export interface PromptStoreOptions {
  /** Directory holding the prompts (created on first save). Relative paths resolve against the cwd. */
  readonly dir: string;
  /** sox binary (default `sox` on PATH; Debian package `sox`). */
  readonly soxPath?: string;
  /** Logger for saves, removals and skipped files. */
  readonly logger?: Logger;
  /** Largest accepted upload, in bytes (default 20 MiB). */
  readonly maxBytes?: number;
  /** Longest accepted prompt, in ms (default 10 minutes). */
  readonly maxDurationMs?: number;
  /** sox timeout, in ms (default 60 000). */
  readonly convertTimeoutMs?: number;
}

/**
 * Stores admin-uploaded WAV prompts in one directory, converted to mono 16-bit 8 kHz PCM WAV.
 * See the module comment for the pipeline. Methods taking a name throw
 * `PromptError('invalid-name')` for names that are not valid prompt names (except `exists`,
 * which answers `false`).
 */
export class PromptStore {
  /** Absolute directory holding the prompts. */
  readonly dir: string;
  private readonly soxPath: string;
  private readonly logger: Logger | undefined;
  private readonly maxBytes: number;
  private readonly maxDurationMs: number;
  private readonly timeoutMs: number;

  constructor(opts: PromptStoreOptions) {
    if (!opts.dir) throw new TypeError('PromptStore: dir is required');
    this.dir = resolve(opts.dir);
    this.soxPath = opts.soxPath ?? 'sox';
    this.logger = opts.logger;
    this.maxBytes = positive(opts.maxBytes, DEFAULT_PROMPT_MAX_BYTES, 'maxBytes');
    this.maxDurationMs = positive(opts.maxDurationMs, DEFAULT_PROMPT_MAX_DURATION_MS, 'maxDurationMs');
    this.timeoutMs = positive(opts.convertTimeoutMs, DEFAULT_PROMPT_CONVERT_TIMEOUT_MS, 'convertTimeoutMs');
  }

  /**
   * Validate, convert and store an uploaded WAV under `name`, replacing any prompt of that name.
   * @param name file name matching `PROMPT_NAME_PATTERN` (e.g. `water-outage.wav`)
   * @param data the complete uploaded file
   * @returns the stored prompt (mono, 16-bit, 8000 Hz) and the upload's original format
   * @throws PromptError — `invalid-name`, `too-large`, `empty`, `not-wav`, `unsupported-format`,
   *   `too-long`, `convert-failed`. On any error nothing is written (an existing prompt of the
   *   same name is left untouched).
   */
  async save(name: string, data: Uint8Array): Promise<PromptInfo> {
    try {
      return await this.store(name, data);
    } catch (error) {
      const failure = error instanceof PromptError ? error : new PromptError('convert-failed', `cannot store the prompt: ${(error as Error).message}`, { cause: error });
      this.logger?.warn({ prompt: isValidName(name) ? name : undefined, code: failure.code, uploadBytes: data.byteLength, err: failure.message }, 'prompt rejected');
      throw failure;
    }
  }

  private async store(name: string, data: Uint8Array): Promise<PromptInfo> {
    assertValidName(name);
    if (data.byteLength === 0) throw new PromptError('empty', 'the uploaded file is empty (0 bytes)');
    if (data.byteLength > this.maxBytes) {
      throw new PromptError('too-large', `the uploaded file is ${data.byteLength} bytes; the limit is ${this.maxBytes} bytes`);
    }
    const source = parseUpload(data);
    const inputMs = (source.frames / source.format.sampleRateHz) * 1000;
    if (inputMs > this.maxDurationMs) {
      throw new PromptError('too-long', `the prompt lasts ${formatMs(inputMs)}; the limit is ${formatMs(this.maxDurationMs)}`);
    }

    const started = performance.now();
    let tmpDir: string | undefined;
    try {
      try {
        await mkdir(this.dir, { recursive: true });
        tmpDir = await mkdtemp(join(this.dir, '.tmp-'));
      } catch (cause) {
        throw new PromptError('convert-failed', `cannot write to the prompt directory ${this.dir}`, { cause });
      }
      const rawPath = join(tmpDir, 'in.raw');
      const outPath = join(tmpDir, 'out.part');
      await writeFile(rawPath, data.subarray(source.dataOffset, source.dataOffset + source.dataBytes)).catch((cause: unknown) => {
        throw new PromptError('convert-failed', `cannot write a temporary file in ${this.dir}`, { cause });
      });
      const f = source.format;
      await this.sox([
        '-G', '-D',
        '-t', 'raw', '-r', String(f.sampleRateHz), '-c', String(f.channels), '-b', String(source.containerBits), '-e', SOX_ENCODING[f.encoding](source.containerBits), '-L', rawPath,
        '-t', 'wav', '-c', '1', '-b', '16', '-e', 'signed-integer', outPath,
        'rate', '-h', String(PROMPT_SAMPLE_RATE_HZ),
      ]);

      const handle = await open(outPath, 'r+').catch((cause: unknown) => {
        throw new PromptError('convert-failed', 'sox produced no output file', { cause });
      });
      let bytes: number;
      let durationMs: number;
      try {
        const out = await handle.readFile();
        let audio;
        try {
          audio = decodeWav(out);
        } catch (cause) {
          if (cause instanceof WavFormatError) throw new PromptError('convert-failed', `sox output is not a readable WAV: ${cause.message}`, { cause });
          throw cause;
        }
        if (audio.channels !== 1 || audio.sampleRateHz !== PROMPT_SAMPLE_RATE_HZ) {
          throw new PromptError('convert-failed', `sox produced ${audio.channels} channel(s) at ${audio.sampleRateHz} Hz instead of mono ${PROMPT_SAMPLE_RATE_HZ} Hz`);
        }
        if (audio.samples.length === 0) throw new PromptError('empty', 'the prompt contains no audio after conversion');
        durationMs = (audio.samples.length / PROMPT_SAMPLE_RATE_HZ) * 1000;
        if (durationMs > this.maxDurationMs) {
          throw new PromptError('too-long', `the prompt lasts ${formatMs(durationMs)}; the limit is ${formatMs(this.maxDurationMs)}`);
        }
        bytes = out.byteLength;
        await handle.sync();
      } finally {
        await handle.close();
      }
      const finalPath = join(this.dir, name);
      await rename(outPath, finalPath).catch((cause: unknown) => {
        throw new PromptError('convert-failed', `cannot store ${name} in ${this.dir}`, { cause });
      });
      await syncDir(this.dir);
      const info: PromptInfo = { name, durationMs, sampleRateHz: PROMPT_SAMPLE_RATE_HZ, channels: 1, bytes, originalFormat: f };
      this.logger?.info(
        { prompt: name, durationMs, bytes, uploadBytes: data.byteLength, originalFormat: f, convertMs: Math.round(performance.now() - started) },
        'prompt stored',
      );
      return info;
    } finally {
      if (tmpDir) await rm(tmpDir, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  /**
   * Stored prompts sorted by name: `{ name, durationMs, bytes }`. Only regular files with valid
   * prompt names and a readable WAV header are listed (others are skipped with a warning);
   * temporary files are never listed. A missing directory lists as empty.
   */
  async list(): Promise<PromptSummary[]> {
    let entries: string[];
    try {
      entries = await readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const out: PromptSummary[] = [];
    for (const name of entries.sort()) {
      if (!isValidName(name)) continue;
      const path = join(this.dir, name);
      try {
        const st = await stat(path);
        if (!st.isFile()) continue;
        const handle = await open(path, 'r');
        let head: Buffer;
        try {
          head = Buffer.alloc(Math.min(st.size, 64 * 1024));
          await handle.read(head, 0, head.byteLength, 0);
        } finally {
          await handle.close();
        }
        const header = parseWavHeader(head, st.size);
        const frames = Math.floor(Math.min(header.dataDeclared, st.size - header.dataOffset) / header.blockAlign);
        out.push({ name, durationMs: (frames / header.format.sampleRateHz) * 1000, bytes: st.size });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // removed meanwhile
        this.logger?.warn({ prompt: name, err: (error as Error).message }, 'skipping unreadable prompt file');
      }
    }
    return out;
  }

  /** Whether a prompt of this name is stored (synchronous; for flow validation). Invalid names → `false`. */
  exists(name: string): boolean {
    if (!isValidName(name)) return false;
    try {
      return statSync(join(this.dir, name)).isFile();
    } catch {
      return false;
    }
  }

  /**
   * Absolute path of a prompt, whether or not it exists (what FreeSWITCH `playback` is given).
   * @throws PromptError('invalid-name')
   */
  path(name: string): string {
    assertValidName(name);
    return join(this.dir, name);
  }

  /**
   * Delete a prompt. @returns `true` if it existed, `false` if not.
   * @throws PromptError('invalid-name'); the fs error for anything other than "not found".
   */
  async remove(name: string): Promise<boolean> {
    const path = this.path(name);
    try {
      const st = await stat(path);
      if (!st.isFile()) return false;
      await rm(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
    this.logger?.info({ prompt: name }, 'prompt removed');
    return true;
  }

  private sox(args: string[]): Promise<void> {
    return new Promise((resolveRun, reject) => {
      execFile(this.soxPath, args, { timeout: this.timeoutMs, maxBuffer: 1024 * 1024, windowsHide: true }, (error, _stdout, stderr) => {
        if (!error) return resolveRun();
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') {
          reject(new PromptError('convert-failed', `sox not found (${this.soxPath}): apt-get install sox`, { cause: error }));
        } else if (error.killed || error.signal) {
          reject(new PromptError('convert-failed', `sox did not finish within ${this.timeoutMs} ms`, { cause: error }));
        } else {
          const detail = String(stderr).trim().split('\n').slice(-2).join(' | ').slice(0, 300);
          reject(new PromptError('convert-failed', `sox failed (exit ${String(error.code)})${detail ? `: ${detail}` : ''}`, { cause: error }));
        }
      });
    });
  }
}

/** Whether `name` is a valid prompt file name (see `PROMPT_NAME_PATTERN`; also no `..`, no leading `.`). */
export function isValidPromptName(name: string): boolean {
  return isValidName(name);
}

// ---------------------------------------------------------------------------------------------
// WAV header parsing (enough of the `fmt ` chunk to describe the upload and hand it to sox)

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_IEEE_FLOAT = 3;
const WAVE_FORMAT_ALAW = 6;
const WAVE_FORMAT_MULAW = 7;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
/** Bytes 2..15 of every KSDATAFORMAT_SUBTYPE_* GUID derived from a WAVE format tag. */
const KSDATAFORMAT_GUID_TAIL = Buffer.from([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71]);

const ENCODING_OF_TAG: Record<number, PromptSourceEncoding> = {
  [WAVE_FORMAT_PCM]: 'pcm',
  [WAVE_FORMAT_IEEE_FLOAT]: 'float',
  [WAVE_FORMAT_ALAW]: 'alaw',
  [WAVE_FORMAT_MULAW]: 'mulaw',
};

const KNOWN_UNSUPPORTED_TAGS: Record<number, string> = {
  0x0002: 'Microsoft ADPCM',
  0x0011: 'IMA ADPCM',
  0x0031: 'GSM 6.10',
  0x0040: 'G.721 ADPCM',
  0x0050: 'MPEG audio',
  0x0055: 'MPEG Layer III (MP3)',
  0x0064: 'G.726 ADPCM',
  0x0065: 'G.722 ADPCM',
};

const SOX_ENCODING: Record<PromptSourceEncoding, (containerBits: number) => string> = {
  pcm: (bits) => (bits === 8 ? 'unsigned-integer' : 'signed-integer'), // 8-bit WAV PCM is unsigned
  float: () => 'floating-point',
  alaw: () => 'a-law',
  mulaw: () => 'u-law',
};

interface WavHeader {
  readonly format: PromptSourceFormat;
  /** Bits per sample container (from the block alignment): what sox must read. */
  readonly containerBits: number;
  readonly blockAlign: number;
  readonly dataOffset: number;
  /** `data` size as declared (may exceed the buffer for prefixes and unpatched headers). */
  readonly dataDeclared: number;
  /** The RIFF size field (file size − 8 when patched). */
  readonly riffSize: number;
}

interface ParsedUpload {
  readonly format: PromptSourceFormat;
  readonly containerBits: number;
  readonly dataOffset: number;
  /** Bytes of whole frames to convert. */
  readonly dataBytes: number;
  readonly frames: number;
}

/** Parse a complete upload: header, then the extent of the audio, rejecting truncation. */
function parseUpload(data: Uint8Array): ParsedUpload {
  const header = parseWavHeader(data, data.byteLength);
  const available = data.byteLength - header.dataOffset;
  let size = header.dataDeclared;
  if (size === 0xffffffff) {
    size = available; // streaming writer: "until the end"
  } else if (size === 0) {
    // An unpatched streaming header has its RIFF size unpatched too; then the audio runs to the end.
    const unpatched = header.riffSize === 0 || header.riffSize === 0xffffffff || header.riffSize <= header.dataOffset - 8;
    size = unpatched ? available : 0;
  } else if (size > available) {
    if (size - available > header.blockAlign) {
      throw new PromptError('not-wav', `truncated WAV: the data chunk declares ${size} bytes but only ${available} are present (incomplete upload?)`);
    }
    size = available;
  }
  const frames = Math.floor(size / header.blockAlign);
  if (frames === 0) throw new PromptError('empty', 'the WAV file contains no audio (empty data chunk)');
  return { format: header.format, containerBits: header.containerBits, dataOffset: header.dataOffset, dataBytes: frames * header.blockAlign, frames };
}

/**
 * Walk the RIFF chunks of `buf` (a whole file or a prefix of a file of `totalSize` bytes) up to
 * the `data` chunk and validate the `fmt ` chunk.
 * @throws PromptError `not-wav` / `unsupported-format`
 */
function parseWavHeader(buf: Uint8Array, totalSize: number): WavHeader {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const magic = buf.byteLength >= 4 ? fourcc(view, 0) : '';
  if (magic === 'RF64' || magic === 'BW64') throw new PromptError('unsupported-format', `${magic} (64-bit RIFF) WAV files are not supported; export a standard WAV`);
  if (magic === 'RIFX') throw new PromptError('unsupported-format', 'big-endian (RIFX) WAV files are not supported; export a standard little-endian WAV');
  if (buf.byteLength < 12 || magic !== 'RIFF' || fourcc(view, 8) !== 'WAVE') {
    const sniffed = sniffContainer(buf);
    throw new PromptError('not-wav', sniffed ? `not a WAV file (looks like ${sniffed}); upload a RIFF/WAVE .wav file` : 'not a WAV file (no RIFF/WAVE header)');
  }
  const riffSize = view.getUint32(4, true);
  let fmt: { tag: number; channels: number; sampleRateHz: number; blockAlign: number; bitsPerSample: number } | undefined;
  let offset = 12;
  for (;;) {
    if (offset + 8 > buf.byteLength) {
      if (offset >= totalSize && fmt) throw new PromptError('not-wav', 'malformed WAV: no data chunk');
      throw new PromptError('not-wav', offset >= totalSize ? 'malformed WAV: no fmt chunk' : `truncated WAV: the file ends inside the chunk header at byte ${offset}`);
    }
    const id = fourcc(view, offset);
    const declared = view.getUint32(offset + 4, true);
    const bodyStart = offset + 8;
    if (id === 'fmt ') {
      if (declared < 16) throw new PromptError('not-wav', `malformed WAV: fmt chunk of ${declared} bytes`);
      if (bodyStart + 16 > buf.byteLength) throw new PromptError('not-wav', 'truncated WAV: the file ends inside the fmt chunk');
      let tag = view.getUint16(bodyStart, true);
      if (tag === WAVE_FORMAT_EXTENSIBLE) {
        if (declared < 40 || bodyStart + 40 > buf.byteLength) throw new PromptError('not-wav', 'malformed WAV: WAVE_FORMAT_EXTENSIBLE fmt chunk shorter than 40 bytes');
        const tail = buf.subarray(bodyStart + 26, bodyStart + 40);
        tag = Buffer.compare(Buffer.from(tail), KSDATAFORMAT_GUID_TAIL) === 0 ? view.getUint16(bodyStart + 24, true) : -1;
      }
      fmt = {
        tag,
        channels: view.getUint16(bodyStart + 2, true),
        sampleRateHz: view.getUint32(bodyStart + 4, true),
        blockAlign: view.getUint16(bodyStart + 12, true),
        bitsPerSample: view.getUint16(bodyStart + 14, true),
      };
    } else if (id === 'data') {
      if (!fmt) throw new PromptError('not-wav', 'malformed WAV: data chunk before fmt chunk');
      const { format, containerBits } = checkFormat(fmt);
      return { format, containerBits, blockAlign: fmt.blockAlign, dataOffset: bodyStart, dataDeclared: declared, riffSize };
    }
    const next = bodyStart + declared + (declared & 1);
    if (next > totalSize) throw new PromptError('not-wav', `truncated WAV: the ${JSON.stringify(id)} chunk runs past the end of the file`);
    offset = next;
  }
}

function checkFormat(fmt: { tag: number; channels: number; sampleRateHz: number; blockAlign: number; bitsPerSample: number }): {
  format: PromptSourceFormat;
  containerBits: number;
} {
  const { tag, channels, sampleRateHz, blockAlign, bitsPerSample } = fmt;
  const encoding = ENCODING_OF_TAG[tag];
  if (!encoding) {
    if (tag === -1) throw new PromptError('unsupported-format', 'unsupported WAVE_FORMAT_EXTENSIBLE sub-format; export as PCM WAV');
    const known = KNOWN_UNSUPPORTED_TAGS[tag];
    throw new PromptError('unsupported-format', `unsupported WAV encoding ${known ?? `format tag 0x${tag.toString(16).padStart(4, '0')}`}; export as PCM WAV (16-bit recommended)`);
  }
  if (channels < 1 || channels > 16) throw new PromptError('unsupported-format', `unsupported channel count ${channels} (1–16)`);
  if (sampleRateHz < 1000 || sampleRateHz > 384_000) throw new PromptError('unsupported-format', `unsupported sample rate ${sampleRateHz} Hz (1000–384000)`);
  if (blockAlign === 0 || blockAlign % channels !== 0) throw new PromptError('not-wav', `malformed WAV: block alignment ${blockAlign} for ${channels} channel(s)`);
  const containerBits = (blockAlign / channels) * 8;
  const allowed: Record<PromptSourceEncoding, readonly number[]> = { pcm: [8, 16, 24, 32], float: [32, 64], alaw: [8], mulaw: [8] };
  if (!allowed[encoding].includes(containerBits) || bitsPerSample < 1 || bitsPerSample > containerBits) {
    throw new PromptError('unsupported-format', `unsupported ${bitsPerSample}-bit ${encoding} WAV in ${containerBits}-bit containers; export as 16-bit PCM WAV`);
  }
  return { format: { sampleRateHz, channels, bitsPerSample, formatTag: tag, encoding }, containerBits };
}

/** Name a few common non-WAV containers for a helpful error message. */
function sniffContainer(buf: Uint8Array): string | undefined {
  const ascii = (start: number, end: number): string => Buffer.from(buf.subarray(start, end)).toString('latin1');
  if (ascii(0, 3) === 'ID3' || (buf.byteLength >= 2 && buf[0] === 0xff && ((buf[1] ?? 0) & 0xe0) === 0xe0)) return 'MP3';
  if (ascii(0, 4) === 'OggS') return 'Ogg';
  if (ascii(0, 4) === 'fLaC') return 'FLAC';
  if (ascii(4, 8) === 'ftyp') return 'MP4/M4A';
  if (ascii(0, 5) === '#!AMR') return 'AMR';
  if (ascii(0, 4) === 'FORM') return 'AIFF';
  if (ascii(0, 4) === '.snd') return 'Sun/NeXT AU';
  return undefined;
}

function fourcc(view: DataView, offset: number): string {
  return String.fromCharCode(view.getUint8(offset), view.getUint8(offset + 1), view.getUint8(offset + 2), view.getUint8(offset + 3));
}

function isValidName(name: string): boolean {
  return typeof name === 'string' && PROMPT_NAME_PATTERN.test(name) && !name.includes('..') && !name.startsWith('.');
}

function assertValidName(name: string): void {
  if (!isValidName(name)) {
    throw new PromptError(
      'invalid-name',
      `invalid prompt name ${JSON.stringify(String(name).slice(0, 200))}: use 1–128 ASCII letters, digits, "_", "." or "-" followed by ".wav" (no "..", no leading ".")`,
    );
  }
}

function positive(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new TypeError(`PromptStore: ${what} must be a positive number`);
  return value;
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(ms >= 60_000 ? 0 : 1)} s` : `${Math.round(ms)} ms`;
}

/** fsync a directory so a rename survives a crash (best effort: not every platform allows it). */
async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // best effort
  }
}
