/**
 * The channel model: one FreeSWITCH session (a call leg) with its states, caller profile, ordered
 * variables, bridge partner, application queue and media state. Channels are plain data plus a few
 * state helpers; call control lives in core.ts, applications in apps.ts, media in media.ts.
 */
import { EventEmitter } from 'node:events';
import type { AudioClip } from './audio.js';
import type { InboundSipInfo, OutboundSipInfo } from './channel-vars.js';
import type { FsEvent } from './event.js';
import type { FrameRef } from './media.js';
import type { PendingMarker } from './markers.js';
import { addProfileHeaders, VarMap, type CallerProfile } from './templates.js';

export type CallState = 'DOWN' | 'RINGING' | 'EARLY' | 'ACTIVE' | 'HANGUP';
export type AnswerState = 'ringing' | 'early' | 'answered' | 'hangup';

/** `switch_channel_state_t` numbers. */
export const STATE_NUMBER: Readonly<Record<string, number>> = {
  CS_NEW: 0,
  CS_INIT: 1,
  CS_ROUTING: 2,
  CS_SOFT_EXECUTE: 3,
  CS_EXECUTE: 4,
  CS_EXCHANGE_MEDIA: 5,
  CS_PARK: 6,
  CS_CONSUME_MEDIA: 7,
  CS_HIBERNATE: 8,
  CS_RESET: 9,
  CS_HANGUP: 10,
  CS_REPORTING: 11,
  CS_DESTROY: 12,
  CS_NONE: 13,
};

/** Hangup causes and their Q.850 codes (`hangup_cause_q850`). */
export const Q850: Readonly<Record<string, number>> = {
  UNALLOCATED_NUMBER: 1,
  NORMAL_CLEARING: 16,
  USER_BUSY: 17,
  NO_USER_RESPONSE: 18,
  NO_ANSWER: 19,
  SUBSCRIBER_ABSENT: 20,
  CALL_REJECTED: 21,
  DESTINATION_OUT_OF_ORDER: 27,
  INVALID_NUMBER_FORMAT: 28,
  NORMAL_UNSPECIFIED: 31,
  NORMAL_TEMPORARY_FAILURE: 41,
  ORIGINATOR_CANCEL: 487,
  MANAGER_REQUEST: 503,
  LOSE_RACE: 502,
  ALLOTTED_TIMEOUT: 602,
  USER_NOT_REGISTERED: 606,
  MEDIA_TIMEOUT: 604,
  RECOVERY_ON_TIMER_EXPIRE: 102,
};

/** A sendmsg/API-requested application waiting in the channel's queue. */
export interface AppRequest {
  readonly name: string;
  readonly arg: string | undefined;
  /** `Application-UUID` (the sendmsg `Event-UUID`, or random). */
  readonly appUuid: string;
  /** Set `current_loop`/`total_loops` around the execution (sendmsg executes). */
  readonly loops: boolean;
  /** uuid_bridge's CHANNEL_EXECUTE has no Application-UUID. */
  readonly noAppUuid?: boolean;
  /** Called after CHANNEL_EXECUTE_COMPLETE (an originated leg hangs up when its application ends). */
  readonly after?: () => void;
}

/** The application currently running on the channel. */
export interface RunningApp {
  readonly req: AppRequest;
  /** Aborted on hangup (ends the app) or uuid_break (ends the current playback). */
  readonly hangup: AbortController;
  /** Breaks the current playback only (uuid_break). Replaced after each break. */
  breakPlayback: AbortController;
  /** Set when the hangup sequence already fired this application's CHANNEL_EXECUTE_COMPLETE. */
  completedByHangup?: boolean;
}

/** A prompt being written to the channel (playback/play_and_get_digits/uuid_broadcast). */
export interface PlaybackState {
  readonly clip: AudioClip;
  /** Next frame index to write. */
  frame: number;
  /** Total frames of the clip at the channel's ptime. */
  readonly frames: number;
  /** Called once when the last frame has been written (or on break, with `broken = true`). */
  readonly done: (broken: boolean) => void;
}

