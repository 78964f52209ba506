/**
 * Real pocketsphinx (Debian 0.8+5prealpha, en-US model) on the pocketsphinx-testdata corpus,
 * through the streaming API in 20 ms chunks, decoded in worker threads.
 * WER thresholds: measured values + a margin (see src/speech/README.md).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPocketsphinxRecognizer, DEBIAN_EN_US_MODEL_DIR, type PocketsphinxRecognizer } from '../../src/speech/pocketsphinx.js';
import { SpeechEngineUnavailableError, UnsupportedLanguageError } from '../../src/speech/errors.js';
import { errorRate, normalizeWords, sumWordErrors, wordErrors, wordErrorRate } from '../../src/speech/wer.js';
import { resample } from '../../src/speech/resample.js';
import type { RecognitionResult } from '../../src/speech/ports.js';
import { concat, loadLibrivox, PS_TESTDATA, readRaw16k, silence, testdataPresent, transcribe, type CorpusItem } from './helpers.js';

/** Measured corpus WER at 16 kHz: 0.338 (24 edits / 71 words). */
const MAX_WER_16K = 0.42;
/** Measured corpus WER at 8 kHz (downsampled, upsampled by the recogniser, narrow-band CMN prior): 0.366. */
const MAX_WER_8K = 0.45;

