/**
 * What IVR nodes can do to a call — the port between the flow engine and the world. The live
 * implementation drives a FreeSWITCH channel (`src/domain/calls/call-ivr-context.ts`); the
 * simulation implementation answers from a script (`simulate.ts`). Nodes never see telephony.
 */
import type { Calendar, Language, Prompt } from './flow-schema.js';

/** A prompt after language resolution: an uploaded file name, or text in one language. */
export type ResolvedPrompt =
  | { readonly kind: 'file'; readonly file: string }
  | { readonly kind: 'tts'; readonly text: string; readonly language: Language };

/** Options of `IvrContext.collectDigits`. Durations in ms. */
export interface DigitCollection {
  readonly prompt: ResolvedPrompt;
  readonly invalidPrompt?: ResolvedPrompt;
  readonly minDigits: number;
  readonly maxDigits: number;
  /** Tries (prompt + wait) before giving up. */
  readonly tries: number;
  readonly timeoutMs: number;
  readonly interDigitTimeoutMs?: number;
  /** e.g. `#`. */
  readonly terminators?: string;
  /** Regular expression (PCRE/JS subset) the digits must match, e.g. `^[0-3]$`. */
  readonly validDigits: string;
}

/** Outcome of queueing the call for an agent. */
export type QueueOutcome = 'completed' | 'timeout' | 'noAgents';

/** A ticket as the caller may hear about it. */
export interface TicketStatusInfo {
  readonly ticketNumber: string;
  /** Status code, e.g. `draft`, `dispatched`, `handling`, `closed`. */
  readonly status: string;
}

/** Survey scores: 1 满意 (satisfied), 2 基本满意 (basically satisfied), 3 不满意 (dissatisfied). */
export type SurveyScore = 1 | 2 | 3;

/** The call ended (caller hung up, or the call was transferred away) while a node was running. */
export class CallEndedError extends Error {
  override name = 'CallEndedError' as const;
}

/**
 * Capabilities a node uses. Every async method rejects with `CallEndedError` when the call ends
 * under it, and honours `signal` (aborted by `IvrNode.kill`).
 */
export interface IvrContext {
  readonly callUuid: string;
  /** ANI, e.g. `13800138000`. */
  readonly callerNumber: string;
  readonly destination: string;
  /** Call variables (the flow's own; `language` selects prompt texts). */
  readonly variables: Map<string, string>;
  /** Calendars of the running flow version. */
  readonly calendars: Readonly<Record<string, Calendar>>;
  /** Default language of the running flow version. */
  readonly defaultLanguage: Language;
  /** IANA time zone of the centre, e.g. `Asia/Shanghai`. */
  readonly timeZone: string;
  now(): Date;
  play(nodeId: string, prompt: ResolvedPrompt, signal: AbortSignal): Promise<void>;
  /** Play and collect; the digits, or null once the tries ran out. */
  collectDigits(nodeId: string, options: DigitCollection, signal: AbortSignal): Promise<string | null>;
  /** Play `prompt`, then listen for one utterance (caller speech); its text, or null if none within `maxListenMs`. */
  listen(nodeId: string, prompt: ResolvedPrompt, options: { maxListenMs: number; language: Language }, signal: AbortSignal): Promise<string | null>;
  /** Queue for an agent; resolves when the conversation is over (caller still on the line) or the queue gave up. */
  queue(nodeId: string, request: { queue: string; priority: number; skills: readonly string[]; maxWaitMs?: number; prompt?: ResolvedPrompt }, signal: AbortSignal): Promise<QueueOutcome>;
  /** Run the voicebot (takes the appeal, registers a ticket, reads its number back). */
  voicebot(nodeId: string, options: { maxListenMs?: number }, signal: AbortSignal): Promise<void>;
  /** Transfer the call out; true when the switch took it (the call then leaves the hotline). */
  transfer(nodeId: string, request: { destination: string; kind: 'emergency' | 'specialist' | 'external' }, signal: AbortSignal): Promise<boolean>;
  lookupTicket(ticketNumber: string): Promise<TicketStatusInfo | null>;
  /** Store the caller's satisfaction (null = no answer) against the call. */
  saveSurvey(nodeId: string, score: SurveyScore | null): Promise<void>;
  /** The caller's district (variable `district`, else from their earlier tickets); null if unknown. */
  callerDistrict(): Promise<string | null>;
  hangup(nodeId: string, cause: string | undefined): Promise<void>;
}

/**
 * Pick the prompt's language and text: `prompt.language`, else the call variable `language`, else
 * the flow default; per-language text falls back to the default language, then any text given.
 */
export function resolvePrompt(prompt: Prompt, ctx: Pick<IvrContext, 'variables' | 'defaultLanguage'>): ResolvedPrompt {
  if ('file' in prompt) return { kind: 'file', file: prompt.file };
  const wanted = (prompt.language ?? ctx.variables.get('language') ?? ctx.defaultLanguage) as Language;
  const language: Language = wanted === 'cmn' || wanted === 'yue' || wanted === 'en' ? wanted : ctx.defaultLanguage;
  if (typeof prompt.text === 'string') return { kind: 'tts', text: prompt.text, language: prompt.language ?? language };
  const byLanguage = prompt.text as Partial<Record<Language, string>>;
  const text = byLanguage[language] ?? byLanguage[ctx.defaultLanguage];
  if (text !== undefined) return { kind: 'tts', text, language: byLanguage[language] !== undefined ? language : ctx.defaultLanguage };
  const [firstLanguage, firstText] = Object.entries(byLanguage)[0] as [Language, string];
  return { kind: 'tts', text: firstText, language: firstLanguage };
}

/** The call's language: the variable `language` when it names a supported language, else the flow default. */
export function callLanguage(ctx: Pick<IvrContext, 'variables' | 'defaultLanguage'>): Language {
  const v = ctx.variables.get('language');
  return v === 'cmn' || v === 'yue' || v === 'en' ? v : ctx.defaultLanguage;
}
