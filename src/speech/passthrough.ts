/**
 * Pass-through "recogniser" for benchmarks and protocol tests: it recognises nothing. It finds
 * *markers* that the audio source wrote into the PCM and emits each one immediately as a `final`
 * result, so a benchmark can measure transcript push latency end to end (audio source → WebSocket
 * → media ingest → speech → domain → agent WebSocket) by comparing the marker's send time with
 * the time the agent receives the text. Optionally it also emits a `final` every `segmentMs`
 * of audio, to load the transcript pipeline at a steady rate.
 *
 * ## Marker encoding (for simulator/benchmark authors)
 * A marker is a block of 16-bit samples written over (or inserted into) the mono audio of one
 * speaker — for a stereo fork, into the channel of that speaker (left = caller). It must reach us
 * bit-exact: L16 over WebSocket is lossless, but any resampling, mixing or codec destroys it.
 * Words are unsigned 16-bit values stored as int16 bit patterns (little-endian on the wire):
 *
 * | word | content |
 * |---|---|
 * | 0–3 | sync `0x5054 0x4D4B 0xAFAB 0xB2B4` ("PT" "MK" and their bitwise complements) |
 * | 4 | version = 1 |
 * | 5 | payload length L in bytes (0–4096) |
 * | 6–7 | sequence number, uint32, high word first |
 * | 8–11 | send time, integer microseconds since the Unix epoch, uint64, high word first |
 * | 12 … 12+⌈L/2⌉−1 | payload: UTF-8 text, byte 2i in the low byte of word i, byte 2i+1 in the high byte (so on the wire the bytes appear in order); an odd last byte is padded with 0 |
 * | last | CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) over words 4 … end of payload, each as 2 little-endian bytes |
 *
 * Length = 13 + ⌈L/2⌉ words (13 samples = 1.6 ms at 8 kHz without text). Markers may span chunk
 * boundaries. The emitted `final` has `text` = `#<seq>@<sentAtMs with 3 decimals>` followed by
 * the payload text (if any), e.g. `#42@1718000000123.456 路灯 坏了`; `parsePassthroughText`
 * reads it back. `startMs`/`endMs` are the marker's position in the stream, `confidence` is 1.
 */
import type { Logger } from 'pino';
import type { RecognitionResult, SpeechRecognizer, SpeechStream, SpeechStreamOptions } from './ports.js';
import { UnsupportedLanguageError } from './errors.js';

/** The four sync words that start every marker. */
export const MARKER_SYNC: readonly number[] = [0x5054, 0x4d4b, 0xafab, 0xb2b4];
/** Marker format version written in word 4. */
export const MARKER_VERSION = 1;
/** Largest payload accepted, in bytes (bounds the scanner's look-ahead). */
export const MAX_MARKER_PAYLOAD_BYTES = 4096;
const HEADER_WORDS = 12;

/** A decoded marker. */
export interface PassthroughMarker {
  /** Sequence number chosen by the source (uint32). */
  readonly seq: number;
  /** When the source sent the audio: ms since the Unix epoch, µs precision. */
  readonly sentAtMs: number;
  /** Payload text ('' if none). */
  readonly text: string;
}

/** A marker found in a stream, with its position. */
export interface LocatedMarker extends PassthroughMarker {
  /** Index of the marker's first sample from the start of the stream. */
  readonly startSample: number;
  /** Index just past its last sample. */
  readonly endSample: number;
}

/** Number of samples `encodePassthroughMarker` produces for a payload of `payloadBytes` bytes. */
export function passthroughMarkerLength(payloadBytes: number): number {
  return HEADER_WORDS + Math.ceil(payloadBytes / 2) + 1;
}

/**
 * Encode a marker as samples to write into the audio.
 * `sentAtMs` defaults to now (`performance.timeOrigin + performance.now()`).
 * @throws RangeError for a seq outside uint32 or a payload over MAX_MARKER_PAYLOAD_BYTES.
 */
