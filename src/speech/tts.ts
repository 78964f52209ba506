/**
 * Text-to-speech with espeak-ng (Mandarin `cmn`, Cantonese `yue`, English `en`), rendered to WAV
 * files FreeSWITCH can play: mono, 16-bit PCM, 8000 Hz (default) or 16000 Hz.
 *
 * Pipeline (child processes via `execFile`, no shell, never blocking the event loop):
 *   espeak-ng -v <voice> -s <wpm> -p <pitch> -b 1 --stdin -w <tmp>.raw.wav   (text on stdin, UTF-8)
 *   sox -D <tmp>.raw.wav -c 1 -b 16 -e signed-integer <tmp>.wav gain -n -3 rate -h <rate>
 * (`gain -n -3` normalises to −3 dBFS so resampling does not clip; `-D` disables dither so a
 * prompt always renders to the same bytes). The result is renamed into the cache atomically.
 *
 * Cache: `<cacheDir>/<voice>-<rate>-<sha256(format, voice, espeak voice, wpm, pitch, rate, text)[:32]>.wav`.
 * A second request returns the file without rendering; concurrent requests for the same prompt
 * share one render. Text is passed on stdin (never as an argument: a prompt starting with `-`
 * must not become an option) and never logged (prompts can contain PII).
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { SpeechSynthesizer, TtsVoice } from './ports.js';
import { TtsError } from './errors.js';

/** Options of `EspeakSynthesizer`. */
export interface EspeakOptions {
  /** Cache directory (created if missing); default `.cache/tts` under the working directory. */
  readonly cacheDir?: string;
  /** espeak-ng binary (default `espeak-ng` on PATH). */
  readonly espeakPath?: string;
  /** sox binary (default `sox` on PATH). */
  readonly soxPath?: string;
  /** Speaking rate in words per minute (espeak `-s`; default 160, espeak's own default is 175). */
  readonly speedWpm?: number;
  /** Pitch 0–99 (espeak `-p`; default 50). */
  readonly pitch?: number;
  /** espeak-ng voice per TTS voice (default `cmn`, `yue`, `en`). */
  readonly voices?: Partial<Record<TtsVoice, string>>;
  /** Kill a render step after this long, ms (default 30 000). */
  readonly timeoutMs?: number;
  /** Longest accepted prompt in characters (default 5000). */
  readonly maxTextLength?: number;
  readonly logger?: Logger;
}

/** Bump when the rendering pipeline changes, so old cache entries are not reused. */
const CACHE_FORMAT = 'espeak-ng/sox v1';
/** A render of a few sentences takes < 1 s; 30 s means the engine hung. */
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_VOICES: Record<TtsVoice, string> = { cmn: 'cmn', yue: 'yue', en: 'en' };

/** Counters for monitoring and tests. */
export interface TtsStats {
  /** Prompts rendered by espeak-ng + sox. */
  renders: number;
  /** Requests answered from the cache (including waits on an in-flight render). */
  cacheHits: number;
}

/** espeak-ng + sox `SpeechSynthesizer`. See the module comment. */
export class EspeakSynthesizer implements SpeechSynthesizer {
  readonly cacheDir: string;
  readonly stats: TtsStats = { renders: 0, cacheHits: 0 };
  private readonly inflight = new Map<string, Promise<string>>();
  private readonly espeakPath: string;
  private readonly soxPath: string;
  private readonly speedWpm: number;
  private readonly pitch: number;
  private readonly voices: Record<TtsVoice, string>;
  private readonly timeoutMs: number;
  private readonly maxTextLength: number;
  private readonly logger: Logger | undefined;

  constructor(options: EspeakOptions = {}) {
    this.cacheDir = resolve(options.cacheDir ?? join('.cache', 'tts'));
    this.espeakPath = options.espeakPath ?? 'espeak-ng';
    this.soxPath = options.soxPath ?? 'sox';
    this.speedWpm = options.speedWpm ?? 160;
    this.pitch = options.pitch ?? 50;
    this.voices = { ...DEFAULT_VOICES, ...options.voices };
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxTextLength = options.maxTextLength ?? 5000;
    this.logger = options.logger;
  }

