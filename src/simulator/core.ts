/**
 * The simulated switch core: channel registry, event creation and fan-out, `Event-Sequence`,
 * the (lagging) core-DB snapshot behind `show channels` / `show calls`, and shared configuration.
 * Call control, applications, API commands and media live in their own modules and use this core.
 */
import { randomUUID } from 'node:crypto';
import { addChannelBlock, type Channel } from './channel.js';
import type { SimClock } from './clock.js';
import type { FsEvent } from './event.js';
import { localStamp, newEvent, type EventSource, type HostIdentity } from './templates.js';
import type { HeaderValue } from './wire.js';

/** Minimal structured logger (pino-compatible). */
export interface SimLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child?(bindings: object): SimLogger;
}

/** A logger that drops everything. */
export const silentLogger: SimLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** Resolved simulator configuration shared by all modules. */
export interface CoreConfig {
  readonly identity: HostIdentity;
  /** Address used in channel names, SIP variables and SDP (the captures' `127.0.0.1`). */
  readonly sipIp: string;
  /** FreeSWITCH's SIP profile port (5060). */
  readonly profilePort: number;
  /** `show channels`/`show calls` lag behind events by this many simulated ms (FreeSWITCH: ~160–210). */
  readonly showChannelsLagMs: number;
  /** Emit the vanilla `default` context's log/hash/export executions before `park`. */
  readonly vanillaDialplan: boolean;
  /** HEARTBEAT interval in simulated seconds; 0 disables. */
  readonly heartbeatSec: number;
  /** Packetisation period of simulated RTP legs, ms (20). */
  readonly ptimeMs: number;
  /** Default `originate_timeout`, seconds. */
  readonly originateTimeoutSec: number;
  /** External numbers reached by originate/transfer answer after this many simulated ms. */
  readonly externalAnswerAfterMs: number;
  /** A leg transferred away (uuid_transfer to a non-park destination) hangs up after this many simulated ms. */
  readonly transferHangupAfterMs: number;
  /** Wall clock in ms since the epoch (Event-Date-*, CDR stamps). */
  readonly wallClock: () => number;
}

/** One `show channels` row (all values strings, column order as FreeSWITCH's `channels` table). */
export type DbRow = Record<string, string>;

interface DbEntry {
  row: DbRow;
  /** Bridge partner (B leg) for `show calls`, and the bridge epoch. */
  bUuid?: string;
  callCreatedEpoch?: string;
  isBLeg?: boolean;
  order: number;
}

/** Options for {@link SwitchCore.channelEvent}. */
export interface ChannelEventOptions {
  readonly subclass?: string;
  /** Include `variable_*` (default true). */
  readonly vars?: boolean;
  /** Include Caller-/Other-Leg blocks (default true). */
  readonly profile?: boolean;
  /** Headers right after `Event-Sequence` (Hangup-Cause on HANGUP_COMPLETE, Bridge-*-Unique-ID, Media-Bug-*). */
  readonly early?: ReadonlyArray<readonly [string, HeaderValue]>;
  /** Headers after the variables (Application-*, Playback-*, DTMF-*). */
  readonly late?: ReadonlyArray<readonly [string, HeaderValue]>;
  readonly body?: string;
}

export class SwitchCore implements EventSource {
  readonly channels = new Map<string, Channel>();
  private seq = 0;
  private lastUs = 0;
  private readonly listeners = new Set<(ev: FsEvent) => void>();
  private readonly db = new Map<string, DbEntry>();
  private dbOrder = 0;
  sessionsSinceStartup = 0;
  peakSessions = 0;
  readonly startedMs: number;
  private nextSession = 1;
  private markerSeq = 0;

  constructor(
    readonly config: CoreConfig,
    readonly clock: SimClock,
    readonly log: SimLogger,
  ) {
    this.startedMs = config.wallClock();
    this.seq = 100 + Math.floor(Math.random() * 400);
  }

  get identity(): HostIdentity {
    return this.config.identity;
  }

  nextSequence(): number {
    return ++this.seq;
  }

  /** Wall clock in µs, never going backwards. */
  nowUs(): number {
    const us = Math.floor(this.config.wallClock() * 1000) + (Math.floor(performance.now() * 1000) % 1000);
    this.lastUs = us > this.lastUs ? us : this.lastUs;
    return this.lastUs;
  }

