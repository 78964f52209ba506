/**
 * pocketsphinx `SpeechRecognizer` (CMU Sphinx, Debian 0.8+5prealpha via koffi) for English.
 * Decoders run in a bounded pool of worker threads; see README.md and `pocketsphinx-engine.ts`.
 */
import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { SpeechRecognizer, SpeechStream, SpeechStreamOptions } from './ports.js';
import { SpeechEngineUnavailableError, UnsupportedLanguageError } from './errors.js';
import { NARROWBAND_CMN_INIT } from './pocketsphinx-engine.js';
import { probePocketsphinxLibrary, POCKETSPHINX_LIBRARY_PACKAGE } from './pocketsphinx-ffi.js';
import { DEFAULT_INTERIM_INTERVAL_MS, DEFAULT_MAX_UTTERANCE_MS } from './engine-session.js';
import { nodeArgsForModule, siblingModule } from './module-runner.js';
import { SpeechWorkerPool } from './worker-pool.js';
import { WorkerSpeechStream } from './worker-stream.js';
import type { PocketsphinxWorkerOptions } from './worker-protocol.js';

/** Where Debian's pocketsphinx-en-us package installs the US English model. */
export const DEBIAN_EN_US_MODEL_DIR = '/usr/share/pocketsphinx/model/en-us';

/** Options of `createPocketsphinxRecognizer`. Every field is optional; defaults fit Debian. */
export interface PocketsphinxOptions {
  /** Language tags served (default `['en-US']`); must match the model. */
  readonly languages?: readonly string[];
  /** Acoustic model directory (default `/usr/share/pocketsphinx/model/en-us/en-us`). */
  readonly hmmPath?: string;
  /** Language model (default `…/en-us/en-us.lm.bin`). */
  readonly lmPath?: string;
  /** Pronunciation dictionary (default `…/en-us/cmudict-en-us.dict`). */
  readonly dictPath?: string;
  /** Extra decoder arguments as `-name value` pairs, e.g. `['-vad_postspeech', '30']`. */
  readonly extraArgs?: readonly string[];
  /** pocketsphinx's own log file (default `/dev/null`). */
  readonly logFile?: string;
  /** Minimum audio between two interim results of a stream, ms (default 300). */
  readonly interimIntervalMs?: number;
  /** Longest utterance before it is cut and finalised, ms (default 30 000). */
  readonly maxUtteranceMs?: number;
  /** Worker threads (default: one per core). */
  readonly maxWorkers?: number;
  /** Decoders kept loaded per worker for reuse (default 2; each ≈ 90 MB). */
  readonly maxIdleDecodersPerWorker?: number;
  /**
   * Initial cepstral mean (13 values) for 8 kHz streams; default `NARROWBAND_CMN_INIT`,
   * `null` to use the model's `-cmninit` for every rate.
   */
  readonly narrowbandCmnInit?: readonly number[] | null;
  /**
   * Load the model once in a child process first (default true): pocketsphinx calls `exit()` on
   * some model errors, which must not take the server down. Disable only for trusted models.
   */
  readonly probe?: boolean;
  /** Create one decoder at start-up so model errors surface immediately (default true). */
  readonly warmup?: boolean;
  /** Shared library names or paths (default the Debian sonames). */
  readonly libraryPath?: string;
  readonly sphinxbaseLibraryPath?: string;
  readonly logger?: Logger;
}


/** A running pocketsphinx recogniser. Create with `createPocketsphinxRecognizer`. */
export class PocketsphinxRecognizer implements SpeechRecognizer {
  readonly engine = 'pocketsphinx';
  readonly languages: readonly string[];
  private readonly pool: SpeechWorkerPool;
  private readonly logger: Logger | undefined;

  /** @internal use `createPocketsphinxRecognizer` */
  constructor(languages: readonly string[], pool: SpeechWorkerPool, logger?: Logger) {
    this.languages = languages;
    this.pool = pool;
    this.logger = logger;
  }

  /**
   * Open a stream (8 or 16 kHz mono). The decoder is created or reused in a worker; the first
   * stream on a fresh worker waits ~0.3 s for model loading before its audio is decoded.
   * @throws UnsupportedLanguageError for a language not in `languages`; RangeError for other
   *   rates; SpeechStreamError after `close()`.
   */
  createStream(options: SpeechStreamOptions): SpeechStream {
    if (!this.languages.includes(options.language)) throw new UnsupportedLanguageError(options.language, this.languages);
    return new WorkerSpeechStream(this.pool, this.engine, options, this.logger);
  }

  /** Terminate the workers and free all decoders. Open streams get no more results. */
  close(): Promise<void> {
    return this.pool.close();
  }
}

/**
 * Validate paths and library, start the worker pool and (by default) load one decoder.
 * @throws SpeechEngineUnavailableError naming the missing library/model path and the Debian
 *   package to install (`pocketsphinx`, `pocketsphinx-en-us`).
 */
