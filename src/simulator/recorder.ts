/**
 * `uuid_record` / `record_session` (a real WAV file of the leg: mono = read+write mixed, stereo when
 * `RECORD_STEREO=true` with left = read (caller) and right = write) and the `eavesdrop` media bug.
 */
import { WavWriter } from './audio.js';
import type { Channel, MediaBug } from './channel.js';
import type { SwitchCore } from './core.js';
import { renderFrame, renderMixed, samplesPerFrame, type FrameRef } from './media.js';

export const RECORD_USAGE = '-USAGE: <uuid> [start|stop|mask|unmask] <path> [<limit>] [<recording_vars>]\n';

/** A finished or running recording, as reported to call logs. */
export interface RecordingInfo {
  readonly path: string;
  readonly stereo: boolean;
  readonly rate: number;
  /** Resolves when the WAV file is completely written and closed. */
  readonly finished: Promise<void>;
}

function truthy(v: string | undefined): boolean {
  return v !== undefined && /^(true|yes|on|1|enabled|active|allow)$/i.test(v);
}

export class RecordBug implements MediaBug {
  readonly functionName = 'session_record';
  readonly target: string;
  private readonly writer: WavWriter;
  private readonly spf: number;
  private readonly out: Int16Array;
  private readonly scratch: Int16Array;
  private frames = 0;
  private masked = false;
  private stopped = false;
  readonly info: RecordingInfo;
  private resolveFinished!: () => void;

  constructor(
    private readonly core: SwitchCore,
    private readonly ch: Channel,
    readonly path: string,
    private readonly limitFrames: number,
  ) {
    this.target = path;
    const stereo = truthy(ch.vars.get('RECORD_STEREO') ?? ch.vars.get('record_stereo'));
    const rate = Number(ch.vars.get('record_sample_rate') ?? ch.rate) || ch.rate;
    this.writer = new WavWriter(path, rate, stereo ? 2 : 1);
    this.spf = samplesPerFrame(rate, ch.ptimeMs);
    this.out = new Int16Array(this.spf * (stereo ? 2 : 1));
    this.scratch = new Int16Array(this.spf);
    const finished = new Promise<void>((r) => (this.resolveFinished = r));
    this.info = { path, stereo, rate, finished };
  }

  start(): void {
    this.ch.bugs.push(this);
    this.core.channelEvent(this.ch, 'MEDIA_BUG_START', {
      early: [
        ['Media-Bug-Function', this.functionName],
        ['Media-Bug-Target', this.target],
      ],
    });
    this.core.channelEvent(this.ch, 'RECORD_START', { late: [['Record-File-Path', this.path]] });
    this.ch.signal({ type: 'recordStart', path: this.path });
  }

  setMasked(masked: boolean): void {
    this.masked = masked;
  }

  onFrame(read: FrameRef, write: FrameRef | undefined): void {
    if (this.stopped) return;
    const { spf, out } = this;
    const rate = this.writer.rate;
    const r = this.masked ? null : read;
    const w = this.masked ? null : (write ?? null);
    if (this.info.stereo) {
      renderFrame(r, rate, this.ch.rate, spf, out, 0, 2);
      renderFrame(w, rate, this.ch.rate, spf, out, 1, 2);
    } else renderMixed(r, w, rate, this.ch.rate, spf, out, this.scratch);
    this.writer.append(out);
    this.frames++;
    if (this.limitFrames > 0 && this.frames >= this.limitFrames) this.stop('api');
  }

  stop(_reason: 'hangup' | 'api'): void {
    if (this.stopped) return;
    this.stopped = true;
    const i = this.ch.bugs.indexOf(this);
    if (i >= 0) this.ch.bugs.splice(i, 1);
    const samples = this.writer.dataBytes / 2 / (this.info.stereo ? 2 : 1);
    const v = this.ch.vars;
    v.set('record_samples', String(samples));
    v.set('record_seconds', String(Math.floor(samples / this.writer.rate)));
    v.set('record_ms', String(Math.floor((samples * 1000) / this.writer.rate)));
    this.core.channelEvent(this.ch, 'RECORD_STOP', { late: [['Record-File-Path', this.path]] });
    this.core.channelEvent(this.ch, 'MEDIA_BUG_STOP', {
      early: [
        ['Media-Bug-Function', this.functionName],
        ['Media-Bug-Target', this.target],
      ],
    });
    this.writer.close().then(this.resolveFinished, (err: unknown) => {
      this.core.log.error({ err, path: this.path }, 'recording write failed');
      this.resolveFinished();
    });
    this.ch.signal({ type: 'recordStop', path: this.path, finished: this.info.finished });
  }
}

