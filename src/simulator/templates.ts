/**
 * Event header templates: the standard header block every FreeSWITCH event starts with, the channel
 * block (`switch_channel_event_set_data`), caller profiles (`switch_caller_profile_event_set_data`)
 * and the source locations FreeSWITCH 1.11 reports for each event type. Header names and order are
 * those of the captures in shared/fixtures/freeswitch.
 */
import { FsEvent } from './event.js';
import type { HeaderValue } from './wire.js';

/** Identity headers; configurable so the simulator can pose as any host. */
export interface HostIdentity {
  readonly coreUuid: string;
  readonly hostname: string;
  readonly switchname: string;
  readonly ipv4: string;
  readonly ipv6: string;
}

/** What the template functions need from the simulator core. */
export interface EventSource {
  readonly identity: HostIdentity;
  /** Next `Event-Sequence` value (strictly increasing). */
  nextSequence(): number;
  /** Wall clock, microseconds since the Unix epoch. */
  nowUs(): number;
}

/** `[Event-Calling-File, Event-Calling-Function, Event-Calling-Line-Number]` per event type. */
export const CALLING: Readonly<Record<string, readonly [string, string, string]>> = {
  CHANNEL_CREATE: ['switch_core_state_machine.c', 'switch_core_session_run', '626'],
  CHANNEL_ORIGINATE: ['switch_core_state_machine.c', 'switch_core_session_run', '632'],
  CHANNEL_OUTGOING: ['switch_core_session.c', 'switch_core_session_outgoing_channel', '768'],
  CHANNEL_STATE: ['switch_channel.c', 'switch_channel_perform_set_running_state', '2409'],
  CHANNEL_CALLSTATE: ['switch_channel.c', 'switch_channel_perform_set_callstate', '302'],
  CHANNEL_EXECUTE: ['switch_core_session.c', 'switch_core_session_exec', '2949'],
  CHANNEL_EXECUTE_COMPLETE: ['switch_core_session.c', 'switch_core_session_exec', '2972'],
  CHANNEL_PARK: ['switch_ivr.c', 'switch_ivr_park', '1002'],
  CHANNEL_UNPARK: ['switch_ivr.c', 'switch_ivr_park', '1213'],
  CHANNEL_PROGRESS: ['switch_channel.c', 'switch_channel_perform_mark_ring_ready_value', '3507'],
  CHANNEL_PROGRESS_MEDIA: ['switch_channel.c', 'switch_channel_perform_mark_pre_answered', '3562'],
  CHANNEL_ANSWER: ['switch_channel.c', 'switch_channel_perform_mark_answered', '3848'],
  CHANNEL_HANGUP: ['switch_channel.c', 'switch_channel_perform_hangup', '3447'],
  CHANNEL_HANGUP_COMPLETE: ['switch_core_state_machine.c', 'switch_core_session_reporting_state', '943'],
  CHANNEL_DESTROY: ['switch_core_session.c', 'switch_core_session_perform_destroy', '1588'],
  CHANNEL_BRIDGE: ['switch_ivr_bridge.c', 'switch_ivr_multi_threaded_bridge', '1689'],
  CHANNEL_UNBRIDGE: ['switch_ivr_bridge.c', 'switch_ivr_multi_threaded_bridge', '1879'],
  CALL_UPDATE: ['switch_channel.c', 'switch_channel_flip_cid', '3279'],
  PLAYBACK_START: ['switch_ivr_play_say.c', 'switch_ivr_play_file', '1649'],
  PLAYBACK_STOP: ['switch_ivr_play_say.c', 'switch_ivr_play_file', '2023'],
  DTMF: ['switch_channel.c', 'switch_channel_dequeue_dtmf', '678'],
  BACKGROUND_JOB: ['mod_event_socket.c', 'api_exec', '1569'],
  API: ['switch_loadable_module.c', 'switch_api_execute', '2954'],
  MEDIA_BUG_START: ['switch_core_media_bug.c', 'switch_core_media_bug_add', '1014'],
  MEDIA_BUG_STOP: ['switch_core_media_bug.c', 'switch_core_media_bug_destroy', '84'],
  RECORD_START: ['switch_ivr_async.c', 'record_callback', '1374'],
  RECORD_STOP: ['switch_ivr_async.c', 'record_callback', '1495'],
  HEARTBEAT: ['switch_core.c', 'send_heartbeat', '95'],
  PRESENCE_IN: ['switch_channel.c', 'switch_channel_perform_presence', '806'],
  'mod_audio_fork': ['mod_audio_fork.c', 'responseHandler', '22'],
  'mod_audio_stream': ['mod_audio_stream.c', 'responseHandler', '64'],
};

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

