import { describe, expect, it } from 'vitest';
import { createSpeechRecognizers } from '../../src/speech/registry.js';
import { SpeechConfigError, SpeechEngineUnavailableError, UnsupportedLanguageError } from '../../src/speech/errors.js';
import { encodePassthroughMarker, parsePassthroughText } from '../../src/speech/passthrough.js';
import type { RecognitionResult } from '../../src/speech/ports.js';
import { normalizeWords } from '../../src/speech/wer.js';
import { readRaw16k, testdataPresent, transcribe } from './helpers.js';

describe('speech registry', () => {
  it.skipIf(!testdataPresent)('builds engines per language and routes streams by language', async () => {
    const speech = await createSpeechRecognizers({
      engines: {
        'en-US': { engine: 'pocketsphinx', maxWorkers: 1 },
        'zh-CN': { engine: 'passthrough' },
        'yue-HK': { engine: 'vosk', modelPath: '/nonexistent/vosk-model-cn', optional: true },
      },
    });
    try {
      expect([...speech.languages].sort()).toEqual(['en-US', 'zh-CN']);
      expect(speech.engine).toBe('pocketsphinx+passthrough');
      expect(speech.recognizerFor('en')?.engine).toBe('pocketsphinx');
      expect(speech.recognizerFor('zh')?.engine).toBe('passthrough');
      expect(speech.recognizerFor('zh-HK')).toBeUndefined(); // Cantonese never falls back to Mandarin
      expect(() => speech.createStream({ language: 'yue-HK', sampleRateHz: 8000, speaker: 'caller', onResult: () => {} })).toThrow(UnsupportedLanguageError);

      const { text } = await transcribe(speech, readRaw16k('goforward.raw'), 16000, { language: 'EN-us' });
      expect(normalizeWords(text).join(' ')).toBe('go forward ten meters');

      const results: RecognitionResult[] = [];
      const stream = speech.createStream({ language: 'zh-CN', sampleRateHz: 8000, speaker: 'agent', onResult: (r) => results.push(r) });
      stream.pushAudio(encodePassthroughMarker({ seq: 9, text: '您好' }));
      await stream.end();
      expect(parsePassthroughText(results[0]!.text)).toMatchObject({ seq: 9, text: '您好' });
    } finally {
      await speech.close();
    }
  });

  it('shares one recogniser between languages with identical settings; * catches the rest', async () => {
    const speech = await createSpeechRecognizers({ engines: { 'zh-CN': { engine: 'passthrough', segmentMs: 0 }, 'zh-TW': { segmentMs: 0, engine: 'passthrough' }, '*': { engine: 'passthrough', segmentMs: 500 } } });
    expect(speech.recognizerFor('zh-CN')).toBe(speech.recognizerFor('zh-TW'));
    expect(speech.recognizerFor('fr-FR')).toBe(speech.recognizerFor('*'));
    expect(speech.recognizerFor('fr-FR')).not.toBe(speech.recognizerFor('zh-CN'));
    await speech.close();
  });

  it('fails start-up on a required engine that cannot start', async () => {
    const error = await createSpeechRecognizers({ engines: { 'zh-CN': { engine: 'vosk', modelPath: '/nonexistent/vosk-model-cn-0.22' } } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SpeechEngineUnavailableError);
  });

  it('rejects invalid configuration with SpeechConfigError', async () => {
    await expect(createSpeechRecognizers({ engines: { 'zh-CN': { engine: 'whisper' } as never } })).rejects.toBeInstanceOf(SpeechConfigError);
    await expect(createSpeechRecognizers({ engines: { 'zh-CN': { engine: 'vosk' } as never } })).rejects.toBeInstanceOf(SpeechConfigError);
  });
});
