/**
 * Main-thread `SpeechStream` whose decoder lives in a speech worker (see `worker-pool.ts`).
 * `pushAudio` copies the samples and posts them (the copy's buffer is transferred); results come
 * back as worker messages and are delivered to `onResult` with the stream's speaker.
 */
import type { Logger } from 'pino';
import type { RecognitionResult, SpeechStream, SpeechStreamOptions } from './ports.js';
import { SpeechStreamError } from './errors.js';
import type { SpeechWorkerPool, WorkerStreamChannel } from './worker-pool.js';
import type { EngineResult } from './worker-protocol.js';

type State = 'open' | 'ending' | 'done';

/**
 * Most audio a stream may have waiting for its decoder, in ms. Past it, new audio is dropped (and
 * counted) until the worker catches up, so an overloaded engine cannot grow memory without bound.
 */
export const MAX_DECODER_BACKLOG_MS = 15_000;

/** A stream on a worker pool. Created by the engine recognisers; not constructed by users. */
export class WorkerSpeechStream implements SpeechStream {
  private state: State = 'open';
  private readonly channel: WorkerStreamChannel;
  private endPromise: Promise<void> | undefined;
  private resolveEnd: (() => void) | undefined;
  private readonly onAbort = (): void => this.close();
  private postedSamples = 0;
  private decodedSamples = 0;
  private readonly maxBacklogSamples: number;
  /** Samples dropped because the decoder fell more than MAX_DECODER_BACKLOG_MS behind. */
  droppedSamples = 0;

  constructor(
    pool: SpeechWorkerPool,
    private readonly engine: string,
    private readonly options: SpeechStreamOptions,
    private readonly logger?: Logger,
  ) {
    if (options.sampleRateHz !== 8000 && options.sampleRateHz !== 16000) {
      throw new RangeError(`unsupported sample rate ${String(options.sampleRateHz)} (8000 or 16000)`);
    }
    this.maxBacklogSamples = (options.sampleRateHz * MAX_DECODER_BACKLOG_MS) / 1000;
    this.channel = pool.openStream(options.sampleRateHz, {
      onResults: (results) => this.deliver(results),
      onProgress: (samples) => { this.decodedSamples = samples; },
      onEnded: () => this.finish(),
      onError: (error) => this.fail(error),
    });
    if (options.signal) {
      if (options.signal.aborted) this.close();
      else options.signal.addEventListener('abort', this.onAbort, { once: true });
    }
  }

  pushAudio(samples: Int16Array): void {
    if (this.state !== 'open' || samples.length === 0) return;
    if (this.postedSamples - this.decodedSamples > this.maxBacklogSamples) {
      if (this.droppedSamples === 0) this.logger?.warn({ engine: this.engine }, 'speech decoder backlog full; dropping audio until it catches up');
      this.droppedSamples += samples.length;
      return;
    }
    this.postedSamples += samples.length;
    this.channel.postAudio(samples.slice());
  }

  end(): Promise<void> {
    if (this.endPromise) return this.endPromise;
    if (this.state === 'done') return (this.endPromise = Promise.resolve());
    this.state = 'ending';
    this.endPromise = new Promise<void>((resolve) => (this.resolveEnd = resolve));
    this.channel.postEnd();
    return this.endPromise;
  }

  close(): void {
    if (this.state === 'done') return;
    this.channel.postClose();
    this.finish();
  }

  private deliver(results: readonly EngineResult[]): void {
    if (this.state === 'done') return;
    for (const r of results) {
      const result: RecognitionResult = { ...r, speaker: this.options.speaker };
      try {
        this.options.onResult(result);
      } catch (err) {
        // onResult must not throw; a buggy consumer must not kill the stream
        this.logger?.error({ engine: this.engine, err }, 'speech onResult threw');
      }
    }
  }

  private fail(error: Error): void {
    if (this.state === 'done') return;
    this.finish();
    const reported = error instanceof Error ? error : new SpeechStreamError(this.engine, String(error));
    try {
      this.options.onError?.(reported);
    } catch (err) {
      this.logger?.error({ engine: this.engine, err }, 'speech onError threw');
    }
  }

  private finish(): void {
    if (this.state === 'done') return;
    this.state = 'done';
    this.options.signal?.removeEventListener('abort', this.onAbort);
    this.resolveEnd?.();
  }
}
