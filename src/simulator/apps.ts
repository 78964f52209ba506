/**
 * Dialplan applications run through `sendmsg … call-command: execute` (and uuid_broadcast,
 * originate `&app()`). Applications queue per channel and run one at a time, like FreeSWITCH's
 * private event queue: CHANNEL_EXECUTE (with `Application-UUID` = the sendmsg `Event-UUID`),
 * the application's own events, CHANNEL_EXECUTE_COMPLETE with `Application-Response`.
 */
import { AudioFileNotFoundError, loadClip, type AudioClip } from './audio.js';
import type { CallControl } from './calls.js';
import type { AppRequest, Channel, RunningApp } from './channel.js';
import type { SwitchCore } from './core.js';
import { clipFrames, samplesPerFrame } from './media.js';

/** What an application implementation gets. */
export interface AppContext {
  readonly ch: Channel;
  readonly arg: string | undefined;
  readonly running: RunningApp;
  /** Aborted when the channel hangs up. */
  readonly signal: AbortSignal;
}

/** An application. Resolve `'detach'` to leave the application running without a COMPLETE (park). */
export type AppImpl = (ctx: AppContext) => Promise<void | 'detach'>;

/** Hooks for applications that need other modules (recording, eavesdrop, transfer). */
export interface AppHooks {
  startRecording(ch: Channel, path: string, limitSec: number): void;
  stopRecording(ch: Channel, path: string): boolean;
  eavesdrop(ch: Channel, targetUuid: string, signal: AbortSignal): Promise<void>;
  transfer(ch: Channel, dest: string, dialplan: string, context: string): void;
}

type PlayStatus = 'done' | 'break' | 'notfound' | 'error' | 'hangup';

export class Applications {
  readonly registry = new Map<string, AppImpl>();

  constructor(
    private readonly core: SwitchCore,
    private readonly calls: CallControl,
    private readonly hooks: AppHooks,
  ) {
    this.registerBuiltins();
  }

  /** Queues an application; it starts on the next tick at the earliest (FreeSWITCH: ~20 ms after `+OK`). */
  enqueue(ch: Channel, req: AppRequest): void {
    if (!ch.alive) return;
    ch.queue.push(req);
    this.core.clock.after(0, () => this.pump(ch));
  }

  private pump(ch: Channel): void {
    if (ch.running || !ch.alive) return;
    const req = ch.queue.shift();
    if (req) void this.run(ch, req);
  }

  private async run(ch: Channel, req: AppRequest): Promise<void> {
    const impl = this.registry.get(req.name);
    if (!impl) {
      this.core.log.warn({ uuid: ch.uuid, app: req.name }, 'Invalid Application (ignored)');
      this.pump(ch);
      return;
    }
    const v = ch.vars;
    if (req.loops) {
      v.set('current_loop', '1');
      v.set('total_loops', '1');
    }
    v.delete('current_application_response');
    v.set('current_application', req.name);
    v.set('current_application_data', req.arg);
    ch.lastApp = { name: req.name, arg: req.arg };
    const running: RunningApp = { req, hangup: new AbortController(), breakPlayback: new AbortController() };
    ch.running = running;
    const head: Array<[string, string]> = [['Application', req.name]];
    if (req.arg) head.push(['Application-Data', req.arg]);
    this.core.channelEvent(ch, 'CHANNEL_EXECUTE', { late: req.noAppUuid ? head : [...head, ['Application-UUID', req.appUuid]] });
    ch.signal({ type: 'execute', app: req.name, arg: req.arg });
    let detach = false;
    try {
      detach = (await impl({ ch, arg: req.arg, running, signal: running.hangup.signal })) === 'detach';
    } catch (err) {
      this.core.log.error({ err, uuid: ch.uuid, app: req.name }, 'application failed');
    }
    if (running.completedByHangup || ch.running !== running) return;
    ch.running = undefined;
    if (!detach) {
      const late = [...head, ['Application-Response', v.get('current_application_response') ?? '_none_'] as [string, string]];
      if (!req.noAppUuid) late.push(['Application-UUID', req.appUuid]);
      this.core.channelEvent(ch, 'CHANNEL_EXECUTE_COMPLETE', { late });
    }
    if (req.loops) {
      v.delete('current_loop');
      v.delete('total_loops');
    }
    if (req.after && !detach) req.after();
    this.pump(ch);
  }

