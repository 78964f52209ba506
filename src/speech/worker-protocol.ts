/**
 * Messages between the main thread and speech worker threads (`speech-worker.ts`).
 * One worker hosts many streams; every stream message carries the pool-unique `streamId`.
 * Audio is sent as an Int16Array whose buffer is transferred (zero-copy after one copy on push).
 */
import type { RecognitionResult } from './ports.js';
import { SpeechEngineUnavailableError, SpeechStreamError } from './errors.js';

/** A recognition result as produced in a worker (the main thread adds the speaker). */
export type EngineResult = Omit<RecognitionResult, 'speaker'>;

/** Which engine a worker runs, with its serialisable options. */
export type WorkerEngineSpec =
  | { readonly engine: 'pocketsphinx'; readonly options: PocketsphinxWorkerOptions }
  | { readonly engine: 'vosk'; readonly options: VoskWorkerOptions };

/** Options the pocketsphinx worker engine needs (validated on the main thread first). */
export interface PocketsphinxWorkerOptions {
  readonly libraryPath: string;
  readonly sphinxbaseLibraryPath: string;
  readonly hmmPath: string;
  readonly lmPath: string;
  readonly dictPath: string;
  /** Extra `-name value` arguments for the decoder configuration. */
  readonly extraArgs: readonly string[];
  /** pocketsphinx log file; `/dev/null` silences it. */
  readonly logFile: string;
  readonly interimIntervalMs: number;
  readonly maxUtteranceMs: number;
  readonly maxIdleDecoders: number;
  /** Initial cepstral mean for 8 kHz streams, or null for the model's `-cmninit`. */
  readonly narrowbandCmnInit: readonly number[] | null;
}

/** Options the Vosk worker engine needs. The model is loaded once by the main thread. */
export interface VoskWorkerOptions {
  readonly libraryPath: string;
  /** Address of the `VoskModel*` loaded by the main thread (shared by all workers). */
  readonly modelAddress: bigint;
  /** Sample rate the model expects (from `conf/mfcc.conf`); input is resampled to it. */
  readonly modelSampleRateHz: number;
  readonly interimIntervalMs: number;
  readonly maxUtteranceMs: number;
  readonly logLevel: number;
}

/** Main thread → worker. */
export type ToWorkerMessage =
  | { readonly type: 'open'; readonly streamId: number; readonly sampleRateHz: number }
  | { readonly type: 'audio'; readonly streamId: number; readonly samples: Int16Array }
  | { readonly type: 'end'; readonly streamId: number }
  | { readonly type: 'close'; readonly streamId: number }
  /** Create one decoder (pooled afterwards) to surface model errors at start-up. */
  | { readonly type: 'warmup'; readonly requestId: number; readonly sampleRateHz: number }
  /** Free every decoder, then reply `shutdown-complete`. */
  | { readonly type: 'shutdown' };

/** Worker → main thread. */
export type FromWorkerMessage =
  | { readonly type: 'results'; readonly streamId: number; readonly results: readonly EngineResult[] }
  | { readonly type: 'ended'; readonly streamId: number }
  /** Samples of the stream decoded so far (sent about once per second of audio): lets the main thread bound its backlog. */
  | { readonly type: 'progress'; readonly streamId: number; readonly samples: number }
  | { readonly type: 'stream-error'; readonly streamId: number; readonly error: SerializedError }
  | { readonly type: 'warmup-done'; readonly requestId: number; readonly error?: SerializedError }
  | { readonly type: 'shutdown-complete' };

/** A typed error flattened for `postMessage` (class identity does not survive cloning). */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly engine?: string;
  readonly path?: string;
  readonly remedy?: string;
}

/** Flatten an error thrown in a worker. */
export function serializeError(error: unknown): SerializedError {
  if (error instanceof SpeechEngineUnavailableError) {
    return { name: error.name, message: error.message, engine: error.engine, path: error.path, remedy: error.remedy };
  }
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

/** Rebuild the typed error on the main thread. Unknown errors become `SpeechStreamError`. */
export function deserializeError(error: SerializedError, engine: string): Error {
  if (error.name === 'SpeechEngineUnavailableError' && error.path !== undefined && error.remedy !== undefined) {
    return new SpeechEngineUnavailableError(error.engine ?? engine, error.path, error.remedy);
  }
  return new SpeechStreamError(engine, `${error.name}: ${error.message}`);
}
