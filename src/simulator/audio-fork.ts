/**
 * mod_audio_fork (`uuid_audio_fork`, drachtio) and mod_audio_stream (`uuid_audio_stream`,
 * amigniter) media bugs: each streams a channel's audio as L16 LE frames over a WebSocket that
 * the simulator opens towards the server, with the modules' API replies, CUSTOM events and
 * server→FreeSWITCH message handling.
 *
 * Reproduced behaviour: `+OK Success` before connecting; MEDIA_BUG_START/STOP; metadata as the
 * first text frame; stereo/mixed frames only while something is written to the channel; mono
 * continuous; server close echoed; hangup closes with 1000 and fires no module event.
 */
import type { Channel, MediaBug } from './channel.js';
import type { SwitchCore } from './core.js';
import { renderFrame, renderMixed, samplesPerFrame, type FrameRef } from './media.js';
import { RawWsClient, type WsCloseInfo, type WsFailure } from './ws-client.js';

export const FORK_USAGE =
  '-USAGE: <uuid> [start | stop | send_text | pause | resume | graceful-shutdown ] [wss-url | path] [mono | mixed | stereo] [8000 | 16000 | 24000 | 32000 | 64000] [bugname] [metadata]\n';
export const STREAM_USAGE =
  '-USAGE: <uuid> [start | stop | send_text | pause | resume | graceful-shutdown ] [wss-url | path] [mono | mixed | stereo] [8000 | 16000] [metadata]\n';
const OK = '+OK Success\n';
const FAILED = '-ERR Operation Failed\n';
/** Socket back-log (bytes) above which paced streams drop frames (unpaced streams wait instead). */
const MAX_BUFFERED_BYTES = 2 * 1024 * 1024;

export type MixType = 'mono' | 'mixed' | 'stereo';
export type StreamModule = 'mod_audio_fork' | 'mod_audio_stream';

/**
 * FreeSWITCH's `switch_separate_string(…, ' ', argv, max)`: splits on runs of blanks, single quotes
 * group, the last piece keeps the rest of the line (spaces included); quotes are stripped.
 */
export function separateString(input: string, max: number): string[] {
  const out: string[] = [];
  let i = 0;
  const n = input.length;
  while (i < n && out.length < max) {
    while (i < n && input[i] === ' ') i++;
    if (i >= n) break;
    if (out.length === max - 1) {
      out.push(input.slice(i));
      break;
    }
    let j = i;
    let quoted = false;
    while (j < n) {
      const c = input[j];
      if (c === '\\' && input[j + 1] === "'") {
        j += 2;
        continue;
      }
      if (c === "'" && (quoted || input.indexOf("'", j + 1) >= 0)) quoted = !quoted;
      else if (c === ' ' && !quoted) break;
      j++;
    }
    out.push(input.slice(i, j));
    i = j;
  }
  return out.map((s) => s.replace(/(?<!\\)'/g, '').replace(/\\'/g, "'").trim());
}

/** One audio stream (fork or stream module) attached to a channel. */
export class AudioStreamBug implements MediaBug {
  readonly target = 'N/A';
  private ws: RawWsClient | undefined;
  private state: 'connecting' | 'open' | 'closed' = 'connecting';
  private paused = false;
  private stopped = false;
  private overrun = false;
  private readonly spf: number;
  private readonly out: Int16Array;
  private readonly scratch: Int16Array;
  /** mod_audio_stream STREAM_BUFFER_SIZE accumulation. */
  private readonly chunkFrames: number;
  private chunk: Buffer[] = [];
  /** Binary frames sent (diagnostics/tests). */
  framesSent = 0;