export async function createPocketsphinxRecognizer(options: PocketsphinxOptions = {}): Promise<PocketsphinxRecognizer> {
  const hmmPath = options.hmmPath ?? join(DEBIAN_EN_US_MODEL_DIR, 'en-us');
  const lmPath = options.lmPath ?? join(DEBIAN_EN_US_MODEL_DIR, 'en-us.lm.bin');
  const dictPath = options.dictPath ?? join(DEBIAN_EN_US_MODEL_DIR, 'cmudict-en-us.dict');
  const libraryPath = options.libraryPath ?? 'libpocketsphinx.so.3';
  const sphinxbaseLibraryPath = options.sphinxbaseLibraryPath ?? 'libsphinxbase.so.3';
  const modelRemedy = 'install the model with `apt-get install pocketsphinx-en-us` or set hmmPath/lmPath/dictPath';

  probePocketsphinxLibrary(libraryPath, sphinxbaseLibraryPath);
  requirePath(join(hmmPath, 'mdef'), modelRemedy);
  requirePath(join(hmmPath, 'feat.params'), modelRemedy);
  requirePath(lmPath, modelRemedy);
  requirePath(dictPath, modelRemedy);
  const extraArgs = options.extraArgs ?? [];
  if (extraArgs.length % 2 !== 0) throw new RangeError('pocketsphinx extraArgs must be `-name value` pairs');

  const workerOptions: PocketsphinxWorkerOptions = {
    libraryPath,
    sphinxbaseLibraryPath,
    hmmPath,
    lmPath,
    dictPath,
    extraArgs,
    logFile: options.logFile ?? '/dev/null',
    interimIntervalMs: options.interimIntervalMs ?? DEFAULT_INTERIM_INTERVAL_MS,
    maxUtteranceMs: options.maxUtteranceMs ?? DEFAULT_MAX_UTTERANCE_MS,
    maxIdleDecoders: options.maxIdleDecodersPerWorker ?? 2,
    narrowbandCmnInit: options.narrowbandCmnInit === undefined ? NARROWBAND_CMN_INIT : options.narrowbandCmnInit,
  };
  if (options.probe ?? true) await probePocketsphinxModel(workerOptions);
  const pool = new SpeechWorkerPool({
    engine: 'pocketsphinx',
    spec: { engine: 'pocketsphinx', options: workerOptions },
    ...(options.maxWorkers !== undefined ? { maxWorkers: options.maxWorkers } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  if (options.warmup ?? true) {
    try {
      await pool.warmup(16000);
    } catch (error) {
      await pool.close();
      throw error;
    }
  }
  options.logger?.info({ engine: 'pocketsphinx', hmmPath, lmPath, dictPath }, 'speech recogniser ready');
  return new PocketsphinxRecognizer(options.languages ?? ['en-US'], pool, options.logger);
}

/** Upper bound for the probe process: tsx start-up plus model loading take ~1 s; slow disks more. */
const PROBE_TIMEOUT_MS = 60_000;

/**
 * Load the model once in a child process (see `pocketsphinx-probe-child.ts`): pocketsphinx
 * `exit()`s on some model errors, which must not happen inside the server process.
 * @throws SpeechEngineUnavailableError with the pocketsphinx error lines when loading fails.
 */
export async function probePocketsphinxModel(options: PocketsphinxWorkerOptions): Promise<void> {
  const { hmmPath, lmPath, dictPath, extraArgs, libraryPath, sphinxbaseLibraryPath } = options;
  const config = JSON.stringify({ hmmPath, lmPath, dictPath, extraArgs, libraryPath, sphinxbaseLibraryPath });
  const args = [...nodeArgsForModule(siblingModule(import.meta.url, 'pocketsphinx-probe-child')), config];
  const outcome = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolveRun) => {
    execFile(process.execPath, args, { timeout: PROBE_TIMEOUT_MS, maxBuffer: 8 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolveRun({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
  if (outcome.code === 0) return;
  if (outcome.code === 3) {
    const e = JSON.parse(outcome.stdout) as { path: string; remedy: string };
    throw new SpeechEngineUnavailableError('pocketsphinx', e.path, e.remedy);
  }
  const errors = outcome.stderr
    .split('\n')
    .filter((l) => /^(ERROR|FATAL|FATAL_ERROR)\b/.test(l))
    .slice(-3)
    .join(' | ');
  throw new SpeechEngineUnavailableError(
    'pocketsphinx',
    `${hmmPath}, ${lmPath}, ${dictPath}`,
    `loading the model failed (exit ${outcome.code ?? 'timeout/signal'}${errors ? `: ${errors}` : ''}); reinstall pocketsphinx-en-us or fix the paths`,
  );
}

function requirePath(path: string, remedy: string): void {
  if (!existsSync(path) || (!statSync(path).isFile() && !statSync(path).isDirectory())) {
    throw new SpeechEngineUnavailableError('pocketsphinx', path, remedy);
  }
}

export { POCKETSPHINX_LIBRARY_PACKAGE };
