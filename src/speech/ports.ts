/**
 * Speech ports: what the domain sees of speech recognition (ASR) and synthesis (TTS).
 * Engines (pocketsphinx, Vosk, pass-through for benchmarks) implement these in this folder.
 */

/** Which side of the call a stream carries. Left channel of a stereo fork = caller, right = agent/prompt. */
export type Speaker = 'caller' | 'agent';

/** One recognition hypothesis. Times are milliseconds from the start of the stream's audio. */
export interface RecognitionResult {
  /** `interim` results may change; a `final` result closes one utterance and never changes. */
  readonly kind: 'interim' | 'final';
  /** Recognised text; words separated by single spaces (Mandarin engines emit words, not characters). */
  readonly text: string;
  /** Start of the utterance, ms from the first sample pushed into the stream. */
  readonly startMs: number;
  /** End of the audio covered by this result, ms from the first sample pushed. */
  readonly endMs: number;
  readonly speaker: Speaker;
  /** Engine confidence in [0, 1]; engines without a calibrated score report their best estimate. */
  readonly confidence: number;
}

/** Options for one streaming recognition session (one speaker of one call). */
export interface SpeechStreamOptions {
  /** Sample rate of the PCM pushed, in Hz. */
  readonly sampleRateHz: 8000 | 16000;
  readonly speaker: Speaker;
  /** BCP-47-ish language tag, e.g. `zh-CN`, `en-US`. */
  readonly language: string;
  /** Called for every interim and final result, in order. Must not throw. */
  readonly onResult: (result: RecognitionResult) => void;
  /** Called once if the engine fails mid-stream; the stream is closed afterwards. */
  readonly onError?: (error: Error) => void;
  /** Aborting closes the stream (same as `close()`). */
  readonly signal?: AbortSignal;
}

/** A streaming recognition session. */
export interface SpeechStream {
  /**
   * Push mono 16-bit signed PCM samples (host order, i.e. little-endian on x86/ARM).
   * Never blocks the event loop for longer than a copy; decoding happens off the main thread
   * or asynchronously. Audio pushed after `end()`/`close()` is ignored.
   */
  pushAudio(samples: Int16Array): void;
  /** No more audio: flush, emit the last `final` result (if any speech), then resolve. */
  end(): Promise<void>;
  /** Stop immediately; no further results. Idempotent. */
  close(): void;
}

/** A speech recognition engine able to open many concurrent streams. */
export interface SpeechRecognizer {
  /** Engine name for logs and CDRs, e.g. `pocketsphinx`, `vosk`, `passthrough`. */
  readonly engine: string;
  /** Languages this instance recognises (tags as in `SpeechStreamOptions.language`). */
  readonly languages: readonly string[];
  createStream(options: SpeechStreamOptions): SpeechStream;
  /** Release models and worker threads. */
  close(): Promise<void>;
}

/** TTS voice: Mandarin, Cantonese, English. */
export type TtsVoice = 'cmn' | 'yue' | 'en';

/** Text-to-speech that renders prompts into WAV files FreeSWITCH can play. */
export interface SpeechSynthesizer {
  /**
   * Render `text` to a mono 16-bit WAV at `sampleRateHz` (default 8000) and return its absolute path.
   * Results are cached by (voice, rate, text): a second call returns the same file without rendering.
   * Rejects with `TtsError` if the engine is missing or fails.
   */
  synthesize(text: string, voice: TtsVoice, sampleRateHz?: 8000 | 16000): Promise<string>;
}