  constructor(
    private readonly core: SwitchCore,
    private readonly ch: Channel,
    readonly module: StreamModule,
    readonly functionName: string,
    readonly url: string,
    readonly mix: MixType,
    readonly rate: number,
    private readonly metadata: string | undefined,
  ) {
    this.spf = samplesPerFrame(rate, ch.ptimeMs);
    this.out = new Int16Array(this.spf * (mix === 'stereo' ? 2 : 1));
    this.scratch = new Int16Array(this.spf);
    const bufMs = module === 'mod_audio_stream' ? Number(ch.vars.get('STREAM_BUFFER_SIZE') ?? 0) : 0;
    this.chunkFrames = bufMs > ch.ptimeMs ? Math.max(1, Math.round(bufMs / ch.ptimeMs)) : 1;
  }

  /** Adds the bug (MEDIA_BUG_START) and starts connecting. */
  start(): void {
    this.ch.bugs.push(this);
    this.core.channelEvent(this.ch, 'MEDIA_BUG_START', {
      early: [
        ['Media-Bug-Function', this.functionName],
        ['Media-Bug-Target', this.target],
      ],
    });
    this.ch.signal({ type: 'forkStart', url: this.url, mix: this.mix, rate: this.rate, module: this.module });
    const fork = this.module === 'mod_audio_fork';
    const user = this.ch.vars.get('MOD_AUDIO_BASIC_AUTH_USERNAME');
    const pass = this.ch.vars.get('MOD_AUDIO_BASIC_AUTH_PASSWORD');
    const ws = new RawWsClient({
      url: this.url,
      headerStyle: fork ? 'libwebsockets' : 'ixwebsocket',
      protocols: fork ? [process.env['MOD_AUDIO_FORK_SUBPROTOCOL_NAME'] || 'audio.drachtio.org'] : undefined,
      authorization: fork && user && pass ? 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64') : undefined,
    });
    this.ws = ws;
    ws.on('open', () => this.onOpen());
    ws.on('failed', (f: WsFailure) => this.onFailed(f));
    ws.on('text', (t: string) => this.onText(t));
    ws.on('close', (c: WsCloseInfo) => this.onClose(c));
    ws.connect();
  }

  private event(name: string, body?: string): void {
    if (!this.ch.destroyed) this.core.customEvent(this.ch, `${this.module}::${name}`, body);
  }

  private onOpen(): void {
    if (this.stopped) {
      this.ws?.close(1000);
      return;
    }
    this.state = 'open';
    if (this.metadata) this.ws?.sendText(this.metadata);
    this.event('connect', this.module === 'mod_audio_stream' ? '{"status":"connected"}' : undefined);
  }

  private onFailed(f: WsFailure): void {
    this.state = 'closed';
    if (this.stopped) return;
    if (this.module === 'mod_audio_fork') {
      const reason = f.kind === 'connect' ? 'Unable to connect' : 'HS: ws upgrade response not 101';
      this.event('connect_failed', JSON.stringify({ reason }));
      return; // the bug stays attached until `stop`
    }
    const u = safeUrl(this.url);
    const error =
      f.kind === 'connect'
        ? `Unable to connect to ${u?.hostname ?? this.url} on port ${u?.port || (u?.protocol === 'wss:' ? 443 : 80)}, error: ${f.message}`
        : `Expecting status 101 (Switching Protocol), got ${f.httpStatus} status connecting to ${this.url}, HTTP Status line: ${f.statusLine}\r\n`;
    this.event('error', JSON.stringify({ status: 'error', message: { retries: 1, error, wait_time: 100, http_status: f.httpStatus } }));
    this.detach();
  }

  private onText(text: string): void {
    if (this.stopped) return;
    if (this.module === 'mod_audio_stream') {
      this.event('json', text);
      return;
    }
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    if (!msg || typeof msg !== 'object') return;
    const { type, data } = msg as { type?: unknown; data?: unknown };
    const body = data === undefined ? undefined : JSON.stringify(data);
    switch (type) {
      case 'transcription':
      case 'error':
      case 'transfer':
      case 'disconnect':
        this.event(type, body);
        break;
      case 'json':
        this.event('json', text);
        break;
      case 'killAudio':
        this.event('kill_audio');
        this.killAudio?.(this.ch);
        break;
      default:
        break;
    }
  }

