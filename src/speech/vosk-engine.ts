/**
 * Vosk inside a speech worker: one `VoskRecognizer` per stream on the shared model.
 *
 * Per chunk (in 20 ms steps): `vosk_recognizer_accept_waveform_s`; a return of 1 means Vosk's
 * endpointer closed an utterance → `vosk_recognizer_result` → `final`. Otherwise, at most every
 * `interimIntervalMs` of audio, `vosk_recognizer_partial_result` → `interim` (when the text
 * changed). An utterance longer than `maxUtteranceMs` is closed with `…_final_result`.
 * At the end of the stream, `…_final_result` flushes the last words.
 * Input at a rate other than the model's (`conf/mfcc.conf`, usually 16 kHz) is resampled here.
 */
import { samplesToMs, type EngineSession, type WorkerEngine } from './engine-session.js';
import { SpeechEngineUnavailableError, SpeechStreamError } from './errors.js';
import { createResampler, type Resampler } from './resample.js';
import { loadVoskRecognizerApi, type VoskRecognizerApi } from './vosk-ffi.js';
import { parseVoskFinal, parseVoskPartial } from './vosk-result.js';
import type { EngineResult, VoskWorkerOptions } from './worker-protocol.js';

/** Create the worker-side engine. @throws SpeechEngineUnavailableError if the library is missing. */
export function createVoskEngine(options: VoskWorkerOptions): WorkerEngine {
  const api = loadVoskRecognizerApi(options.libraryPath);
  api.vosk_set_log_level(options.logLevel);
  return {
    open(sampleRateHz) {
      return new VoskSession(api, options, sampleRateHz);
    },
    warmup() {
      new VoskSession(api, options, options.modelSampleRateHz).close();
    },
    dispose() {
      // recognisers are freed by their sessions; the model belongs to the main thread
    },
  };
}

class VoskSession implements EngineSession {
  private readonly rec: object;
  private readonly resampler: Resampler | undefined;
  private readonly rate: number;
  private readonly step: number;
  private readonly interimSamples: number;
  private readonly interimIntervalMs: number;
  private readonly maxUttSamples: number;
  /** Samples (at the model rate) accepted so far. */
  private accepted = 0;
  /** Sample index where the current utterance's first partial text appeared, or -1. */
  private uttStart = -1;
  private lastInterimAt = 0;
  private lastInterimText = '';
  private closed = false;

  constructor(
    private readonly api: VoskRecognizerApi,
    options: VoskWorkerOptions,
    sampleRateHz: number,
  ) {
    this.rate = options.modelSampleRateHz;
    const rec = api.vosk_recognizer_new(options.modelAddress, this.rate);
    if (!rec) throw new SpeechEngineUnavailableError('vosk', 'vosk_recognizer_new', 'the loaded model rejected a recogniser; check the model directory');
    this.rec = rec;
    api.vosk_recognizer_set_words(rec, 1);
    api.vosk_recognizer_set_partial_words(rec, 1);
    if (sampleRateHz !== this.rate) this.resampler = createResampler(sampleRateHz, this.rate);
    this.step = Math.round(this.rate / 50);
    this.interimIntervalMs = options.interimIntervalMs;
    this.interimSamples = (options.interimIntervalMs * this.rate) / 1000;
    this.maxUttSamples = (options.maxUtteranceMs * this.rate) / 1000;
  }

  push(samples: Int16Array): EngineResult[] {
    const results: EngineResult[] = [];
    this.feed(this.resampler ? this.resampler.push(samples) : samples, results);
    return results;
  }

  finish(): EngineResult[] {
    const results: EngineResult[] = [];
    if (this.resampler) this.feed(this.resampler.flush(), results);
    this.pushFinal(this.api.vosk_recognizer_final_result(this.rec), results);
    return results;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.api.vosk_recognizer_free(this.rec);
  }

  private feed(pcm: Int16Array, results: EngineResult[]): void {
    for (let off = 0; off < pcm.length; off += this.step) {
      const chunk = pcm.subarray(off, Math.min(pcm.length, off + this.step));
      const rc = this.api.vosk_recognizer_accept_waveform_s(this.rec, chunk, chunk.length);
      this.accepted += chunk.length;
      if (rc < 0) throw new SpeechStreamError('vosk', 'vosk_recognizer_accept_waveform_s failed');
      if (rc === 1) {
        this.pushFinal(this.api.vosk_recognizer_result(this.rec), results);
      } else if (this.uttStart >= 0 && this.accepted - this.uttStart >= this.maxUttSamples) {
        this.pushFinal(this.api.vosk_recognizer_final_result(this.rec), results);
      } else if (this.accepted - this.lastInterimAt >= this.interimSamples) {
        this.lastInterimAt = this.accepted;
        const interim = parseVoskPartial(this.api.vosk_recognizer_partial_result(this.rec), this.fallback());
        if (interim && interim.text !== this.lastInterimText) {
          if (this.uttStart < 0) this.uttStart = this.accepted;
          this.lastInterimText = interim.text;
          results.push(interim);
        }
      }
    }
  }

  private pushFinal(json: string, results: EngineResult[]): void {
    const final = parseVoskFinal(json, this.fallback());
    if (final) results.push(final);
    this.uttStart = -1;
    this.lastInterimText = '';
    this.lastInterimAt = this.accepted;
  }

  private fallback(): { startMs: number; endMs: number } {
    const nowMs = samplesToMs(this.accepted, this.rate);
    // Without word times: the first partial text appeared within one interim interval of speech.
    const startMs = this.uttStart >= 0 ? Math.max(0, samplesToMs(this.uttStart, this.rate) - this.interimIntervalMs) : nowMs;
    return { startMs, endMs: nowMs };
  }
}
