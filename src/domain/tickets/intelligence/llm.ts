/**
 * Optional LLM adapter for summary and extraction: any server speaking the OpenAI chat
 * completions API (`POST {baseUrl}/chat/completions`), e.g. DeepSeek, or Qwen served locally by
 * vLLM / llama.cpp / Ollama's OpenAI endpoint.
 *
 * The offline path is the default and stands on its own; the LLM only refines: its summary
 * replaces the template summary, and its field values are used where the offline extractor found
 * nothing or is unsure. Every LLM value is validated against the city pack (unit list, taxonomy,
 * districts, phone formats) — anything else is dropped. Emergency, urgency, sensitivity and
 * confidentiality always stay with the offline rules.
 */
import type { CityPack } from './city-pack.js';
import { isLandline, isMobile } from './phone.js';
import { SUMMARY_MAX_CHARS } from './summary.js';
import type { PreparedTurn } from './text.js';
import { APPEAL_TYPES, type AppealType, type DraftField, type FieldEvidence, type RankedUnit, type TicketDraft } from './types.js';

/** One chat message. */
export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

/** Options of one completion. */
export interface CompletionOptions {
  readonly signal?: AbortSignal;
  /** Upper bound on generated tokens (default 512). */
  readonly maxTokens?: number;
  /** Sampling temperature (default 0). */
  readonly temperature?: number;
  /** Ask for a JSON object (`response_format: {type: "json_object"}`). */
  readonly json?: boolean;
}

/** What ticket intelligence needs from an LLM. */
export interface LlmAdapter {
  /** Model name, for logs. */
  readonly model: string;
  /** Return the assistant message content of one chat completion. */
  complete(messages: readonly ChatMessage[], options?: CompletionOptions): Promise<string>;
}

/** The request failed: network error, timeout, abort, or a non-2xx HTTP status. */
export class LlmRequestError extends Error {
  override readonly name = 'LlmRequestError' as const;
  constructor(message: string, readonly status?: number, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The server answered 2xx but the body is not a usable chat completion / JSON object. */
export class LlmResponseError extends Error {
  override readonly name = 'LlmResponseError' as const;
}

/** Options of `createOpenAiCompatibleLlm`. */
export interface OpenAiCompatibleOptions {
  /** Base URL including the version path, e.g. `https://api.deepseek.com/v1` or `http://127.0.0.1:8000/v1`. */
  readonly baseUrl: string;
  readonly model: string;
  /** Sent as `Authorization: Bearer …` when set. */
  readonly apiKey?: string;
  /** Per-request timeout in ms (default 15000: local 7B models need a few seconds for a summary). */
  readonly timeoutMs?: number;
  /** Whether to send `response_format` when `json` is asked (default true; some local servers reject it). */
  readonly supportsJsonMode?: boolean;
  /** Injected fetch (default global fetch). */
  readonly fetch?: typeof fetch;
}

/** Default request timeout: local 7B models need a few seconds for a summary. */
export const DEFAULT_LLM_TIMEOUT_MS = 15_000;

/** Create an adapter for an OpenAI-compatible chat completions endpoint. */
export function createOpenAiCompatibleLlm(options: OpenAiCompatibleOptions): LlmAdapter {
  const url = options.baseUrl.replace(/\/+$/, '') + '/chat/completions';
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_LLM_TIMEOUT_MS;
  return {
    model: options.model,
    async complete(messages, completion = {}) {
      const body: Record<string, unknown> = {
        model: options.model, messages, temperature: completion.temperature ?? 0, max_tokens: completion.maxTokens ?? 512, stream: false,
      };
      if (completion.json && options.supportsJsonMode !== false) body.response_format = { type: 'json_object' };
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = completion.signal ? AbortSignal.any([completion.signal, timeout]) : timeout;
      let response: Response;
      try {
        response = await doFetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}) },
          body: JSON.stringify(body),
          signal,
        });
      } catch (error) {
        throw new LlmRequestError(`LLM request to ${url} failed: ${(error as Error).message}`, undefined, { cause: error });
      }
      if (!response.ok) {
        const text = await response.text().catch(() => '');
        throw new LlmRequestError(`LLM request to ${url} returned HTTP ${response.status}: ${text.slice(0, 200)}`, response.status);
      }
      let data: unknown;
      try {
        data = await response.json();
      } catch (error) {
        throw new LlmResponseError(`LLM response is not JSON: ${(error as Error).message}`);
      }
      const content = (data as { choices?: { message?: { content?: unknown } }[] }).choices?.[0]?.message?.content;
      if (typeof content !== 'string') throw new LlmResponseError('LLM response has no choices[0].message.content');
      return content;
    },
  };
}

