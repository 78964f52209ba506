import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Acd } from '../acd/acd.js';
import { QueueWaitAbortedError } from '../acd/acd.js';
import type { Agent } from '../acd/agent.js';
import type { HotlineEvents } from '../events.js';
import { OriginateError, SwitchConnectionLostError, type Channel, type InboundCall, type Telephony } from '../telephony-port.js';
import type { Repositories } from '../../storage/repositories.js';
import type { SpeechSynthesizer, TtsVoice } from '../../speech/ports.js';
import type { LiveTranscript } from './live-transcript.js';
import { MENU_QUEUES, PROMPTS, ticketNumberSpeech, type PromptName } from './prompts.js';
import { runVoicebot } from '../voicebot/voicebot.js';

/** Settings of the default call flow. Durations in ms. */
export interface CallFlowSettings {
  readonly maxQueueWaitMs: number;
  readonly ringTimeoutMs: number;
  readonly voicebotMaxListenMs: number;
  readonly voicebotEndSilenceMs: number;
  readonly promptVoice: TtsVoice;
  readonly recordingsDir: string;
  readonly media: { url: string; sampleRateHz: 8000 | 16000; metadata: (callUuid: string) => Record<string, string> };
}

export interface CallSessionDeps {
  readonly telephony: Telephony;
  readonly acd: Acd;
  readonly events: HotlineEvents;
  readonly repos: Repositories;
  readonly tts: SpeechSynthesizer;
  readonly transcript: LiveTranscript;
  readonly settings: CallFlowSettings;
  readonly log: Logger;
}

/** Call (queued) states. */
export type CallState = 'ivr' | 'queued' | 'offering' | 'connected' | 'voicebot' | 'ended';

/** The caller hung up (or the channel vanished): the flow stops where it is. */
class CallerGone extends Error {
  override name = 'CallerGone' as const;
}

/**
 * One inbound hotline call through the default flow: answer → greeting → DTMF menu → queue →
 * offer to an agent (originate + bridge, RONA on no answer) → stereo audio stream + recording;
 * or overflow to the voicebot when no agent is logged in or the wait exceeds `maxQueueWaitMs`.
 */
export class CallSession {
  state: CallState = 'ivr';
  readonly #channel: Channel;
  readonly #ended: Promise<string>;
  readonly #abort = new AbortController();
  #agent: Agent | undefined;
  #agentChannel: Channel | undefined;
  #disposition = 'ivr';
  #hangupCause = 'NORMAL_CLEARING';

