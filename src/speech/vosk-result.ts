/**
 * Mapping of Vosk's JSON results to `RecognitionResult`s (without speaker). Pure functions, so the
 * mapping is unit-tested without a model.
 *
 * Shapes produced by libvosk 0.3.x (`vosk_recognizer_set_words(rec, 1)`, `…_set_partial_words(rec, 1)`):
 * - `vosk_recognizer_result` / `…_final_result`:
 *   `{"result":[{"conf":0.93,"end":1.26,"start":0.84,"word":"你好"},…],"text":"你好 世界"}`;
 *   `{"text":""}` when nothing was recognised; with `set_max_alternatives(n > 0)`:
 *   `{"alternatives":[{"confidence":…,"result":[…],"text":"…"},…]}` (the first is the best).
 * - `vosk_recognizer_partial_result`: `{"partial":"你好 世"}`, plus
 *   `"partial_result":[{"conf":…,"end":…,"start":…,"word":…}]` with partial words enabled.
 * Word times are seconds from the start of the recogniser's audio (the whole stream).
 * Mandarin models emit words separated by spaces; `[unk]` tokens are dropped.
 */
import type { EngineResult } from './worker-protocol.js';

/** One word as Vosk reports it: times in seconds from the stream start, `conf` in [0, 1]. */
export interface VoskWord {
  readonly word: string;
  readonly start: number;
  readonly end: number;
  readonly conf: number;
}

/** Confidence reported when Vosk gives no per-word confidence (partials, words disabled). */
export const VOSK_UNKNOWN_CONFIDENCE = 0.5;

/** Times to use when the JSON carries no word times: utterance start and current audio position, ms. */
export interface VoskTimeFallback {
  readonly startMs: number;
  readonly endMs: number;
}

/**
 * Map a `result`/`final_result` JSON string to a `final` result; undefined when the text is empty.
 * Times come from the words (clamped to `fallback.endMs`, the audio decoded so far), else `fallback`.
 * Confidence is the mean word `conf`, else `VOSK_UNKNOWN_CONFIDENCE`.
 * @throws SyntaxError if `json` is not JSON.
 */
export function parseVoskFinal(json: string, fallback: VoskTimeFallback): EngineResult | undefined {
  const root = asRecord(JSON.parse(json));
  const alternatives = Array.isArray(root['alternatives']) ? root['alternatives'] : undefined;
  const best = alternatives ? asRecord(alternatives[0]) : root;
  const text = normalizeVoskText(typeof best['text'] === 'string' ? best['text'] : '');
  if (!text) return undefined;
  const words = parseWords(best['result']);
  return { kind: 'final', text, ...span(words, fallback), confidence: meanConfidence(words) };
}

/**
 * Map a `partial_result` JSON string to an `interim` result; undefined when the text is empty.
 * @throws SyntaxError if `json` is not JSON.
 */
export function parseVoskPartial(json: string, fallback: VoskTimeFallback): EngineResult | undefined {
  const root = asRecord(JSON.parse(json));
  const text = normalizeVoskText(typeof root['partial'] === 'string' ? root['partial'] : '');
  if (!text) return undefined;
  const words = parseWords(root['partial_result']);
  return { kind: 'interim', text, ...span(words, fallback), confidence: meanConfidence(words) };
}

/** Collapse whitespace to single spaces and drop `[unk]` tokens. */
export function normalizeVoskText(text: string): string {
  return text
    .split(/\s+/)
    .filter((w) => w.length > 0 && w !== '[unk]' && w !== '<unk>')
    .join(' ');
}

function parseWords(value: unknown): VoskWord[] {
  if (!Array.isArray(value)) return [];
  const words: VoskWord[] = [];
  for (const item of value) {
    const w = asRecord(item);
    const start = Number(w['start']);
    const end = Number(w['end']);
    if (typeof w['word'] !== 'string' || !Number.isFinite(start) || !Number.isFinite(end)) continue;
    const conf = Number(w['conf']);
    words.push({ word: w['word'], start, end, conf: Number.isFinite(conf) ? Math.min(1, Math.max(0, conf)) : VOSK_UNKNOWN_CONFIDENCE });
  }
  return words;
}

function span(words: readonly VoskWord[], fallback: VoskTimeFallback): { startMs: number; endMs: number } {
  const first = words[0];
  const last = words[words.length - 1];
  if (!first || !last) return { startMs: Math.round(fallback.startMs), endMs: Math.round(Math.max(fallback.startMs, fallback.endMs)) };
  const limit = fallback.endMs;
  const startMs = Math.min(limit, Math.max(0, first.start * 1000));
  const endMs = Math.min(limit, Math.max(startMs, last.end * 1000));
  return { startMs: Math.round(startMs), endMs: Math.round(endMs) };
}

function meanConfidence(words: readonly VoskWord[]): number {
  if (words.length === 0) return VOSK_UNKNOWN_CONFIDENCE;
  return words.reduce((s, w) => s + w.conf, 0) / words.length;
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
