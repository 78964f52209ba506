/**
 * Vosk `SpeechRecognizer` (Kaldi-based, offline; Mandarin with vosk-model-cn-0.22 or
 * vosk-model-small-cn-0.22). libvosk is loaded with koffi from the `vosk` npm package; the
 * model is loaded once (asynchronously, off the event loop) and shared by the worker threads
 * that run one recogniser per stream. See README.md for fetching a model.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { SpeechRecognizer, SpeechStream, SpeechStreamOptions } from './ports.js';
import { SpeechEngineUnavailableError, UnsupportedLanguageError } from './errors.js';
import { loadVoskModelApi, pointerAddress, resolveVoskLibraryPath, type VoskModelApi } from './vosk-ffi.js';
import { DEFAULT_INTERIM_INTERVAL_MS, DEFAULT_MAX_UTTERANCE_MS } from './engine-session.js';
import { SpeechWorkerPool } from './worker-pool.js';
import { WorkerSpeechStream } from './worker-stream.js';

/** Options of `createVoskRecognizer`. */
export interface VoskOptions {
  /** Directory of an unpacked Vosk model (contains `am/final.mdl`, `conf/`, `graph/`). Required. */
  readonly modelPath: string;
  /** Language tags served (default `['zh-CN']`); must match the model. */
  readonly languages?: readonly string[];
  /** Path of libvosk (default: from the installed `vosk` npm package). */
  readonly libraryPath?: string;
  /** Minimum audio between two interim results of a stream, ms (default 300). */
  readonly interimIntervalMs?: number;
  /** Longest utterance before it is finalised, ms (default 30 000). */
  readonly maxUtteranceMs?: number;
  /** Worker threads (default: one per core). */
  readonly maxWorkers?: number;
  /** Kaldi/Vosk log level: -1 silent (default), 0 info, 1+ debug. Logs go to stderr. */
  readonly logLevel?: number;
  readonly logger?: Logger;
}

/** How users obtain a model; part of the start-up error. */
export function voskModelRemedy(modelPath: string): string {
  return (
    'download a Vosk model from https://alphacephei.com/vosk/models — vosk-model-cn-0.22 (best, ~1.3 GB) or ' +
    `vosk-model-small-cn-0.22 (~42 MB) for Mandarin — and unzip it so that ${join(modelPath, 'am', 'final.mdl')} exists`
  );
}

/**
 * Check that `modelPath` looks like a Vosk model directory and read the sample rate it expects
 * (`--sample-frequency` in `conf/mfcc.conf`, default 16000).
 * @throws SpeechEngineUnavailableError naming the path and how to fetch a model.
 */
export function inspectVoskModel(modelPath: string): { modelSampleRateHz: number } {
  const dir = resolve(modelPath);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new SpeechEngineUnavailableError('vosk', dir, `model directory not found; ${voskModelRemedy(dir)}`);
  }
  const hasAm = existsSync(join(dir, 'am', 'final.mdl')) || existsSync(join(dir, 'final.mdl'));
  if (!hasAm) {
    throw new SpeechEngineUnavailableError('vosk', dir, `not a Vosk model directory (no am/final.mdl); ${voskModelRemedy(dir)}`);
  }
  let modelSampleRateHz = 16000;
  const mfcc = [join(dir, 'conf', 'mfcc.conf'), join(dir, 'mfcc.conf')].find((p) => existsSync(p));
  if (mfcc) {
    const m = /--sample-frequency\s*=\s*(\d+)/.exec(readFileSync(mfcc, 'utf8'));
    if (m) modelSampleRateHz = Number(m[1]);
  }
  return { modelSampleRateHz };
}

/** A running Vosk recogniser. Create with `createVoskRecognizer`. */
export class VoskRecognizer implements SpeechRecognizer {
  readonly engine = 'vosk';
  readonly languages: readonly string[];
  private closed = false;

  /** @internal use `createVoskRecognizer` */
  constructor(
    languages: readonly string[],
    private readonly pool: SpeechWorkerPool,
    private readonly api: VoskModelApi,
    private readonly model: object,
    private readonly logger?: Logger,
  ) {
    this.languages = languages;
  }

  /**
   * Open a stream (8 or 16 kHz mono; resampled to the model's rate in the worker).
   * @throws UnsupportedLanguageError for a language not in `languages`; RangeError for other
   *   rates; SpeechStreamError after `close()`.
   */
  createStream(options: SpeechStreamOptions): SpeechStream {
    if (!this.languages.includes(options.language)) throw new UnsupportedLanguageError(options.language, this.languages);
    return new WorkerSpeechStream(this.pool, this.engine, options, this.logger);
  }

  /** Terminate the workers (freeing their recognisers), then free the model. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.close();
    this.api.vosk_model_free(this.model);
  }
}

/**
 * Validate the model directory, load libvosk and the model (asynchronously), start the pool.
 * @throws SpeechEngineUnavailableError when the library, the model directory or the model itself
 *   is missing or invalid; the message names the path and how to fetch a model.
 */
export async function createVoskRecognizer(options: VoskOptions): Promise<VoskRecognizer> {
  const modelPath = resolve(options.modelPath);
  const { modelSampleRateHz } = inspectVoskModel(modelPath);
  const libraryPath = options.libraryPath ?? resolveVoskLibraryPath();
  const api = loadVoskModelApi(libraryPath);
  const logLevel = options.logLevel ?? -1;
  api.vosk_set_log_level(logLevel);

  const started = performance.now();
  const model = await new Promise<object | null>((resolveModel, reject) =>
    api.vosk_model_new.async(modelPath, (err, ptr) => (err ? reject(err) : resolveModel(ptr))),
  );
  if (!model) throw new SpeechEngineUnavailableError('vosk', modelPath, `the model failed to load; ${voskModelRemedy(modelPath)}`);
  options.logger?.info({ engine: 'vosk', modelPath, modelSampleRateHz, loadMs: Math.round(performance.now() - started) }, 'speech model loaded');

  const pool = new SpeechWorkerPool({
    engine: 'vosk',
    spec: {
      engine: 'vosk',
      options: {
        libraryPath,
        modelAddress: pointerAddress(model),
        modelSampleRateHz,
        interimIntervalMs: options.interimIntervalMs ?? DEFAULT_INTERIM_INTERVAL_MS,
        maxUtteranceMs: options.maxUtteranceMs ?? DEFAULT_MAX_UTTERANCE_MS,
        logLevel,
      },
    },
    ...(options.maxWorkers !== undefined ? { maxWorkers: options.maxWorkers } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  return new VoskRecognizer(options.languages ?? ['zh-CN'], pool, api, model, options.logger);
}
