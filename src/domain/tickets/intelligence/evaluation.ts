/**
 * Corpus format and accuracy measures shared by `hotline extract`, `npm run bench:extract` and
 * the accuracy-floor test.
 *
 * Corpus: JSON Lines, one call per line: `{id, transcript?: Turn[], asr?: Turn[], gold?: {...}}`
 * where `transcript` is the clean form and `asr` the recogniser-style form of the same call.
 *
 * Measures (per call, averaged over calls):
 * - exact: appealType, category, district, contactPhone, urgency, emergencyService, sensitive,
 *   confidential, callerName (after removing spaces);
 * - subcategory: exact, and "partial" = character-bigram Dice ≥ 0.5 against the gold label
 *   (labels are free text, e.g. 燃气表故障 vs 燃气表故障无法用气);
 * - incidentAddress: both null, or character-bigram F1 ≥ 0.6 (after removing the district
 *   prefix difference and punctuation); mean F1 is reported too;
 * - summary: mean character-bigram F1 against the gold summary (informative only), and the
 *   share within 60 characters;
 * - handling unit top-1 (first ranked = gold `department`), top-3 (gold `department` among the
 *   first three), top-1 acceptable (first ranked is the department or one of its alternatives);
 * - emergency recall/precision on `urgency === "emergency"`.
 */
import { readFileSync } from 'node:fs';
import type { TicketDraft, TranscriptTurn } from './types.js';

/** Gold annotation of a corpus call (fields as in the dev corpus). */
export interface GoldTicket {
  appealType: string;
  category: string;
  subcategory: string;
  department: string;
  departmentAlternatives: string[];
  callerName: string | null;
  contactPhone: string | null;
  district: string | null;
  incidentAddress: string | null;
  urgency: string;
  emergencyService: string | null;
  sensitive: boolean;
  confidential: boolean;
  summary: string;
}

/** One corpus line. */
export interface CorpusRecord {
  readonly id: string;
  readonly transcript?: TranscriptTurn[];
  readonly asr?: TranscriptTurn[];
  readonly gold?: GoldTicket;
  readonly [key: string]: unknown;
}

/** Thrown for a malformed corpus line; `line` is 1-based. */
export class CorpusFormatError extends Error {
  override readonly name = 'CorpusFormatError' as const;
  constructor(readonly line: number, message: string) {
    super(`line ${line}: ${message}`);
  }
}

/** Check that a value is an array of `{speaker: "agent"|"caller", text: string}`. */
export function isTurnArray(value: unknown): value is TranscriptTurn[] {
  return Array.isArray(value) && value.every((t) => typeof t === 'object' && t !== null
    && ((t as TranscriptTurn).speaker === 'agent' || (t as TranscriptTurn).speaker === 'caller') && typeof (t as TranscriptTurn).text === 'string');
}

