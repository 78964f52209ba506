/**
 * Streaming 2× sample-rate conversion between 8 kHz (telephony, `8k` audio forks) and 16 kHz
 * (wide-band models), with a half-band windowed-sinc FIR (Blackman window, 2×HALF_TAPS taps on
 * the non-trivial phase; passband ripple < 0.1 dB to ~3.4 kHz at 8 kHz, stopband < −70 dB).
 *
 * Streaming: each `push` returns the output for the input received so far, except the last
 * `HALF_TAPS` input samples which wait for look-ahead; `flush` pads with silence and returns the rest.
 * Output sample i corresponds exactly to time i / outRate (no time shift, only latency of
 * HALF_TAPS / inRate = 2 ms at 8 kHz), and over a whole stream `out.length = in.length × ratio`.
 */

/** Taps on each side of the interpolation point: 16 → latency 2 ms at 8 kHz, 1 ms at 16 kHz. */
export const HALF_TAPS = 16;

/** A streaming converter of mono 16-bit PCM. */
export interface Resampler {
  readonly inRateHz: number;
  readonly outRateHz: number;
  /** Convert the next chunk; returns a new array (possibly empty). */
  push(samples: Int16Array): Int16Array;
  /** End of stream: return the remaining samples. The resampler can then be reused from zero. */
  flush(): Int16Array;
}

/** c[j] = weight of the two input samples at distance j + ½ from the half-sample point. */
const COEFFS: Float64Array = (() => {
  const c = new Float64Array(HALF_TAPS);
  let sum = 0;
  for (let j = 0; j < HALF_TAPS; j++) {
    const t = j + 0.5;
    const sinc = Math.sin(Math.PI * t) / (Math.PI * t);
    const x = t / (HALF_TAPS + 0.5); // Blackman window over |t| < HALF_TAPS + ½
    const w = 0.42 + 0.5 * Math.cos(Math.PI * x) + 0.08 * Math.cos(2 * Math.PI * x);
    c[j] = sinc * w;
    sum += c[j]!;
  }
  for (let j = 0; j < HALF_TAPS; j++) c[j] = c[j]! * (0.5 / sum); // DC gain 1: 2·Σc = 1
  return c;
})();

function clamp16(v: number): number {
  const r = Math.round(v);
  return r > 32767 ? 32767 : r < -32768 ? -32768 : r;
}

/**
 * Input buffer: `back` samples of history (zeros at stream start) before `start`, the index of
 * the next input sample that has not yet been used as a filter centre.
 */
class History {
  buf: Float64Array;
  start: number;
  constructor(private readonly back: number) {
    this.buf = new Float64Array(back);
    this.start = back;
  }
  reset(): void {
    this.buf = new Float64Array(this.back);
    this.start = this.back;
  }
  append(samples: Int16Array | Float64Array): void {
    const keepFrom = this.start - this.back;
    const kept = this.buf.length - keepFrom;
    const next = new Float64Array(kept + samples.length);
    next.set(this.buf.subarray(keepFrom));
    next.set(samples, kept);
    this.buf = next;
    this.start = this.back;
  }
}

class Upsampler2x implements Resampler {
  readonly outRateHz: number;
  /** Centre n reads buf[n − HALF_TAPS + 1 … n + HALF_TAPS]. */
  private readonly h = new History(HALF_TAPS);
  constructor(readonly inRateHz: number) {
    this.outRateHz = inRateHz * 2;
  }
  push(samples: Int16Array): Int16Array {
    this.h.append(samples);
    return this.run();
  }
  flush(): Int16Array {
    this.h.append(new Float64Array(HALF_TAPS));
    const out = this.run();
    this.h.reset();
    return out;
  }
  private run(): Int16Array {
    const { buf } = this.h;
    const end = buf.length - HALF_TAPS; // centres need HALF_TAPS samples of look-ahead
    const count = Math.max(0, end - this.h.start);
    const out = new Int16Array(count * 2);
    for (let k = 0, n = this.h.start; n < end; n++, k += 2) {
      let acc = 0;
      for (let j = 0; j < HALF_TAPS; j++) acc += COEFFS[j]! * (buf[n - j]! + buf[n + 1 + j]!);
      out[k] = clamp16(buf[n]!);
      out[k + 1] = clamp16(acc);
    }
    this.h.start = Math.max(this.h.start, end);
    return out;
  }
}

class Downsampler2x implements Resampler {
  readonly outRateHz: number;
  /** Centre n reads buf[n − REACH … n + REACH]. */
  private static readonly REACH = 2 * HALF_TAPS - 1;
  private readonly h = new History(Downsampler2x.REACH);
  /** Whether the sample at `h.start` has an even index in the stream (even samples are output centres). */
  private evenNext = true;
  constructor(readonly inRateHz: number) {
    this.outRateHz = inRateHz / 2;
  }
  push(samples: Int16Array): Int16Array {
    this.h.append(samples);
    return this.run();
  }
  flush(): Int16Array {
    this.h.append(new Float64Array(Downsampler2x.REACH));
    const out = this.run();
    this.h.reset();
    this.evenNext = true;
    return out;
  }
  private run(): Int16Array {
    const { buf } = this.h;
    const end = buf.length - Downsampler2x.REACH;
    const out = new Int16Array(Math.max(0, Math.ceil((end - this.h.start - (this.evenNext ? 0 : 1)) / 2)));
    let k = 0;
    for (let n = this.h.start; n < end; n++) {
      if (this.evenNext) {
        let acc = 0.5 * buf[n]!;
        for (let j = 0; j < HALF_TAPS; j++) acc += 0.5 * COEFFS[j]! * (buf[n - 2 * j - 1]! + buf[n + 2 * j + 1]!);
        out[k++] = clamp16(acc);
      }
      this.evenNext = !this.evenNext;
    }
    this.h.start = Math.max(this.h.start, end);
    return k === out.length ? out : out.subarray(0, k);
  }
}

class Identity implements Resampler {
  constructor(
    readonly inRateHz: number,
    readonly outRateHz: number = inRateHz,
  ) {}
  push(samples: Int16Array): Int16Array {
    return samples.slice();
  }
  flush(): Int16Array {
    return new Int16Array(0);
  }
}

/**
 * Create a streaming converter. Supported: equal rates (copy), ×2 up (e.g. 8000 → 16000),
 * ÷2 down (16000 → 8000).
 * @throws RangeError for any other ratio.
 */
export function createResampler(inRateHz: number, outRateHz: number): Resampler {
  if (inRateHz === outRateHz) return new Identity(inRateHz);
  if (outRateHz === inRateHz * 2) return new Upsampler2x(inRateHz);
  if (inRateHz === outRateHz * 2) return new Downsampler2x(inRateHz);
  throw new RangeError(`unsupported resampling ${inRateHz} Hz → ${outRateHz} Hz (only ×2 and ÷2)`);
}

/** Convert a whole buffer in one go (push + flush). */
export function resample(samples: Int16Array, inRateHz: number, outRateHz: number): Int16Array {
  const r = createResampler(inRateHz, outRateHz);
  const a = r.push(samples);
  const b = r.flush();
  const out = new Int16Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
