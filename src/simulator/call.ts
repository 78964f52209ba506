/**
 * {@link SimulatedCall}: the handle returned by `placeCall` — the channel's uuid, a live log of what
 * happened (prompts played, digits sent, forks, bridges, transfers, recordings), the `ended`
 * promise, imperative controls (press keys, speak, hang up) and the script runner.
 */
import { EventEmitter } from 'node:events';
import { loadClip } from './audio.js';
import type { CallControl } from './calls.js';
import type { Channel, ChannelSignal } from './channel.js';
import type { SwitchCore } from './core.js';
import type { MediaEngine } from './media.js';
import type { CallScript, ScriptAction, ScriptDo } from './scripts.js';

/** What happened on a simulated call. Times are simulated ms since the simulator started. */
export interface CallLog {
  readonly uuid: string;
  readonly caller: string;
  readonly destination: string;
  readonly placedAtMs: number;
  answeredAtMs: number | undefined;
  endedAtMs: number | undefined;
  hangupCause: string | undefined;
  /** Prompts written to the caller (playback, play_and_get_digits, broadcast). */
  readonly prompts: Array<{ file: string; startMs: number; stopMs?: number; broken?: boolean }>;
  /** Digits the caller pressed, one entry per digit. */
  readonly digitsSent: string[];
  /** Files the caller spoke. */
  readonly said: Array<{ file: string; atMs: number }>;
  /** Applications executed on the caller leg. */
  readonly apps: Array<{ app: string; arg?: string; atMs: number }>;
  /** Audio streams opened towards the server. */
  readonly forks: Array<{ url: string; mix: string; rate: number; module: string; startMs: number; stopMs?: number }>;
  readonly bridges: Array<{ otherUuid: string; startMs: number; endMs?: number }>;
  readonly transfers: Array<{ dest: string; dialplan: string; context: string; atMs: number }>;
  /** Recordings of this leg; `finished` resolves when the WAV file is complete on disk. */
  readonly recordings: Array<{ path: string; startMs: number; stopMs?: number; finished?: Promise<void> }>;
  /** Latency markers written into the caller's audio; `sentAtMs` is set when the first word went out. */
  readonly markers: Array<{ seq: number; text: string; queuedAtMs: number; sentAtMs?: number }>;
  /** Script problems (e.g. a missing WAV). */
  readonly errors: string[];
}

/** Resolution of {@link SimulatedCall.ended}. */
export interface CallResult {
  readonly uuid: string;
  readonly hangupCause: string;
  readonly answered: boolean;
  /** Simulated ms from placement to the end. */
  readonly durationMs: number;
  readonly log: CallLog;
}

/** Raised by {@link SimulatedCall.waitFor} on timeout or when the call ends first. */
export class CallWaitError extends Error {
  override readonly name = 'CallWaitError' as const;
}

export interface CallDeps {
  readonly core: SwitchCore;
  readonly calls: CallControl;
  readonly media: MediaEngine;
}

export class SimulatedCall {
  readonly uuid: string;
  readonly log: CallLog;
  /** Resolves when the caller's channel is destroyed. Never rejects. */
  readonly ended: Promise<CallResult>;
  private readonly emitter = new EventEmitter();
  private readonly remaining = new Map<ScriptAction, number>();

  constructor(
    private readonly deps: CallDeps,
    private readonly ch: Channel,
    private readonly script: CallScript,
  ) {
    this.uuid = ch.uuid;
    this.emitter.setMaxListeners(100);
    const now = () => deps.core.clock.now();
    const log: CallLog = {
      uuid: ch.uuid,
      caller: ch.profile.callerIdNumber ?? '',
      destination: ch.profile.destinationNumber,
      placedAtMs: now(),
      answeredAtMs: undefined,
      endedAtMs: undefined,
      hangupCause: undefined,
      prompts: [],
      digitsSent: [],
      said: [],
      apps: [],
      forks: [],
      bridges: [],
      transfers: [],
      recordings: [],
      markers: [],
      errors: [],
    };
    this.log = log;
    for (const a of script.actions ?? []) this.remaining.set(a, a.times ?? 1);
    this.ended = new Promise((resolve) => {
      ch.signals.once('destroyed', () => {
        log.endedAtMs = now();
        resolve({
          uuid: ch.uuid,
          hangupCause: ch.hangupCause ?? 'NORMAL_CLEARING',
          answered: ch.answered,
          durationMs: log.endedAtMs - log.placedAtMs,
          log,
        });
      });
    });
    ch.signals.on('signal', (s: ChannelSignal) => {
      this.record(s);
      this.emitter.emit('signal', s);
      this.trigger(s);
    });
  }