/** Parse one corpus line. @throws CorpusFormatError */
export function parseCorpusLine(line: string, lineNumber: number): CorpusRecord {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new CorpusFormatError(lineNumber, `not valid JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CorpusFormatError(lineNumber, 'expected a JSON object');
  const record = value as CorpusRecord;
  if (typeof record.id !== 'string' && typeof record.id !== 'number') throw new CorpusFormatError(lineNumber, 'missing "id"');
  return { ...record, id: String(record.id) };
}

/** Read a whole corpus file. @throws CorpusFormatError on the first malformed line. */
export function readCorpus(path: string | URL): CorpusRecord[] {
  return readFileSync(path, 'utf8').split('\n').map((l, i) => [l, i + 1] as const).filter(([l]) => l.trim())
    .map(([l, n]) => parseCorpusLine(l, n));
}

function bigrams(text: string): string[] {
  const clean = text.replace(/[\s，。、；：？！,.;:?!“”"'（）()【】-]/g, '');
  if (clean.length < 2) return clean ? [clean] : [];
  const out: string[] = [];
  for (let i = 0; i + 1 < clean.length; i++) out.push(clean.slice(i, i + 2));
  return out;
}

/** Character-bigram F1 (= Dice coefficient on bigram multisets) of two strings, in [0, 1]. */
export function bigramF1(a: string, b: string): number {
  const x = bigrams(a);
  const y = bigrams(b);
  if (x.length === 0 || y.length === 0) return x.length === y.length ? 1 : 0;
  const counts = new Map<string, number>();
  for (const g of x) counts.set(g, (counts.get(g) ?? 0) + 1);
  let overlap = 0;
  for (const g of y) {
    const c = counts.get(g) ?? 0;
    if (c > 0) {
      overlap++;
      counts.set(g, c - 1);
    }
  }
  return (2 * overlap) / (x.length + y.length);
}

/** Per-call scores (1 = correct, 0 = wrong; F1 fields in [0, 1]). */
export interface CallScores {
  appealType: number;
  category: number;
  subcategoryExact: number;
  subcategoryPartial: number;
  unitTop1: number;
  unitTop3: number;
  unitTop1Acceptable: number;
  callerName: number;
  contactPhone: number;
  district: number;
  incidentAddress: number;
  incidentAddressF1: number;
  urgency: number;
  emergencyService: number;
  sensitive: number;
  confidential: number;
  summaryF1: number;
  summaryWithin60: number;
  goldEmergency: boolean;
  predictedEmergency: boolean;
}

const eq = (a: unknown, b: unknown) => (a === b ? 1 : 0);

/** Score one predicted draft against gold. */
export function scoreCall(draft: TicketDraft, gold: GoldTicket): CallScores {
  const units = draft.handlingUnits.value.map((u) => u.unit);
  const addrPred = draft.incidentAddress.value;
  const addrF1 = addrPred === null || gold.incidentAddress === null
    ? (addrPred === gold.incidentAddress ? 1 : 0)
    : bigramF1(addrPred, gold.incidentAddress);
  const subPartial = draft.subcategory.value ? bigramF1(draft.subcategory.value, gold.subcategory) : 0;
  const name = draft.callerName.value?.replace(/\s/g, '') ?? null;
  return {
    appealType: eq(draft.appealType.value, gold.appealType),
    category: eq(draft.category.value, gold.category),
    subcategoryExact: eq(draft.subcategory.value, gold.subcategory),
    subcategoryPartial: subPartial >= 0.5 ? 1 : 0,
    unitTop1: eq(units[0], gold.department),
    unitTop3: units.slice(0, 3).includes(gold.department) ? 1 : 0,
    unitTop1Acceptable: units[0] !== undefined && [gold.department, ...(gold.departmentAlternatives ?? [])].includes(units[0]) ? 1 : 0,
    callerName: eq(name, gold.callerName),
    contactPhone: eq(draft.contactPhone.value, gold.contactPhone),
    district: eq(draft.district.value, gold.district),
    incidentAddress: addrF1 >= 0.6 ? 1 : 0,
    incidentAddressF1: addrF1,
    urgency: eq(draft.urgency.value, gold.urgency),
    emergencyService: eq(draft.emergencyService.value, gold.emergencyService),
    sensitive: eq(draft.sensitive.value, gold.sensitive),
    confidential: eq(draft.confidential.value, gold.confidential),
    summaryF1: draft.summary.value ? bigramF1(draft.summary.value, gold.summary) : 0,
    summaryWithin60: draft.summary.value && draft.summary.value.length <= 60 ? 1 : 0,
    goldEmergency: gold.urgency === 'emergency',
    predictedEmergency: draft.urgency.value === 'emergency',
  };
}

/** Averages over calls plus emergency recall/precision (NaN when undefined). */
export type AggregateScores = Omit<CallScores, 'goldEmergency' | 'predictedEmergency'> & {
  calls: number;
  emergencyRecall: number;
  emergencyPrecision: number;
};

/** Aggregate per-call scores. */
export function aggregateScores(calls: readonly CallScores[]): AggregateScores {
  const keys = Object.keys(calls[0] ?? {}).filter((k) => k !== 'goldEmergency' && k !== 'predictedEmergency') as (keyof AggregateScores)[];
  const out = { calls: calls.length } as Record<string, number>;
  for (const k of keys) out[k] = calls.reduce((a, c) => a + Number(c[k as keyof CallScores]), 0) / Math.max(1, calls.length);
  const gold = calls.filter((c) => c.goldEmergency);
  const predicted = calls.filter((c) => c.predictedEmergency);
  out.emergencyRecall = gold.length ? gold.filter((c) => c.predictedEmergency).length / gold.length : NaN;
  out.emergencyPrecision = predicted.length ? predicted.filter((c) => c.goldEmergency).length / predicted.length : NaN;
  return out as AggregateScores;
}

/** The p-th percentile (0–100, nearest rank) of a list of numbers. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}
