/**
 * A small multinomial naive Bayes text classifier with binarised features (each feature counts
 * once per document), Laplace/Lidstone smoothing, and incremental scoring.
 *
 * Why not an npm package: the maintained JavaScript NB packages do not fit the live call path.
 * `wink-naive-bayes-text-classifier` recomputes one-vs-rest odds over all labels for every token
 * on each query (O(labels² × tokens)) and pulls an English NLP model as a dependency; `natural`
 * pulls database clients (mongoose, pg, redis); `ml-naivebayes` works on dense matrices. Here a
 * call's score vector is updated only with the features a new utterance adds (O(new features ×
 * labels)), which keeps per-utterance classification in the microsecond range. The maths is the
 * textbook model (Manning, Raghavan & Schütze, *Introduction to Information Retrieval*, §13.2–13.3;
 * binarised counts per Wang & Manning 2012).
 */

/** A labelled training document: its features (duplicates are ignored) and an optional weight. */
export interface TrainingDocument {
  readonly features: readonly string[];
  readonly label: string;
  /** Multiplies this document's counts (default 1). */
  readonly weight?: number;
}

/** Options for fitting. */
export interface NaiveBayesOptions {
  /** Lidstone smoothing added to every feature count (default 0.5). */
  readonly alpha?: number;
  /** 'uniform' (default) ignores label frequencies in the training data; 'empirical' uses them. */
  readonly prior?: 'uniform' | 'empirical';
}

/** A fitted model. Immutable. */
export class NaiveBayesModel {
  private constructor(
    readonly labels: readonly string[],
    readonly logPrior: Float64Array,
    private readonly featureLogProb: ReadonlyMap<string, Float64Array>,
  ) {}

  /**
   * Fit from documents. Log-probabilities are centred per feature (the mean over labels is
   * subtracted), which leaves the ranking unchanged and keeps summed scores small.
   * @throws RangeError with fewer than two labels.
   */
  static fit(documents: readonly TrainingDocument[], options: NaiveBayesOptions = {}): NaiveBayesModel {
    const alpha = options.alpha ?? 0.5;
    const labels = [...new Set(documents.map((d) => d.label))].sort();
    if (labels.length < 2) throw new RangeError('naive Bayes needs at least two labels');
    const labelIndex = new Map(labels.map((l, i) => [l, i]));
    const counts = new Map<string, Float64Array>();
    const totals = new Float64Array(labels.length);
    const docCounts = new Float64Array(labels.length);
    for (const doc of documents) {
      const li = labelIndex.get(doc.label)!;
      const w = doc.weight ?? 1;
      docCounts[li]! += w;
      for (const f of new Set(doc.features)) {
        let row = counts.get(f);
        if (!row) counts.set(f, (row = new Float64Array(labels.length)));
        row[li]! += w;
        totals[li]! += w;
      }
    }
    const vocabulary = counts.size;
    const featureLogProb = new Map<string, Float64Array>();
    for (const [f, row] of counts) {
      const lp = new Float64Array(labels.length);
      let mean = 0;
      for (let i = 0; i < labels.length; i++) {
        lp[i] = Math.log((row[i]! + alpha) / (totals[i]! + alpha * vocabulary));
        mean += lp[i]!;
      }
      mean /= labels.length;
      for (let i = 0; i < labels.length; i++) lp[i]! -= mean;
      featureLogProb.set(f, lp);
    }
    const logPrior = new Float64Array(labels.length);
    if (options.prior === 'empirical') {
      const n = docCounts.reduce((a, b) => a + b, 0);
      let mean = 0;
      for (let i = 0; i < labels.length; i++) mean += (logPrior[i] = Math.log(docCounts[i]! / n));
      mean /= labels.length;
      for (let i = 0; i < labels.length; i++) logPrior[i]! -= mean;
    }
    return new NaiveBayesModel(labels, logPrior, featureLogProb);
  }

  /** Centred log-likelihoods of a feature per label, or undefined for features never seen in training. */
  featureScores(feature: string): Float64Array | undefined {
    return this.featureLogProb.get(feature);
  }

  /** Vocabulary size. */
  get vocabularySize(): number {
    return this.featureLogProb.size;
  }

  /** A fresh incremental scorer for one document (one call). */
  scorer(): IncrementalScorer {
    return new IncrementalScorer(this);
  }

  /** Classify a whole document at once: labels with posterior probabilities, best first. */
  predict(features: readonly string[], temperature = 1): { label: string; probability: number }[] {
    const s = this.scorer();
    s.add(features);
    return s.posterior(temperature);
  }
}

/** Scores of one growing document: add features as they arrive, read the posterior at any time. */
export class IncrementalScorer {
  readonly #seen = new Set<string>();
  readonly #scores: Float64Array;
  #known = 0;

  constructor(private readonly model: NaiveBayesModel) {
    this.#scores = Float64Array.from(model.logPrior);
  }

  /** Add features; each distinct known feature counts once per document. Returns how many were new. */
  add(features: Iterable<string>): number {
    let added = 0;
    for (const f of features) {
      if (this.#seen.has(f)) continue;
      this.#seen.add(f);
      const lp = this.model.featureScores(f);
      if (!lp) continue;
      for (let i = 0; i < lp.length; i++) this.#scores[i]! += lp[i]!;
      this.#known++;
      added++;
    }
    return added;
  }

  /** Number of distinct known features added so far. */
  get knownFeatures(): number {
    return this.#known;
  }

  /** Raw (centred) log scores per label, in `model.labels` order. */
  get scores(): Float64Array {
    return this.#scores;
  }

  /** Posterior probabilities, best first: softmax of scores / temperature (temperature > 1 softens NB's overconfidence). */
  posterior(temperature = 1): { label: string; probability: number }[] {
    return softmax(this.#scores, temperature).map((p, i) => ({ label: this.model.labels[i]!, probability: p }))
      .sort((a, b) => b.probability - a.probability);
  }
}

/** Numerically stable softmax of `values / temperature`. */
export function softmax(values: ArrayLike<number>, temperature = 1): number[] {
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) max = Math.max(max, values[i]!);
  const exps: number[] = [];
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const e = Math.exp((values[i]! - max) / temperature);
    exps.push(e);
    sum += e;
  }
  return exps.map((e) => e / sum);
}
