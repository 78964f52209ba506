/**
 * Latency markers for benchmarks: a short, self-checking block of 16-bit words written bit-exact
 * into the caller's audio of every audio stream of a channel, so that a pass-through recogniser on
 * the server can report "marker <seq> sent at <time>" and the benchmark can measure the transcript
 * latency end to end. The encoding is the one documented in `src/speech/passthrough.ts`
 * (re-implemented here because the simulator imports no server code):
 *
 * words 0–3 sync `0x5054 0x4D4B 0xAFAB 0xB2B4`; 4 version 1; 5 payload bytes L; 6–7 seq (uint32,
 * high word first); 8–11 send time in µs since the epoch (uint64, high word first); then ⌈L/2⌉
 * payload words (UTF-8, low byte first); last: CRC-16/CCITT-FALSE over words 4 … end of payload.
 */
import { encodePassthroughMarker, MAX_MARKER_PAYLOAD_BYTES } from '../speech/passthrough.js';

/** Largest payload in bytes. */
export const MAX_MARKER_TEXT_BYTES = MAX_MARKER_PAYLOAD_BYTES;

/** A marker waiting to be (or being) written into a channel's read audio. */
export interface PendingMarker {
  readonly seq: number;
  readonly text: string;
  /** Called with the send time (ms since the epoch) when its first word goes out. */
  readonly onSent: (sentAtMs: number) => void;
  samples?: Int16Array;
  pos: number;
}

/** Wall-clock ms with µs precision. */
export function preciseNowMs(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Takes the next chunk (at most `max` words) of the channel's pending markers, encoding a marker
 * with the current time when its first chunk is taken. Returns undefined when none is pending.
 */
export function nextMarkerChunk(queue: PendingMarker[], max: number): Int16Array | undefined {
  const m = queue[0];
  if (!m) return undefined;
  if (!m.samples) {
    const sentAt = preciseNowMs();
    m.samples = encodePassthroughMarker({ seq: m.seq, sentAtMs: sentAt, text: m.text });
    m.onSent(sentAt);
  }
  const chunk = m.samples.subarray(m.pos, m.pos + max);
  m.pos += chunk.length;
  if (m.pos >= m.samples.length) queue.shift();
  return chunk;
}