  /**
   * Render (or fetch from the cache) `text` in `voice` as a mono 16-bit WAV at `sampleRateHz`.
   * Resolves to the absolute path of the WAV.
   * @throws TtsError `invalid-input` (empty/too long text, unknown voice or rate), `engine-missing`
   *   (espeak-ng or sox not installed), `engine-failed`, `timeout`, `io` (cache not writable).
   */
  async synthesize(text: string, voice: TtsVoice, sampleRateHz: 8000 | 16000 = 8000): Promise<string> {
    if (typeof text !== 'string' || text.trim().length === 0) throw new TtsError('invalid-input', 'empty prompt text');
    if (text.length > this.maxTextLength) throw new TtsError('invalid-input', `prompt longer than ${this.maxTextLength} characters`);
    if (!Object.hasOwn(DEFAULT_VOICES, voice)) throw new TtsError('invalid-input', `unknown voice ${String(voice)}`);
    if (sampleRateHz !== 8000 && sampleRateHz !== 16000) throw new TtsError('invalid-input', `unsupported sample rate ${String(sampleRateHz)}`);

    const key = this.cacheKey(text, voice, sampleRateHz);
    const path = join(this.cacheDir, `${voice}-${sampleRateHz}-${key}.wav`);
    const pending = this.inflight.get(path);
    if (pending) {
      this.stats.cacheHits++;
      return pending;
    }
    // Registered before the first await, so concurrent requests find it.
    const job = (async () => {
      if (await isFile(path)) {
        this.stats.cacheHits++;
        return path;
      }
      return this.render(text, voice, sampleRateHz, path);
    })().finally(() => this.inflight.delete(path));
    this.inflight.set(path, job);
    return job;
  }

  /** The cache key of a prompt (hex, 32 characters). */
  cacheKey(text: string, voice: TtsVoice, sampleRateHz: number): string {
    const material = JSON.stringify([CACHE_FORMAT, voice, this.voices[voice], this.speedWpm, this.pitch, sampleRateHz, text]);
    return createHash('sha256').update(material).digest('hex').slice(0, 32);
  }

  private async render(text: string, voice: TtsVoice, sampleRateHz: number, path: string): Promise<string> {
    try {
      await mkdir(this.cacheDir, { recursive: true });
    } catch (cause) {
      throw new TtsError('io', `cannot create TTS cache directory ${this.cacheDir}`, { cause });
    }
    const tmp = join(this.cacheDir, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
    const started = performance.now();
    try {
      await this.run(this.espeakPath, ['-v', this.voices[voice], '-s', String(this.speedWpm), '-p', String(this.pitch), '-b', '1', '--stdin', '-w', `${tmp}.raw.wav`], text, 'espeak-ng');
      await this.run(this.soxPath, ['-D', `${tmp}.raw.wav`, '-c', '1', '-b', '16', '-e', 'signed-integer', `${tmp}.wav`, 'gain', '-n', '-3', 'rate', '-h', String(sampleRateHz)], undefined, 'sox');
      await rename(`${tmp}.wav`, path);
    } catch (error) {
      if (error instanceof TtsError) throw error;
      throw new TtsError('io', `cannot write TTS output in ${this.cacheDir}`, { cause: error });
    } finally {
      await rm(`${tmp}.raw.wav`, { force: true });
      await rm(`${tmp}.wav`, { force: true });
    }
    this.stats.renders++;
    this.logger?.debug({ voice, sampleRateHz, chars: text.length, renderMs: Math.round(performance.now() - started) }, 'tts rendered');
    return path;
  }

  /** Run a binary with optional stdin; map failures to TtsError. */
  private run(file: string, args: string[], stdin: string | undefined, what: 'espeak-ng' | 'sox'): Promise<void> {
    return new Promise((resolveRun, reject) => {
      const child = execFile(file, args, { timeout: this.timeoutMs, maxBuffer: 1024 * 1024 }, (error, _stdout, stderr) => {
        if (!error) return resolveRun();
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') {
          reject(new TtsError('engine-missing', `${what} not found (${file}): apt-get install ${what === 'sox' ? 'sox' : 'espeak-ng'}`, { cause: error }));
        } else if (error.killed || error.signal === 'SIGTERM') {
          reject(new TtsError('timeout', `${what} did not finish within ${this.timeoutMs} ms`, { cause: error }));
        } else {
          const detail = String(stderr).trim().split('\n').slice(-2).join(' | ').slice(0, 300);
          reject(new TtsError('engine-failed', `${what} failed (exit ${String(error.code)})${detail ? `: ${detail}` : ''}`, { cause: error }));
        }
      });
      child.stdin?.on('error', () => {
        // EPIPE if the binary exits early; the exit callback reports the failure
      });
      child.stdin?.end(stdin ?? '');
    });
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