describe.skipIf(!testdataPresent)('pocketsphinx recogniser', () => {
  let recognizer: PocketsphinxRecognizer;
  let corpus: CorpusItem[];

  beforeAll(async () => {
    recognizer = await createPocketsphinxRecognizer({ maxWorkers: 2 });
    corpus = await loadLibrivox();
  });
  afterAll(async () => {
    await recognizer?.close();
  });

  it('bounds the audio waiting for a decoder: past 15 s of backlog, audio is dropped and counted', async () => {
    const stream = recognizer.createStream({ sampleRateHz: 16000, speaker: 'caller', language: 'en-US', onResult: () => {} });
    const chunk = new Int16Array(320);
    // 60 s pushed in one synchronous burst: the worker cannot report progress in between.
    for (let i = 0; i < 3000; i++) stream.pushAudio(chunk);
    const dropped = (stream as unknown as { droppedSamples: number }).droppedSamples;
    expect(dropped).toBeGreaterThan(16000 * 40);
    expect(dropped).toBeLessThan(16000 * 46);
    stream.close();
  });

  async function corpusWer(rate: 8000 | 16000): Promise<number> {
    const runs = await Promise.all(
      corpus.map(async (item) => {
        const samples = rate === 16000 ? item.samples : resample(item.samples, 16000, 8000);
        const { text } = await transcribe(recognizer, samples, rate);
        return { item, text };
      }),
    );
    const counts = sumWordErrors(runs.map(({ item, text }) => wordErrors(normalizeWords(item.reference), normalizeWords(text))));
    const wer = errorRate(counts);
    for (const { item, text } of runs) console.info(`[${rate} Hz] ${item.id}: WER ${wordErrorRate(item.reference, text).toFixed(3)} «${text}»`);
    console.info(`[${rate} Hz] corpus WER ${wer.toFixed(3)} (${counts.substitutions}S ${counts.deletions}D ${counts.insertions}I / ${counts.referenceWords} words)`);
    return wer;
  }

  it('transcribes the librivox corpus at 16 kHz under the measured WER threshold', async () => {
    expect(await corpusWer(16000)).toBeLessThan(MAX_WER_16K);
  });

  it('transcribes the librivox corpus at 8 kHz (upsampled internally) under the threshold', async () => {
    expect(await corpusWer(8000)).toBeLessThan(MAX_WER_8K);
  });

  it('recognises goforward.raw as "go forward ten meters"', async () => {
    const { text, finals } = await transcribe(recognizer, readRaw16k('goforward.raw'), 16000);
    expect(normalizeWords(text).join(' ')).toBe('go forward ten meters');
    for (const f of finals) {
      expect(f.confidence).toBeGreaterThan(0);
      expect(f.confidence).toBeLessThanOrEqual(1);
    }
  });

  it('emits interims before each final, with plausible times, per utterance', async () => {
    const [a, b] = [corpus[1]!, corpus[4]!]; // 2.99 s and 3.29 s of speech
    const audio = concat(silence(1000, 16000), a.samples, silence(1500, 16000), b.samples, silence(1000, 16000));
    const bStartMs = 1000 + (a.samples.length / 16) + 1500;
    const { results, finals } = await transcribe(recognizer, audio, 16000);
    expect(finals).toHaveLength(2);
    const firstFinal = results.indexOf(finals[0]!);
    expect(results.slice(0, firstFinal).some((r) => r.kind === 'interim')).toBe(true);
    const between = results.slice(firstFinal + 1, results.indexOf(finals[1]!));
    expect(between.some((r) => r.kind === 'interim')).toBe(true);
    const [f1, f2] = [finals[0]!, finals[1]!];
    // First utterance: speech within [1000, 1000 + 2990] ms of the stream (plus/minus VAD padding).
    expect(f1.startMs).toBeGreaterThanOrEqual(900);
    expect(f1.startMs).toBeLessThan(1600);
    expect(f1.endMs).toBeGreaterThan(3000);
    expect(f1.endMs).toBeLessThanOrEqual(4300);
    expect(f2.startMs).toBeGreaterThanOrEqual(bStartMs - 100);
    expect(f2.endMs).toBeLessThanOrEqual(audio.length / 16);
    expect(f2.startMs).toBeGreaterThan(f1.endMs);
    for (const r of results) {
      expect(r.speaker).toBe('caller');
      expect(r.endMs).toBeGreaterThanOrEqual(r.startMs);
      expect(r.confidence).toBeGreaterThanOrEqual(0);
      expect(r.confidence).toBeLessThanOrEqual(1);
    }
    // interims of an utterance start no earlier than its VAD window and never run past the audio
    for (const r of results.filter((x) => x.kind === 'interim')) expect(r.endMs).toBeLessThanOrEqual(audio.length / 16);
  });

  it('streams are independent: reused and concurrent decoders give identical results', async () => {
    const audio = readRaw16k('goforward.raw');
    const key = (t: { finals: RecognitionResult[] }) => JSON.stringify(t.finals.map((f) => [f.text, f.startMs, f.endMs, f.confidence.toFixed(6)]));
    const first = key(await transcribe(recognizer, audio, 16000));
    const again = key(await transcribe(recognizer, audio, 16000)); // pooled decoder, CMN reset
    const concurrent = (await Promise.all([1, 2, 3].map(() => transcribe(recognizer, audio, 16000)))).map(key);
    expect(again).toBe(first);
    expect(concurrent).toEqual([first, first, first]);
  });

  it('close() stops results; pushing afterwards is ignored', async () => {
    const results: RecognitionResult[] = [];
    const stream = recognizer.createStream({ sampleRateHz: 16000, speaker: 'agent', language: 'en-US', onResult: (r) => results.push(r) });
    const samples = corpus[0]!.samples;
    for (let off = 0; off < samples.length / 2; off += 320) stream.pushAudio(samples.subarray(off, off + 320));
    stream.close();
    const atClose = results.length;
    for (let off = samples.length / 2; off < samples.length; off += 320) stream.pushAudio(samples.subarray(off, off + 320));
    await stream.end(); // resolves at once after close
    await new Promise((r) => setTimeout(r, 600)); // a worker would have decoded and finalised by now
    expect(results.length).toBe(atClose);
  });

  it('an aborted signal closes the stream', async () => {
    const results: RecognitionResult[] = [];
    const ac = new AbortController();
    const stream = recognizer.createStream({ sampleRateHz: 16000, speaker: 'caller', language: 'en-US', signal: ac.signal, onResult: (r) => results.push(r) });
    ac.abort();
    for (let off = 0; off < corpus[1]!.samples.length; off += 320) stream.pushAudio(corpus[1]!.samples.subarray(off, off + 320));
    await stream.end();
    expect(results).toHaveLength(0);
  });

  it('does not block the event loop while decoding', async () => {
    // A 5 ms interval timer must keep firing while ~10 s of audio is decoded. If decoding ran
    // on the main thread, each 1 s batch of pushAudio would block it for ~150 ms (decoding runs
    // at ~0.15× real time here) and the largest gap would be well above 100 ms.
    let last = performance.now();
    let maxGap = 0;
    let ticks = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
      ticks++;
    }, 5);
    try {
      const audio = concat(corpus[0]!.samples, corpus[1]!.samples);
      const { finals } = await transcribe(recognizer, audio, 16000, { yieldEvery: 50 });
      expect(finals.length).toBeGreaterThan(0);
    } finally {
      clearInterval(timer);
    }
    console.info(`event loop during decoding: ${ticks} ticks, max gap ${maxGap.toFixed(1)} ms`);
    expect(ticks).toBeGreaterThan(20); // the timer really ran during decoding
    expect(maxGap).toBeLessThan(100);
  });

  it('rejects unsupported languages with a typed error', () => {
    expect(() => recognizer.createStream({ sampleRateHz: 16000, speaker: 'caller', language: 'zh-CN', onResult: () => {} })).toThrow(UnsupportedLanguageError);
  });
});