/** `YYYY-MM-DD HH:MM:SS` in the process's local time zone (FreeSWITCH's `Event-Date-Local`, `*_stamp`). */
export function localStamp(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** RFC 2822 date with a numeric zone, as the vanilla dialplan's `RFC2822_DATE` (`Sat, 21 Nov 2026 00:02:37 +0000`). */
export function rfc2822(ms: number): string {
  const d = new Date(ms);
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const abs = Math.abs(off);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  return `${days[d.getDay()]}, ${pad2(d.getDate())} ${months[d.getMonth()]} ${d.getFullYear()} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())} ${sign}${pad2(Math.floor(abs / 60))}${pad2(abs % 60)}`;
}

/**
 * Creates an event with the standard header block: (`Event-Subclass`,) `Event-Name`, `Core-UUID`,
 * hostnames and addresses, `Event-Date-*`, `Event-Calling-*` and `Event-Sequence`.
 */
export function newEvent(src: EventSource, name: string, subclass?: string): FsEvent {
  const ev = new FsEvent(name, subclass);
  if (subclass !== undefined) ev.add('Event-Subclass', subclass);
  ev.add('Event-Name', name);
  const id = src.identity;
  ev.add('Core-UUID', id.coreUuid);
  ev.add('FreeSWITCH-Hostname', id.hostname);
  ev.add('FreeSWITCH-Switchname', id.switchname);
  ev.add('FreeSWITCH-IPv4', id.ipv4);
  ev.add('FreeSWITCH-IPv6', id.ipv6);
  const us = src.nowUs();
  const ms = Math.floor(us / 1000);
  ev.add('Event-Date-Local', localStamp(ms));
  ev.add('Event-Date-GMT', new Date(ms).toUTCString());
  ev.add('Event-Date-Timestamp', String(us));
  const calling = CALLING[subclass ? subclass.split('::')[0]! : name] ?? ['switch_event.c', 'switch_event_fire_detailed', '1'];
  ev.add('Event-Calling-File', calling[0]);
  ev.add('Event-Calling-Function', calling[1]);
  ev.add('Event-Calling-Line-Number', calling[2]);
  ev.add('Event-Sequence', String(src.nextSequence()));
  return ev;
}

/** Timestamps of a caller profile, microseconds since the epoch (0 = not reached). */
export interface ProfileTimes {
  profileCreated: number;
  created: number;
  answered: number;
  progress: number;
  progressMedia: number;
  hangup: number;
  transfer: number;
  resurrect: number;
  bridged: number;
  lastHold: number;
  holdAccum: number;
}

/** A caller profile; empty optional fields are omitted on the wire, as FreeSWITCH does. */
export interface CallerProfile {
  direction: 'inbound' | 'outbound';
  logicalDirection: 'inbound' | 'outbound';
  username?: string;
  dialplan?: string;
  callerIdName?: string;
  callerIdNumber?: string;
  origCallerIdName?: string;
  origCallerIdNumber?: string;
  calleeIdName?: string;
  calleeIdNumber?: string;
  networkAddr?: string;
  ani?: string;
  destinationNumber: string;
  uuid: string;
  source: string;
  transferSource?: string;
  context: string;
  channelName: string;
  profileIndex?: string;
  times: ProfileTimes;
}

/** Fresh profile times with everything 0 except creation. */
export function profileTimes(createdUs: number): ProfileTimes {
  return {
    profileCreated: createdUs,
    created: createdUs,
    answered: 0,
    progress: 0,
    progressMedia: 0,
    hangup: 0,
    transfer: 0,
    resurrect: 0,
    bridged: 0,
    lastHold: 0,
    holdAccum: 0,
  };
}

/** Adds `<prefix>-Direction` … `<prefix>-Privacy-Hide-Number` for a profile. */
export function addProfileHeaders(ev: FsEvent, prefix: string, p: CallerProfile, opts: { index: boolean; zeroTimes?: boolean }): void {
  const opt = (name: string, v: string | undefined) => {
    if (v) ev.add(`${prefix}-${name}`, v);
  };
  ev.add(`${prefix}-Direction`, p.direction);
  ev.add(`${prefix}-Logical-Direction`, p.logicalDirection);
  opt('Username', p.username);
  opt('Dialplan', p.dialplan);
  opt('Caller-ID-Name', p.callerIdName);
  opt('Caller-ID-Number', p.callerIdNumber);
  opt('Orig-Caller-ID-Name', p.origCallerIdName);
  opt('Orig-Caller-ID-Number', p.origCallerIdNumber);
  opt('Callee-ID-Name', p.calleeIdName);
  opt('Callee-ID-Number', p.calleeIdNumber);
  opt('Network-Addr', p.networkAddr);
  opt('ANI', p.ani);
  opt('Destination-Number', p.destinationNumber);
  opt('Unique-ID', p.uuid);
  opt('Source', p.source);
  opt('Transfer-Source', p.transferSource);
  opt('Context', p.context);
  opt('Channel-Name', p.channelName);
  if (opts.index) opt('Profile-Index', p.profileIndex);
  const t = p.times;
  const z = opts.zeroTimes === true;
  const time = (name: string, v: number) => ev.add(`${prefix}-${name}`, z ? '0' : String(v));
  time('Profile-Created-Time', t.profileCreated);
  time('Channel-Created-Time', t.created);
  time('Channel-Answered-Time', t.answered);
  time('Channel-Progress-Time', t.progress);
  time('Channel-Progress-Media-Time', t.progressMedia);
  time('Channel-Hangup-Time', t.hangup);
  time('Channel-Transfer-Time', t.transfer);
  time('Channel-Resurrect-Time', t.resurrect);
  time('Channel-Bridged-Time', t.bridged);
  time('Channel-Last-Hold', t.lastHold);
  time('Channel-Hold-Accum', t.holdAccum);
  ev.add(`${prefix}-Screen-Bit`, 'true');
  ev.add(`${prefix}-Privacy-Hide-Name`, 'false');
  ev.add(`${prefix}-Privacy-Hide-Number`, 'false');
}

/** Ordered channel variables with FreeSWITCH's semantics: setting a variable moves it to the end. */
export class VarMap {
  private readonly map = new Map<string, HeaderValue>();

  /** Sets (delete + append). `undefined`/`''` deletes, like `switch_channel_set_variable(…, NULL)`. */
  set(name: string, value: HeaderValue | undefined): void {
    this.map.delete(name);
    if (value !== undefined && value !== '') this.map.set(name, value);
  }

  /** Sets without moving an existing variable. */
  update(name: string, value: string): void {
    if (this.map.has(name)) this.map.set(name, value);
    else this.map.set(name, value);
  }

  get(name: string): string | undefined {
    const v = this.map.get(name);
    return v === undefined ? undefined : typeof v === 'string' ? v : v.join('|');
  }

  has(name: string): boolean {
    return this.map.has(name);
  }

  delete(name: string): void {
    this.map.delete(name);
  }

  entries(): IterableIterator<[string, HeaderValue]> {
    return this.map.entries();
  }
}
