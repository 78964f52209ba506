/**
 * Entry point of a speech worker thread (started by `SpeechWorkerPool`). Hosts the decoders of
 * many streams of one engine; all native decoding happens here, never on the main thread.
 * Messages are handled strictly in arrival order, so each stream's results stay in order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { EngineSession, WorkerEngine } from './engine-session.js';
import { createPocketsphinxEngine } from './pocketsphinx-engine.js';
import { createVoskEngine } from './vosk-engine.js';
import { serializeError, type FromWorkerMessage, type ToWorkerMessage, type WorkerEngineSpec } from './worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('speech-worker must run in a worker thread');
const spec = (workerData as { spec: WorkerEngineSpec }).spec;

let engine: WorkerEngine | undefined;
let engineError: unknown;
try {
  engine = spec.engine === 'pocketsphinx' ? createPocketsphinxEngine(spec.options) : createVoskEngine(spec.options);
} catch (error) {
  engineError = error; // reported on every open/warmup
}

const sessions = new Map<number, EngineSession>();
/** Samples decoded per stream, reported back as `progress` every PROGRESS_EVERY_SAMPLES. */
const processed = new Map<number, number>();
const PROGRESS_EVERY_SAMPLES = 16_000;

function send(message: FromWorkerMessage): void {
  port!.postMessage(message);
}

function fail(streamId: number, error: unknown): void {
  const session = sessions.get(streamId);
  sessions.delete(streamId);
  processed.delete(streamId);
  try {
    session?.close();
  } catch {
    // the decoder is already broken; nothing more to free safely
  }
  send({ type: 'stream-error', streamId, error: serializeError(error) });
}

function requireEngine(): WorkerEngine {
  if (!engine) throw engineError;
  return engine;
}

port.on('message', (m: ToWorkerMessage) => {
  switch (m.type) {
    case 'open':
      try {
        sessions.set(m.streamId, requireEngine().open(m.sampleRateHz));
      } catch (error) {
        fail(m.streamId, error);
      }
      break;
    case 'audio': {
      const session = sessions.get(m.streamId);
      if (!session) break; // closed, failed, or ended: late audio is ignored
      try {
        const results = session.push(m.samples);
        if (results.length > 0) send({ type: 'results', streamId: m.streamId, results });
        const done = (processed.get(m.streamId) ?? 0) + m.samples.length;
        processed.set(m.streamId, done);
        if (Math.floor(done / PROGRESS_EVERY_SAMPLES) !== Math.floor((done - m.samples.length) / PROGRESS_EVERY_SAMPLES)) {
          send({ type: 'progress', streamId: m.streamId, samples: done });
        }
      } catch (error) {
        fail(m.streamId, error);
      }
      break;
    }
    case 'end': {
      const session = sessions.get(m.streamId);
      if (!session) break;
      try {
        const results = session.finish();
        sessions.delete(m.streamId);
        processed.delete(m.streamId);
        session.close();
        if (results.length > 0) send({ type: 'results', streamId: m.streamId, results });
        send({ type: 'ended', streamId: m.streamId });
      } catch (error) {
        fail(m.streamId, error);
      }
      break;
    }
    case 'close': {
      const session = sessions.get(m.streamId);
      sessions.delete(m.streamId);
      processed.delete(m.streamId);
      try {
        session?.close();
      } catch {
        // closing is best effort
      }
      break;
    }
    case 'warmup':
      try {
        requireEngine().warmup(m.sampleRateHz);
        send({ type: 'warmup-done', requestId: m.requestId });
      } catch (error) {
        send({ type: 'warmup-done', requestId: m.requestId, error: serializeError(error) });
      }
      break;
    case 'shutdown':
      for (const session of sessions.values()) {
        try {
          session.close();
        } catch {
          // best effort
        }
      }
      sessions.clear();
      try {
        engine?.dispose();
      } finally {
        send({ type: 'shutdown-complete' });
      }
      break;
  }
});