  /** Starts the script (called by the simulator right after the channel parked). */
  start(): void {
    const { script } = this;
    if (script.say) this.say(script.say);
    if (script.hangupAfterMs !== undefined) this.deps.core.clock.after(script.hangupAfterMs, () => this.hangup());
    this.trigger({ type: 'park' }, 'placed');
    this.trigger({ type: 'park' });
  }

  private record(s: ChannelSignal): void {
    const t = this.deps.core.clock.now();
    const l = this.log;
    switch (s.type) {
      case 'answer':
        l.answeredAtMs ??= t;
        break;
      case 'playbackStart':
        l.prompts.push({ file: s.file, startMs: t });
        break;
      case 'playbackStop': {
        const p = [...l.prompts].reverse().find((x) => x.file === s.file && x.stopMs === undefined);
        if (p) Object.assign(p, { stopMs: t, broken: s.broken });
        break;
      }
      case 'dtmf':
        l.digitsSent.push(s.digit);
        break;
      case 'execute':
        l.apps.push({ app: s.app, arg: s.arg, atMs: t });
        break;
      case 'forkStart':
        l.forks.push({ url: s.url, mix: s.mix, rate: s.rate, module: s.module, startMs: t });
        break;
      case 'forkStop': {
        const f = [...l.forks].reverse().find((x) => x.url === s.url && x.stopMs === undefined);
        if (f) f.stopMs = t;
        break;
      }
      case 'bridge':
        l.bridges.push({ otherUuid: s.otherUuid, startMs: t });
        break;
      case 'unbridge': {
        const b = l.bridges.find((x) => x.otherUuid === s.otherUuid && x.endMs === undefined);
        if (b) b.endMs = t;
        break;
      }
      case 'transfer':
        l.transfers.push({ dest: s.dest, dialplan: s.dialplan, context: s.context, atMs: t });
        break;
      case 'recordStart':
        l.recordings.push({ path: s.path, startMs: t });
        break;
      case 'recordStop': {
        const r = l.recordings.find((x) => x.path === s.path && x.stopMs === undefined);
        if (r) Object.assign(r, { stopMs: t, finished: s.finished });
        break;
      }
      case 'hangup':
        l.hangupCause = s.cause;
        break;
      default:
        break;
    }
  }

  private matches(a: ScriptAction, s: ChannelSignal): boolean {
    const m = a.match;
    if (m === undefined) return true;
    switch (s.type) {
      case 'playbackStart':
      case 'playbackStop':
        return s.file.includes(m);
      case 'forkStart':
      case 'forkStop':
        return s.url.includes(m);
      case 'execute':
        return s.app === m || s.app.includes(m) || (s.arg ?? '').includes(m);
      case 'dtmf':
        return s.digit === m;
      case 'bridge':
      case 'unbridge':
        return s.otherUuid.includes(m);
      case 'recordStart':
      case 'recordStop':
        return s.path.includes(m);
      default:
        return true;
    }
  }

  private trigger(s: ChannelSignal, as: string = s.type): void {
    for (const [a, left] of this.remaining) {
      if (a.on !== as || !this.matches(a, s)) continue;
      if (left === 0 && (a.times ?? 1) !== 0) continue;
      if ((a.times ?? 1) !== 0) this.remaining.set(a, left - 1);
      this.deps.core.clock.after(a.delayMs ?? 0, () => this.perform(a.do));
    }
  }