/** Parse the first JSON object in a model answer (tolerates ```json fences and surrounding text). */
export function parseJsonObject(content: string): Record<string, unknown> {
  const start = content.indexOf('{');
  const end = content.lastIndexOf('}');
  if (start < 0 || end <= start) throw new LlmResponseError('LLM answer contains no JSON object');
  try {
    const value = JSON.parse(content.slice(start, end + 1)) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch (error) {
    throw new LlmResponseError(`LLM answer is not a JSON object: ${(error as Error).message}`);
  }
}

/** Fields the LLM may fill. */
export type LlmFieldName = 'callerName' | 'contactPhone' | 'appealType' | 'category' | 'subcategory' | 'handlingUnits' | 'district' | 'incidentAddress';

/** Validated LLM output. */
export interface LlmRefinement {
  readonly summary?: DraftField<string | null>;
  readonly fields: Partial<Record<LlmFieldName, DraftField<unknown>>>;
}

/** Confidence given to validated LLM values. */
const LLM_CONFIDENCE = 0.6;

/** Build the chat messages for a call. Transcript lines are `[index] 坐席/来电人: text`. */
export function buildLlmMessages(turns: readonly PreparedTurn[], draft: TicketDraft, pack: CityPack): ChatMessage[] {
  const taxonomy = pack.categories.map((c) => `${c.name}: ${c.subcategories.map((s) => s.name).join('、')}`).join('\n');
  const system = [
    `你是${pack.city}12345政务服务便民热线的工单助手。根据通话转写填写工单，只输出一个JSON对象，不要解释。`,
    '字段: summary（一句话，不超过60字：谁、在哪、什么事、诉求）, callerName（如“王女士”“李先生”或全名，未提供为null）,',
    'contactPhone（仅数字，手机或带区号座机，未提供为null）, appealType（咨询/求助/投诉/举报/建议/表扬）,',
    `category 与 subcategory（取自下列分类）, handlingUnits（承办单位数组，按优先顺序，取自：${pack.units.map((u) => u.name).join('、')}）,`,
    `district（${pack.city}的区县市全称之一：${pack.districts.map((d) => d.name).join('、')}；未提及为null）, incidentAddress（事发地址，简短，未提及为null）。`,
    `分类:\n${taxonomy}`,
  ].join('\n');
  const transcript = turns.map((t) => `[${t.index}] ${t.speaker === 'agent' ? '坐席' : '来电人'}: ${t.original}`).join('\n');
  const current = JSON.stringify({
    callerName: draft.callerName.value, contactPhone: draft.contactPhone.value, appealType: draft.appealType.value,
    category: draft.category.value, subcategory: draft.subcategory.value, district: draft.district.value,
    incidentAddress: draft.incidentAddress.value,
  });
  return [
    { role: 'system', content: system },
    { role: 'user', content: `通话转写:\n${transcript}\n\n系统初稿（可能有误）: ${current}\n\n请输出JSON。` },
  ];
}

/** Find where a value was said, for evidence (first turn containing it). */
function locate(turns: readonly PreparedTurn[], value: string): FieldEvidence[] {
  for (const t of turns) {
    const i = t.original.indexOf(value);
    if (i >= 0) return [{ turnIndex: t.index, start: i, end: i + value.length, text: value }];
  }
  return [];
}

/**
 * Validate a parsed LLM answer against the city pack. Unknown units/categories/districts,
 * malformed phones and over-long summaries are dropped (a summary is cut at 60 characters).
 */
export function validateLlmAnswer(answer: Record<string, unknown>, turns: readonly PreparedTurn[], pack: CityPack): LlmRefinement {
  const fields: LlmRefinement['fields'] = {};
  const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
  const field = <T>(value: T, evidence: FieldEvidence[] = []): DraftField<T> => ({ value, confidence: LLM_CONFIDENCE, evidence });

  const name = str(answer.callerName);
  if (name && name.length <= 6) fields.callerName = field(name, locate(turns, name));
  const phone = str(answer.contactPhone)?.replace(/\D/g, '');
  if (phone && (isMobile(phone) || isLandline(phone))) fields.contactPhone = field(phone);
  const appeal = str(answer.appealType);
  if (appeal && APPEAL_TYPES.includes(appeal as AppealType)) fields.appealType = field(appeal);
  const category = pack.categories.find((c) => c.name === str(answer.category));
  if (category) {
    fields.category = field(category.name);
    const sub = category.subcategories.find((s) => s.name === str(answer.subcategory));
    if (sub) fields.subcategory = field(sub.name);
  }
  if (Array.isArray(answer.handlingUnits)) {
    const names = new Set(pack.units.map((u) => u.name));
    const units = [...new Set(answer.handlingUnits.map((u) => (typeof u === 'string' ? u : (u as { unit?: unknown })?.unit)))]
      .filter((u): u is string => typeof u === 'string' && names.has(u)).slice(0, 5);
    if (units.length) fields.handlingUnits = field<RankedUnit[]>(units.map((unit, i) => ({ unit, confidence: Math.round((LLM_CONFIDENCE / (i + 1)) * 100) / 100 })));
  }
  const district = pack.districts.find((d) => d.name === str(answer.district));
  if (district) fields.district = field(district.name);
  const address = str(answer.incidentAddress);
  if (address && address.length <= 60) fields.incidentAddress = field(address);
  const summaryText = str(answer.summary);
  const summary = summaryText ? { value: summaryText.slice(0, SUMMARY_MAX_CHARS), confidence: 0.75, evidence: [] } : undefined;
  return summary ? { summary, fields } : { fields };
}

/** Ask the LLM for a refinement of the current draft. Rejects with LlmRequestError / LlmResponseError. */
export async function refineDraftWithLlm(
  llm: LlmAdapter, turns: readonly PreparedTurn[], draft: TicketDraft, pack: CityPack, options: { signal?: AbortSignal } = {},
): Promise<LlmRefinement> {
  const content = await llm.complete(buildLlmMessages(turns, draft, pack), { json: true, signal: options.signal, maxTokens: 600 });
  return validateLlmAnswer(parseJsonObject(content), turns, pack);
}