  /** Next latency-marker sequence number (uint32, wraps). */
  nextMarkerSeq(): number {
    this.markerSeq = (this.markerSeq + 1) >>> 0;
    return this.markerSeq;
  }

  /** Allocates `variable_session_id` values. */
  allocSessionId(): number {
    this.sessionsSinceStartup++;
    return this.nextSession++;
  }

  /** Subscribes to every fired event. Returns the unsubscribe function. */
  onEvent(fn: (ev: FsEvent) => void): () => void {
    this.listeners.add(fn);
    return () => {
      this.listeners.delete(fn);
    };
  }

  /** Delivers an event to all listeners (ESL connections, taps). */
  fire(ev: FsEvent): void {
    for (const fn of this.listeners) {
      try {
        fn(ev);
      } catch (err) {
        this.log.error({ err, event: ev.name }, 'event listener failed');
      }
    }
  }

  /** A new non-channel event with the standard header block. */
  event(name: string, subclass?: string): FsEvent {
    return newEvent(this, name, subclass);
  }

  /** Builds and fires a channel event; updates the channel's DB row. */
  channelEvent(ch: Channel, name: string, opts: ChannelEventOptions = {}): FsEvent {
    const ev = newEvent(this, name, opts.subclass);
    for (const [k, v] of opts.early ?? []) ev.add(k, v);
    addChannelBlock(ev, ch, { profile: opts.profile, vars: opts.vars });
    for (const [k, v] of opts.late ?? []) ev.add(k, v);
    if (opts.body !== undefined) ev.body = opts.body;
    this.fire(ev);
    if (name !== 'CHANNEL_DESTROY') this.touchRow(ch);
    return ev;
  }

  /** Fires a CUSTOM event on a channel (mod_audio_fork / mod_audio_stream). */
  customEvent(ch: Channel, subclass: string, body?: string): FsEvent {
    return this.channelEvent(ch, 'CUSTOM', { subclass, body });
  }

  /** Generates a v4 UUID. */
  uuid(): string {
    return randomUUID();
  }

  /** Called with the number of live channels whenever it changes (starts/stops the media tick). */
  channelsChanged: ((count: number) => void) | undefined;

  registerChannel(ch: Channel): void {
    this.channels.set(ch.uuid, ch);
    this.peakSessions = Math.max(this.peakSessions, this.channels.size);
    this.channelsChanged?.(this.channels.size);
  }

  unregisterChannel(ch: Channel): void {
    this.channels.delete(ch.uuid);
    this.afterLag(() => this.db.delete(ch.uuid));
    this.channelsChanged?.(this.channels.size);
  }

  private afterLag(fn: () => void): void {
    if (this.config.showChannelsLagMs <= 0) fn();
    else this.clock.after(this.config.showChannelsLagMs, fn);
  }

  /** Schedules the DB write of the channel's current row (after the configured lag). */
  touchRow(ch: Channel): void {
    if (ch.destroyed) return;
    const row = channelRow(ch, this.config.identity.switchname);
    const partner = ch.partner;
    const bUuid = partner && ch.bridgeA ? partner.uuid : undefined;
    const isBLeg = !!partner && !ch.bridgeA;
    const callCreatedEpoch = ch.bridgedUs ? String(Math.floor(ch.bridgedUs / 1e6)) : undefined;
    this.afterLag(() => {
      if (ch.destroyed && !this.db.has(ch.uuid)) return;
      const prev = this.db.get(ch.uuid);
      this.db.set(ch.uuid, { row, bUuid, callCreatedEpoch, isBLeg, order: prev?.order ?? ++this.dbOrder });
    });
  }

  /** Rows of `show channels`, ordered by creation. */
  dbChannels(): DbRow[] {
    return [...this.db.values()].sort((a, b) => a.order - b.order).map((e) => e.row);
  }

  /** Rows of `show calls`: one row per unbridged channel, one per bridged pair (A leg + `b_*`). */
  dbCalls(): DbRow[] {
    const out: DbRow[] = [];
    for (const e of [...this.db.values()].sort((a, b) => a.order - b.order)) {
      if (e.isBLeg && [...this.db.values()].some((x) => x.bUuid === e.row['uuid'])) continue;
      const b = e.bUuid ? this.db.get(e.bUuid)?.row : undefined;
      out.push(callRow(e.row, b, b ? (e.callCreatedEpoch ?? '') : ''));
    }
    return out;
  }
}