  /** uuid_break: stops the current prompt; `all` also drops queued applications. */
  breakPlayback(ch: Channel, all: boolean): void {
    if (all) ch.queue.length = 0;
    const r = ch.running;
    if (r) {
      r.breakPlayback.abort();
      r.breakPlayback = new AbortController();
    } else if (ch.playback) {
      const pb = ch.playback;
      ch.playback = undefined;
      pb.done(true);
    }
  }

  /**
   * Plays a file on the channel's write side with PLAYBACK_START/STOP and the playback_* variables.
   * `onDigit` returns true to interrupt the prompt. Resolves when the prompt ends.
   */
  play(ch: Channel, running: RunningApp | undefined, file: string, onDigit?: (digit: string) => boolean): Promise<PlayStatus> {
    let clip: AudioClip;
    try {
      clip = loadClip(file);
    } catch (err) {
      return Promise.resolve(err instanceof AudioFileNotFoundError ? 'notfound' : 'error');
    }
    if (!ch.alive) return Promise.resolve('hangup');
    if (!ch.mediaUp) this.calls.preAnswer(ch);
    const v = ch.vars;
    const data = v.get('current_application_data');
    if (data !== undefined) v.set('current_application_data', data);
    const app = v.get('current_application');
    if (app !== undefined) v.set('current_application', app);
    this.core.channelEvent(ch, 'PLAYBACK_START', { late: [['Playback-File-Path', file]] });
    ch.signal({ type: 'playbackStart', file });
    const frames = clipFrames(clip, ch);
    return new Promise<PlayStatus>((resolve) => {
      const breakSignal = running?.breakPlayback.signal;
      const onBreak = () => {
        if (ch.playback === state) {
          ch.playback = undefined;
          state.done(true);
        }
      };
      const state = {
        clip,
        frame: 0,
        frames,
        done: (broken: boolean) => {
          breakSignal?.removeEventListener('abort', onBreak);
          if (ch.dtmfWaiter === digitWaiter) ch.dtmfWaiter = undefined;
          const played = Math.min(state.frame, frames);
          const spfFile = samplesPerFrame(clip.sourceRate, ch.ptimeMs);
          const samples = Math.min(clip.samples.length, played * spfFile);
          const ms = Math.round((samples * 1000) / clip.sourceRate);
          v.set('playback_last_offset_pos', String(samples));
          v.set('playback_seconds', String(Math.floor(ms / 1000)));
          v.set('playback_ms', String(ms));
          v.set('playback_samples', String(samples));
          this.core.channelEvent(ch, 'PLAYBACK_STOP', {
            late: [
              ['Playback-File-Path', file],
              ['Playback-Status', broken ? 'break' : 'done'],
            ],
          });
          ch.signal({ type: 'playbackStop', file, broken });
          resolve(!ch.alive ? 'hangup' : broken ? 'break' : 'done');
        },
      };
      const digitWaiter = (d: string) => {
        if (onDigit?.(d)) onBreak();
      };
      if (onDigit) ch.dtmfWaiter = digitWaiter;
      breakSignal?.addEventListener('abort', onBreak, { once: true });
      ch.playback = state;
      if (breakSignal?.aborted) onBreak();
    });
  }