/** Something said into the channel's read side (the remote party's voice). */
export interface SayState {
  readonly clip: AudioClip;
  frame: number;
  readonly frames: number;
}

/** Audio consumers attached to a channel (audio fork, audio stream, recording); see bugs.ts. */
export interface MediaBug {
  /** `Media-Bug-Function` (bug name). */
  readonly functionName: string;
  /** `Media-Bug-Target` (`N/A` or a path/uuid). */
  readonly target: string;
  /**
   * Called once per tick. `read` = what the remote party said (null = silence); `write` = what the
   * switch sent to it (null = silence, `undefined` = nothing was written this tick). `marker`:
   * latency-marker words to write bit-exact at the start of the read audio (audio streams only).
   */
  onFrame(read: FrameRef, write: FrameRef | undefined, marker?: Int16Array): void;
  /** True when this frame would carry a latency marker to the server (an open audio stream that sends it). */
  wantsMarker?(write: FrameRef | undefined): boolean;
  /** Detaches the bug; `reason` 'hangup' when the channel hangs up. Must fire MEDIA_BUG_STOP itself. */
  stop(reason: 'hangup' | 'api'): void;
}

/** Channel-level happenings for call scripts and the programmatic call API (not ESL events). */
export type ChannelSignal =
  | { type: 'answer' }
  | { type: 'park' }
  | { type: 'playbackStart'; file: string }
  | { type: 'playbackStop'; file: string; broken: boolean }
  | { type: 'bridge'; otherUuid: string }
  | { type: 'unbridge'; otherUuid: string }
  | { type: 'forkStart'; url: string; mix: string; rate: number; module: 'mod_audio_fork' | 'mod_audio_stream' }
  | { type: 'forkStop'; url: string }
  | { type: 'recordStart'; path: string }
  | { type: 'recordStop'; path: string; finished: Promise<void> }
  | { type: 'dtmf'; digit: string }
  | { type: 'execute'; app: string; arg: string | undefined }
  | { type: 'transfer'; dest: string; dialplan: string; context: string }
  | { type: 'hangup'; cause: string };

export class Channel {
  readonly vars = new VarMap();
  runningState = 'CS_INIT';
  stateNumber = STATE_NUMBER['CS_ROUTING']!;
  callState: CallState = 'DOWN';
  answerState: AnswerState = 'ringing';
  hangupCause: string | undefined;
  /** Codec negotiated: the Channel-Read/Write-Codec headers are present. */
  mediaUp = false;
  presenceId: string | undefined;
  callUuid: string;
  hitDialplan: boolean;
  /** Other-Leg block (kept after unbridge, as FreeSWITCH keeps the originator/originatee profile). */
  other: { type: 'originator' | 'originatee'; profile: CallerProfile; zeroTimes: boolean } | undefined;
  /** Current bridge partner. */
  partner: Channel | undefined;
  /** True on the A leg of the current bridge (the one that carries CHANNEL_BRIDGE/UNBRIDGE). */
  bridgeA = false;
  /** The dialplan `park` execution, completed by bridge/transfer/hangup. */
  parkApp: { uuid: string } | undefined;
  parked = false;
  readonly queue: AppRequest[] = [];
  running: RunningApp | undefined;
  /** Application of the last CHANNEL_EXECUTE (show channels' `application`). */
  lastApp: { name: string; arg: string | undefined } | undefined;
  digitsDialed = '';
  readonly dtmfBuffer: string[] = [];
  /** Latency markers queued for the read audio (see markers.ts). */
  readonly markers: PendingMarker[] = [];
  /** Resolvers of applications waiting for DTMF. */
  dtmfWaiter: ((digit: string) => void) | undefined;
  playback: PlaybackState | undefined;
  say: SayState | undefined;
  readonly bugs: MediaBug[] = [];
  /** Packetisation period of the leg (frame duration), ms: 20 or 30. */
  ptimeMs = 20;
  /** Simulated ms not yet turned into frames (frame cadence for ptimes other than the 20 ms tick). */
  mediaAccMs = 0;
  /** Codec sample rate (PCMA 8000). */
  rate = 8000;
  destroyed = false;
  hangingUp = false;
  answeredUs = 0;
  progressMediaUs = 0;
  progressUs = 0;
  bridgedUs = 0;
  hangupUs = 0;
  /** Channel-level signals for scripts / SimulatedCall. */
  readonly signals = new EventEmitter();
  /** `sip_hangup_disposition` to use when the channel is hung up by the far end / by us. */
  disposition: string | undefined;
  /** SIP facts of an inbound leg / an originated leg (synthesised). */
  sipIn: InboundSipInfo | undefined;
  sipOut: OutboundSipInfo | undefined;
  /** `variable_session_id`. */
  sessionId: number;
  /** Core-DB columns that are not derived from the profile (callee_*, call_uuid, initial_*). */
  readonly db = {
    calleeName: '',
    calleeNum: '',
    calleeDirection: '',
    callUuid: '',
    sentCalleeName: '',
    sentCalleeNum: '',
    initialCidName: '',
    initialCidNum: '',
    initialIpAddr: '',
    initialDest: '',
    initialDialplan: '',
    initialContext: '',
  };

