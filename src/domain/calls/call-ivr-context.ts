/**
 * The live `IvrContext`: what flow nodes do, done on a FreeSWITCH channel through the telephony
 * port — prompts (uploaded files or TTS), digit collection, speech listening over a mono audio
 * stream, the ACD queue with offer/bridge/RONA, the voicebot, outbound transfer through the
 * trunk, ticket lookup and the satisfaction survey.
 */
import { join } from 'node:path';
import { QueueWaitAbortedError } from '../acd/acd.js';
import type { Agent } from '../acd/agent.js';
import { CallEndedError, type DigitCollection, type IvrContext, type QueueOutcome, type ResolvedPrompt, type SurveyScore, type TicketStatusInfo } from '../ivr/context.js';
import type { CompiledFlow } from '../ivr/compile.js';
import type { Calendar, Language } from '../ivr/flow-schema.js';
import { OriginateError, SwitchConnectionLostError, type Channel } from '../telephony-port.js';
import { runVoicebot } from '../voicebot/voicebot.js';
import { PROMPTS, ticketNumberSpeech, type PromptName } from './prompts.js';
import type { CallSessionDeps, CallState } from './call-session.js';

/** Mutable facts of one call, shared by the session and its IVR context. */
export interface CallFacts {
  state: CallState;
  /** agent | voicebot | transferred | abandoned | ivr | failed */
  disposition: string;
  agent: Agent | undefined;
  /** The agent's or the outside party's leg while bridged. */
  otherLeg: Channel | undefined;
}

/** The IVR context of one live call. */
export class CallIvrContext implements IvrContext {
  readonly variables = new Map<string, string>();
  readonly calendars: Readonly<Record<string, Calendar>>;
  readonly defaultLanguage: Language;
  readonly timeZone: string;

  constructor(
    private readonly channel: Channel,
    flow: CompiledFlow,
    private readonly facts: CallFacts,
    private readonly ended: Promise<string>,
    private readonly deps: CallSessionDeps,
  ) {
    this.calendars = flow.calendars;
    this.defaultLanguage = flow.language;
    this.timeZone = deps.settings.timeZone;
  }

  get callUuid(): string {
    return this.channel.uuid;
  }

  get callerNumber(): string {
    return this.channel.callerNumber;
  }

  get destination(): string {
    return this.channel.destination;
  }

  now(): Date {
    return new Date();
  }

