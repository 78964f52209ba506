import { describe, expect, it } from 'vitest';
import {
  decodePassthroughMarkers,
  embedPassthroughMarker,
  encodePassthroughMarker,
  formatPassthroughText,
  parsePassthroughText,
  PassthroughMarkerScanner,
  passthroughMarkerLength,
  PassthroughRecognizer,
} from '../../src/speech/passthrough.js';
import { UnsupportedLanguageError } from '../../src/speech/errors.js';
import type { RecognitionResult } from '../../src/speech/ports.js';

/** Deterministic speech-like noise (a marker must be found inside real audio). */
function noise(n: number, seed = 1): Int16Array {
  const out = new Int16Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = ((x >>> 16) & 0xffff) - 32768;
  }
  return out;
}

describe('pass-through marker encoding', () => {
  it('round-trips seq, send time (µs) and UTF-8 text', () => {
    const m = encodePassthroughMarker({ seq: 0xfffffffe, sentAtMs: 1718000000123.456, text: '我家门口的路灯坏了' });
    expect(m.length).toBe(passthroughMarkerLength(new TextEncoder().encode('我家门口的路灯坏了').length));
    const [found] = decodePassthroughMarkers(m);
    expect(found).toEqual({ seq: 0xfffffffe, sentAtMs: 1718000000123.456, text: '我家门口的路灯坏了', startSample: 0, endSample: m.length });
  });

  it('puts payload bytes on the wire in order (little-endian L16)', () => {
    const m = encodePassthroughMarker({ seq: 1, sentAtMs: 0, text: 'abc' });
    const wire = Buffer.from(m.buffer, m.byteOffset, m.byteLength);
    expect(wire.subarray(24, 27).toString('ascii')).toBe('abc');
    expect(wire.readUInt16LE(0)).toBe(0x5054);
  });

  it('finds markers across chunk boundaries of any size, inside noise', () => {
    const audio = noise(8000);
    const positions = [100, 1234, 5000];
    positions.forEach((p, i) => embedPassthroughMarker(audio, encodePassthroughMarker({ seq: i, sentAtMs: 1000 + i, text: i === 1 ? '投诉 噪音' : '' }), p));
    for (const chunk of [1, 3, 13, 160, 320, 8000]) {
      const scanner = new PassthroughMarkerScanner();
      const found = [];
      for (let off = 0; off < audio.length; off += chunk) found.push(...scanner.push(audio.subarray(off, off + chunk)));
      expect(found.map((f) => [f.seq, f.startSample, f.text])).toEqual([
        [0, 100, ''],
        [1, 1234, '投诉 噪音'],
        [2, 5000, ''],
      ]);
    }
  });

  it('ignores a corrupted marker (CRC)', () => {
    const m = encodePassthroughMarker({ seq: 7, sentAtMs: 5 });
    m[7] = m[7]! ^ 1;
    expect(decodePassthroughMarkers(m)).toEqual([]);
  });

  it('formats and parses the result text', () => {
    const text = formatPassthroughText({ seq: 42, sentAtMs: 1718000000123.456, text: ' 路灯  坏了 ' });
    expect(text).toBe('#42@1718000000123.456 路灯 坏了');
    expect(parsePassthroughText(text)).toEqual({ seq: 42, sentAtMs: 1718000000123.456, text: '路灯 坏了' });
    expect(parsePassthroughText('#7@12.000')).toEqual({ seq: 7, sentAtMs: 12, text: '' });
    expect(parsePassthroughText('hello')).toBeUndefined();
  });

  it('rejects out-of-range input', () => {
    expect(() => encodePassthroughMarker({ seq: -1 })).toThrow(RangeError);
    expect(() => encodePassthroughMarker({ seq: 1, text: 'x'.repeat(5000) })).toThrow(RangeError);
    expect(() => embedPassthroughMarker(new Int16Array(5), encodePassthroughMarker({ seq: 1 }))).toThrow(RangeError);
  });
});

describe('pass-through recogniser', () => {
  function open(rec: PassthroughRecognizer, results: RecognitionResult[], signal?: AbortSignal) {
    return rec.createStream({ sampleRateHz: 8000, speaker: 'caller', language: 'zh-CN', onResult: (r) => results.push(r), ...(signal ? { signal } : {}) });
  }

  it('emits a final per marker, asynchronously, with the marker position as times', async () => {
    const rec = new PassthroughRecognizer();
    const results: RecognitionResult[] = [];
    const stream = open(rec, results);
    const frame = new Int16Array(160); // 20 ms at 8 kHz
    const sentAtMs = performance.timeOrigin + performance.now();
    embedPassthroughMarker(frame, encodePassthroughMarker({ seq: 3, sentAtMs, text: '你好' }), 40);
    stream.pushAudio(new Int16Array(160));
    stream.pushAudio(frame);
    expect(results).toHaveLength(0); // never inside pushAudio
    await Promise.resolve();
    expect(results).toHaveLength(1);
    const r = results[0]!;
    expect(r.kind).toBe('final');
    expect(r.startMs).toBe(25); // (160 + 40) samples / 8 kHz
    expect(r.speaker).toBe('caller');
    const parsed = parsePassthroughText(r.text)!;
    expect(parsed.seq).toBe(3);
    expect(parsed.text).toBe('你好');
    expect(parsed.sentAtMs).toBeCloseTo(sentAtMs, 2);
    await stream.end();
  });

  it('emits a final per segmentMs of audio, and the remainder at end()', async () => {
    const rec = new PassthroughRecognizer({ segmentMs: 100 });
    const results: RecognitionResult[] = [];
    const stream = open(rec, results);
    for (let i = 0; i < 12; i++) stream.pushAudio(new Int16Array(160)); // 240 ms
    await stream.end();
    expect(results.map((r) => [r.text, r.startMs, r.endMs])).toEqual([
      ['segment 1', 0, 100],
      ['segment 2', 100, 200],
      ['segment 3', 200, 240],
    ]);
  });

  it('close() and abort stop results; unknown languages are rejected', async () => {
    const rec = new PassthroughRecognizer();
    const results: RecognitionResult[] = [];
    const ac = new AbortController();
    const stream = open(rec, results, ac.signal);
    stream.pushAudio(encodePassthroughMarker({ seq: 1 }));
    ac.abort(); // before the microtask delivers
    stream.pushAudio(encodePassthroughMarker({ seq: 2 }));
    await stream.end();
    expect(results).toHaveLength(0);
    expect(() => rec.createStream({ sampleRateHz: 8000, speaker: 'caller', language: 'fr-FR', onResult: () => {} })).toThrow(UnsupportedLanguageError);
  });
});
