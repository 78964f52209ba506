/**
 * A bounded pool of speech worker threads shared by all streams of one recogniser.
 *
 * - Workers are spawned lazily, up to `maxWorkers` (default: one per core). A new stream goes to
 *   an idle worker, else a new worker while below the bound, else the least-loaded worker.
 *   A stream stays on its worker for life (its decoder lives there).
 * - A worker is `ref`'d while it has open streams and `unref`'d when idle, so an idle pool
 *   never keeps the process alive; `close()` terminates all workers.
 * - A crashed worker fails its streams with `SpeechStreamError` and is replaced on demand.
 * Workers run `speech-worker.ts` (or `.js` when compiled), see `module-runner.ts`.
 */
import type { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { Logger } from 'pino';
import { SpeechStreamError } from './errors.js';
import { siblingModule, spawnModuleWorker } from './module-runner.js';
import {
  deserializeError,
  type EngineResult,
  type FromWorkerMessage,
  type ToWorkerMessage,
  type WorkerEngineSpec,
} from './worker-protocol.js';

/** How long `close()` waits for workers to free their decoders before terminating them. */
const SHUTDOWN_GRACE_MS = 2000;

/** Callbacks of one stream, invoked on the main thread in message order. */
export interface StreamHandlers {
  onResults(results: readonly EngineResult[]): void;
  /** The worker has decoded `samples` samples of this stream so far. */
  onProgress?(samples: number): void;
  onEnded(): void;
  onError(error: Error): void;
}

/** The main-thread handle of one stream inside a worker. */
export interface WorkerStreamChannel {
  readonly streamId: number;
  /** Post audio; the array's buffer is transferred (the caller must not reuse it). */
  postAudio(samples: Int16Array): void;
  postEnd(): void;
  /** Free the stream's decoder; no more callbacks are made. */
  postClose(): void;
}

export interface WorkerPoolOptions {
  /** Engine name for errors and logs. */
  readonly engine: string;
  readonly spec: WorkerEngineSpec;
  /** Upper bound on worker threads; default `os.availableParallelism()`. */
  readonly maxWorkers?: number;
  readonly logger?: Logger;
}

interface PoolWorker {
  readonly worker: Worker;
  readonly index: number;
  readonly streams: Map<number, StreamHandlers>;
  readonly warmups: Map<number, (error?: Error) => void>;
  alive: boolean;
}

const WORKER_ENTRY = siblingModule(import.meta.url, 'speech-worker');

/** See the module comment. Not exported from the package index: engines own their pool. */
export class SpeechWorkerPool {
  private readonly workers: PoolWorker[] = [];
  private readonly maxWorkers: number;
  private nextStreamId = 1;
  private nextWorkerIndex = 0;
  private nextRequestId = 1;
  private closed = false;

  constructor(private readonly options: WorkerPoolOptions) {
    this.maxWorkers = Math.max(1, Math.floor(options.maxWorkers ?? availableParallelism()));
  }

  /** Number of live worker threads (for metrics and tests). */
  get workerCount(): number {
    return this.workers.length;
  }

  /** Open a stream on a worker; its decoder is created there on the worker's first `open`. */
  openStream(sampleRateHz: number, handlers: StreamHandlers): WorkerStreamChannel {
    if (this.closed) throw new SpeechStreamError(this.options.engine, 'recogniser is closed');
    const pw = this.pickWorker();
    const streamId = this.nextStreamId++;
    pw.streams.set(streamId, handlers);
    pw.worker.ref();
    this.post(pw, { type: 'open', streamId, sampleRateHz });
    return {
      streamId,
      postAudio: (samples) => this.post(pw, { type: 'audio', streamId, samples }, [samples.buffer as ArrayBuffer]),
      postEnd: () => this.post(pw, { type: 'end', streamId }),
      postClose: () => {
        if (!pw.streams.has(streamId)) return;
        this.detach(pw, streamId);
        this.post(pw, { type: 'close', streamId });
      },
    };
  }

  /** Create one decoder in a worker so that model errors surface now. Rejects with the typed error. */
  warmup(sampleRateHz: number): Promise<void> {
    if (this.closed) return Promise.reject(new SpeechStreamError(this.options.engine, 'recogniser is closed'));
    const pw = this.pickWorker();
    const requestId = this.nextRequestId++;
    pw.worker.ref();
    return new Promise<void>((resolve, reject) => {
      pw.warmups.set(requestId, (error) => (error ? reject(error) : resolve()));
      this.post(pw, { type: 'warmup', requestId, sampleRateHz });
    });
  }

  /**
   * Stop every worker (after letting them free native decoders). Open streams get no more
   * results; their pending `end()` promises resolve. Pending warm-ups reject.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const workers = this.workers.splice(0);
    await Promise.all(
      workers.map(async (pw) => {
        const streams = [...pw.streams.values()];
        const warmups = [...pw.warmups.values()];
        pw.streams.clear();
        pw.warmups.clear();
        for (const h of streams) h.onEnded();
        for (const settle of warmups) settle(new SpeechStreamError(this.options.engine, 'recogniser closed during warm-up'));
        if (!pw.alive) return;
        const done = new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, SHUTDOWN_GRACE_MS);
          pw.worker.on('message', (m: FromWorkerMessage) => {
            if (m.type === 'shutdown-complete') {
              clearTimeout(timer);
              resolve();
            }
          });
          pw.worker.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
        });
        pw.worker.ref();
        this.post(pw, { type: 'shutdown' });
        await done;
        pw.alive = false;
        await pw.worker.terminate();
      }),
    );
  }

  private pickWorker(): PoolWorker {
    const load = (pw: PoolWorker): number => pw.streams.size + pw.warmups.size;
    const idle = this.workers.find((pw) => load(pw) === 0);
    if (idle) return idle;
    if (this.workers.length < this.maxWorkers) return this.spawn();
    let best = this.workers[0]!;
    for (const pw of this.workers) if (load(pw) < load(best)) best = pw;
    return best;
  }

  private spawn(): PoolWorker {
    const worker = spawnModuleWorker(WORKER_ENTRY, { spec: this.options.spec });
    const pw: PoolWorker = { worker, index: this.nextWorkerIndex++, streams: new Map(), warmups: new Map(), alive: true };
    worker.unref();
    worker.on('message', (m: FromWorkerMessage) => this.onMessage(pw, m));
    worker.on('error', (error) => this.onWorkerDeath(pw, error));
    worker.on('exit', (code) => this.onWorkerDeath(pw, new Error(`worker exited with code ${code}`)));
    this.workers.push(pw);
    this.options.logger?.info({ engine: this.options.engine, worker: pw.index }, 'speech worker started');
    return pw;
  }

  private onMessage(pw: PoolWorker, m: FromWorkerMessage): void {
    switch (m.type) {
      case 'results':
        pw.streams.get(m.streamId)?.onResults(m.results);
        break;
      case 'progress':
        pw.streams.get(m.streamId)?.onProgress?.(m.samples);
        break;
      case 'ended': {
        const h = pw.streams.get(m.streamId);
        this.detach(pw, m.streamId);
        h?.onEnded();
        break;
      }
      case 'stream-error': {
        const h = pw.streams.get(m.streamId);
        this.detach(pw, m.streamId);
        h?.onError(deserializeError(m.error, this.options.engine));
        break;
      }
      case 'warmup-done': {
        const settle = pw.warmups.get(m.requestId);
        pw.warmups.delete(m.requestId);
        if (pw.streams.size === 0 && pw.warmups.size === 0) pw.worker.unref();
        settle?.(m.error ? deserializeError(m.error, this.options.engine) : undefined);
        break;
      }
      case 'shutdown-complete':
        break;
    }
  }

  private detach(pw: PoolWorker, streamId: number): void {
    if (pw.streams.delete(streamId) && pw.streams.size === 0 && pw.warmups.size === 0) pw.worker.unref();
  }

  private onWorkerDeath(pw: PoolWorker, cause: Error): void {
    if (!pw.alive) return;
    pw.alive = false;
    const i = this.workers.indexOf(pw);
    if (i >= 0) this.workers.splice(i, 1);
    if (this.closed) return;
    this.options.logger?.error({ engine: this.options.engine, worker: pw.index, err: cause }, 'speech worker died');
    const streams = [...pw.streams.values()];
    const warmups = [...pw.warmups.values()];
    pw.streams.clear();
    pw.warmups.clear();
    void pw.worker.terminate();
    const error = new SpeechStreamError(this.options.engine, 'speech worker thread failed', { cause });
    for (const h of streams) h.onError(error);
    for (const settle of warmups) settle(error);
  }

  private post(pw: PoolWorker, message: ToWorkerMessage, transfer?: ArrayBuffer[]): void {
    if (!pw.alive) return;
    pw.worker.postMessage(message, transfer);
  }
}
