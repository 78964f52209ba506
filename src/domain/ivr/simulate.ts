/**
 * Flow simulation without telephony: the same node classes run against a scripted caller and
 * report the path taken and every prompt played. Used by the admin API (`…/simulate`) and tests.
 */
import type { Calendar, Language } from './flow-schema.js';
import type { CompiledFlow } from './compile.js';
import type { DigitCollection, IvrContext, QueueOutcome, ResolvedPrompt, SurveyScore, TicketStatusInfo } from './context.js';
import { FlowRun, type FlowOutcome } from './runner.js';
import type { NodeRegistry } from './node.js';

/** The scripted caller and world. */
export interface SimulationInput {
  /** One entry per digit-collection try, in order: `"1"`, `"20261121000001"`; `""` = no input. */
  readonly keys?: readonly string[];
  /** One entry per speech-menu listen, in order; `""` = silence. */
  readonly utterances?: readonly string[];
  /** Time of the call, ISO 8601 (default: now). */
  readonly at?: string;
  /** ANI (default `13800138000`). */
  readonly callerNumber?: string;
  readonly destination?: string;
  /** Call variables at the start. */
  readonly variables?: Readonly<Record<string, string>>;
  /** What the queue does (default `completed`). */
  readonly queueOutcome?: QueueOutcome;
  /** Known tickets: number → status. */
  readonly tickets?: Readonly<Record<string, string>>;
  /** The caller's district for targeted announcements (default unknown). */
  readonly district?: string;
}

export interface SimulatedPrompt {
  readonly nodeId: string;
  readonly text?: string;
  readonly file?: string;
  readonly language?: Language;
}

export interface SimulationResult {
  readonly outcome: FlowOutcome;
  readonly path: readonly { nodeId: string; type: string; exit: string | null }[];
  readonly prompts: readonly SimulatedPrompt[];
  readonly variables: Record<string, string>;
  /** Set when the flow transferred the call out. */
  readonly transferredTo?: string;
  /** Survey answer stored, if a survey ran. */
  readonly survey?: SurveyScore | null;
  readonly error?: string;
}

/** Longest simulated run, in nodes (a flow that keeps looping on retries stops here). */
const MAX_SIMULATED_NODES = 500;

class SimulatedCall implements IvrContext {
  readonly callUuid = 'simulation';
  readonly callerNumber: string;
  readonly destination: string;
  readonly variables: Map<string, string>;
  readonly calendars: Readonly<Record<string, Calendar>>;
  readonly defaultLanguage: Language;
  readonly prompts: SimulatedPrompt[] = [];
  readonly #keys: string[];
  readonly #utterances: string[];
  readonly #at: Date;
  transferredTo: string | undefined;
  survey: SurveyScore | null | undefined;
  nodes = 0;

  constructor(flow: CompiledFlow, private readonly input: SimulationInput, readonly timeZone: string) {
    this.callerNumber = input.callerNumber ?? '13800138000';
    this.destination = input.destination ?? '12345';
    this.variables = new Map(Object.entries(input.variables ?? {}));
    this.calendars = flow.calendars;
    this.defaultLanguage = flow.language;
    this.#keys = [...(input.keys ?? [])];
    this.#utterances = [...(input.utterances ?? [])];
    this.#at = input.at ? new Date(input.at) : new Date();
    if (Number.isNaN(this.#at.getTime())) throw new RangeError(`simulation time "${input.at}" is not a date`);
  }

  now(): Date {
    return this.#at;
  }

  #record(nodeId: string, prompt: ResolvedPrompt): void {
    this.prompts.push(prompt.kind === 'file' ? { nodeId, file: prompt.file } : { nodeId, text: prompt.text, language: prompt.language });
  }

  async play(nodeId: string, prompt: ResolvedPrompt): Promise<void> {
    this.#record(nodeId, prompt);
  }

  async collectDigits(nodeId: string, o: DigitCollection): Promise<string | null> {
    const valid = new RegExp(o.validDigits);
    for (let t = 0; t < o.tries; t++) {
      this.#record(nodeId, o.prompt);
      const raw = this.#keys.shift();
      if (raw === undefined) continue;
      const digits = o.terminators ? raw.replace(new RegExp(`[${o.terminators.replace(/[*#]/g, '\\$&')}]$`), '') : raw;
      if (digits.length >= o.minDigits && digits.length <= o.maxDigits && valid.test(digits)) return digits;
      if (o.invalidPrompt && t < o.tries - 1) this.#record(nodeId, o.invalidPrompt);
    }
    return null;
  }

  async listen(nodeId: string, prompt: ResolvedPrompt): Promise<string | null> {
    this.#record(nodeId, prompt);
    const said = this.#utterances.shift();
    return said ? said : null;
  }

  async queue(nodeId: string, request: { prompt?: ResolvedPrompt }): Promise<QueueOutcome> {
    if (request.prompt) this.#record(nodeId, request.prompt);
    return this.input.queueOutcome ?? 'completed';
  }

  async voicebot(): Promise<void> {}

  async transfer(_nodeId: string, request: { destination: string }): Promise<boolean> {
    this.transferredTo = request.destination;
    return true;
  }

  async lookupTicket(ticketNumber: string): Promise<TicketStatusInfo | null> {
    const status = this.input.tickets?.[ticketNumber];
    return status === undefined ? null : { ticketNumber, status };
  }

  async saveSurvey(_nodeId: string, score: SurveyScore | null): Promise<void> {
    this.survey = score;
  }

  async callerDistrict(): Promise<string | null> {
    return this.variables.get('district') ?? this.input.district ?? null;
  }

  async hangup(): Promise<void> {}
}

/**
 * Run `flow` against `input`. Never touches telephony or storage.
 * @throws RangeError if `input.at` is not a date.
 */
export async function simulateFlow(flow: CompiledFlow, input: SimulationInput, registry: NodeRegistry, timeZone = 'Asia/Shanghai'): Promise<SimulationResult> {
  const call = new SimulatedCall(flow, input, timeZone);
  const run: FlowRun = new FlowRun(flow, call, {
    registry,
    maxStepsWithoutInput: MAX_SIMULATED_NODES,
    onNode: () => {
      if (++call.nodes > MAX_SIMULATED_NODES) run.stop('simulation too long');
    },
  });
  const result = await run.run();
  return {
    outcome: result.outcome,
    path: result.path.map(({ nodeId, type, exit }) => ({ nodeId, type, exit })),
    prompts: call.prompts,
    variables: Object.fromEntries(call.variables),
    ...(call.transferredTo !== undefined ? { transferredTo: call.transferredTo } : {}),
    ...(call.survey !== undefined ? { survey: call.survey } : {}),
    ...(result.error ? { error: result.error.message } : {}),
  };
}
