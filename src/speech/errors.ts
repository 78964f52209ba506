/**
 * Typed errors of the speech adapters. Callers test them with `instanceof`, never by message.
 * Messages never contain transcripts or prompt text (PII); they name paths, packages and codes.
 */

/**
 * A speech engine cannot start: its shared library or model is missing or unusable.
 * Raised at start-up (recogniser creation) or when a stream's decoder cannot be created.
 * `path` is the file or directory that was missing/invalid; `remedy` says what to install or fetch.
 */
export class SpeechEngineUnavailableError extends Error {
  override readonly name = 'SpeechEngineUnavailableError' as const;
  /** Engine name: `pocketsphinx`, `vosk`, … */
  readonly engine: string;
  /** The library, model file or directory that could not be used. */
  readonly path: string;
  /** Human-readable fix, e.g. `apt-get install pocketsphinx-en-us`. */
  readonly remedy: string;

  constructor(engine: string, path: string, remedy: string, options?: { cause?: unknown }) {
    super(`${engine}: cannot use ${path} — ${remedy}`, options);
    this.engine = engine;
    this.path = path;
    this.remedy = remedy;
  }
}

/** A running recognition stream failed (decoder error, worker crash). Delivered via `onError`. */
export class SpeechStreamError extends Error {
  override readonly name = 'SpeechStreamError' as const;
  readonly engine: string;

  constructor(engine: string, message: string, options?: { cause?: unknown }) {
    super(`${engine}: ${message}`, options);
    this.engine = engine;
  }
}

/** No configured recogniser handles the requested language tag. Thrown by `createStream`. */
export class UnsupportedLanguageError extends Error {
  override readonly name = 'UnsupportedLanguageError' as const;
  readonly language: string;
  readonly supported: readonly string[];

  constructor(language: string, supported: readonly string[]) {
    super(`no speech recogniser for language ${JSON.stringify(language)} (configured: ${supported.join(', ') || 'none'})`);
    this.language = language;
    this.supported = supported;
  }
}

/** Why a TTS render failed: engine binary missing, engine failure, timeout, or invalid input. */
export type TtsErrorCode = 'engine-missing' | 'engine-failed' | 'timeout' | 'invalid-input' | 'io';

/** Text-to-speech failed. `code` says why; the prompt text is not included (it may be PII). */
export class TtsError extends Error {
  override readonly name = 'TtsError' as const;
  readonly code: TtsErrorCode;

  constructor(code: TtsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** A buffer is not a WAV file this project can read (RIFF/WAVE, PCM or extensible-PCM, 16-bit). */
export class WavFormatError extends Error {
  override readonly name = 'WavFormatError' as const;
}

/** The speech configuration object is invalid (unknown engine, missing model path, …). */
export class SpeechConfigError extends Error {
  override readonly name = 'SpeechConfigError' as const;
}