export function encodePassthroughMarker(marker: { seq: number; sentAtMs?: number; text?: string }): Int16Array {
  const { seq } = marker;
  if (!Number.isInteger(seq) || seq < 0 || seq > 0xffffffff) throw new RangeError('marker seq must be a uint32');
  const payload = new TextEncoder().encode(marker.text ?? '');
  if (payload.length > MAX_MARKER_PAYLOAD_BYTES) throw new RangeError(`marker payload over ${MAX_MARKER_PAYLOAD_BYTES} bytes`);
  const sentAtUs = Math.round((marker.sentAtMs ?? performance.timeOrigin + performance.now()) * 1000);
  const words = new Uint16Array(passthroughMarkerLength(payload.length));
  words.set(MARKER_SYNC, 0);
  words[4] = MARKER_VERSION;
  words[5] = payload.length;
  words[6] = Math.floor(seq / 0x10000);
  words[7] = seq % 0x10000;
  let t = sentAtUs;
  for (let i = 11; i >= 8; i--) {
    words[i] = t % 0x10000;
    t = Math.floor(t / 0x10000);
  }
  for (let i = 0; i < payload.length; i += 2) words[HEADER_WORDS + i / 2] = payload[i]! | ((payload[i + 1] ?? 0) << 8);
  words[words.length - 1] = crc16(words, 4, words.length - 1);
  return new Int16Array(words.buffer);
}

/**
 * Write a marker into `frame` at `offset` (overwriting samples). Returns the number written.
 * @throws RangeError if it does not fit.
 */
export function embedPassthroughMarker(frame: Int16Array, marker: Int16Array, offset = 0): number {
  if (offset < 0 || offset + marker.length > frame.length) throw new RangeError('marker does not fit in the frame');
  frame.set(marker, offset);
  return marker.length;
}

/** Find all complete markers in a buffer (one-shot; see `PassthroughMarkerScanner` for streams). */
export function decodePassthroughMarkers(samples: Int16Array): LocatedMarker[] {
  const scanner = new PassthroughMarkerScanner();
  return scanner.push(samples);
}

/** Text of the `final` result for a marker: `#<seq>@<sentAtMs>` then the payload. */
export function formatPassthroughText(marker: PassthroughMarker): string {
  const tag = `#${marker.seq}@${marker.sentAtMs.toFixed(3)}`;
  const text = marker.text.trim().replace(/\s+/g, ' ');
  return text ? `${tag} ${text}` : tag;
}

/** Parse a pass-through result text back into the marker; undefined if it is not one. */
export function parsePassthroughText(text: string): PassthroughMarker | undefined {
  const m = /^#(\d+)@(\d+(?:\.\d+)?)(?: (.*))?$/s.exec(text);
  if (!m) return undefined;
  return { seq: Number(m[1]), sentAtMs: Number(m[2]), text: m[3] ?? '' };
}

/** Streaming marker finder: feed consecutive chunks; markers spanning chunks are found. */
export class PassthroughMarkerScanner {
  /** Unconsumed tail of the stream (a possible marker start). */
  private carry = new Uint16Array(0);
  /** Stream index of `carry[0]`. */
  private carryStart = 0;

  /** Scan the next chunk; returns the markers completed by it, in order. */
  push(samples: Int16Array): LocatedMarker[] {
    const buf = new Uint16Array(this.carry.length + samples.length);
    buf.set(this.carry);
    buf.set(new Uint16Array(samples.buffer, samples.byteOffset, samples.length), this.carry.length);
    const found: LocatedMarker[] = [];
    let i = 0;
    let keepFrom = -1; // where an incomplete marker starts, if any
    while (i + MARKER_SYNC.length <= buf.length) {
      if (!isSync(buf, i)) {
        i++;
        continue;
      }
      if (i + HEADER_WORDS > buf.length) {
        keepFrom = i; // header incomplete: wait for more audio
        break;
      }
      const len = buf[i + 5]!;
      if (buf[i + 4] !== MARKER_VERSION || len > MAX_MARKER_PAYLOAD_BYTES) {
        i++;
        continue;
      }
      const total = passthroughMarkerLength(len);
      if (i + total > buf.length) {
        keepFrom = i; // payload incomplete
        break;
      }
      if (crc16(buf, i + 4, i + total - 1) !== buf[i + total - 1]) {
        i++;
        continue;
      }
      found.push({ ...readMarker(buf, i, len), startSample: this.carryStart + i, endSample: this.carryStart + i + total });
      i += total;
    }
    // Otherwise keep the last < 4 samples: they may be the beginning of a sync sequence.
    if (keepFrom < 0) keepFrom = Math.min(i, buf.length);
    this.carry = buf.slice(keepFrom);
    this.carryStart += keepFrom;
    return found;
  }
}

function isSync(buf: Uint16Array, i: number): boolean {
  return buf[i] === MARKER_SYNC[0] && buf[i + 1] === MARKER_SYNC[1] && buf[i + 2] === MARKER_SYNC[2] && buf[i + 3] === MARKER_SYNC[3];
}

