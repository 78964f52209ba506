import type { Logger } from 'pino';
import type { Acd } from '../acd/acd.js';
import type { HotlineEvents } from '../events.js';
import type { InboundCall, Telephony } from '../telephony-port.js';
import type { Repositories } from '../../storage/repositories.js';
import type { SpeechSynthesizer, TtsVoice } from '../../speech/ports.js';
import type { LiveTranscript } from './live-transcript.js';
import type { CompiledFlow } from '../ivr/compile.js';
import type { NodeRegistry } from '../ivr/node.js';
import { CallEndedError } from '../ivr/context.js';
import { FlowRun } from '../ivr/runner.js';
import { CallIvrContext, type CallFacts } from './call-ivr-context.js';

/** Settings of live calls. Durations in ms. */
export interface CallFlowSettings {
  /** Default queue wait before the queue node takes its `timeout` exit (a node may set its own). */
  readonly maxQueueWaitMs: number;
  readonly ringTimeoutMs: number;
  readonly voicebotMaxListenMs: number;
  readonly voicebotEndSilenceMs: number;
  /** Voice of the voicebot's fixed prompts. */
  readonly promptVoice: TtsVoice;
  readonly recordingsDir: string;
  /** IANA time zone of IVR conditions and announcements. */
  readonly timeZone: string;
  /** FreeSWITCH gateway for outbound transfers (110/119/120, specialist lines). */
  readonly trunkGateway: string;
  readonly transferRingTimeoutMs: number;
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
  /** The published flow for a dialled number, taken once at call start. */
  readonly flowFor: (destination: string) => CompiledFlow | undefined;
  readonly registry: NodeRegistry;
  /** Absolute path of an uploaded prompt file. */
  readonly audioPath: (file: string) => string;
  readonly log: Logger;
}

/** Call states. */
export type CallState = 'ivr' | 'queued' | 'offering' | 'connected' | 'voicebot' | 'ended';

/**
 * One inbound hotline call: answer, then run the IVR flow version published for the dialled
 * number at this moment (kept for the whole call, whatever is published meanwhile), then write
 * the CDR. Queueing, agents, voicebot and survey are nodes of the flow (see `src/domain/ivr`).
 */
export class CallSession {
  readonly #facts: CallFacts = { state: 'ivr', disposition: 'ivr', agent: undefined, otherLeg: undefined };
  readonly #ended: Promise<string>;
  #hangupCause = 'NORMAL_CLEARING';
  #run: FlowRun | undefined;
  /** The flow version this call runs (undefined before start or for adopted calls). */
  flow: CompiledFlow | undefined;

  constructor(private readonly call: InboundCall, private readonly deps: CallSessionDeps) {
    this.#ended = new Promise((resolve) => {
      const off = call.channel.onEvent((event) => {
        if (event.type !== 'hangup') return;
        off();
        this.#hangupCause = event.cause;
        this.#run?.stop('caller hung up');
        resolve(event.cause);
      });
    });
  }

  get uuid(): string {
    return this.call.channel.uuid;
  }

  get state(): CallState {
    return this.#facts.state;
  }

  /** Resolves with the hangup cause once the caller leg ended. */
  get ended(): Promise<string> {
    return this.#ended;
  }

  /** Run the call to its end. Never rejects; failures are logged and end the call. */
  async run(): Promise<void> {
    const { repos, events, log } = this.deps;
    const ch = this.call.channel;
    const startedAt = Date.now();
    repos.createCall(ch.uuid, ch.callerNumber, ch.destination, startedAt);
    events.emit('call', { type: 'started', callUuid: ch.uuid, callerNumber: ch.callerNumber, at: startedAt, resynced: this.call.resynced });
    try {
      if (this.call.resynced && this.call.bridgedTo) {
        // Adopted after a restart while in conversation: just follow it to the end.
        this.#facts.state = 'connected';
        this.#facts.disposition = 'agent';
      } else {
        await this.#runFlow();
      }
    } catch (error) {
      if (!(error instanceof CallEndedError)) {
        log.error({ err: error }, 'call flow failed');
        if (this.#facts.disposition === 'ivr') this.#facts.disposition = 'failed';
        await ch.hangup('NORMAL_TEMPORARY_FAILURE').catch(() => undefined);
      }
    }
    await this.#ended;
    await this.#finish();
  }

  async #runFlow(): Promise<void> {
    const { repos, events, log } = this.deps;
    const ch = this.call.channel;
    const flow = this.deps.flowFor(ch.destination);
    if (!flow) throw new Error(`no published flow answers ${ch.destination}`);
    this.flow = flow;
    repos.updateCall(ch.uuid, { flowId: flow.flowId, flowVersion: flow.version });
    const ctx = new CallIvrContext(ch, flow, this.#facts, this.#ended, this.deps);
    if (!this.call.answered) await ctx.step(() => ch.answer(), undefined);
    repos.updateCall(ch.uuid, { answeredAt: Date.now() });
    const run = new FlowRun(flow, ctx, {
      registry: this.deps.registry,
      onNode: (nodeId, type) => events.emit('call', { type: 'ivr', callUuid: ch.uuid, step: type, detail: nodeId }),
    });
    this.#run = run;
    if (ch.ended) run.stop('caller hung up');
    const result = await run.run();
    log.debug({ outcome: result.outcome, path: result.path.map((s) => `${s.nodeId}:${s.exit ?? '-'}`).join(' ') }, 'flow ended');
    if (result.outcome === 'error') throw result.error;
    if (result.outcome === 'runaway') throw new Error(`flow ${flow.flowId} v${flow.version} ran away`);
    // A transfer bridged the citizen elsewhere: the call ends when either side hangs up.
    if (result.outcome === 'completed' && this.#facts.disposition === 'transferred') return;
    if (!ch.ended && result.outcome !== 'callEnded') await ch.hangup('NORMAL_CLEARING').catch(() => undefined);
  }

  async #finish(): Promise<void> {
    const { acd, events, repos, transcript, log } = this.deps;
    const facts = this.#facts;
    facts.state = 'ended';
    if (facts.otherLeg && !facts.otherLeg.ended) await facts.otherLeg.hangup().catch(() => undefined);
    if (facts.agent) acd.callEnded(facts.agent.id);
    await transcript.finish();
    if (transcript.finalCount > 0 || facts.disposition === 'agent') {
      try {
        transcript.saveDraft();
      } catch (error) {
        log.error({ err: error }, 'saving ticket draft failed');
      }
    }
    const ch = this.call.channel;
    repos.updateCall(ch.uuid, { endedAt: Date.now(), disposition: facts.disposition, hangupCause: this.#hangupCause });
    events.emit('call', { type: 'ended', callUuid: ch.uuid, agentId: facts.agent?.id, disposition: facts.disposition, cause: this.#hangupCause });
  }
}
