/**
 * Accuracy floors: runs the dev corpus (../shared/corpus/tickets-dev.jsonl, skipped if absent)
 * and our own challenge set through the extractor and fails if any field drops below the figure
 * measured when this was written (`npm run bench:extract` prints the same measures).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { extractTicketDraft } from '../../src/domain/tickets/intelligence/extractor.js';
import { aggregateScores, readCorpus, scoreCall, type AggregateScores } from '../../src/domain/tickets/intelligence/evaluation.js';

const devPath = fileURLToPath(new URL('../../../shared/corpus/tickets-dev.jsonl', import.meta.url));
const challengePath = fileURLToPath(new URL('./fixtures/challenge-calls.jsonl', import.meta.url));

function measure(path: string, form: 'transcript' | 'asr'): AggregateScores {
  const calls = readCorpus(path).filter((r) => r.gold && r[form]);
  return aggregateScores(calls.map((r) => scoreCall(extractTicketDraft(r[form]!), r.gold!)));
}

type Floors = Partial<Record<keyof AggregateScores, number>>;

/** Measured floors (both forms). */
const DEV_FLOORS: Floors = {
  appealType: 1, category: 1, unitTop1: 1, unitTop3: 1, contactPhone: 1, district: 1, callerName: 1,
  urgency: 1, emergencyService: 1, sensitive: 1, confidential: 1, emergencyRecall: 1, incidentAddress: 0.92, subcategoryPartial: 0.8,
};
const CHALLENGE_FLOORS: Floors = {
  appealType: 0.94, category: 0.96, unitTop1: 1, unitTop3: 1, contactPhone: 1, district: 1, callerName: 1,
  urgency: 1, emergencyService: 1, sensitive: 1, confidential: 1, emergencyRecall: 1, incidentAddress: 0.96,
};

function check(scores: AggregateScores, floors: Floors): void {
  for (const [field, floor] of Object.entries(floors)) {
    expect.soft(scores[field as keyof AggregateScores], field).toBeGreaterThanOrEqual(floor! - 1e-9);
  }
}

describe('accuracy floors', () => {
  for (const form of ['transcript', 'asr'] as const) {
    it.skipIf(!existsSync(devPath))(`dev corpus, ${form} form`, () => check(measure(devPath, form), DEV_FLOORS));
    it(`own challenge set, ${form} form`, () => check(measure(challengePath, form), CHALLENGE_FLOORS));
  }
});