  #progress(nodeId: string, step: string, detail?: string): void {
    this.deps.events.emit('call', { type: 'ivr', callUuid: this.channel.uuid, step: `${nodeId}:${step}`, ...(detail !== undefined ? { detail } : {}) });
  }

  /** Absolute path of a prompt the switch can play. */
  async promptFile(prompt: ResolvedPrompt): Promise<string> {
    if (prompt.kind === 'file') return this.deps.audioPath(prompt.file);
    return this.deps.tts.synthesize(prompt.text, prompt.language);
  }

  /**
   * Await a channel operation. A lost switch connection waits for the reconnect and yields
   * `fallback` (the call is still parked; resync reports whether it ended). Throws
   * `CallEndedError` once the caller is gone.
   */
  async step<T>(operation: () => Promise<T>, fallback: T): Promise<T> {
    let result: T;
    try {
      result = await operation();
    } catch (error) {
      if (this.channel.ended) throw new CallEndedError('caller hung up');
      if (!(error instanceof SwitchConnectionLostError)) throw error;
      this.deps.log.warn('switch connection lost during IVR step; continuing after reconnect');
      await Promise.race([this.deps.telephony.whenConnected(), this.ended]);
      result = fallback;
    }
    if (this.channel.ended) throw new CallEndedError('caller hung up');
    return result;
  }

  async play(nodeId: string, prompt: ResolvedPrompt): Promise<void> {
    this.#progress(nodeId, 'play');
    const file = await this.promptFile(prompt);
    await this.step(() => this.channel.play(file), undefined);
  }

  async collectDigits(nodeId: string, o: DigitCollection): Promise<string | null> {
    this.#progress(nodeId, 'collect');
    const promptFile = await this.promptFile(o.prompt);
    const invalidFile = o.invalidPrompt ? await this.promptFile(o.invalidPrompt) : undefined;
    const digits = await this.step(() => this.channel.playAndCollectDigits({
      promptFile, ...(invalidFile ? { invalidFile } : {}), minDigits: o.minDigits, maxDigits: o.maxDigits, tries: o.tries,
      timeoutMs: o.timeoutMs, validDigits: o.validDigits,
      ...(o.terminators ? { terminators: o.terminators } : {}), ...(o.interDigitTimeoutMs ? { interDigitTimeoutMs: o.interDigitTimeoutMs } : {}),
    }), null);
    this.#progress(nodeId, 'digits', digits ?? 'none');
    return digits;
  }

  async listen(nodeId: string, prompt: ResolvedPrompt, options: { maxListenMs: number }, signal: AbortSignal): Promise<string | null> {
    await this.play(nodeId, prompt);
    const { settings, transcript } = this.deps;
    transcript.drafting = false;
    try {
      await this.step(() => this.channel.startAudioStream({
        url: settings.media.url, mix: 'mono', sampleRateHz: settings.media.sampleRateHz, metadata: settings.media.metadata(this.channel.uuid),
      }), undefined);
      const heard = await firstFinal(transcript.onFinal.bind(transcript), options.maxListenMs, AbortSignal.any([signal, this.#endedSignal()]));
      await this.channel.stopAudioStream().catch(() => undefined);
      if (this.channel.ended) throw new CallEndedError('caller hung up');
      this.#progress(nodeId, 'heard', heard ?? '');
      return heard;
    } finally {
      transcript.drafting = true;
    }
  }

  #endedSignal(): AbortSignal {
    const ctl = new AbortController();
    void this.ended.then(() => ctl.abort());
    return ctl.signal;
  }

  async queue(nodeId: string, request: { queue: string; priority: number; skills: readonly string[]; maxWaitMs?: number; prompt?: ResolvedPrompt }, signal: AbortSignal): Promise<QueueOutcome> {
    const { acd, events, repos, settings } = this.deps;
    const ch = this.channel;
    repos.updateCall(ch.uuid, { menuChoice: this.variables.get('mainMenu') ?? null, queue: request.queue });
    if (acd.loggedInCount(request.queue, request.skills) === 0) {
      events.emit('call', { type: 'overflow', callUuid: ch.uuid, reason: 'no-agents' });
      return 'noAgents';
    }
    const queuedAt = Date.now();
    repos.updateCall(ch.uuid, { queuedAt });
    this.facts.state = 'queued';
    this.facts.disposition = 'abandoned';
    if (request.prompt) await this.play(nodeId, request.prompt);
    const deadline = queuedAt + (request.maxWaitMs ?? settings.maxQueueWaitMs);
    for (;;) {
      const agent = await this.#waitForAgent(request, deadline, signal);
      if (!agent) {
        events.emit('call', { type: 'overflow', callUuid: ch.uuid, reason: 'wait-timeout' });
        repos.updateCall(ch.uuid, { queueWaitMs: Date.now() - queuedAt });
        this.facts.state = 'ivr';
        this.facts.disposition = 'ivr';
        return 'timeout';
      }
      const leg = await this.#offer(agent, request.queue, queuedAt);
      if (leg) {
        await this.#untilUnbridged(leg);
        return 'completed';
      }
    }
  }

  /** Wait for an agent until `deadline`; null on timeout. Throws CallEndedError if the caller hangs up. */
  async #waitForAgent(request: { queue: string; priority: number; skills: readonly string[] }, deadline: number, signal: AbortSignal): Promise<Agent | null> {
    const ch = this.channel;
    const ended = this.#endedSignal();
    const wait = AbortSignal.any([AbortSignal.timeout(Math.max(0, deadline - Date.now())), ended, signal]);
    this.deps.events.emit('call', { type: 'queued', callUuid: ch.uuid, queue: request.queue, waiting: this.deps.acd.waitingCount + 1 });
    try {
      return await this.deps.acd.waitForAgent(ch.uuid, request.queue, wait, request.priority, request.skills);
    } catch (error) {
      if (ended.aborted || ch.ended) throw new CallEndedError('caller hung up while queued');
      if (error instanceof QueueWaitAbortedError) return null;
      throw error;
    }
  }

  /** Ring the agent; on answer bridge, record and stream. Returns the agent leg, or undefined after RONA. */
  async #offer(agent: Agent, queue: string, queuedAt: number): Promise<Channel | undefined> {
    const { acd, events, repos, telephony, settings, transcript, log } = this.deps;
    const ch = this.channel;
    this.facts.state = 'offering';
    events.emit('call', { type: 'offered', callUuid: ch.uuid, agentId: agent.id, callerNumber: ch.callerNumber, queue });
    let leg: Channel;
    try {
      leg = await telephony.originate({ endpoint: `user/${agent.sipUser}`, callerIdNumber: ch.callerNumber, ringTimeoutMs: settings.ringTimeoutMs });
    } catch (error) {
      const cause = error instanceof OriginateError ? error.hangupCause : (error as Error).name;
      events.emit('call', { type: 'offerFailed', callUuid: ch.uuid, agentId: agent.id, cause });
      acd.offerFailed(agent.id, true);
      if (ch.ended) throw new CallEndedError('caller hung up while ringing');
      this.facts.state = 'queued';
      return undefined;
    }
    if (ch.ended) {
      await leg.hangup('ORIGINATOR_CANCEL').catch(() => undefined);
      acd.offerFailed(agent.id, false);
      throw new CallEndedError('caller hung up while ringing');
    }
    this.facts.agent = agent;
    this.facts.otherLeg = leg;
    transcript.agentId = agent.id;
    // Keep the citizen after the agent leaves (post-call survey); the dialplan sets it too.
    await this.step(() => ch.setVariable('park_after_bridge', 'true'), undefined);
    await ch.bridge(leg.uuid);
    acd.connected(agent.id);
    this.facts.state = 'connected';
    this.facts.disposition = 'agent';
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
    return leg;
  }

  /** Resolve when the other leg hangs up (the caller stays, parked); throw CallEndedError if the caller goes first. */
  async #untilUnbridged(leg: Channel): Promise<void> {
    const legEnded = new Promise<void>((resolve) => {
      if (leg.ended) return resolve();
      const off = leg.onEvent((e) => {
        if (e.type === 'hangup') {
          off();
          resolve();
        }
      });
    });
    await Promise.race([legEnded, this.ended]);
    if (this.channel.ended) throw new CallEndedError('caller hung up during the conversation');
    this.facts.state = 'ivr';
    await this.channel.stopAudioStream().catch(() => undefined);
  }

  /** Run an operation; if the switch connection drops under it, wait for the reconnect and try once more. */
  async #resilient(operation: () => Promise<void>): Promise<void> {
    try {
      await operation();
    } catch (error) {
      if (!(error instanceof SwitchConnectionLostError)) throw error;
      await Promise.race([this.deps.telephony.whenConnected(), this.ended]);
      if (this.channel.ended) return;
      await operation();
    }
  }

  async voicebot(nodeId: string, options: { maxListenMs?: number }, signal: AbortSignal): Promise<void> {
    const { settings, transcript, events } = this.deps;
    this.facts.state = 'voicebot';
    this.facts.disposition = 'voicebot';
    transcript.source = 'voicebot';
    const prompt = (name: PromptName) => this.deps.tts.synthesize(PROMPTS[name], settings.promptVoice);
    await runVoicebot({
      channel: this.channel, transcript, prompt,
      say: (text) => this.deps.tts.synthesize(text, settings.promptVoice),
      ticketSpeech: ticketNumberSpeech,
      media: { url: settings.media.url, sampleRateHz: settings.media.sampleRateHz, metadata: settings.media.metadata(this.channel.uuid) },
      maxListenMs: options.maxListenMs ?? settings.voicebotMaxListenMs,
      endSilenceMs: settings.voicebotEndSilenceMs,
      signal: AbortSignal.any([signal, this.#endedSignal()]),
      progress: (step, detail) => events.emit('call', { type: 'voicebot', callUuid: this.channel.uuid, step, ...(detail ? { detail } : {}) }),
    });
    this.#progress(nodeId, 'voicebotDone');
  }

  async transfer(nodeId: string, request: { destination: string; kind: 'emergency' | 'specialist' | 'external' }): Promise<boolean> {
    const { telephony, settings, repos, events, log } = this.deps;
    const ch = this.channel;
    this.#progress(nodeId, 'transfer', `${request.kind} ${request.destination}`);
    let leg: Channel;
    try {
      // The citizen's own number goes out, so 110/119/120 can call back.
      leg = await telephony.originate({
        endpoint: `sofia/gateway/${settings.trunkGateway}/${request.destination}`, callerIdNumber: ch.callerNumber, ringTimeoutMs: settings.transferRingTimeoutMs,
      });
    } catch (error) {
      log.warn({ err: error, destination: request.destination }, 'transfer failed');
      if (ch.ended) throw new CallEndedError('caller hung up during the transfer');
      events.emit('alert', { callUuid: ch.uuid, agentId: undefined, kind: 'transferFailed', detail: `${request.kind} ${request.destination}` });
      return false;
    }
    if (ch.ended) {
      await leg.hangup('ORIGINATOR_CANCEL').catch(() => undefined);
      throw new CallEndedError('caller hung up during the transfer');
    }
    await ch.bridge(leg.uuid);
    this.facts.otherLeg = leg;
    this.facts.state = 'connected';
    this.facts.disposition = 'transferred';
    repos.updateCall(ch.uuid, { queue: `transfer:${request.destination}` });
    // The outside party hanging up ends the citizen's call too.
    leg.onEvent((e) => {
      if (e.type === 'hangup' && !ch.ended) void ch.hangup('NORMAL_CLEARING').catch(() => undefined);
    });
    return true;
  }

  async lookupTicket(ticketNumber: string): Promise<TicketStatusInfo | null> {
    const ticket = this.deps.repos.ticketByNumber(ticketNumber);
    return ticket ? { ticketNumber: ticket.ticketNumber, status: ticket.status } : null;
  }

  async saveSurvey(nodeId: string, score: SurveyScore | null): Promise<void> {
    this.deps.repos.saveSurvey({ callUuid: this.channel.uuid, agentId: this.facts.agent?.id ?? null, score, nodeId, at: Date.now() });
    this.#progress(nodeId, 'survey', score === null ? 'none' : String(score));
  }

  async callerDistrict(): Promise<string | null> {
    return this.variables.get('district') ?? this.deps.repos.lastDistrictOfCaller(this.channel.callerNumber);
  }

  async hangup(nodeId: string, cause: string | undefined): Promise<void> {
    this.#progress(nodeId, 'hangup');
    if (!this.channel.ended) await this.step(() => this.channel.hangup(cause ?? 'NORMAL_CLEARING'), undefined).catch((e: unknown) => {
      if (!(e instanceof CallEndedError)) throw e;
    });
  }
}

/** The text of the first final result, or null after `maxMs` / on abort. */
function firstFinal(subscribe: (listener: (r: { text: string }) => void) => () => void, maxMs: number, signal: AbortSignal): Promise<string | null> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(null);
    const done = (text: string | null) => {
      clearTimeout(timer);
      off();
      signal.removeEventListener('abort', onAbort);
      resolve(text);
    };
    const onAbort = () => done(null);
    const timer = setTimeout(() => done(null), maxMs);
    const off = subscribe((r) => {
      if (r.text.trim()) done(r.text.trim());
    });
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
