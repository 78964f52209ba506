/**
 * Shared set-up of the end-to-end tests: the production engines (real pocketsphinx + espeak-ng)
 * created once per test file, and a view of the recogniser that labs may not close (its worker
 * pool starts once per file).
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import { loadConfig } from '../../src/config/config.js';
import { createEngines } from '../../src/engines.js';
import type { ServerEngines } from '../../src/app.js';
import type { SpeechRecognizer } from '../../src/speech/ports.js';

/** TTS cache shared by all tests (renders are deterministic). */
export const PROMPT_CACHE_DIR = join(process.cwd(), '.cache/prompts');

export function createTestEngines(log: Logger): Promise<ServerEngines> {
  return createEngines(loadConfig({ HOTLINE_PROMPTS_DIR: PROMPT_CACHE_DIR }), log);
}

/** The engines with a recogniser whose `close` does nothing (the file closes the real one). */
export function sharedEngines(engines: ServerEngines): ServerEngines {
  const r = engines.recognizer;
  const recognizer: SpeechRecognizer = { engine: r.engine, languages: r.languages, createStream: (o) => r.createStream(o), close: async () => {} };
  return { ...engines, recognizer };
}