  /** Set by the owner: interrupts a running prompt (killAudio). */
  killAudio: ((ch: Channel) => void) | undefined;

  private onClose(c: WsCloseInfo): void {
    this.state = 'closed';
    if (this.stopped || !c.byServer) return;
    if (this.module === 'mod_audio_fork') this.event('disconnect');
    else this.event('disconnect', JSON.stringify({ status: 'disconnected', message: { code: c.code, reason: c.reason } }));
  }

  wantsMarker(write: FrameRef | undefined): boolean {
    return this.state === 'open' && !this.paused && !this.stopped && (this.mix === 'mono' || write !== undefined);
  }

  onFrame(read: FrameRef, write: FrameRef | undefined, marker?: Int16Array): void {
    if (this.state !== 'open' || this.paused || this.stopped) return;
    if (this.mix !== 'mono' && write === undefined) return; // stereo/mixed: only while something is written
    const { spf, out } = this;
    const chRate = this.ch.rate;
    if (this.mix === 'mono') renderFrame(read, this.rate, chRate, spf, out);
    else if (this.mix === 'mixed') renderMixed(read, write ?? null, this.rate, chRate, spf, out, this.scratch);
    else {
      renderFrame(read, this.rate, chRate, spf, out, 0, 2);
      renderFrame(write ?? null, this.rate, chRate, spf, out, 1, 2);
    }
    if (marker) {
      // Latency marker: bit-exact over the caller's samples (left channel when stereo).
      const stride = this.mix === 'stereo' ? 2 : 1;
      for (let i = 0; i < marker.length && i < spf; i++) out[i * stride] = marker[i]!;
    }
    const bytes = Buffer.from(out.buffer, out.byteOffset, out.byteLength);
    if (this.chunkFrames > 1) {
      this.chunk.push(Buffer.from(bytes));
      if (this.chunk.length < this.chunkFrames) return;
      this.send(Buffer.concat(this.chunk));
      this.chunk = [];
      return;
    }
    this.send(bytes);
  }

  private send(payload: Buffer): void {
    const ws = this.ws;
    if (!ws) return;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      if (this.core.clock.unpaced) {
        this.core.clock.holdUntil(ws.drained());
      } else {
        if (!this.overrun && this.module === 'mod_audio_fork') this.event('buffer_overrun');
        this.overrun = true;
        return;
      }
    } else this.overrun = false;
    ws.sendBinary(payload);
    this.framesSent++;
  }

  /** Sends an extra text frame (send_text). */
  sendText(text: string): boolean {
    return this.state === 'open' ? (this.ws?.sendText(text) ?? false) : false;
  }

  setPaused(paused: boolean): void {
    this.paused = paused;
  }

  /** `stop [text]` (api) or channel hangup: optional final text, close 1000, MEDIA_BUG_STOP. */
  stop(_reason: 'hangup' | 'api', finalText?: string): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.state === 'open') {
      if (finalText) this.ws?.sendText(finalText);
      this.ws?.close(1000);
    } else this.ws?.close(1000);
    this.detach();
  }

  private detach(): void {
    const i = this.ch.bugs.indexOf(this);
    if (i < 0) return;
    this.ch.bugs.splice(i, 1);
    this.core.channelEvent(this.ch, 'MEDIA_BUG_STOP', {
      early: [
        ['Media-Bug-Function', this.functionName],
        ['Media-Bug-Target', this.target],
      ],
    });
    this.ch.signal({ type: 'forkStop', url: this.url });
  }
}

function safeUrl(u: string): URL | undefined {
  try {
    return new URL(u);
  } catch {
    return undefined;
  }
}

function parseRate(arg: string | undefined): number {
  if (arg === undefined) return 8000;
  if (arg === '16k') return 16000;
  if (arg === '8k') return 8000;
  return Number.parseInt(arg, 10) || 0;
}

