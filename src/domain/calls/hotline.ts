import type { InboundCall } from '../telephony-port.js';
import type { TicketDrafterFactory } from '../tickets/drafter.js';
import type { SpeechRecognizer, Speaker } from '../../speech/ports.js';
import { CallSession, type CallSessionDeps } from './call-session.js';
import { LiveTranscript, type CallAudioSink } from './live-transcript.js';

/** What the hotline needs: every call's dependencies (but its transcript, made here) plus speech and ticket intelligence. */
export interface HotlineDeps extends Omit<CallSessionDeps, 'transcript'> {
  readonly recognizer: SpeechRecognizer;
  /** Recognition language of calls, e.g. `zh-CN`. */
  readonly language: string;
  readonly drafterFactory: TicketDrafterFactory;
}

/** A call the media layer may attach audio to. */
export interface LiveCallLookup {
  /** Open the audio sink of a live call; undefined if the call is unknown or over. */
  openAudio(callUuid: string, sampleRateHz: 8000 | 16000, channels: 1 | 2): CallAudioSink | undefined;
}

/**
 * The hotline service: takes every inbound call from the switch through a `CallSession`, keeps the
 * live calls for the media layer, and numbers tickets (yyyymmdd + 6-digit daily sequence).
 */
export class Hotline implements LiveCallLookup {
  readonly #sessions = new Map<string, { session: CallSession; transcript: LiveTranscript }>();
  readonly #running = new Set<Promise<void>>();
  #off: (() => void) | undefined;

  constructor(private readonly deps: HotlineDeps) {}

  start(): void {
    this.#off = this.deps.telephony.onInboundCall((call) => this.#accept(call));
  }

  get liveCalls(): number {
    return this.#sessions.size;
  }

  #accept(call: InboundCall): void {
    const uuid = call.channel.uuid;
    if (this.#sessions.has(uuid)) return;
    const log = this.deps.log.child({ callUuid: uuid });
    const transcript = new LiveTranscript(uuid, {
      recognizer: this.deps.recognizer, language: this.deps.language, events: this.deps.events, repos: this.deps.repos,
      drafter: this.deps.drafterFactory(call.channel.callerNumber), log, newTicketNumber: () => this.#newTicketNumber(),
    });
    const session = new CallSession(call, { ...this.deps, transcript, log });
    this.#sessions.set(uuid, { session, transcript });
    const run = session.run().finally(() => {
      this.#sessions.delete(uuid);
      this.#running.delete(run);
    });
    this.#running.add(run);
  }

  openAudio(callUuid: string, sampleRateHz: 8000 | 16000, channels: 1 | 2): CallAudioSink | undefined {
    const entry = this.#sessions.get(callUuid);
    if (!entry || entry.session.state === 'ended') return undefined;
    const speakers: Speaker[] = channels === 2 ? ['caller', 'agent'] : ['caller'];
    return entry.transcript.openSink(sampleRateHz, speakers);
  }

  #newTicketNumber(): string {
    const d = new Date();
    const prefix = `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`;
    const next = this.deps.repos.countTicketsWithPrefix(prefix) + 1;
    return `${prefix}${String(next).padStart(6, '0')}`;
  }

  /** Resolves when no call is in progress (calls end on the switch; this does not end them). */
  async whenIdle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  /** Stop taking new calls. Calls in progress go on until the switch ends them. */
  close(): void {
    this.#off?.();
  }
}
