/**
 * One shared simulated clock for the whole simulator.
 *
 * Simulated time advances in ticks of one packetisation period (20 ms). On every tick the clock first
 * fires the timers that are due, then calls the tick listeners (the media engine produces one frame per
 * channel). `speed` maps simulated to real time: `1` = real time, `10` = ten times faster,
 * `0`/`Infinity` = unpaced (ticks run back to back, yielding to I/O between ticks and waiting for
 * registered back-pressure promises, e.g. a WebSocket that is not draining).
 *
 * A timer created with delay 0 fires on the next tick, never in the tick that created it, so a
 * FreeSWITCH-like "the application runs ~20 ms after `+OK`" falls out naturally.
 * When there are no timers and no listeners the clock stops and costs nothing.
 */

/** A cancellable timer. */
export interface TimerHandle {
  cancel(): void;
}

interface Timer {
  due: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** Milliseconds of simulated time per tick (one 20 ms audio frame). */
export const TICK_MS = 20;

/** Cap on ticks run in one wake-up when the process fell behind (GC pause, overload); the rest is dropped. */
const MAX_CATCH_UP_TICKS = 100;

export class SimClock {
  private simMs = 0;
  private seq = 0;
  private readonly heap: Timer[] = [];
  private readonly listeners = new Set<(simMs: number) => void>();
  private readonly holds = new Set<Promise<unknown>>();
  private running = false;
  private handle: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private anchorReal = 0;
  private ticksSinceAnchor = 0;
  private closed = false;
  /** Number of ticks run so far (diagnostics). */
  ticks = 0;

  /**
   * @param speed simulated ms per real ms; `0` or `Infinity` = unpaced.
   * @param onError called when a timer or listener throws (the clock keeps running).
   */
  constructor(
    readonly speed: number,
    private readonly onError: (err: unknown) => void = (err) => {
      throw err;
    },
  ) {
    if (!(speed >= 0)) throw new RangeError(`speed must be >= 0 or Infinity, got ${speed}`);
  }

  /** True when ticks are not paced by real time. */
  get unpaced(): boolean {
    return this.speed === 0 || this.speed === Infinity;
  }

  /** Current simulated time in ms since the clock was created. */
  now(): number {
    return this.simMs;
  }

  /** Runs `fn` after `delayMs` of simulated time (at a tick boundary; 0 = next tick). */
  after(delayMs: number, fn: () => void): TimerHandle {
    const t: Timer = { due: this.simMs + Math.max(0, delayMs || 0), seq: ++this.seq, fn, cancelled: false };
    heapPush(this.heap, t);
    this.wake();
    return {
      cancel: () => {
        t.cancelled = true;
      },
    };
  }

  /** Resolves after `delayMs` of simulated time; resolves early (no rejection) when `signal` aborts. */
  sleep(delayMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const onAbort = () => {
        timer.cancel();
        resolve();
      };
      const timer = this.after(delayMs, () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Registers a per-tick listener (called after the timers of the tick). Returns the unsubscribe function. */
  onTick(fn: (simMs: number) => void): () => void {
    this.listeners.add(fn);
    this.wake();
    return () => {
      this.listeners.delete(fn);
    };
  }

  /** In unpaced mode, the next tick waits until `p` settles (used for socket back-pressure). No-op when paced. */
  holdUntil(p: Promise<unknown>): void {
    if (!this.unpaced) return;
    this.holds.add(p);
    void p.finally(() => this.holds.delete(p));
  }

  /** Stops the clock for good; pending timers never fire. */
  close(): void {
    this.closed = true;
    this.heap.length = 0;
    this.listeners.clear();
    this.clearHandle();
  }

  private hasWork(): boolean {
    return this.heap.length > 0 || this.listeners.size > 0;
  }

  private wake(): void {
    if (this.closed || this.handle) return;
    if (!this.running) {
      this.running = true;
      this.anchorReal = performance.now();
      this.ticksSinceAnchor = 0;
    }
    this.scheduleNext();
  }

  private clearHandle(): void {
    if (!this.handle) return;
    if (this.unpaced) clearImmediate(this.handle as NodeJS.Immediate);
    else clearTimeout(this.handle as NodeJS.Timeout);
    this.handle = undefined;
  }

  /** True while the tick loop is scheduled (diagnostics/tests). */
  get active(): boolean {
    return this.running;
  }

  private scheduleNext(): void {
    if (this.closed) return;
    if (!this.hasWork()) {
      this.running = false;
      return;
    }
    if (this.unpaced) {
      this.handle = setImmediate(() => {
        if (this.holds.size > 0) {
          // Keep `handle` set while waiting so wake() does not schedule a second loop.
          void Promise.allSettled([...this.holds]).then(() => {
            this.handle = undefined;
            if (this.closed) return;
            this.tick();
            this.scheduleNext();
          });
          return;
        }
        this.handle = undefined;
        this.tick();
        this.scheduleNext();
      });
      return;
    }
    const interval = TICK_MS / this.speed;
    const due = this.anchorReal + (this.ticksSinceAnchor + 1) * interval;
    const delay = Math.max(0, due - performance.now());
    this.handle = setTimeout(() => {
      this.handle = undefined;
      let n = Math.floor((performance.now() - this.anchorReal) / interval) - this.ticksSinceAnchor;
      if (n < 1) n = 1;
      if (n > MAX_CATCH_UP_TICKS) {
        n = MAX_CATCH_UP_TICKS;
        this.anchorReal = performance.now() - n * interval;
        this.ticksSinceAnchor = 0;
      }
      for (let i = 0; i < n && !this.closed && this.hasWork(); i++) {
        this.ticksSinceAnchor++;
        this.tick();
      }
      this.scheduleNext();
    }, delay);
  }

  private tick(): void {
    this.simMs += TICK_MS;
    this.ticks++;
    const maxSeq = this.seq;
    for (;;) {
      const top = this.heap[0];
      if (!top || top.due > this.simMs || top.seq > maxSeq) break;
      heapPop(this.heap);
      if (top.cancelled) continue;
      try {
        top.fn();
      } catch (err) {
        this.onError(err);
      }
    }
    for (const fn of this.listeners) {
      try {
        fn(this.simMs);
      } catch (err) {
        this.onError(err);
      }
    }
    // Drop cancelled timers at the top so an idle clock can stop.
    while (this.heap[0]?.cancelled) heapPop(this.heap);
  }
}

function less(a: Timer, b: Timer): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}

function heapPush(h: Timer[], t: Timer): void {
  h.push(t);
  let i = h.length - 1;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (!less(h[i]!, h[p]!)) break;
    [h[i], h[p]] = [h[p]!, h[i]!];
    i = p;
  }
}

function heapPop(h: Timer[]): Timer | undefined {
  const top = h[0];
  const last = h.pop();
  if (h.length > 0 && last) {
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && less(h[l]!, h[m]!)) m = l;
      if (r < h.length && less(h[r]!, h[m]!)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
  return top;
}
