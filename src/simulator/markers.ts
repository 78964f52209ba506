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

const SYNC = [0x5054, 0x4d4b, 0xafab, 0xb2b4] as const;
/** Largest payload in bytes. */
export const MAX_MARKER_TEXT_BYTES = 4096;

function crc16(words: Uint16Array, from: number, to: number): number {
  let crc = 0xffff;
  for (let i = from; i < to; i++) {
    for (const byte of [words[i]! & 0xff, words[i]! >> 8]) {
      crc ^= byte << 8;
      for (let b = 0; b < 8; b++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    }
  }
  return crc;
}

/**
 * Encodes a marker as samples.
 * @param sentAtMs send time, ms since the epoch (µs precision)
 * @throws RangeError for a seq outside uint32 or a text over {@link MAX_MARKER_TEXT_BYTES} bytes
 */
export function encodeMarker(seq: number, sentAtMs: number, text = ''): Int16Array {
  if (!Number.isInteger(seq) || seq < 0 || seq > 0xffffffff) throw new RangeError('marker seq must be a uint32');
  const payload = new TextEncoder().encode(text);
  if (payload.length > MAX_MARKER_TEXT_BYTES) throw new RangeError(`marker text over ${MAX_MARKER_TEXT_BYTES} bytes`);
  const words = new Uint16Array(12 + Math.ceil(payload.length / 2) + 1);
  words.set(SYNC, 0);
  words[4] = 1;
  words[5] = payload.length;
  words[6] = Math.floor(seq / 0x10000);
  words[7] = seq % 0x10000;
  let t = Math.round(sentAtMs * 1000);
  for (let i = 11; i >= 8; i--) {
    words[i] = t % 0x10000;
    t = Math.floor(t / 0x10000);
  }
  for (let i = 0; i < payload.length; i += 2) words[12 + i / 2] = payload[i]! | ((payload[i + 1] ?? 0) << 8);
  words[words.length - 1] = crc16(words, 4, words.length - 1);
  return new Int16Array(words.buffer);
}

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
    m.samples = encodeMarker(m.seq, sentAt, m.text);
    m.onSent(sentAt);
  }
  const chunk = m.samples.subarray(m.pos, m.pos + max);
  m.pos += chunk.length;
  if (m.pos >= m.samples.length) queue.shift();
  return chunk;
}
