/**
 * pocketsphinx inside a speech worker: decoder pool and per-stream session logic.
 *
 * Per chunk of audio, in ≤ 20 ms steps: `ps_process_raw`, then the decoder's VAD
 * (`ps_get_in_speech`). While in speech, an `interim` result (partial hypothesis) at most every
 * `interimIntervalMs` of audio; when the VAD leaves speech (after `-vad_postspeech`, 500 ms of
 * silence by default), `ps_end_utt` and a `final` result, then a new utterance starts. An
 * utterance longer than `maxUtteranceMs` is cut and finalised. 8 kHz input is upsampled to 16 kHz
 * (the en-US acoustic model is 16 kHz; see README for why not `-samprate 8000`).
 *
 * Times come from the decoder's word segmentation (10 ms frames counted from the stream start,
 * reset by `ps_start_stream`), clamped to the audio decoded so far. Confidence of a final is the
 * mean lattice posterior of its words (`ps_seg_prob`); `ps_get_prob`, the posterior of the whole
 * path, shrinks geometrically with length and is only used when no word is available.
 */
import { samplesToMs, type EngineSession, type WorkerEngine } from './engine-session.js';
import { loadPocketsphinxApi, PsDecoder, type PocketsphinxApi, type PsWord } from './pocketsphinx-ffi.js';
import { createResampler, type Resampler } from './resample.js';
import type { EngineResult, PocketsphinxWorkerOptions } from './worker-protocol.js';

/** The decoder's sample rate; the Debian en-US model is trained on 16 kHz audio. */
export const POCKETSPHINX_DECODER_RATE_HZ = 16000;
/** Samples fed per `ps_process_raw` call: 20 ms, so the VAD state is seen at 20 ms resolution. */
const STEP_SAMPLES = POCKETSPHINX_DECODER_RATE_HZ / 50;
/** Confidence reported on interim results: partial hypotheses have no posterior yet. */
export const INTERIM_CONFIDENCE = 0.5;

/**
 * Initial cepstral mean for 8 kHz streams (after upsampling to 16 kHz). The model's `-cmninit`
 * describes wide-band audio; band-limited telephone audio has a very different mean (nothing
 * above 4 kHz), and live CMN needs several seconds to adapt, which ruins short utterances
 * (librivox WER at 8 kHz: 0.65 with the model's prior, see README). Measured on held-out audio:
 * pocketsphinx-testdata goforward.raw, numbers.raw and something.raw (not the librivox files
 * the tests score), downsampled to 8 kHz and upsampled again, then `cmn_live_get`.
 */
export const NARROWBAND_CMN_INIT: readonly number[] = [43.47, 15.99, -28.66, 32.77, -13.87, 5.99, -1.45, -12.1, 7.2, -11.2, 2.44, -5.14, 1.3];

/** Create the worker-side engine. @throws SpeechEngineUnavailableError if the library is missing. */
export function createPocketsphinxEngine(options: PocketsphinxWorkerOptions): WorkerEngine {
  const api: PocketsphinxApi = loadPocketsphinxApi(options.libraryPath, options.sphinxbaseLibraryPath);
  const idle: PsDecoder[] = [];
  const frameMs = 1000 / frameRate(options.extraArgs);
  const narrowbandCmn = options.narrowbandCmnInit ? Float32Array.from(options.narrowbandCmnInit) : undefined;

  const acquire = (): PsDecoder => idle.pop() ?? PsDecoder.create(api, options);
  const release = (decoder: PsDecoder): void => {
    if (decoder.resettable && idle.length < options.maxIdleDecoders) idle.push(decoder);
    else decoder.free();
  };

  return {
    open(sampleRateHz) {
      const decoder = acquire();
      try {
        decoder.startStream(sampleRateHz < POCKETSPHINX_DECODER_RATE_HZ ? narrowbandCmn : undefined);
      } catch (error) {
        decoder.free();
        throw error;
      }
      return new PocketsphinxSession(decoder, sampleRateHz, options, frameMs, release);
    },
    warmup() {
      if (idle.length === 0) idle.push(PsDecoder.create(api, options));
    },
    dispose() {
      for (const d of idle.splice(0)) d.free();
    },
  };
}