function readMarker(buf: Uint16Array, i: number, len: number): PassthroughMarker {
  const seq = buf[i + 6]! * 0x10000 + buf[i + 7]!;
  let us = 0;
  for (let k = 8; k <= 11; k++) us = us * 0x10000 + buf[i + k]!;
  const bytes = new Uint8Array(len);
  for (let b = 0; b < len; b++) {
    const w = buf[i + HEADER_WORDS + (b >> 1)]!;
    bytes[b] = b & 1 ? w >> 8 : w & 0xff;
  }
  return { seq, sentAtMs: us / 1000, text: new TextDecoder().decode(bytes) };
}

/** CRC-16/CCITT-FALSE over words [from, to) taken as little-endian byte pairs. */
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

/** Options of the pass-through recogniser. */
export interface PassthroughOptions {
  /** Languages it claims (default `['zh-CN', 'en-US']`); `'*'` in the list accepts any. */
  readonly languages?: readonly string[];
  /** Also emit a `final` with text `segment <n>` (n from 1) every `segmentMs` of audio; 0 = off (default). */
  readonly segmentMs?: number;
  readonly logger?: Logger;
}

/** See the module comment. Results are delivered in a microtask, never inside `pushAudio`. */
export class PassthroughRecognizer implements SpeechRecognizer {
  readonly engine = 'passthrough';
  readonly languages: readonly string[];
  private readonly segmentMs: number;
  private readonly logger: Logger | undefined;

  constructor(options: PassthroughOptions = {}) {
    this.languages = options.languages ?? ['zh-CN', 'en-US'];
    this.segmentMs = Math.max(0, options.segmentMs ?? 0);
    this.logger = options.logger;
  }

  /** @throws UnsupportedLanguageError for a language not listed (unless `'*'` is listed). */
  createStream(options: SpeechStreamOptions): SpeechStream {
    if (!this.languages.includes('*') && !this.languages.includes(options.language)) {
      throw new UnsupportedLanguageError(options.language, this.languages);
    }
    return new PassthroughStream(options, this.segmentMs, this.logger);
  }

  async close(): Promise<void> {
    // nothing to release
  }
}

class PassthroughStream implements SpeechStream {
  private readonly scanner = new PassthroughMarkerScanner();
  private samples = 0;
  private segment = 0;
  private state: 'open' | 'ended' | 'closed' = 'open';
  private readonly onAbort = (): void => this.close();

  constructor(
    private readonly options: SpeechStreamOptions,
    private readonly segmentMs: number,
    private readonly logger?: Logger,
  ) {
    if (options.signal?.aborted) this.state = 'closed';
    else options.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  pushAudio(samples: Int16Array): void {
    if (this.state !== 'open') return;
    const results: RecognitionResult[] = [];
    const rate = this.options.sampleRateHz;
    for (const m of this.scanner.push(samples)) {
      results.push(this.result(formatPassthroughText(m), (m.startSample * 1000) / rate, (m.endSample * 1000) / rate));
    }
    this.samples += samples.length;
    if (this.segmentMs > 0) {
      const segSamples = (this.segmentMs * rate) / 1000;
      while (this.samples >= (this.segment + 1) * segSamples) this.emitSegment(results, segSamples);
    }
    this.deliver(results);
  }

  end(): Promise<void> {
    if (this.state !== 'open') return Promise.resolve();
    const results: RecognitionResult[] = [];
    if (this.segmentMs > 0) {
      const segSamples = (this.segmentMs * this.options.sampleRateHz) / 1000;
      if (this.samples > this.segment * segSamples) this.emitSegment(results, segSamples);
    }
    this.deliver(results);
    this.state = 'ended';
    this.options.signal?.removeEventListener('abort', this.onAbort);
    return new Promise((resolve) => queueMicrotask(resolve));
  }

  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.options.signal?.removeEventListener('abort', this.onAbort);
  }

  private emitSegment(results: RecognitionResult[], segSamples: number): void {
    const rate = this.options.sampleRateHz;
    const start = this.segment * segSamples;
    const end = Math.min(this.samples, start + segSamples);
    this.segment++;
    results.push(this.result(`segment ${this.segment}`, (start * 1000) / rate, (end * 1000) / rate));
  }

  private result(text: string, startMs: number, endMs: number): RecognitionResult {
    return { kind: 'final', text, startMs, endMs, speaker: this.options.speaker, confidence: 1 };
  }

  private deliver(results: RecognitionResult[]): void {
    if (results.length === 0) return;
    queueMicrotask(() => {
      for (const r of results) {
        if (this.state === 'closed') return;
        try {
          this.options.onResult(r);
        } catch (err) {
          this.logger?.error({ engine: 'passthrough', err }, 'speech onResult threw');
        }
      }
    });
  }
}
