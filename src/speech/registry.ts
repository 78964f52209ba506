/**
 * Build the speech recognisers from configuration and route streams by language.
 *
 * ```ts
 * const speech = await createSpeechRecognizers({
 *   engines: {
 *     'en-US': { engine: 'pocketsphinx' },
 *     'zh-CN': { engine: 'vosk', modelPath: 'models/vosk-model-small-cn-0.22' },
 *   },
 * }, logger);
 * const stream = speech.createStream({ language: 'zh-CN', sampleRateHz: 8000, speaker: 'caller', onResult });
 * ```
 * Languages with identical engine settings share one recogniser (one worker pool, one model).
 */
import type { Logger } from 'pino';
import type { SpeechRecognizer, SpeechStream, SpeechStreamOptions } from './ports.js';
import { SpeechConfigError, UnsupportedLanguageError } from './errors.js';
import { createPocketsphinxRecognizer, type PocketsphinxOptions } from './pocketsphinx.js';
import { createVoskRecognizer, type VoskOptions } from './vosk.js';
import { PassthroughRecognizer, type PassthroughOptions } from './passthrough.js';

/** Fields common to every engine entry. */
interface EngineEntryBase {
  /** If true, a failure to start this engine is logged and its language left out, instead of failing start-up. */
  readonly optional?: boolean;
}

/** One language's engine and its options (see each engine's options type). */
export type SpeechEngineConfig =
  | (EngineEntryBase & { readonly engine: 'pocketsphinx' } & Omit<PocketsphinxOptions, 'languages' | 'logger'>)
  | (EngineEntryBase & { readonly engine: 'vosk' } & Omit<VoskOptions, 'languages' | 'logger'>)
  | (EngineEntryBase & { readonly engine: 'passthrough' } & Omit<PassthroughOptions, 'languages' | 'logger'>);

/** Speech configuration: engine per language tag (e.g. `en-US`, `zh-CN`, `yue-HK`). */
export interface SpeechConfig {
  readonly engines: Readonly<Record<string, SpeechEngineConfig>>;
}

/**
 * Start every configured engine and return a router over them.
 * @throws SpeechEngineUnavailableError from a non-optional engine that cannot start (engines
 *   already started are closed first); SpeechConfigError for an invalid entry.
 */
export async function createSpeechRecognizers(config: SpeechConfig, logger?: Logger): Promise<SpeechRecognizerRouter> {
  const log = logger?.child({ component: 'speech' });
  // Group languages with identical settings so they share one recogniser.
  const groups = new Map<string, { entry: SpeechEngineConfig; languages: string[] }>();
  for (const [language, entry] of Object.entries(config.engines)) {
    validateEntry(language, entry);
    const key = stableKey(entry);
    const group = groups.get(key);
    if (group) group.languages.push(language);
    else groups.set(key, { entry, languages: [language] });
  }

  const started: SpeechRecognizer[] = [];
  try {
    for (const { entry, languages } of groups.values()) {
      try {
        started.push(await startEngine(entry, languages, log));
      } catch (error) {
        if (!entry.optional) throw error;
        log?.warn({ engine: entry.engine, languages, err: error }, 'optional speech engine unavailable; languages disabled');
      }
    }
  } catch (error) {
    await Promise.allSettled(started.map((r) => r.close()));
    throw error;
  }
  return new SpeechRecognizerRouter(started);
}

async function startEngine(entry: SpeechEngineConfig, languages: string[], logger: Logger | undefined): Promise<SpeechRecognizer> {
  const { optional: _optional, ...rest } = entry;
  const common = { languages, ...(logger ? { logger } : {}) };
  switch (rest.engine) {
    case 'pocketsphinx': {
      const { engine: _e, ...options } = rest;
      return createPocketsphinxRecognizer({ ...options, ...common });
    }
    case 'vosk': {
      const { engine: _e, ...options } = rest;
      return createVoskRecognizer({ ...options, ...common });
    }
    case 'passthrough': {
      const { engine: _e, ...options } = rest;
      return new PassthroughRecognizer({ ...options, ...common });
    }
  }
}

function validateEntry(language: string, entry: SpeechEngineConfig): void {
  if (!language.trim()) throw new SpeechConfigError('empty language tag in speech.engines');
  const engine = (entry as { engine?: unknown }).engine;
  if (engine !== 'pocketsphinx' && engine !== 'vosk' && engine !== 'passthrough') {
    throw new SpeechConfigError(`speech.engines.${language}.engine must be pocketsphinx, vosk or passthrough (got ${JSON.stringify(engine)})`);
  }
  if (entry.engine === 'vosk' && (typeof entry.modelPath !== 'string' || !entry.modelPath)) {
    throw new SpeechConfigError(`speech.engines.${language}.modelPath is required for vosk`);
  }
}

/** JSON with sorted keys, for grouping equal settings. */
function stableKey(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}

/**
 * A `SpeechRecognizer` over several engines that picks one by `options.language`:
 * an exact (case-insensitive) tag match; else a bare request tag (`zh`) matching exactly one
 * configured tag with that primary language (`zh-CN`); else a configured bare tag (`en`) matching
 * a request with that primary language (`en-GB`); else the catch-all tag `*` if configured
 * (useful with the pass-through engine). `zh-HK` never falls back to `zh-CN`.
 */
export class SpeechRecognizerRouter implements SpeechRecognizer {
  readonly engine: string;
  readonly languages: readonly string[];
  private readonly byLanguage = new Map<string, SpeechRecognizer>();
  private closed = false;

  constructor(private readonly recognizers: readonly SpeechRecognizer[]) {
    for (const r of recognizers) for (const l of r.languages) this.byLanguage.set(l, r);
    this.languages = [...this.byLanguage.keys()];
    this.engine = [...new Set(recognizers.map((r) => r.engine))].join('+') || 'none';
  }

  /** The configured tag a request resolves to, or undefined. */
  resolveLanguage(language: string): string | undefined {
    const lower = language.toLowerCase();
    const exact = this.languages.find((l) => l.toLowerCase() === lower);
    if (exact) return exact;
    if (!lower.includes('-')) {
      const candidates = this.languages.filter((l) => l.toLowerCase().split('-')[0] === lower);
      if (candidates.length === 1) return candidates[0];
    }
    const primary = lower.split('-')[0];
    return this.languages.find((l) => l.toLowerCase() === primary) ?? (this.byLanguage.has('*') ? '*' : undefined);
  }

  /** The recogniser serving `language` (after resolution), e.g. to record its engine in the CDR. */
  recognizerFor(language: string): SpeechRecognizer | undefined {
    const tag = this.resolveLanguage(language);
    return tag === undefined ? undefined : this.byLanguage.get(tag);
  }

  /**
   * Open a stream on the recogniser for `options.language` (passed on with the configured tag).
   * @throws UnsupportedLanguageError if no recogniser serves the language.
   */
  createStream(options: SpeechStreamOptions): SpeechStream {
    const tag = this.resolveLanguage(options.language);
    const recognizer = tag === undefined ? undefined : this.byLanguage.get(tag);
    if (!recognizer || tag === undefined) throw new UnsupportedLanguageError(options.language, this.languages);
    return recognizer.createStream({ ...options, language: tag === '*' ? options.language : tag });
  }

  /** Close every engine. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled(this.recognizers.map((r) => r.close()));
  }
}