describe('pocketsphinx start-up errors', () => {
  it('names the missing model path and the Debian package', async () => {
    const error = await createPocketsphinxRecognizer({ hmmPath: '/nonexistent/en-us', warmup: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SpeechEngineUnavailableError);
    const e = error as SpeechEngineUnavailableError;
    expect(e.path).toContain('/nonexistent/en-us');
    expect(e.remedy).toContain('pocketsphinx-en-us');
  });

  it('names the missing library', async () => {
    const error = await createPocketsphinxRecognizer({ libraryPath: 'libpocketsphinx-missing.so.9', warmup: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SpeechEngineUnavailableError);
    expect((error as SpeechEngineUnavailableError).path).toBe('libpocketsphinx-missing.so.9');
    expect((error as SpeechEngineUnavailableError).remedy).toContain('apt-get install');
  });

  it('reports a damaged acoustic model at start-up without killing the process', async () => {
    // pocketsphinx exit()s on an empty mdef: the start-up probe runs it in a child process.
    const dir = mkdtempSync(join(tmpdir(), 'ps-badhmm-'));
    try {
      writeFileSync(join(dir, 'mdef'), '');
      copyFileSync(join(DEBIAN_EN_US_MODEL_DIR, 'en-us', 'feat.params'), join(dir, 'feat.params'));
      const error = await createPocketsphinxRecognizer({ hmmPath: dir, maxWorkers: 1 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SpeechEngineUnavailableError);
      expect((error as SpeechEngineUnavailableError).path).toContain(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports an unreadable language model at start-up', async () => {
    const error = await createPocketsphinxRecognizer({ lmPath: join(PS_TESTDATA, 'goforward.raw'), maxWorkers: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SpeechEngineUnavailableError);
  });
});

describe.skipIf(!testdataPresent)('pocketsphinx lifecycle', () => {
  it('closing the recogniser resolves pending end() and stops results', async () => {
    const rec = await createPocketsphinxRecognizer({ maxWorkers: 1, probe: false, warmup: false });
    const results: RecognitionResult[] = [];
    const stream = rec.createStream({ sampleRateHz: 16000, speaker: 'caller', language: 'en-US', onResult: (r) => results.push(r) });
    const audio = readRaw16k('goforward.raw');
    for (let off = 0; off < audio.length; off += 320) stream.pushAudio(audio.subarray(off, off + 320));
    const ended = stream.end();
    await rec.close(); // while the worker is still loading the model / decoding
    await ended;
    const n = results.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(results.length).toBe(n);
    expect(() => rec.createStream({ sampleRateHz: 16000, speaker: 'caller', language: 'en-US', onResult: () => {} })).toThrow();
  });
});
