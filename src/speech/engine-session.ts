/**
 * What a native engine provides inside a speech worker thread: decoders for streams.
 * Implementations: `pocketsphinx-engine.ts`, `vosk-engine.ts`. All calls are synchronous and
 * run on the worker thread; they may block it (that is the point of the worker).
 */
import type { EngineResult } from './worker-protocol.js';

/** One stream's decoder inside a worker. */
export interface EngineSession {
  /** Decode the next chunk (mono 16-bit at the stream's rate); return the results it produced, in order. */
  push(samples: Int16Array): EngineResult[];
  /** End of audio: flush and return the last results (a `final` if there was speech). */
  finish(): EngineResult[];
  /** Release the decoder (to the worker's idle pool or freed). Called once, after `finish` or instead of it. */
  close(): void;
}

/** A loaded engine in one worker thread. */
export interface WorkerEngine {
  /**
   * Open a session for a stream at `sampleRateHz` (8000 or 16000).
   * @throws SpeechEngineUnavailableError if no decoder can be created (model/library problem).
   */
  open(sampleRateHz: number): EngineSession;
  /** Create one decoder ahead of time (kept idle for the next `open`). Same errors as `open`. */
  warmup(sampleRateHz: number): void;
  /** Free every idle decoder and engine-wide resource. */
  dispose(): void;
}

/** Default interim throttle: about three updates per second of speech. */
export const DEFAULT_INTERIM_INTERVAL_MS = 300;
/** Default utterance cap: callers rarely speak 30 s without a 0.5 s pause; bounds final latency. */
export const DEFAULT_MAX_UTTERANCE_MS = 30_000;

/** Milliseconds of audio in `samples` samples at `rateHz`. */
export function samplesToMs(samples: number, rateHz: number): number {
  return (samples * 1000) / rateHz;
}
