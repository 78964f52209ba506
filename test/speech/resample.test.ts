import { describe, expect, it } from 'vitest';
import { createResampler, HALF_TAPS, resample } from '../../src/speech/resample.js';

function tone(hz: number, rate: number, n: number, amp = 10000): Int16Array {
  return Int16Array.from({ length: n }, (_, i) => Math.round(amp * Math.sin((2 * Math.PI * hz * i) / rate)));
}
function rms(a: Int16Array, margin = 100): number {
  let s = 0;
  for (let i = margin; i < a.length - margin; i++) s += a[i]! ** 2;
  return Math.sqrt(s / (a.length - 2 * margin));
}

describe('resampling 8 kHz ⇄ 16 kHz', () => {
  it('upsampling reproduces in-band tones sample-accurately (no time shift)', () => {
    for (const hz of [300, 1000, 3000]) {
      const up = resample(tone(hz, 8000, 4000), 8000, 16000);
      const ref = tone(hz, 16000, 8000);
      expect(up.length).toBe(8000);
      let maxErr = 0;
      for (let i = 200; i < up.length - 200; i++) maxErr = Math.max(maxErr, Math.abs(up[i]! - ref[i]!));
      expect(maxErr).toBeLessThan(10);
    }
  });

  it('downsampling keeps the telephone band and removes what would alias', () => {
    expect(rms(resample(tone(1000, 16000, 16000), 16000, 8000)) / rms(tone(1000, 16000, 16000))).toBeCloseTo(1, 2);
    expect(rms(resample(tone(6000, 16000, 16000), 16000, 8000))).toBeLessThan(5); // would alias to 2 kHz
  });

  it('streaming in 20 ms chunks equals one-shot conversion, in both directions', () => {
    for (const [inRate, outRate] of [
      [8000, 16000],
      [16000, 8000],
    ] as const) {
      const x = tone(440, inRate, 3001);
      const r = createResampler(inRate, outRate);
      const parts: number[] = [];
      for (let off = 0; off < x.length; off += inRate / 50) parts.push(...r.push(x.subarray(off, off + inRate / 50)));
      parts.push(...r.flush());
      expect(parts).toEqual(Array.from(resample(x, inRate, outRate)));
    }
  });

  it('holds back only the look-ahead while streaming', () => {
    const r = createResampler(8000, 16000);
    expect(r.push(new Int16Array(160)).length).toBe(2 * (160 - HALF_TAPS));
    expect(r.flush().length).toBe(2 * HALF_TAPS);
  });

  it('rejects other ratios', () => {
    expect(() => createResampler(8000, 44100)).toThrow(RangeError);
  });
});