  private perform(d: ScriptDo): void {
    if (!this.ch.alive) return;
    if ('dtmf' in d) this.sendDtmf(d.dtmf);
    else if ('say' in d) this.say(d.say);
    else if ('hangup' in d) this.hangup(d.hangup === true ? 'NORMAL_CLEARING' : d.hangup);
    else if ('silence' in d) this.deps.media.stopSaying(this.ch);
    else if ('marker' in d) this.sendMarker(d.marker === true ? '' : d.marker);
  }

  /** True until the caller's channel hangs up. */
  get alive(): boolean {
    return this.ch.alive;
  }

  /** The caller presses keys: one DTMF event per digit, `dtmfIntervalMs` (default 200) apart. */
  sendDtmf(digits: string): void {
    const gap = this.script.dtmfIntervalMs ?? 200;
    [...digits].forEach((digit, i) => {
      const send = () => this.deps.calls.dtmf(this.ch, digit.toUpperCase());
      if (i === 0) send();
      else this.deps.core.clock.after(i * gap, send);
    });
  }

  /** The caller starts speaking `file` (WAV or 16 kHz .raw) from the next frame on. */
  say(file: string): void {
    try {
      this.deps.media.say(this.ch, loadClip(file));
      this.log.said.push({ file, atMs: this.deps.core.clock.now() });
    } catch (err) {
      this.log.errors.push(`say ${file}: ${(err as Error).message}`);
      this.deps.core.log.warn({ err, uuid: this.uuid }, 'caller audio unusable');
    }
  }

  /**
   * Queues a latency marker (the pass-through recogniser format, see markers.ts) into the caller's
   * audio of this channel's audio streams. It goes out bit-exact in the next frame that an open
   * stream sends (left channel of a stereo fork). Returns its sequence number; `log.markers` gets
   * the send time.
   */
  sendMarker(text = ''): number {
    const seq = this.deps.core.nextMarkerSeq();
    const entry: { seq: number; text: string; queuedAtMs: number; sentAtMs?: number } = { seq, text, queuedAtMs: this.deps.core.clock.now() };
    this.log.markers.push(entry);
    this.ch.markers.push({ seq, text, pos: 0, onSent: (t) => (entry.sentAtMs = t) });
    return seq;
  }

  /** The caller hangs up (BYE when answered, CANCEL before). */
  hangup(cause = 'NORMAL_CLEARING'): void {
    this.deps.calls.hangup(this.ch, cause, true);
  }

  /** Subscribes to channel signals (answer, playbackStart, bridge, …). Returns the unsubscribe function. */
  on(listener: (s: ChannelSignal) => void): () => void {
    this.emitter.on('signal', listener);
    return () => this.emitter.off('signal', listener);
  }

  /**
   * Resolves with the next signal of `type` (optionally whose file/url/app/digit contains `match`).
   * Rejects with {@link CallWaitError} after `timeoutMs` real ms (default 10000) or if the call ends.
   */
  waitFor<T extends ChannelSignal['type']>(type: T, opts: { match?: string; timeoutMs?: number } = {}): Promise<Extract<ChannelSignal, { type: T }>> {
    return new Promise((resolve, reject) => {
      const probe: ScriptAction = { on: type as ScriptAction['on'], match: opts.match, do: { silence: true } };
      const timer = setTimeout(() => done(new CallWaitError(`timeout waiting for ${type} on ${this.uuid}`)), opts.timeoutMs ?? 10000);
      const off = this.on((s) => {
        if (s.type === type && this.matches(probe, s)) done(undefined, s as Extract<ChannelSignal, { type: T }>);
      });
      const onEnd = () => done(new CallWaitError(`call ${this.uuid} ended while waiting for ${type}`));
      this.ch.signals.once('destroyed', onEnd);
      function done(err?: Error, s?: Extract<ChannelSignal, { type: T }>) {
        clearTimeout(timer);
        off();
        cleanup();
        if (err) reject(err);
        else resolve(s!);
      }
      const cleanup = () => this.ch.signals.off('destroyed', onEnd);
    });
  }
}