  constructor(private readonly call: InboundCall, private readonly deps: CallSessionDeps) {
    this.#channel = call.channel;
    this.#ended = new Promise((resolve) => {
      const off = this.#channel.onEvent((event) => {
        if (event.type !== 'hangup') return;
        off();
        this.#hangupCause = event.cause;
        this.#abort.abort(new CallerGone('caller hung up'));
        resolve(event.cause);
      });
    });
  }

  get uuid(): string {
    return this.#channel.uuid;
  }

  /** Resolves with the hangup cause once the caller leg ended. */
  get ended(): Promise<string> {
    return this.#ended;
  }

  /** Run the flow to the end of the call. Never rejects; failures are logged and end the call. */
  async run(): Promise<void> {
    const { repos, events, log } = this.deps;
    const ch = this.#channel;
    const startedAt = Date.now();
    repos.createCall(ch.uuid, ch.callerNumber, ch.destination, startedAt);
    events.emit('call', { type: 'started', callUuid: ch.uuid, callerNumber: ch.callerNumber, at: startedAt, resynced: this.call.resynced });
    try {
      if (this.call.resynced && this.call.bridgedTo) {
        // Adopted after a restart while in conversation: just follow it to the end.
        this.state = 'connected';
        this.#disposition = 'agent';
      } else {
        await this.#ivrAndQueue();
      }
      await this.#ended;
    } catch (error) {
      if (!(error instanceof CallerGone) && !(error instanceof QueueWaitAbortedError && ch.ended)) {
        log.error({ err: error }, 'call flow failed');
        this.#disposition = this.#disposition === 'ivr' ? 'failed' : this.#disposition;
        await ch.hangup('NORMAL_TEMPORARY_FAILURE').catch(() => undefined);
      }
      await this.#ended;
    }
    await this.#finish();
  }

  async #ivrAndQueue(): Promise<void> {
    const { events, repos, settings } = this.deps;
    const ch = this.#channel;
    if (!this.call.answered) await this.#step(ch.answer());
    repos.updateCall(ch.uuid, { answeredAt: Date.now() });
    events.emit('call', { type: 'ivr', callUuid: ch.uuid, step: 'greeting' });
    await this.#step(ch.play(await this.#prompt('greeting')));
    events.emit('call', { type: 'ivr', callUuid: ch.uuid, step: 'menu' });
    const choice = await this.#step(ch.playAndCollectDigits({
      promptFile: await this.#prompt('menu'), invalidFile: await this.#prompt('invalid'),
      minDigits: 1, maxDigits: 1, tries: 3, timeoutMs: 5000, validDigits: '^[0-3]$',
    }), null);
    const route = MENU_QUEUES[choice ?? '0'] ?? MENU_QUEUES['0']!;
    events.emit('call', { type: 'ivr', callUuid: ch.uuid, step: 'menuChoice', detail: `${choice ?? 'none'} → ${route.appeal}` });
    repos.updateCall(ch.uuid, { menuChoice: choice ?? null, queue: route.queue });

    if (this.deps.acd.loggedInCount(route.queue) === 0) {
      events.emit('call', { type: 'overflow', callUuid: ch.uuid, reason: 'no-agents' });
      return this.#voicebot();
    }
    const queuedAt = Date.now();
    repos.updateCall(ch.uuid, { queuedAt });
    this.state = 'queued';
    this.#disposition = 'abandoned';
    await this.#step(ch.play(await this.#prompt('transferring')));
    const deadline = queuedAt + settings.maxQueueWaitMs;
    for (;;) {
      const agent = await this.#waitForAgent(route.queue, deadline);
      if (!agent) {
        events.emit('call', { type: 'overflow', callUuid: ch.uuid, reason: 'wait-timeout' });
        repos.updateCall(ch.uuid, { queueWaitMs: Date.now() - queuedAt });
        return this.#voicebot();
      }
      if (await this.#offer(agent, route.queue, queuedAt)) return;
    }
  }

  /** Wait for an agent until `deadline`; null on timeout. Throws CallerGone if the caller hangs up. */
  async #waitForAgent(queue: string, deadline: number): Promise<Agent | null> {
    const ch = this.#channel;
    const timeout = AbortSignal.timeout(Math.max(0, deadline - Date.now()));
    const signal = AbortSignal.any([timeout, this.#abort.signal]);
    this.deps.events.emit('call', { type: 'queued', callUuid: ch.uuid, queue, waiting: this.deps.acd.waitingCount + 1 });
    try {
      return await this.deps.acd.waitForAgent(ch.uuid, queue, signal);
    } catch (error) {
      if (this.#abort.signal.aborted) throw new CallerGone('caller hung up while queued');
      if (error instanceof QueueWaitAbortedError) return null;
      throw error;
    }
  }

  /** Ring the agent; on answer bridge and start media. Returns false after RONA (call stays queued). */
  async #offer(agent: Agent, queue: string, queuedAt: number): Promise<boolean> {
    const { acd, events, repos, telephony, settings, transcript, log } = this.deps;
    const ch = this.#channel;
    this.state = 'offering';
    events.emit('call', { type: 'offered', callUuid: ch.uuid, agentId: agent.id, callerNumber: ch.callerNumber, queue });
    let leg: Channel;
    try {
      leg = await telephony.originate({ endpoint: `user/${agent.sipUser}`, callerIdNumber: ch.callerNumber, ringTimeoutMs: settings.ringTimeoutMs });
    } catch (error) {
      const cause = error instanceof OriginateError ? error.hangupCause : (error as Error).name;
      events.emit('call', { type: 'offerFailed', callUuid: ch.uuid, agentId: agent.id, cause });
      acd.offerFailed(agent.id, true);
      if (ch.ended) throw new CallerGone('caller hung up while ringing');
      this.state = 'queued';
      return false;
    }
    if (ch.ended) {
      await leg.hangup('ORIGINATOR_CANCEL').catch(() => undefined);
      acd.offerFailed(agent.id, false);
      throw new CallerGone('caller hung up while ringing');
    }
    this.#agent = agent;
    this.#agentChannel = leg;
    transcript.agentId = agent.id;
    // Keep the caller when the agent hangs up first is a later feature (survey); for now end both.
    leg.onEvent((event) => {
      if (event.type === 'hangup' && !ch.ended) void ch.hangup('NORMAL_CLEARING').catch(() => undefined);
    });
    await ch.bridge(leg.uuid);
    acd.connected(agent.id);
    this.state = 'connected';
    this.#disposition = 'agent';
    const now = Date.now();
    repos.updateCall(ch.uuid, { agentId: agent.id, agentAnsweredAt: now, queueWaitMs: now - queuedAt });
    events.emit('call', { type: 'answered', callUuid: ch.uuid, agentId: agent.id, queueWaitMs: now - queuedAt });
    const recordingPath = join(settings.recordingsDir, `${ch.uuid}.wav`);
    await this.#resilient(() => ch.startRecording(recordingPath)).then(
      () => repos.updateCall(ch.uuid, { recordingPath }),
      (error: unknown) => log.warn({ err: error }, 'recording did not start'),
    );
    await this.#resilient(() => ch.startAudioStream({
      url: settings.media.url, mix: 'stereo', sampleRateHz: settings.media.sampleRateHz, metadata: settings.media.metadata(ch.uuid),
    })).catch((error: unknown) => log.warn({ err: error }, 'audio stream did not start'));
    return true;
  }

  /**
   * Run a command on the live call; if the switch connection drops under it, wait for the
   * reconnect and try once more (the call lives on in the switch meanwhile).
   */
  async #resilient(operation: () => Promise<void>): Promise<void> {
    try {
      await operation();
    } catch (error) {
      if (!(error instanceof SwitchConnectionLostError)) throw error;
      await Promise.race([this.deps.telephony.whenConnected(), this.#ended]);
      if (this.#channel.ended) return;
      await operation();
    }
  }

  async #voicebot(): Promise<void> {
    const { settings, transcript, events } = this.deps;
    this.state = 'voicebot';
    this.#disposition = 'voicebot';
    transcript.source = 'voicebot';
    await runVoicebot({
      channel: this.#channel,
      transcript,
      prompt: (name) => this.#prompt(name),
      say: (text) => this.deps.tts.synthesize(text, settings.promptVoice),
      ticketSpeech: ticketNumberSpeech,
      media: { url: settings.media.url, sampleRateHz: settings.media.sampleRateHz, metadata: settings.media.metadata(this.#channel.uuid) },
      maxListenMs: settings.voicebotMaxListenMs,
      endSilenceMs: settings.voicebotEndSilenceMs,
      signal: this.#abort.signal,
      progress: (step, detail) => events.emit('call', { type: 'voicebot', callUuid: this.#channel.uuid, step, ...(detail ? { detail } : {}) }),
    });
  }

  #prompt(name: PromptName): Promise<string> {
    return this.deps.tts.synthesize(PROMPTS[name], this.deps.settings.promptVoice);
  }

  /**
   * Await an IVR channel operation; if the caller hung up meanwhile, stop the flow. If the switch
   * connection dropped during it, wait for the reconnect and carry on with `fallback` (the call is
   * still parked on the switch; resync tells us if it ended).
   */
  async #step<T>(operation: Promise<T>, fallback?: T): Promise<T> {
    let result: T;
    try {
      result = await operation;
    } catch (error) {
      if (!(error instanceof SwitchConnectionLostError)) throw error;
      this.deps.log.warn('switch connection lost during IVR step; continuing after reconnect');
      await Promise.race([this.deps.telephony.whenConnected(), this.#ended]);
      result = fallback as T;
    }
    if (this.#channel.ended) throw new CallerGone('caller hung up');
    return result;
  }

  async #finish(): Promise<void> {
    const { acd, events, repos, transcript, log } = this.deps;
    this.state = 'ended';
    if (this.#agentChannel && !this.#agentChannel.ended) await this.#agentChannel.hangup().catch(() => undefined);
    if (this.#agent) acd.callEnded(this.#agent.id);
    await transcript.finish();
    if (transcript.finalCount > 0 || this.#disposition === 'agent') {
      try {
        transcript.saveDraft();
      } catch (error) {
        log.error({ err: error }, 'saving ticket draft failed');
      }
    }
    repos.updateCall(this.#channel.uuid, { endedAt: Date.now(), disposition: this.#disposition, hangupCause: this.#hangupCause });
    events.emit('call', { type: 'ended', callUuid: this.#channel.uuid, agentId: this.#agent?.id, disposition: this.#disposition, cause: this.#hangupCause });
  }
}