const CHANNEL_COLUMNS = [
  'uuid', 'direction', 'created', 'created_epoch', 'name', 'state', 'cid_name', 'cid_num', 'ip_addr', 'dest',
  'application', 'application_data', 'dialplan', 'context', 'read_codec', 'read_rate', 'read_bit_rate',
  'write_codec', 'write_rate', 'write_bit_rate', 'secure', 'hostname', 'presence_id', 'presence_data',
  'accountcode', 'callstate', 'callee_name', 'callee_num', 'callee_direction', 'call_uuid', 'sent_callee_name',
  'sent_callee_num', 'initial_cid_name', 'initial_cid_num', 'initial_ip_addr', 'initial_dest',
  'initial_dialplan', 'initial_context',
] as const;

/** Column names of `show channels` (for the plain format's title line). */
export const SHOW_CHANNELS_COLUMNS: readonly string[] = CHANNEL_COLUMNS;

const CALL_A_COLUMNS = [
  'uuid', 'direction', 'created', 'created_epoch', 'name', 'state', 'cid_name', 'cid_num', 'ip_addr', 'dest',
  'presence_id', 'presence_data', 'accountcode', 'callstate', 'callee_name', 'callee_num', 'callee_direction',
  'call_uuid', 'hostname', 'sent_callee_name', 'sent_callee_num',
] as const;
const CALL_B_COLUMNS = [
  'uuid', 'direction', 'created', 'created_epoch', 'name', 'state', 'cid_name', 'cid_num', 'ip_addr', 'dest',
  'presence_id', 'presence_data', 'accountcode', 'callstate', 'callee_name', 'callee_num', 'callee_direction',
  'sent_callee_name', 'sent_callee_num',
] as const;

/** Column names of `show calls`. */
export const SHOW_CALLS_COLUMNS: readonly string[] = [...CALL_A_COLUMNS, ...CALL_B_COLUMNS.map((c) => 'b_' + c), 'call_created_epoch'];

function callRow(a: DbRow, b: DbRow | undefined, callCreatedEpoch: string): DbRow {
  const r: DbRow = {};
  for (const c of CALL_A_COLUMNS) r[c] = a[c] ?? '';
  for (const c of CALL_B_COLUMNS) r['b_' + c] = b ? (b[c] ?? '') : '';
  r['call_created_epoch'] = callCreatedEpoch;
  return r;
}

/** The `channels` table row of a channel as FreeSWITCH's core DB would hold it now. */
export function channelRow(ch: Channel, hostname: string): DbRow {
  const p = ch.profile;
  const media = ch.mediaUp;
  const d = ch.db;
  const created = Math.floor(ch.createdUs / 1000);
  const row: DbRow = {
    uuid: ch.uuid,
    direction: ch.direction,
    created: localStamp(created),
    created_epoch: String(Math.floor(created / 1000)),
    name: ch.name,
    state: ch.runningState,
    cid_name: p.callerIdName ?? '',
    cid_num: p.callerIdNumber ?? '',
    ip_addr: p.networkAddr && ch.direction === 'inbound' ? p.networkAddr : '',
    dest: p.destinationNumber,
    application: ch.lastApp?.name ?? '',
    application_data: ch.lastApp?.arg ?? '',
    dialplan: p.dialplan ?? '',
    context: p.context,
    read_codec: media ? 'PCMA' : '',
    read_rate: media ? String(ch.rate) : '',
    read_bit_rate: media ? '64000' : '',
    write_codec: media ? 'PCMA' : '',
    write_rate: media ? String(ch.rate) : '',
    write_bit_rate: media ? '64000' : '',
    secure: '',
    hostname,
    presence_id: ch.presenceId ?? '',
    presence_data: '',
    accountcode: ch.vars.get('accountcode') ?? '',
    callstate: ch.callState,
    callee_name: d.calleeName,
    callee_num: d.calleeNum,
    callee_direction: d.calleeDirection,
    call_uuid: d.callUuid,
    sent_callee_name: d.sentCalleeName,
    sent_callee_num: d.sentCalleeNum,
    initial_cid_name: d.initialCidName,
    initial_cid_num: d.initialCidNum,
    initial_ip_addr: d.initialIpAddr,
    initial_dest: d.initialDest,
    initial_dialplan: d.initialDialplan,
    initial_context: d.initialContext,
  };
  return row;
}
