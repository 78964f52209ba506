import type { WebSocket } from 'ws';
import type { Logger } from 'pino';
import type { LiveCallLookup } from '../domain/calls/hotline.js';
import type { CallAudioSink } from '../domain/calls/live-transcript.js';
import { verifyMediaToken } from './token.js';
import { deinterleave, readInt16LE } from '../speech/wav.js';

/** WebSocket subprotocol of mod_audio_fork (drachtio-freeswitch-modules). mod_audio_stream sends none. */
export const AUDIO_FORK_SUBPROTOCOL = 'audio.drachtio.org';
/** Close codes we send (RFC 6455 app range). */
const CLOSE_POLICY = 1008;
/** Largest binary frame accepted: 100 ms of 16 kHz stereo (real frames are 20–30 ms). */
export const MAX_AUDIO_FRAME_BYTES = 6400;

/** Counters of one ingest (for health and tests). */
export interface IngestStats {
  connections: number;
  frames: number;
  rejectedFrames: number;
  rejectedStreams: number;
}

/**
 * Handles one audio stream WebSocket in the mod_audio_fork / mod_audio_stream wire shape:
 * first a text frame of JSON metadata `{"callUuid","token","mix":"mono|stereo","rate":"8000|16000"}`,
 * then binary frames of 16-bit little-endian PCM (stereo interleaved, left = caller, right = agent).
 * A bad token or unknown call closes the socket with 1008; malformed frames (odd length, stereo not
 * a multiple of 4, oversized, binary before metadata) are counted, logged once per stream and dropped.
 */
export function handleAudioStream(socket: WebSocket, deps: { calls: LiveCallLookup; secret: string; log: Logger; stats: IngestStats }): void {
  const { calls, secret, stats } = deps;
  let log = deps.log;
  let sink: CallAudioSink | undefined;
  let channels: 1 | 2 = 1;
  let warned = false;
  stats.connections++;

  const reject = (reason: string) => {
    stats.rejectedStreams++;
    log.warn({ reason }, 'audio stream rejected');
    socket.close(CLOSE_POLICY, reason);
  };
  const badFrame = (reason: string, bytes: number) => {
    stats.rejectedFrames++;
    if (!warned) log.warn({ reason, bytes }, 'malformed audio frame dropped (further ones counted silently)');
    warned = true;
  };

  socket.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
    const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    if (!isBinary) {
      if (sink) return; // later text frames (send_text) carry nothing we use yet
      let meta: { callUuid?: unknown; token?: unknown; mix?: unknown; rate?: unknown };
      try {
        meta = JSON.parse(buf.toString('utf8')) as typeof meta;
      } catch {
        reject('metadata is not JSON');
        return;
      }
      if (typeof meta.callUuid !== 'string' || !verifyMediaToken(secret, meta.callUuid, meta.token)) {
        reject('bad or missing token');
        return;
      }
      log = deps.log.child({ callUuid: meta.callUuid });
      channels = meta.mix === 'stereo' ? 2 : 1;
      const rate = meta.rate === '8000' || meta.rate === 8000 ? 8000 : 16000;
      sink = calls.openAudio(meta.callUuid, rate, channels);
      if (!sink) reject('unknown call');
      else log.info({ channels, rate }, 'audio stream attached');
      return;
    }
    if (!sink) return badFrame('binary frame before metadata', buf.length);
    stats.frames++;
    const frameBytes = channels * 2;
    if (buf.length === 0 || buf.length % frameBytes !== 0) return badFrame('frame length not a whole number of samples', buf.length);
    if (buf.length > MAX_AUDIO_FRAME_BYTES) return badFrame('frame too large', buf.length);
    const samples = readInt16LE(buf);
    if (channels === 1) {
      sink.push(samples, undefined);
      return;
    }
    const [caller, agent] = deinterleave(samples, 2);
    sink.push(caller!, agent);
  });
  socket.on('close', () => {
    sink?.streamClosed();
    sink = undefined;
  });
  socket.on('error', (error) => log.warn({ err: error }, 'audio stream socket error'));
}