  /** Waits for DTMF like `switch_ivr_collect_digits_count`. */
  private collect(
    ch: Channel,
    signal: AbortSignal,
    initial: string,
    max: number,
    terminators: string,
    firstTimeoutMs: number,
    digitTimeoutMs: number,
  ): Promise<{ digits: string; terminator: string; status: 'success' | 'timeout' | 'hangup' }> {
    return new Promise((resolve) => {
      let digits = initial;
      let timer: { cancel(): void } | undefined;
      const finish = (status: 'success' | 'timeout' | 'hangup', terminator = '') => {
        timer?.cancel();
        if (ch.dtmfWaiter === onDigit) ch.dtmfWaiter = undefined;
        signal.removeEventListener('abort', onAbort);
        resolve({ digits, terminator, status });
      };
      const arm = () => {
        timer?.cancel();
        timer = this.core.clock.after(digits.length ? digitTimeoutMs : firstTimeoutMs, () => finish('timeout'));
      };
      const onDigit = (d: string) => {
        if (terminators.includes(d)) return finish('success', d);
        digits += d;
        if (digits.length >= max) return finish('success');
        arm();
      };
      const onAbort = () => finish('hangup');
      signal.addEventListener('abort', onAbort, { once: true });
      if (digits.length >= max) return finish('success');
      ch.dtmfWaiter = onDigit;
      while (ch.dtmfBuffer.length > 0 && ch.dtmfWaiter === onDigit) onDigit(ch.dtmfBuffer.shift()!);
      if (ch.dtmfWaiter !== onDigit) return;
      arm();
    });
  }

  private async playAndGetDigits(ctx: AppContext): Promise<void> {
    const { ch, running, signal } = ctx;
    const a = (ctx.arg ?? '').split(/\s+/).filter(Boolean);
    const min = Number(a[0] ?? 0);
    const max = Math.max(1, Number(a[1] ?? 1));
    let tries = Math.max(1, Number(a[2] ?? 1));
    const timeout = Number(a[3] ?? 5000);
    const termArg = a[4] ?? '#';
    const terminators = termArg === 'none' ? '' : termArg;
    const prompt = a[5] ?? '';
    const invalid = a[6];
    const varName = a[7];
    const regex = a[8];
    const digitTimeout = a[9] ? Number(a[9]) : timeout;
    const v = ch.vars;
    while (ch.alive && tries > 0) {
      let typed = '';
      if (prompt && prompt !== 'silence') {
        const st = await this.play(ch, running, prompt, (d) => {
          typed += d;
          return true;
        });
        if (st === 'hangup' || !ch.alive) return;
      }
      const got = await this.collect(ch, signal, typed, max, terminators, timeout, digitTimeout);
      if (got.status === 'hangup' || !ch.alive) return;
      let digits = got.digits;
      let status: string = got.status;
      if (got.terminator) v.set('read_terminator_used', got.terminator);
      if (min && digits.length < min) status = 'too_small';
      v.set('read_result', status === 'success' ? 'success' : status === 'timeout' ? 'timeout' : 'failure');
      if (max === 1 && digits.length === 1 && terminators.includes(digits)) digits = '';
      if (varName && digits) v.set(varName, digits);
      if (status === 'timeout' && digits.length >= min) status = 'success';
      if (status === 'success' && digits) {
        let ok = true;
        if (regex) {
          try {
            ok = new RegExp(regex).test(digits);
          } catch {
            ok = true;
          }
        }
        if (ok) return;
        if (varName) v.delete(varName);
      }
      if (!ch.alive) return;
      if (invalid) await this.play(ch, running, invalid);
      tries--;
    }
  }