/** Executes `uuid_audio_fork <args>`; returns the API reply text. */
export function audioForkCommand(core: SwitchCore, args: string, preAnswer: (ch: Channel) => void, killAudio: (ch: Channel) => void): string {
  const argv = separateString(args, 7);
  const argc = argv.length;
  if (!args.trim() || argc < 2 || (argv[1] === 'start' && argc < 4)) return FORK_USAGE;
  const ch = core.channels.get(argv[0]!);
  if (!ch || !ch.alive) return FAILED;
  const cmd = argv[1]!.toLowerCase();
  const find = (name: string) =>
    ch.bugs.find((b): b is AudioStreamBug => b instanceof AudioStreamBug && b.module === 'mod_audio_fork' && b.functionName === name);
  if (cmd === 'stop' || cmd === 'graceful-shutdown') {
    const bug = find(argc > 2 ? argv[2]! : 'audio_fork');
    if (!bug) return FAILED;
    bug.stop('api', argc > 3 ? argv[3] : undefined);
    return OK;
  }
  if (cmd === 'pause' || cmd === 'resume') {
    const bug = find(argc > 2 ? argv[2]! : 'audio_fork');
    if (!bug) return FAILED;
    bug.setPaused(cmd === 'pause');
    return OK;
  }
  if (cmd === 'send_text') {
    if (argc < 3) return FAILED;
    const bug = find(argc > 3 ? argv[2]! : 'audio_fork');
    if (!bug) return FAILED;
    bug.sendText(argc > 3 ? argv[3]! : argv[2]!);
    return OK;
  }
  if (cmd !== 'start') return FAILED;
  const mix = argv[3] as MixType;
  if (mix !== 'mono' && mix !== 'mixed' && mix !== 'stereo') return FAILED;
  const rate = parseRate(argv[4]);
  if (!rate || rate % 8000 !== 0) return FAILED;
  const bugname = argc > 5 ? argv[5]! : 'audio_fork';
  if (find(bugname)) return FAILED;
  preAnswer(ch);
  const bug = new AudioStreamBug(core, ch, 'mod_audio_fork', bugname, argv[2]!, mix, rate, argc > 6 ? argv[6] : undefined);
  bug.killAudio = killAudio;
  bug.start();
  return OK;
}

/** Executes `uuid_audio_stream <args>`; returns the API reply text ('' where the module writes nothing). */
export function audioStreamCommand(core: SwitchCore, args: string, preAnswer: (ch: Channel) => void): string {
  const argv = separateString(args, 6);
  const argc = argv.length;
  if (!args.trim() || argc < 2 || (argv[1] === 'start' && argc < 4)) return STREAM_USAGE;
  const ch = core.channels.get(argv[0]!);
  if (!ch || !ch.alive) return FAILED;
  const cmd = argv[1]!.toLowerCase();
  const bug = ch.bugs.find((b): b is AudioStreamBug => b instanceof AudioStreamBug && b.module === 'mod_audio_stream');
  if (cmd === 'stop') {
    if (!bug) return FAILED;
    bug.stop('api', argc > 2 ? argv[2] : undefined);
    return OK;
  }
  if (cmd === 'pause' || cmd === 'resume') {
    if (!bug) return FAILED;
    bug.setPaused(cmd === 'pause');
    return OK;
  }
  if (cmd === 'send_text') {
    if (argc < 3) return '';
    if (!bug) return FAILED;
    return bug.sendText(argv[2]!) ? OK : FAILED;
  }
  if (cmd !== 'start') return FAILED;
  const mix = argv[3] as MixType;
  if (mix !== 'mono' && mix !== 'mixed' && mix !== 'stereo') return FAILED;
  const rate = parseRate(argv[4]);
  const url = argv[2]!;
  if (!/^wss?:\/\//i.test(url) || !rate || rate % 8000 !== 0 || bug) return FAILED;
  preAnswer(ch);
  new AudioStreamBug(core, ch, 'mod_audio_stream', 'audio_stream', url, mix, rate, argc > 5 ? argv[5] : undefined).start();
  return OK;
}
