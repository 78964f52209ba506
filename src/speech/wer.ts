/**
 * Word error rate (WER) for evaluating recognisers against reference transcripts.
 *
 * WER = (substitutions + deletions + insertions) / number of reference words, computed with a
 * word-level Levenshtein alignment (all edits cost 1). Used by the speech tests and benchmarks.
 */

/** Edit counts of the best word alignment of a hypothesis against a reference. */
export interface WordErrorCounts {
  readonly substitutions: number;
  readonly deletions: number;
  readonly insertions: number;
  /** Number of words in the reference (the WER denominator). */
  readonly referenceWords: number;
}

/**
 * Normalise a transcript for scoring: lower-case, drop pocketsphinx alternate-pronunciation
 * suffixes (`word(2)`), sentence/filler tokens (`<s>`, `</s>`, `<sil>`, `[NOISE]`, `++NOISE++`)
 * and punctuation other than apostrophes and hyphens inside words.
 * Returns the words in order. Characters outside ASCII (e.g. Chinese) are kept as they are.
 */
export function normalizeWords(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/<\/?s>|<sil>|\[[^\]]*\]|\+\+[^+]*\+\+/g, ' ')
    .replace(/\(\d+\)/g, ' ')
    .replace(/[^\p{L}\p{N}'\- ]+/gu, ' ')
    .split(/\s+/)
    .map((w) => w.replace(/^['-]+|['-]+$/g, ''))
    .filter((w) => w.length > 0);
}

/**
 * Count word edits between `reference` and `hypothesis` (both already split into words).
 * O(n·m) time, O(m) memory.
 */
export function wordErrors(reference: readonly string[], hypothesis: readonly string[]): WordErrorCounts {
  const n = reference.length;
  const m = hypothesis.length;
  // Each cell holds [cost, subs, dels, ins] of the best alignment of ref[0..i) with hyp[0..j).
  type Cell = readonly [number, number, number, number];
  let prev: Cell[] = [];
  for (let j = 0; j <= m; j++) prev.push([j, 0, 0, j]);
  for (let i = 1; i <= n; i++) {
    const row: Cell[] = [[i, 0, i, 0]];
    for (let j = 1; j <= m; j++) {
      const diag = prev[j - 1]!;
      const up = prev[j]!; // deletion of ref[i-1]
      const left = row[j - 1]!; // insertion of hyp[j-1]
      const same = reference[i - 1] === hypothesis[j - 1];
      let best: Cell = same ? diag : [diag[0] + 1, diag[1] + 1, diag[2], diag[3]];
      if (up[0] + 1 < best[0]) best = [up[0] + 1, up[1], up[2] + 1, up[3]];
      if (left[0] + 1 < best[0]) best = [left[0] + 1, left[1], left[2], left[3] + 1];
      row.push(best);
    }
    prev = row;
  }
  const last = prev[m]!;
  return { substitutions: last[1], deletions: last[2], insertions: last[3], referenceWords: n };
}

/**
 * Word error rate of `hypothesis` against `reference`, after `normalizeWords` on both.
 * Returns a ratio (0 = perfect; may exceed 1 with many insertions). With an empty reference
 * the result is the number of inserted words (0 when both are empty).
 */
export function wordErrorRate(reference: string, hypothesis: string): number {
  return errorRate(wordErrors(normalizeWords(reference), normalizeWords(hypothesis)));
}

/** WER from counts; with several utterances, sum the counts first (corpus-level WER). */
export function errorRate(counts: WordErrorCounts): number {
  const edits = counts.substitutions + counts.deletions + counts.insertions;
  if (counts.referenceWords === 0) return edits;
  return edits / counts.referenceWords;
}

/** Sum edit counts of several utterances, for a corpus-level WER with `errorRate`. */
export function sumWordErrors(counts: Iterable<WordErrorCounts>): WordErrorCounts {
  let substitutions = 0;
  let deletions = 0;
  let insertions = 0;
  let referenceWords = 0;
  for (const c of counts) {
    substitutions += c.substitutions;
    deletions += c.deletions;
    insertions += c.insertions;
    referenceWords += c.referenceWords;
  }
  return { substitutions, deletions, insertions, referenceWords };
}