  private registerBuiltins(): void {
    const r = this.registry;
    const noop: AppImpl = async () => {};
    for (const name of ['log', 'info', 'event', 'start_dtmf', 'stop_dtmf', 'send_dtmf', 'ring_ready', 'hash', 'db', 'sched_cancel', 'flush_dtmf']) {
      r.set(name, noop);
    }
    r.set('answer', async ({ ch }) => this.calls.answer(ch, true));
    r.set('pre_answer', async ({ ch }) => this.calls.preAnswer(ch));
    r.set('playback', async ({ ch, arg, running }) => {
      const files = (arg ?? '').replace(/^file_string:\/\//, '').split('!').filter(Boolean);
      let result: PlayStatus = 'done';
      ch.vars.set('playback_terminator_used', undefined);
      for (const file of files) {
        result = await this.play(ch, running, file, (d) => {
          const t = ch.vars.get('playback_terminators') ?? '*';
          if (t !== 'none' && t.includes(d)) {
            ch.vars.set('playback_terminator_used', d);
            return true;
          }
          return false;
        });
        if (result !== 'done') break;
      }
      if (!ch.alive) return;
      ch.vars.set(
        'current_application_response',
        result === 'done' || result === 'break' ? 'FILE PLAYED' : result === 'notfound' ? 'FILE NOT FOUND' : 'PLAYBACK ERROR',
      );
    });
    r.set('endless_playback', async ({ ch, arg, running }) => {
      let st: PlayStatus = 'done';
      while (ch.alive && st === 'done') st = await this.play(ch, running, arg ?? '');
      if (ch.alive) ch.vars.set('current_application_response', st === 'notfound' ? 'FILE NOT FOUND' : 'FILE PLAYED');
    });
    r.set('play_and_get_digits', (ctx) => this.playAndGetDigits(ctx));
    r.set('set', async ({ ch, arg }) => {
      setVar(ch, arg ?? '');
    });
    r.set('export', async ({ ch, arg }) => {
      const name = setVar(ch, (arg ?? '').replace(/^nolocal:/, ''));
      if (!name) return;
      const list = (ch.vars.get('export_vars') ?? '').split(',').filter(Boolean);
      if (!list.includes(name)) list.push(name);
      ch.vars.set('export_vars', list.join(','));
    });
    r.set('multiset', async ({ ch, arg }) => {
      const s = arg ?? '';
      const m = /^\^\^(.)(.*)$/.exec(s);
      for (const part of m ? m[2]!.split(m[1]!) : s.split(' ')) if (part) setVar(ch, part);
    });
    r.set('unset', async ({ ch, arg }) => ch.vars.delete((arg ?? '').trim()));
    r.set('sleep', async ({ arg, signal }) => this.core.clock.sleep(Number(arg ?? 0) || 0, signal));
    r.set('hangup', async ({ ch, arg }) => this.calls.hangup(ch, (arg ?? '').trim() || 'NORMAL_CLEARING'));
    r.set('park', async ({ ch, running }) => {
      if (ch.parked || ch.parkApp) return;
      ch.parkApp = { uuid: running.req.appUuid };
      this.calls.park(ch);
      return 'detach';
    });
    r.set('echo', async ({ signal }) => waitAbort(signal));
    r.set('speak', async ({ ch, arg, running }) => {
      const text = (arg ?? '').split('|').pop() ?? '';
      const ms = Math.max(500, Math.min(60000, [...text].length * 220));
      await this.play(ch, running, `silence_stream://${ms}`);
    });
    r.set('record_session', async ({ ch, arg }) => {
      const [path, limit] = (arg ?? '').split(/\s+/);
      if (path) this.hooks.startRecording(ch, path, Number(limit ?? 0) || 0);
    });
    r.set('stop_record_session', async ({ ch, arg }) => {
      this.hooks.stopRecording(ch, (arg ?? 'all').trim() || 'all');
    });
    r.set('sched_hangup', async ({ ch, arg }) => {
      const [when, cause] = (arg ?? '').trim().split(/\s+/);
      const sec = Number((when ?? '0').replace(/^\+/, '')) || 0;
      this.core.clock.after(sec * 1000, () => this.calls.hangup(ch, cause || 'ALLOTTED_TIMEOUT'));
    });
    r.set('eavesdrop', async ({ ch, arg, signal }) => this.hooks.eavesdrop(ch, (arg ?? '').trim(), signal));
    r.set('transfer', async ({ ch, arg }) => {
      const [dest, dialplan, context] = (arg ?? '').trim().split(/\s+/);
      if (dest) this.hooks.transfer(ch, dest, dialplan ?? 'XML', context ?? 'default');
    });
    r.set('break', async ({ ch }) => this.breakPlayback(ch, false));
  }
}

/** `set`-style `name=value`; an empty value unsets. Returns the name. */
function setVar(ch: Channel, arg: string): string | undefined {
  const i = arg.indexOf('=');
  if (i <= 0) return undefined;
  const name = arg.slice(0, i).trim();
  ch.vars.set(name, arg.slice(i + 1));
  return name;
}

function waitAbort(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
