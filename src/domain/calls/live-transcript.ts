import type { Logger } from 'pino';
import type { RecognitionResult, Speaker, SpeechRecognizer, SpeechStream } from '../../speech/ports.js';
import type { HotlineEvents } from '../events.js';
import type { TicketDrafter, TicketDraftResult } from '../tickets/drafter.js';
import type { Repositories } from '../../storage/repositories.js';

/** What the media layer delivers into a call: split, mono PCM per speaker. */
export interface CallAudioSink {
  /** Sample rate the stream was opened with. */
  readonly sampleRateHz: 8000 | 16000;
  /** Push one frame; `agent` is absent for mono (caller-only) streams. */
  push(caller: Int16Array, agent: Int16Array | undefined): void;
  /** The audio stream closed (switch stopped it or the call ended). */
  streamClosed(): void;
}

/** Dependencies of a live transcript. */
export interface LiveTranscriptDeps {
  readonly recognizer: SpeechRecognizer;
  readonly language: string;
  readonly events: HotlineEvents;
  readonly repos: Repositories;
  readonly drafter: TicketDrafter;
  readonly log: Logger;
  /** Allocates a ticket number when the first draft is saved. */
  readonly newTicketNumber: () => string;
}

/**
 * The live transcript and ticket draft of one call: one ASR stream per speaker, results numbered
 * per call (`seq`), finals stored and fed to ticket intelligence, drafts stored and pushed.
 */
export class LiveTranscript {
  #seq = 0;
  #streams = new Map<Speaker, SpeechStream>();
  #agentId: string | undefined;
  #ticketNumber: string | undefined;
  #lastFinalAt = 0;
  #finals = 0;
  #source: 'agent' | 'voicebot' = 'agent';
  readonly #finalListeners = new Set<(result: RecognitionResult) => void>();
  /** Final utterances of the call, in order (stored with the ticket draft). */
  readonly #turns: Array<{ seq: number; speaker: Speaker; text: string }> = [];

  constructor(readonly callUuid: string, private readonly deps: LiveTranscriptDeps) {}

  set agentId(id: string | undefined) {
    this.#agentId = id;
  }

  /**
   * False while the IVR listens for a speech-menu answer: finals are stored and reach `onFinal`
   * listeners but do not feed the ticket draft.
   */
  drafting = true;

  set source(source: 'agent' | 'voicebot') {
    this.#source = source;
  }

  get ticketNumber(): string | undefined {
    return this.#ticketNumber;
  }

  /** Time of the last final result (ms since epoch), 0 if none. */
  get lastFinalAt(): number {
    return this.#lastFinalAt;
  }

  get finalCount(): number {
    return this.#finals;
  }

  onFinal(listener: (result: RecognitionResult) => void): () => void {
    this.#finalListeners.add(listener);
    return () => this.#finalListeners.delete(listener);
  }

  /** Open a sink for an audio stream: caller only (mono) or caller + agent (stereo). */
  openSink(sampleRateHz: 8000 | 16000, speakers: readonly Speaker[]): CallAudioSink {
    for (const speaker of speakers) {
      this.#streams.get(speaker)?.close();
      this.#streams.set(speaker, this.deps.recognizer.createStream({
        sampleRateHz, speaker, language: this.deps.language,
        onResult: (result) => this.#onResult(result),
        onError: (error) => this.deps.log.error({ err: error, speaker }, 'speech stream failed'),
      }));
    }
    const caller = this.#streams.get('caller');
    const agent = speakers.includes('agent') ? this.#streams.get('agent') : undefined;
    return {
      sampleRateHz,
      push: (callerPcm, agentPcm) => {
        caller?.pushAudio(callerPcm);
        if (agentPcm && agent) agent.pushAudio(agentPcm);
      },
      streamClosed: () => {
        void caller?.end();
        void agent?.end();
      },
    };
  }

  #onResult(result: RecognitionResult): void {
    const seq = ++this.#seq;
    const text = result.text.trim();
    if (result.kind === 'final' && text === '') return;
    this.deps.events.emit('transcript', {
      callUuid: this.callUuid, agentId: this.#agentId, seq, kind: result.kind, speaker: result.speaker, text,
      startMs: result.startMs, endMs: result.endMs, confidence: result.confidence, emittedAt: performance.timeOrigin + performance.now(),
    });
    if (result.kind !== 'final') return;
    const drafting = this.drafting;
    this.#lastFinalAt = Date.now();
    if (drafting) {
      this.#finals++;
      this.#turns.push({ seq, speaker: result.speaker, text });
    }
    try {
      this.deps.repos.addTranscript({
        callUuid: this.callUuid, seq, speaker: result.speaker, text, startMs: result.startMs, endMs: result.endMs,
        confidence: result.confidence, engine: this.deps.recognizer.engine,
      });
    } catch (error) {
      this.deps.log.error({ err: error }, 'storing transcript failed');
    }
    if (!drafting) {
      for (const listener of this.#finalListeners) listener(result);
      return;
    }
    const update = this.deps.drafter.addTurn({ speaker: result.speaker, text });
    this.#saveDraft(update);
    for (const alert of update.alerts) {
      this.deps.events.emit('alert', { callUuid: this.callUuid, agentId: this.#agentId, kind: alert.kind, detail: alert.detail });
    }
    for (const listener of this.#finalListeners) listener(result);
  }

  /** Store the current draft (creating the ticket if needed); returns the ticket number. */
  saveDraft(): string {
    return this.#saveDraft(this.deps.drafter.current());
  }

  #saveDraft(update: TicketDraftResult): string {
    this.#ticketNumber = this.deps.repos.saveTicketDraft({
      callUuid: this.callUuid, source: this.#source, contactPhone: update.contactPhone,
      draft: { ...update.draft, transcript: this.#turns }, newNumber: this.deps.newTicketNumber,
    });
    // The agent already has the transcript line by line: push the fields only.
    this.deps.events.emit('ticketDraft', {
      callUuid: this.callUuid, agentId: this.#agentId, ticketNumber: this.#ticketNumber, draft: update.draft, changedFields: update.changedFields,
    });
    return this.#ticketNumber;
  }

  /** Flush and close every ASR stream (waits for last finals). */
  async finish(): Promise<void> {
    await Promise.all([...this.#streams.values()].map((s) => s.end().catch(() => undefined)));
    for (const stream of this.#streams.values()) stream.close();
    this.#streams.clear();
  }
}