/** `-frate` from the extra arguments (frames per second), default 100. */
function frameRate(args: readonly string[]): number {
  const i = args.indexOf('-frate');
  const v = i >= 0 ? Number(args[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : 100;
}

class PocketsphinxSession implements EngineSession {
  private readonly resampler: Resampler | undefined;
  /** 16 kHz samples decoded so far; sample i of the stream is at i / 16 ms. */
  private decoded = 0;
  private inSpeech = false;
  private uttOpen = true; // startStream() started one
  private speechStart = 0;
  private lastInterimAt = 0;
  private lastInterimText = '';
  private closed = false;
  private readonly interimSamples: number;
  private readonly maxUttSamples: number;

  constructor(
    private readonly decoder: PsDecoder,
    sampleRateHz: number,
    options: PocketsphinxWorkerOptions,
    private readonly frameMs: number,
    private readonly release: (d: PsDecoder) => void,
  ) {
    if (sampleRateHz !== POCKETSPHINX_DECODER_RATE_HZ) this.resampler = createResampler(sampleRateHz, POCKETSPHINX_DECODER_RATE_HZ);
    this.interimSamples = (options.interimIntervalMs * POCKETSPHINX_DECODER_RATE_HZ) / 1000;
    this.maxUttSamples = (options.maxUtteranceMs * POCKETSPHINX_DECODER_RATE_HZ) / 1000;
  }

  push(samples: Int16Array): EngineResult[] {
    const pcm = this.resampler ? this.resampler.push(samples) : samples;
    const results: EngineResult[] = [];
    this.decode(pcm, results);
    return results;
  }

  finish(): EngineResult[] {
    const results: EngineResult[] = [];
    if (this.resampler) this.decode(this.resampler.flush(), results);
    if (this.uttOpen) {
      this.uttOpen = false;
      this.decoder.endUtterance();
      const final = this.finalResult();
      if (final) results.push(final);
    }
    this.inSpeech = false;
    return results;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.uttOpen) {
      this.uttOpen = false;
      try {
        this.decoder.endUtterance();
      } catch {
        this.decoder.free();
        return;
      }
    }
    this.release(this.decoder);
  }

  private decode(pcm: Int16Array, results: EngineResult[]): void {
    for (let off = 0; off < pcm.length; off += STEP_SAMPLES) {
      const step = pcm.subarray(off, Math.min(pcm.length, off + STEP_SAMPLES));
      const speech = this.decoder.process(step);
      this.decoded += step.length;
      if (speech && !this.inSpeech) {
        this.inSpeech = true;
        this.speechStart = this.decoded;
        this.lastInterimAt = this.decoded;
        this.lastInterimText = '';
      } else if (speech && this.decoded - this.speechStart >= this.maxUttSamples) {
        this.cutUtterance(results);
      } else if (speech && this.decoded - this.lastInterimAt >= this.interimSamples) {
        this.lastInterimAt = this.decoded;
        const interim = this.interimResult();
        if (interim) results.push(interim);
      } else if (!speech && this.inSpeech) {
        this.cutUtterance(results);
      }
    }
  }

  /** End the utterance, emit its final (if any words), start the next one. */
  private cutUtterance(results: EngineResult[]): void {
    this.inSpeech = false;
    this.decoder.endUtterance();
    this.uttOpen = false;
    const final = this.finalResult();
    if (final) results.push(final);
    this.decoder.startUtterance();
    this.uttOpen = true;
  }

  private interimResult(): EngineResult | undefined {
    const text = normalizeText(this.decoder.hypothesis());
    if (!text || text === this.lastInterimText) return undefined;
    this.lastInterimText = text;
    const words = this.decoder.words();
    const nowMs = samplesToMs(this.decoded, POCKETSPHINX_DECODER_RATE_HZ);
    return { kind: 'interim', text, ...this.span(words, nowMs), confidence: INTERIM_CONFIDENCE };
  }

  private finalResult(): EngineResult | undefined {
    const text = normalizeText(this.decoder.hypothesis());
    if (!text) return undefined;
    const pathPosterior = this.decoder.pathPosterior(); // computes lattice posteriors for words()
    const words = this.decoder.words();
    const nowMs = samplesToMs(this.decoded, POCKETSPHINX_DECODER_RATE_HZ);
    const confidence = words.length > 0 ? words.reduce((s, w) => s + w.posterior, 0) / words.length : pathPosterior;
    return { kind: 'final', text, ...this.span(words, nowMs), confidence };
  }

  /** Start/end ms of the words, clamped to the decoded audio; VAD-based estimate without words. */
  private span(words: readonly PsWord[], nowMs: number): { startMs: number; endMs: number } {
    const first = words[0];
    const last = words[words.length - 1];
    const fallbackStart = Math.max(0, samplesToMs(this.speechStart, POCKETSPHINX_DECODER_RATE_HZ) - 300);
    const startMs = first ? Math.min(nowMs, Math.max(0, first.startFrame * this.frameMs)) : Math.min(nowMs, fallbackStart);
    const endMs = last ? Math.min(nowMs, (last.endFrame + 1) * this.frameMs) : nowMs;
    return { startMs: Math.round(startMs), endMs: Math.round(Math.max(startMs, endMs)) };
  }
}

/** Collapse whitespace; pocketsphinx hypotheses are space-separated words already. */
function normalizeText(text: string): string {
  return text.trim().replace(/\s+/g, ' ');
}
