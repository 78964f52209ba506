/**
 * Vosk through koffi on the libvosk shipped in the `vosk` npm package. No model can be downloaded
 * here, so: the library loads and answers a call, start-up errors are typed and helpful, and the
 * JSON → RecognitionResult mapping is checked on the shapes libvosk 0.3.x produces.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SpeechEngineUnavailableError } from '../../src/speech/errors.js';
import { loadVoskModelApi, loadVoskRecognizerApi, pointerAddress, resolveVoskLibraryPath } from '../../src/speech/vosk-ffi.js';
import { createVoskRecognizer, inspectVoskModel } from '../../src/speech/vosk.js';
import { normalizeVoskText, parseVoskFinal, parseVoskPartial, VOSK_UNKNOWN_CONFIDENCE } from '../../src/speech/vosk-result.js';

const tmp = mkdtempSync(join(tmpdir(), 'vosk-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('libvosk', () => {
  it('resolves the library from the vosk npm package and calls into it', () => {
    const path = resolveVoskLibraryPath();
    expect(path).toMatch(/node_modules\/vosk\/lib\/linux-x86_64\/libvosk\.so$/);
    const api = loadVoskModelApi(path);
    expect(() => api.vosk_set_log_level(-1)).not.toThrow();
    // A real call that returns: an empty directory is not a model → NULL, no crash.
    expect(api.vosk_model_new(tmp)).toBeNull();
  });

  it('declares every recogniser function the workers use (signatures parse, symbols exist)', () => {
    const api = loadVoskRecognizerApi(resolveVoskLibraryPath());
    for (const fn of Object.values(api)) expect(typeof fn).toBe('function');
  });

  it('passes native pointers to workers as integer addresses', () => {
    const buf = Buffer.alloc(8);
    expect(typeof pointerAddress(buf)).toBe('bigint');
    expect(pointerAddress(buf)).toBeGreaterThan(0n);
  });

  it('a missing library is a typed error', () => {
    expect(() => loadVoskModelApi('/nonexistent/libvosk.so')).toThrow(SpeechEngineUnavailableError);
  });
});

describe('Vosk start-up errors', () => {
  it('a missing model directory names the path and how to fetch a model', async () => {
    const missing = join(tmp, 'vosk-model-small-cn-0.22');
    const error = await createVoskRecognizer({ modelPath: missing }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SpeechEngineUnavailableError);
    const e = error as SpeechEngineUnavailableError;
    expect(e.engine).toBe('vosk');
    expect(e.path).toBe(missing);
    expect(e.remedy).toContain('https://alphacephei.com/vosk/models');
    expect(e.remedy).toContain('vosk-model-cn-0.22');
    expect(e.remedy).toContain('vosk-model-small-cn-0.22');
  });

  it('a directory that is not a model is rejected before loading', async () => {
    const empty = join(tmp, 'empty');
    mkdirSync(empty);
    const error = await createVoskRecognizer({ modelPath: empty }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SpeechEngineUnavailableError);
    expect((error as SpeechEngineUnavailableError).remedy).toContain('am/final.mdl');
  });

  it('a damaged model fails in libvosk and is reported, without crashing', async () => {
    const damaged = join(tmp, 'damaged');
    mkdirSync(join(damaged, 'am'), { recursive: true });
    mkdirSync(join(damaged, 'conf'));
    writeFileSync(join(damaged, 'am', 'final.mdl'), Buffer.alloc(4096, 7));
    writeFileSync(join(damaged, 'conf', 'model.conf'), '');
    writeFileSync(join(damaged, 'conf', 'mfcc.conf'), '--sample-frequency=8000\n');
    expect(inspectVoskModel(damaged).modelSampleRateHz).toBe(8000);
    const error = await createVoskRecognizer({ modelPath: damaged }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SpeechEngineUnavailableError);
    expect((error as SpeechEngineUnavailableError).path).toBe(damaged);
  });
});

describe('Vosk JSON → RecognitionResult', () => {
  const fallback = { startMs: 1000, endMs: 5000 };

  it('maps a final result with words: text, times from words, mean confidence', () => {
    const json = JSON.stringify({
      result: [
        { conf: 1.0, end: 1.26, start: 0.84, word: '你好' },
        { conf: 0.8, end: 1.8, start: 1.26, word: '我' },
        { conf: 0.6, end: 2.31, start: 1.8, word: '要' },
        { conf: 0.8, end: 3.0, start: 2.4, word: '投诉' },
      ],
      text: '你好 我 要 投诉',
    });
    const r = parseVoskFinal(json, fallback)!;
    expect(r.kind).toBe('final');
    expect(r.text).toBe('你好 我 要 投诉');
    expect(r.startMs).toBe(840);
    expect(r.endMs).toBe(3000);
    expect(r.confidence).toBeCloseTo(0.8, 5);
  });

  it('empty text yields no result', () => {
    expect(parseVoskFinal('{"text" : ""}', fallback)).toBeUndefined();
    expect(parseVoskFinal('{"text": " [unk] "}', fallback)).toBeUndefined();
    expect(parseVoskPartial('{"partial" : ""}', fallback)).toBeUndefined();
  });

  it('without words, uses the fallback times and the documented confidence estimate', () => {
    const r = parseVoskFinal('{"text": "路灯  坏了"}', fallback)!;
    expect(r).toEqual({ kind: 'final', text: '路灯 坏了', startMs: 1000, endMs: 5000, confidence: VOSK_UNKNOWN_CONFIDENCE });
  });

  it('takes the best alternative when max_alternatives is set', () => {
    const json = JSON.stringify({
      alternatives: [
        { confidence: 212.3, result: [{ start: 0.5, end: 1.0, word: '噪音', conf: 0.9 }], text: '噪音' },
        { confidence: 200.1, result: [{ start: 0.5, end: 1.0, word: '早饮', conf: 0.9 }], text: '早饮' },
      ],
    });
    const r = parseVoskFinal(json, fallback)!;
    expect(r.text).toBe('噪音');
    expect(r.startMs).toBe(500);
    expect(r.endMs).toBe(1000);
  });

  it('maps partial results, with partial words when present', () => {
    expect(parseVoskPartial('{"partial" : "小区 门口"}', fallback)).toEqual({
      kind: 'interim',
      text: '小区 门口',
      startMs: 1000,
      endMs: 5000,
      confidence: VOSK_UNKNOWN_CONFIDENCE,
    });
    const withWords = parseVoskPartial(
      JSON.stringify({ partial: '小区 门口', partial_result: [{ conf: 1, start: 1.5, end: 2, word: '小区' }, { conf: 0.5, start: 2, end: 2.5, word: '门口' }] }),
      fallback,
    )!;
    expect(withWords.startMs).toBe(1500);
    expect(withWords.endMs).toBe(2500);
    expect(withWords.confidence).toBeCloseTo(0.75, 5);
  });

  it('clamps word times to the audio decoded so far and confidences to [0, 1]', () => {
    const json = JSON.stringify({ result: [{ conf: 1.7, start: 4.9, end: 5.6, word: '好' }], text: '好' });
    const r = parseVoskFinal(json, fallback)!;
    expect(r.endMs).toBe(5000);
    expect(r.confidence).toBe(1);
  });

  it('normalises whitespace between Mandarin words', () => {
    expect(normalizeVoskText(' 我 家  楼下\t的 路灯 ')).toBe('我 家 楼下 的 路灯');
  });

  it('rejects non-JSON with SyntaxError', () => {
    expect(() => parseVoskFinal('not json', fallback)).toThrow(SyntaxError);
  });
});
