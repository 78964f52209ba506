/**
 * `npm run bench:extract [-- FILE] [--json]`
 *
 * Per-field accuracy of ticket intelligence on the dev corpus (default
 * ../shared/corpus/tickets-dev.jsonl, or FILE / $TICKETS_CORPUS) for both the `transcript` and
 * the `asr` form, handling-unit top-1/top-3, emergency recall/precision, and the time per
 * utterance (`addTurn`, p50/p99 wall clock after warm-up calls; also the p50/p99 of the minimum
 * over three identical extractors fed in lockstep, which filters out OS preemption on a busy
 * machine). Also runs our own challenge set (test/intelligence/fixtures/challenge-calls.jsonl)
 * unless a FILE is given. `--verbose` lists the misses per call, `--json` prints JSON. Measures are defined in
 * src/domain/tickets/intelligence/evaluation.ts. The models are fitted on our own training data
 * only (src/domain/tickets/intelligence/data/), never on this corpus.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createTicketExtractor } from '../src/domain/tickets/intelligence/extractor.js';
import {
  aggregateScores, isTurnArray, percentile, readCorpus, scoreCall, type AggregateScores, type CallScores,
} from '../src/domain/tickets/intelligence/evaluation.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const verbose = args.includes('--verbose');
const fileArg = args.find((a) => !a.startsWith('--'));
const devPath = fileArg ?? process.env.TICKETS_CORPUS ?? fileURLToPath(new URL('../../shared/corpus/tickets-dev.jsonl', import.meta.url));
const challengePath = fileURLToPath(new URL('../test/intelligence/fixtures/challenge-calls.jsonl', import.meta.url));
if (!existsSync(devPath)) {
  console.error(`corpus not found: ${devPath} (pass a FILE or set TICKETS_CORPUS)`);
  process.exit(2);
}

/** `timings`: wall-clock ms per addTurn; `minTimings`: per utterance, the minimum over three identical extractors fed in lockstep (filters out preemption on a busy machine). */
type FormResult = { scores: AggregateScores; timings: number[]; minTimings: number[]; perCall: { id: string; scores: CallScores }[] };

function evaluate(path: string): Record<'transcript' | 'asr', FormResult> {
  const corpus = readCorpus(path).filter((r) => r.gold);
  // Warm-up: jieba dictionary, model fitting, JIT.
  for (const record of corpus.slice(0, 3)) {
    const warm = createTicketExtractor();
    for (const t of (record.asr ?? record.transcript ?? [])) warm.addTurn(t);
  }
  const results = {} as Record<'transcript' | 'asr', FormResult>;
  for (const form of ['transcript', 'asr'] as const) {
    const timings: number[] = [];
    const minTimings: number[] = [];
    const perCall: { id: string; scores: CallScores }[] = [];
    for (const record of corpus) {
      const turns = record[form];
      if (!isTurnArray(turns)) continue;
      const replicas = [createTicketExtractor(), createTicketExtractor(), createTicketExtractor()];
      for (const turn of turns) {
        const times = replicas.map((extractor) => {
          const t0 = performance.now();
          extractor.addTurn(turn);
          return performance.now() - t0;
        });
        timings.push(times[0]!);
        minTimings.push(Math.min(...times));
      }
      perCall.push({ id: record.id, scores: scoreCall(replicas[0]!.draft, record.gold!) });
    }
    results[form] = { scores: aggregateScores(perCall.map((p) => p.scores)), timings, minTimings, perCall };
  }
  return results;
}

const ROWS: [string, keyof AggregateScores, string?][] = [
  ['appealType', 'appealType', '≥ 0.90'], ['category', 'category', '≥ 0.85'], ['subcategory (exact)', 'subcategoryExact'],
  ['subcategory (bigram Dice ≥ 0.5)', 'subcategoryPartial'], ['unit top-1', 'unitTop1', '≥ 0.80'], ['unit top-3', 'unitTop3', '≥ 0.95'],
  ['unit top-1 in dept+alternatives', 'unitTop1Acceptable'], ['callerName (exact)', 'callerName'], ['contactPhone (exact)', 'contactPhone', '≥ 0.95'],
  ['district (exact)', 'district', '≥ 0.90'], ['incidentAddress (F1 ≥ 0.6)', 'incidentAddress'], ['incidentAddress (mean bigram F1)', 'incidentAddressF1'],
  ['urgency', 'urgency'], ['emergencyService', 'emergencyService'], ['sensitive', 'sensitive'], ['confidential', 'confidential'],
  ['summary (mean bigram F1)', 'summaryF1'], ['summary ≤ 60 chars', 'summaryWithin60'], ['emergency recall', 'emergencyRecall', '= 1.00'],
  ['emergency precision', 'emergencyPrecision'],
];

function print(title: string, path: string, results: Record<'transcript' | 'asr', FormResult>): void {
  const fmt = (x: number) => (Number.isNaN(x) ? '  n/a' : x.toFixed(2).padStart(5));
  console.log(`\n${title}: ${path} (${results.asr.perCall.length} calls)\n`);
  console.log(`${'field'.padEnd(34)} transcript    asr   target (asr)`);
  for (const [label, key, target] of ROWS) {
    console.log(`${label.padEnd(34)} ${fmt(results.transcript.scores[key] as number)}  ${fmt(results.asr.scores[key] as number)}   ${target ?? ''}`);
  }
  for (const form of ['transcript', 'asr'] as const) {
    const t = results[form].timings;
    const m = results[form].minTimings;
    console.log(`${form}: ${t.length} utterances, ms/utterance p50 ${percentile(t, 50).toFixed(3)}  p99 ${percentile(t, 99).toFixed(3)}  max ${Math.max(...t).toFixed(3)}`
      + `  | min-of-3 p50 ${percentile(m, 50).toFixed(3)}  p99 ${percentile(m, 99).toFixed(3)}  (target ≤ 5 ms)`);
  }
  if (verbose) {
    for (const form of ['transcript', 'asr'] as const) {
      console.log(`${form} misses:`);
      for (const { id, scores } of results[form].perCall) {
        const wrong = Object.entries(scores).filter(([k, v]) => typeof v === 'number' && v < 1 && !k.endsWith('F1') && k !== 'subcategoryExact').map(([k]) => k);
        if (wrong.length) console.log(`  ${id}: ${wrong.join(', ')}`);
      }
    }
  }
}

const sets: [string, string][] = [['dev corpus', devPath]];
if (!fileArg && existsSync(challengePath)) sets.push(['own challenge set (written independently of the dev corpus; ASR form synthesised)', challengePath]);
const all = sets.map(([title, path]) => [title, path, evaluate(path)] as const);
if (json) {
  console.log(JSON.stringify(Object.fromEntries(all.map(([title, , r]) => [title, Object.fromEntries((['transcript', 'asr'] as const).map((form) => [form, {
    ...r[form].scores, msPerUtteranceP50: percentile(r[form].timings, 50), msPerUtteranceP99: percentile(r[form].timings, 99),
    msPerUtteranceMinOf3P99: percentile(r[form].minTimings, 99),
  }]))])), null, 2));
} else {
  console.log('ticket intelligence — models fitted on our own training data only (src/domain/tickets/intelligence/data/)');
  for (const [title, path, r] of all) print(title, path, r);
}
