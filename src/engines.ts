import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from './config/config.js';
import { ConfigError } from './config/config.js';
import type { ServerEngines } from './app.js';
import { createSpeechRecognizers, type SpeechConfig } from './speech/registry.js';
import { EspeakSynthesizer } from './speech/tts.js';
import { createTicketDrafterFactory } from './domain/tickets/intelligence/index.js';

/**
 * Build the production engines from configuration: pocketsphinx for `en-US` (Debian model), Vosk
 * for `zh-CN` when `speech.voskModelPath` is set, espeak-ng prompts, offline ticket intelligence.
 * Throws `ConfigError` when the call language has no engine (e.g. `zh-CN` without a Vosk model),
 * and `SpeechEngineUnavailableError` (naming the path and the remedy) when a model cannot load.
 */
export async function createEngines(config: Config, log: Logger): Promise<ServerEngines> {
  const engines: Record<string, SpeechConfig['engines'][string]> = {
    'en-US': {
      engine: 'pocketsphinx',
      hmmPath: join(config.speech.pocketsphinxModelDir, 'en-us'),
      lmPath: join(config.speech.pocketsphinxModelDir, 'en-us.lm.bin'),
      dictPath: join(config.speech.pocketsphinxModelDir, 'cmudict-en-us.dict'),
      // Optional unless calls are recognised in English: a Mandarin deployment need not install it.
      optional: !config.speech.language.startsWith('en'),
    },
  };
  if (config.speech.voskModelPath) engines['zh-CN'] = { engine: 'vosk', modelPath: config.speech.voskModelPath };
  else if (config.speech.language.startsWith('zh')) {
    throw new ConfigError(`speech.language is ${config.speech.language} but no Vosk model is configured: set HOTLINE_VOSK_MODEL_PATH to an unpacked model such as vosk-model-cn-0.22 (https://alphacephei.com/vosk/models)`);
  }
  const recognizer = await createSpeechRecognizers({ engines }, log);
  const tts = new EspeakSynthesizer({ cacheDir: config.storage.promptsDir });
  return { recognizer, tts, drafterFactory: createTicketDrafterFactory() };
}
