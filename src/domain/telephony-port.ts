/**
 * Telephony port: what the domain sees of the switch. The FreeSWITCH adapter in `src/telephony`
 * implements it; no ESL text crosses this boundary.
 */

/** Why a channel ended, as a Q.850 cause name (e.g. `NORMAL_CLEARING`, `USER_BUSY`, `NO_ANSWER`). */
export type HangupCause = string;

/** Domain events of one channel, mapped from switch events by the adapter. */
export type ChannelEvent =
  | { readonly type: 'answered' }
  | { readonly type: 'dtmf'; readonly digit: string }
  | { readonly type: 'bridged'; readonly otherUuid: string }
  | { readonly type: 'unbridged'; readonly otherUuid: string | undefined }
  | { readonly type: 'audioStreamConnected' }
  | { readonly type: 'audioStreamFailed'; readonly reason: string }
  | { readonly type: 'hangup'; readonly cause: HangupCause };

/** Options of `playAndCollectDigits`. Times in ms. */
export interface CollectDigitsOptions {
  /** Prompt file (absolute path of a WAV the switch can read). */
  readonly promptFile: string;
  readonly invalidFile?: string;
  readonly minDigits: number;
  readonly maxDigits: number;
  readonly tries: number;
  /** Wait for the first digit after the prompt ends. */
  readonly timeoutMs: number;
  readonly terminators?: string;
  /** Regular expression the digits must match, FreeSWITCH (PCRE) syntax, e.g. `^[0-3]$`. */
  readonly validDigits: string;
  /** Gap allowed between digits. */
  readonly interDigitTimeoutMs?: number;
}

/** How the switch streams the channel's audio to the media endpoint. */
export interface AudioStreamOptions {
  /** ws:// or wss:// URL of the server's media endpoint, as reachable from the switch. */
  readonly url: string;
  /** `mono` = caller only (flows continuously); `stereo` = caller left, other leg/prompts right. */
  readonly mix: 'mono' | 'stereo';
  readonly sampleRateHz: 8000 | 16000;
  /** Sent as the first text frame; serialised compact (the switch splits arguments on spaces). */
  readonly metadata: Readonly<Record<string, string>>;
}

/** One leg of a call, driven by the domain. Every method rejects if the channel is gone. */
export interface Channel {
  readonly uuid: string;
  /** Caller ID number (ANI), e.g. `13800138000`. */
  readonly callerNumber: string;
  /** Dialled number, e.g. `12345`. */
  readonly destination: string;
  /** True once the hangup event was seen. */
  readonly ended: boolean;
  answer(): Promise<void>;
  /** Play a file to the end (or until interrupted by `stopPlayback`). */
  play(file: string): Promise<void>;
  /** Stop the current playback (barge-in). */
  stopPlayback(): Promise<void>;
  /** Play a prompt and collect digits; resolves with the digits, or `null` after the tries ran out. */
  playAndCollectDigits(options: CollectDigitsOptions): Promise<string | null>;
  setVariable(name: string, value: string): Promise<void>;
  /** Bridge this (parked) channel with another (parked, answered) one. */
  bridge(otherUuid: string): Promise<void>;
  startAudioStream(options: AudioStreamOptions): Promise<void>;
  stopAudioStream(): Promise<void>;
  /** Record both directions into a WAV at `path` (stereo: caller left) until hangup or `stopRecording`. */
  startRecording(path: string): Promise<void>;
  stopRecording(path: string): Promise<void>;
  /** Hang up with a Q.850 cause (default NORMAL_CLEARING). Resolves when the command was accepted. */
  hangup(cause?: HangupCause): Promise<void>;
  /** Subscribe to this channel's events; returns the unsubscribe function. */
  onEvent(listener: (event: ChannelEvent) => void): () => void;
}

/** Outbound leg request (agent offer). */
export interface OriginateRequest {
  /** Switch endpoint, e.g. `user/1000`. */
  readonly endpoint: string;
  readonly callerIdNumber: string;
  readonly callerIdName?: string;
  /** Ring time before giving up (RONA), in ms. */
  readonly ringTimeoutMs: number;
}

/** Originate failed: the cause says why (`NO_ANSWER`, `USER_BUSY`, `USER_NOT_REGISTERED`, …). */
export class OriginateError extends Error {
  override name = 'OriginateError' as const;
  constructor(readonly hangupCause: HangupCause) {
    super(`originate failed: ${hangupCause}`);
  }
}

/** The control connection to the switch was lost while the operation was pending; the call may live on. */
export class SwitchConnectionLostError extends Error {
  override name = 'SwitchConnectionLostError' as const;
}

/** A call the switch handed over (parked), or one re-adopted after a reconnect/restart. */
export interface InboundCall {
  readonly channel: Channel;
  /** True when found again by resynchronisation rather than announced by a park event. */
  readonly resynced: boolean;
  /** Answered already (resynced calls may be). */
  readonly answered: boolean;
  /** Uuid of the bridged leg, for a resynced call that is in conversation. */
  readonly bridgedTo: string | undefined;
}

/** The switch as a whole. */
export interface Telephony {
  /** Connect; resolves once the first connection is up. */
  start(): Promise<void>;
  /** A new inbound call for the hotline was parked (or adopted after resync). */
  onInboundCall(listener: (call: InboundCall) => void): () => void;
  /** Ring an endpoint; resolves with the answered, parked channel, rejects `OriginateError`. */
  originate(request: OriginateRequest): Promise<Channel>;
  /** Connection state changes (for health and supervisors). */
  onConnectionChange(listener: (connected: boolean) => void): () => void;
  readonly connected: boolean;
  /** Resolves when the control connection is up (at once if it is). */
  whenConnected(): Promise<void>;
  close(): Promise<void>;
}