/** Starts a recording; `limitSec` 0 = unlimited. */
export function startRecording(core: SwitchCore, ch: Channel, path: string, limitSec: number): RecordBug {
  const frames = limitSec > 0 ? Math.ceil((limitSec * 1000) / ch.ptimeMs) : 0;
  const bug = new RecordBug(core, ch, path, frames);
  bug.start();
  return bug;
}

/** Stops recordings of `path` (`all` = every recording). Returns false when none matched. */
export function stopRecording(ch: Channel, path: string): boolean {
  const bugs = ch.bugs.filter((b): b is RecordBug => b instanceof RecordBug && (path === 'all' || b.path === path));
  for (const b of bugs) b.stop('api');
  return bugs.length > 0;
}

/** Executes `uuid_record <args>`; returns the API reply. */
export function recordCommand(core: SwitchCore, args: string): string {
  const argv = args.trim().split(/\s+/).filter(Boolean);
  if (argv.length < 3) return RECORD_USAGE;
  const [uuid, action, path, limit] = argv as [string, string, string, string | undefined];
  const ch = core.channels.get(uuid);
  if (!ch || !ch.alive) return '-ERR Cannot locate session!\n';
  switch (action.toLowerCase()) {
    case 'start':
      try {
        startRecording(core, ch, path, Number(limit ?? 0) || 0);
        return '+OK Success\n';
      } catch {
        return '-ERR Cannot record session!\n';
      }
    case 'stop':
      return stopRecording(ch, path) ? '+OK Success\n' : '-ERR Cannot stop record session!\n';
    case 'mask':
    case 'unmask': {
      const bugs = ch.bugs.filter((b): b is RecordBug => b instanceof RecordBug && (path === 'all' || b.path === path));
      for (const b of bugs) b.setMasked(action.toLowerCase() === 'mask');
      return bugs.length ? '+OK Success\n' : `-ERR Cannot ${action.toLowerCase()} recording session!\n`;
    }
    default:
      return RECORD_USAGE;
  }
}

/** The eavesdrop media bug on the target leg (Media-Bug-Target = the target's uuid). */
class EavesdropBug implements MediaBug {
  readonly functionName = 'eavesdrop';
  private stopped = false;
  constructor(
    private readonly core: SwitchCore,
    private readonly ch: Channel,
    readonly target: string,
    private readonly onStop: () => void,
  ) {}
  onFrame(): void {}
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    const i = this.ch.bugs.indexOf(this);
    if (i >= 0) this.ch.bugs.splice(i, 1);
    this.core.channelEvent(this.ch, 'MEDIA_BUG_STOP', {
      early: [
        ['Media-Bug-Function', this.functionName],
        ['Media-Bug-Target', this.target],
      ],
    });
    this.onStop();
  }
}

/** Runs `eavesdrop <uuid>` for `listener` until either leg hangs up. */
export function eavesdrop(core: SwitchCore, _listener: Channel, targetUuid: string, signal: AbortSignal): Promise<void> {
  const target = core.channels.get(targetUuid);
  if (!target || !target.alive) return Promise.resolve();
  return new Promise((resolve) => {
    const bug = new EavesdropBug(core, target, target.uuid, () => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
    const onAbort = () => bug.stop();
    target.bugs.push(bug);
    core.channelEvent(target, 'MEDIA_BUG_START', {
      early: [
        ['Media-Bug-Function', bug.functionName],
        ['Media-Bug-Target', bug.target],
      ],
    });
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}