  constructor(
    readonly uuid: string,
    readonly direction: 'inbound' | 'outbound',
    public name: string,
    public profile: CallerProfile,
    readonly createdUs: number,
    sessionId: number,
  ) {
    this.callUuid = uuid;
    this.hitDialplan = direction === 'inbound';
    this.sessionId = sessionId;
    this.signals.setMaxListeners(50);
  }

  get answered(): boolean {
    return this.answeredUs > 0;
  }

  /** True until CHANNEL_HANGUP. */
  get alive(): boolean {
    return !this.hangingUp && !this.destroyed;
  }

  /** Emits a signal for scripts; never throws. */
  signal(s: ChannelSignal): void {
    try {
      this.signals.emit('signal', s);
    } catch {
      /* script handlers must not break the channel */
    }
  }

  /** Sets running state and state number (`Channel-State` / `Channel-State-Number`). */
  setState(running: string, number: string = running): void {
    this.runningState = running;
    this.stateNumber = STATE_NUMBER[number] ?? 0;
  }
}

/**
 * Appends the channel block to an event: basic data, codecs, caller profile, Other-Leg block and
 * (optionally) the `variable_*` block — `switch_channel_event_set_data` order.
 */
export function addChannelBlock(ev: FsEvent, ch: Channel, opts: { profile?: boolean; vars?: boolean; presence?: boolean } = {}): void {
  ev.add('Channel-State', ch.runningState);
  ev.add('Channel-Call-State', ch.callState);
  ev.add('Channel-State-Number', String(ch.stateNumber));
  ev.add('Channel-Name', ch.name);
  ev.add('Unique-ID', ch.uuid);
  ev.add('Call-Direction', ch.direction);
  ev.add('Presence-Call-Direction', ch.direction);
  ev.add('Channel-HIT-Dialplan', ch.hitDialplan ? 'true' : 'false');
  if (ch.presenceId && opts.presence !== false) ev.add('Channel-Presence-ID', ch.presenceId);
  ev.add('Channel-Call-UUID', ch.callUuid);
  ev.add('Answer-State', ch.answerState);
  if (ch.hangupCause) ev.add('Hangup-Cause', ch.hangupCause);
  if (ch.mediaUp) {
    ev.add('Channel-Read-Codec-Name', 'PCMA');
    ev.add('Channel-Read-Codec-Rate', String(ch.rate));
    ev.add('Channel-Read-Codec-Bit-Rate', '64000');
    ev.add('Channel-Write-Codec-Name', 'PCMA');
    ev.add('Channel-Write-Codec-Rate', String(ch.rate));
    ev.add('Channel-Write-Codec-Bit-Rate', '64000');
  }
  if (opts.profile === false) return;
  addProfileHeaders(ev, 'Caller', ch.profile, { index: true });
  if (ch.other) {
    ev.add('Other-Type', ch.other.type);
    addProfileHeaders(ev, 'Other-Leg', ch.other.profile, { index: false, zeroTimes: ch.other.zeroTimes });
  }
  if (opts.vars === false) return;
  for (const [k, v] of ch.vars.entries()) ev.add('variable_' + k, v);
}
