/**
 * Appeal type, category, subcategory and handling units: fitted models plus rules.
 *
 * Models (fitted once per city pack from `data/training-utterances.jsonl`, our own labelled caller
 * phrasings covering the whole taxonomy, plus the pack's subcategory keywords as extra short
 * documents): a naive Bayes over subcategories and one over appeal types, on jieba words and Han
 * bigrams (see `segmenter.ts`).
 *
 * Rules on top:
 * - subcategory keywords of the city pack found in the call add to their subcategories' scores;
 * - an emergency hazard (fire, gas, …) points to the pack's alert subcategory;
 * - appeal cues said by the caller (我要投诉, 我想咨询, 提个建议 …, `data/appeal-cues.json`);
 * - handling units come from the subcategory distribution through the pack's dispatch rules
 *   (lead unit first, co-units after), plus units the agent names when transferring
 *   ("转交市场监管部门") and, more weakly, units anyone mentions.
 *
 * Scores accumulate incrementally per call (`TopicTracker.addTurn`), so each utterance costs only
 * its own new features.
 */
import { readFileSync } from 'node:fs';
import { indexCityPack, type CityPack, type CityPackIndex } from './city-pack.js';
import { NaiveBayesModel, softmax, type IncrementalScorer, type TrainingDocument } from './naive-bayes.js';
import { textFeatures } from './segmenter.js';
import { evidenceOf, type PreparedTurn } from './text.js';
import { APPEAL_TYPES, type AppealType, type DraftField, type FieldEvidence, type RankedUnit } from './types.js';

/** One labelled training utterance (a line of `training-utterances.jsonl`). */
export interface TrainingUtterance {
  readonly text: string;
  readonly category: string;
  readonly subcategory: string;
  readonly appealType: AppealType;
}

/** Default location of the bundled training data. */
export const DEFAULT_TRAINING_DATA = new URL('./data/training-utterances.jsonl', import.meta.url);

/**
 * Read training utterances (JSON Lines). Lines with unknown appeal types are rejected.
 * @throws Error naming the line when a line is not valid JSON or misses a field.
 */
export function loadTrainingUtterances(path: string | URL = DEFAULT_TRAINING_DATA): TrainingUtterance[] {
  const out: TrainingUtterance[] = [];
  readFileSync(path, 'utf8').split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let row: Partial<TrainingUtterance>;
    try {
      row = JSON.parse(line) as Partial<TrainingUtterance>;
    } catch {
      throw new Error(`${String(path)}:${i + 1}: not valid JSON`);
    }
    if (typeof row.text !== 'string' || typeof row.subcategory !== 'string' || typeof row.category !== 'string'
      || !APPEAL_TYPES.includes(row.appealType as AppealType)) {
      throw new Error(`${String(path)}:${i + 1}: expected {text, category, subcategory, appealType}`);
    }
    out.push(row as TrainingUtterance);
  });
  return out;
}

interface AppealCue {
  readonly type: AppealType;
  readonly re: RegExp;
  readonly weight: number;
}

/** Everything fitted/compiled for one city pack. */
export interface TopicModel {
  readonly index: CityPackIndex;
  readonly subcategoryModel: NaiveBayesModel;
  readonly appealModel: NaiveBayesModel;
  /** P(appeal type | subcategory), smoothed, in APPEAL_TYPES order. */
  readonly appealGivenSub: ReadonlyMap<string, readonly number[]>;
  readonly keywordRe: RegExp | null;
  readonly keywordSubs: ReadonlyMap<string, readonly string[]>;
  readonly unitAliasRe: RegExp;
  readonly unitOfAlias: ReadonlyMap<string, string>;
  readonly appealCues: readonly AppealCue[];
  /** Cues read from the agent's turns (call structure); weights may be negative. */
  readonly agentAppealCues: readonly AppealCue[];
  readonly cueNegation: RegExp;
  /** Training utterances whose subcategory is not in the pack (ignored). */
  readonly skippedTrainingUtterances: number;
}

/**
 * Tunables of the combination, set by hand (not fitted to the dev corpus); `appealModel` was
 * lowered after comparing 0/0.3/0.6/1 on our own challenge set.
 */
export const TOPIC_WEIGHTS = {
  /** Weight of one matched keyword (divided among the subcategories sharing it). */
  keyword: 1.2,
  /** Boost of the alert subcategory when an emergency hazard is recognised. */
  alert: 6,
  /** Unit mention boosts: agent transferring to it, agent mentioning it, caller mentioning it. */
  agentDirected: 0.6,
  agentMention: 0.15,
  callerMention: 0.1,
  /** Logit boost of subcategories whose lead unit (or any unit) the agent dispatched to. */
  directedLead: 1.0,
  directedAny: 0.4,
  /** How much a unit's co-handling share counts when ranking units after the lead unit. */
  coUnit: 0.5,
  /** Relative weights of a subcategory's units by rank (lead unit first). */
  unitRank: [1, 0.45, 0.3, 0.2, 0.1],
  /** Weight of log P(type | subcategory mixture) in the appeal type score. */
  appealFromTopic: 1.0,
  /**
   * Weight of the appeal-type naive Bayes (caller words). Below 1 because with ~700 short
   * training phrasings it also learns incidental bigrams; cues and the topic carry more.
   */
  appealModel: 0.5,
} as const;

const cache = new WeakMap<CityPack, TopicModel>();

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Fit (once per pack object, then cached) the topic model from the bundled training data or
 * the given utterances.
 */
export function fitTopicModel(pack: CityPack, training?: readonly TrainingUtterance[]): TopicModel {
  if (!training) {
    const cached = cache.get(pack);
    if (cached) return cached;
  }
  const index = indexCityPack(pack);
  const utterances = training ?? loadTrainingUtterances();
  const subDocs: TrainingDocument[] = [];
  const appealDocs: TrainingDocument[] = [];
  const typeCounts = new Map<string, number[]>();
  let skipped = 0;
  for (const u of utterances) {
    const features = textFeatures(u.text);
    appealDocs.push({ features, label: u.appealType });
    if (!index.subcategory.has(u.subcategory)) {
      skipped++;
      continue;
    }
    subDocs.push({ features, label: u.subcategory });
    const row = typeCounts.get(u.subcategory) ?? APPEAL_TYPES.map(() => 0);
    row[APPEAL_TYPES.indexOf(u.appealType)]! += 1;
    typeCounts.set(u.subcategory, row);
  }
  // Keywords as short extra documents, so every subcategory has vocabulary even with few phrasings.
  for (const [name, sub] of index.subcategory) {
    if (sub.keywords.length) subDocs.push({ features: sub.keywords.flatMap((k) => textFeatures(k)), label: name, weight: 0.5 });
    else if (!subDocs.some((d) => d.label === name)) subDocs.push({ features: textFeatures(name), label: name, weight: 0.5 });
  }
  const subcategoryModel = NaiveBayesModel.fit(subDocs, { alpha: 0.3, prior: 'uniform' });
  const appealModel = NaiveBayesModel.fit(appealDocs, { alpha: 0.5, prior: 'empirical' });

  const appealGivenSub = new Map<string, number[]>();
  for (const name of index.subcategory.keys()) {
    const row = typeCounts.get(name) ?? APPEAL_TYPES.map(() => 0);
    const total = row.reduce((a, b) => a + b, 0);
    appealGivenSub.set(name, row.map((c) => (c + 0.3) / (total + 0.3 * APPEAL_TYPES.length)));
  }

  const keywordSubs = new Map<string, string[]>();
  for (const [name, sub] of index.subcategory) {
    for (const k of sub.keywords) keywordSubs.set(k, [...(keywordSubs.get(k) ?? []), name]);
  }
  const keywords = [...keywordSubs.keys()].sort((a, b) => b.length - a.length);
  const keywordRe = keywords.length ? new RegExp(keywords.map(escapeRegex).join('|'), 'g') : null;

  const unitOfAlias = new Map<string, string>();
  for (const u of pack.units) {
    unitOfAlias.set(u.name, u.name);
    for (const a of u.aliases) unitOfAlias.set(a, u.name);
  }
  const unitAliasRe = new RegExp([...unitOfAlias.keys()].sort((a, b) => b.length - a.length).map(escapeRegex).join('|'), 'g');

  const cueData = JSON.parse(readFileSync(new URL('./data/appeal-cues.json', import.meta.url), 'utf8')) as {
    cues: Record<string, [string, number][]>; negations: string; agentCues?: [string, string, number][];
  };
  const appealCues: AppealCue[] = [];
  for (const [type, list] of Object.entries(cueData.cues)) {
    if (!APPEAL_TYPES.includes(type as AppealType)) throw new Error(`appeal-cues.json: unknown appeal type ${type}`);
    for (const [pattern, weight] of list) appealCues.push({ type: type as AppealType, re: new RegExp(pattern, 'gu'), weight });
  }

  const agentAppealCues: AppealCue[] = (cueData.agentCues ?? []).map(([pattern, type, weight]) => {
    if (!APPEAL_TYPES.includes(type as AppealType)) throw new Error(`appeal-cues.json: unknown appeal type ${type}`);
    return { type: type as AppealType, re: new RegExp(pattern, 'gu'), weight };
  });

  const model: TopicModel = {
    index, subcategoryModel, appealModel, appealGivenSub, keywordRe, keywordSubs, unitAliasRe, unitOfAlias, appealCues, agentAppealCues,
    cueNegation: new RegExp(`(?:${cueData.negations})$`, 'u'), skippedTrainingUtterances: skipped,
  };
  if (!training) cache.set(pack, model);
  return model;
}

/** Is an agent turn a restatement/decision worth classifying (not a greeting or a question)? */
export function isInformativeAgentTurn(turn: PreparedTurn): boolean {
  if (turn.index === 0 && /12345|幺二三四五|一二三四五|有什么可以帮/.test(turn.text)) return false;
  return /对吗|对吧|是吗|是吧|对不对|您的诉求|您反映的|您说的是|您是说|转交|转给|转到|协调|核查|处理/.test(turn.text);
}

/** The agent dispatching to a unit (not merely pointing the caller somewhere: 咨询/拨打/找 are mentions). */
const DIRECTING = /(转交|转给|转到|转办|交给|交由|协调|催促|督促|反馈给|通知|报给|转)(一下)?(相关|有关)?(?:\p{Script=Han}{0,6}[区县市])?$/u;

/** The topic part of a draft. */
export interface TopicResult {
  readonly appealType: DraftField<AppealType | null>;
  readonly category: DraftField<string | null>;
  readonly subcategory: DraftField<string | null>;
  readonly handlingUnits: DraftField<readonly RankedUnit[]>;
  /** Best subcategories with probabilities (for diagnostics and LLM prompts). */
  readonly topSubcategories: readonly { label: string; probability: number }[];
}

/** Per-call accumulator of topic evidence. */
export class TopicTracker {
  readonly #model: TopicModel;
  readonly #sub: IncrementalScorer;
  readonly #appeal: IncrementalScorer;
  readonly #keywordScore = new Map<string, number>();
  readonly #keywordsSeen = new Set<string>();
  readonly #keywordEvidence = new Map<string, FieldEvidence>();
  readonly #cueScore = new Map<AppealType, number>();
  readonly #cuesSeen = new Set<string>();
  readonly #cueEvidence = new Map<AppealType, FieldEvidence>();
  readonly #unitBoost = new Map<string, number>();
  readonly #unitEvidence = new Map<string, FieldEvidence>();
  readonly #unitKeys = new Set<string>();
  readonly #directedUnits = new Set<string>();
  #alertKinds: readonly string[] = [];
  #callerTurns = 0;
  #topicEvidence: FieldEvidence[] = [];

  constructor(model: TopicModel) {
    this.#model = model;
    this.#sub = model.subcategoryModel.scorer();
    this.#appeal = model.appealModel.scorer();
  }

  /** Feed one prepared turn. */
  addTurn(turn: PreparedTurn): void {
    const informative = turn.speaker === 'caller' || isInformativeAgentTurn(turn);
    if (turn.speaker === 'caller') this.#callerTurns++;
    if (informative) {
      const features = textFeatures(turn.text);
      const added = this.#sub.add(features);
      if (turn.speaker === 'caller') this.#appeal.add(features);
      if (added >= 3 && this.#topicEvidence.length < 3 && turn.speaker === 'caller') {
        this.#topicEvidence.push(evidenceOf(turn, 0, turn.text.length));
      }
      this.#matchKeywords(turn);
    }
    if (turn.speaker === 'caller') this.#matchCues(turn);
    else if (turn.index > 0) this.#matchAgentCues(turn);
    this.#matchUnits(turn);
  }

  /** Emergency hazard kinds recognised so far, primary first (fire, gas, crime, traffic, medical, injury). */
  setAlertKinds(kinds: readonly string[]): void {
    this.#alertKinds = kinds;
  }

  #matchKeywords(turn: PreparedTurn): void {
    const re = this.#model.keywordRe;
    if (!re) return;
    for (const m of turn.text.matchAll(re)) {
      const k = m[0];
      if (this.#keywordsSeen.has(k)) continue;
      this.#keywordsSeen.add(k);
      const subs = this.#model.keywordSubs.get(k) ?? [];
      for (const s of subs) {
        this.#keywordScore.set(s, (this.#keywordScore.get(s) ?? 0) + TOPIC_WEIGHTS.keyword / subs.length);
        if (!this.#keywordEvidence.has(s)) this.#keywordEvidence.set(s, evidenceOf(turn, m.index, m.index + k.length));
      }
    }
  }

  #matchCues(turn: PreparedTurn): void {
    const early = this.#callerTurns <= 2 ? 1.3 : 1;
    for (const cue of this.#model.appealCues) {
      for (const m of turn.text.matchAll(cue.re)) {
        const key = `${cue.type}:${cue.re.source}`;
        if (this.#cuesSeen.has(key)) continue;
        if (this.#model.cueNegation.test(turn.text.slice(Math.max(0, m.index - 4), m.index))) continue;
        this.#cuesSeen.add(key);
        this.#cueScore.set(cue.type, (this.#cueScore.get(cue.type) ?? 0) + cue.weight * early);
        if (!this.#cueEvidence.has(cue.type)) this.#cueEvidence.set(cue.type, evidenceOf(turn, m.index, m.index + m[0].length));
      }
    }
  }

  #matchAgentCues(turn: PreparedTurn): void {
    for (const cue of this.#model.agentAppealCues) {
      const key = `agent:${cue.type}:${cue.re.source}`;
      if (this.#cuesSeen.has(key)) continue;
      cue.re.lastIndex = 0;
      const m = cue.re.exec(turn.text);
      if (!m) continue;
      this.#cuesSeen.add(key);
      this.#cueScore.set(cue.type, (this.#cueScore.get(cue.type) ?? 0) + cue.weight);
      if (cue.weight > 0 && !this.#cueEvidence.has(cue.type)) this.#cueEvidence.set(cue.type, evidenceOf(turn, m.index, m.index + m[0].length));
    }
  }

  #matchUnits(turn: PreparedTurn): void {
    if (turn.speaker === 'agent' && turn.index === 0) return;
    for (const m of turn.text.matchAll(this.#model.unitAliasRe)) {
      const unit = this.#model.unitOfAlias.get(m[0]);
      if (!unit) continue;
      const before = turn.text.slice(Math.max(0, m.index - 8), m.index);
      const kind = turn.speaker === 'caller' ? 'caller' : DIRECTING.test(before) ? 'directed' : 'agent';
      if (kind === 'directed') this.#directedUnits.add(unit);
      const key = `${kind}:${unit}`;
      if (this.#unitKeys.has(key)) continue;
      this.#unitKeys.add(key);
      const boost = kind === 'directed' ? TOPIC_WEIGHTS.agentDirected : kind === 'agent' ? TOPIC_WEIGHTS.agentMention : TOPIC_WEIGHTS.callerMention;
      this.#unitBoost.set(unit, (this.#unitBoost.get(unit) ?? 0) + boost);
      if (kind === 'directed' || !this.#unitEvidence.has(unit)) this.#unitEvidence.set(unit, evidenceOf(turn, m.index, m.index + m[0].length));
    }
  }

  /** Current topic result. */
  result(): TopicResult {
    const model = this.#model;
    const labels = model.subcategoryModel.labels;
    const known = this.#sub.knownFeatures;
    const empty: TopicResult = {
      appealType: { value: null, confidence: 0, evidence: [] }, category: { value: null, confidence: 0, evidence: [] },
      subcategory: { value: null, confidence: 0, evidence: [] }, handlingUnits: { value: [], confidence: 0, evidence: [] }, topSubcategories: [],
    };
    if (known === 0 && this.#keywordScore.size === 0 && this.#alertKinds.length === 0) return empty;

    // Subcategory posterior: tempered NB + keyword and alert rules.
    const temperature = Math.max(1, Math.sqrt(known));
    // The primary hazard (first kind) gets the full boost, secondary ones (e.g. injuries of an accident) half.
    const alertBoost = new Map<string, number>();
    this.#alertKinds.forEach((k, i) => {
      const sub = model.index.pack.alertSubcategories[k];
      if (sub && !alertBoost.has(sub)) alertBoost.set(sub, i === 0 ? TOPIC_WEIGHTS.alert : TOPIC_WEIGHTS.alert / 2);
    });
    const directedBoost = (label: string): number => {
      if (this.#directedUnits.size === 0) return 0;
      const units = model.index.subcategory.get(label)!.units;
      if (this.#directedUnits.has(units[0]!)) return TOPIC_WEIGHTS.directedLead;
      return units.some((u) => this.#directedUnits.has(u)) ? TOPIC_WEIGHTS.directedAny : 0;
    };
    const logits = labels.map((label, i) => this.#sub.scores[i]! / temperature
      + (this.#keywordScore.get(label) ?? 0)
      + (alertBoost.get(label) ?? 0)
      + directedBoost(label));
    const probs = softmax(logits);
    const subDist = labels.map((label, i) => ({ label, probability: probs[i]! })).sort((a, b) => b.probability - a.probability);

    // Category = sum of its subcategories; subcategory = best within the chosen category.
    const catProb = new Map<string, number>();
    for (const s of subDist) {
      const c = model.index.categoryOf.get(s.label)!;
      catProb.set(c, (catProb.get(c) ?? 0) + s.probability);
    }
    const [category, categoryP] = [...catProb].sort((a, b) => b[1] - a[1])[0]!;
    const bestSub = subDist.find((s) => model.index.categoryOf.get(s.label) === category)!;
    const topicEvidence = [...this.#topicEvidence];
    const kwEv = this.#keywordEvidence.get(bestSub.label);
    const subEvidence = kwEv ? [kwEv, ...topicEvidence].slice(0, 3) : topicEvidence;

    // Units. Confidence = probability of being the lead unit (主办): the subcategory posterior
    // through the dispatch rules (lead unit = first unit of the subcategory), plus the units the
    // agent dispatches to or anyone mentions. Co-units (协办) rank after by their share.
    const leadScore = new Map<string, number>();
    const coScore = new Map<string, number>();
    for (const s of subDist.slice(0, 25)) {
      const units = model.index.subcategory.get(s.label)!.units;
      leadScore.set(units[0]!, (leadScore.get(units[0]!) ?? 0) + s.probability);
      const weights = units.map((_, r) => TOPIC_WEIGHTS.unitRank[r] ?? 0.05);
      const sum = weights.reduce((a, b) => a + b, 0);
      units.forEach((u, r) => coScore.set(u, (coScore.get(u) ?? 0) + s.probability * weights[r]! / sum));
    }
    for (const [u, b] of this.#unitBoost) leadScore.set(u, (leadScore.get(u) ?? 0) + b);
    const leadTotal = [...leadScore.values()].reduce((a, b) => a + b, 0) || 1;
    const allUnits = new Set([...leadScore.keys(), ...coScore.keys()]);
    const ranked: RankedUnit[] = [...allUnits]
      .map((unit) => ({ unit, confidence: round((leadScore.get(unit) ?? 0) / leadTotal), rank: (leadScore.get(unit) ?? 0) / leadTotal + TOPIC_WEIGHTS.coUnit * (coScore.get(unit) ?? 0) }))
      .sort((a, b) => b.rank - a.rank).slice(0, 5).map(({ unit, confidence }) => ({ unit, confidence }));
    const top = ranked[0];
    const unitEvidence = top && this.#unitEvidence.get(top.unit) ? [this.#unitEvidence.get(top.unit)!, ...subEvidence].slice(0, 3) : subEvidence;

    // Appeal type: NB on caller words + caller cues + what the topic suggests.
    let appealType: DraftField<AppealType | null> = { value: null, confidence: 0, evidence: [] };
    if (this.#appeal.knownFeatures > 0 || [...this.#cueScore.values()].some((v) => v > 0)) {
      const appealLabels = model.appealModel.labels as readonly AppealType[];
      const aTemp = Math.max(1, Math.sqrt(this.#appeal.knownFeatures));
      const typeFromTopic = APPEAL_TYPES.map(() => 0);
      for (const s of subDist.slice(0, 25)) {
        const row = model.appealGivenSub.get(s.label)!;
        row.forEach((p, i) => { typeFromTopic[i]! += s.probability * p; });
      }
      const aLogits = appealLabels.map((t, i) => TOPIC_WEIGHTS.appealModel * this.#appeal.scores[i]! / aTemp + (this.#cueScore.get(t) ?? 0)
        + TOPIC_WEIGHTS.appealFromTopic * Math.log(typeFromTopic[APPEAL_TYPES.indexOf(t)]! + 1e-6));
      const aProbs = softmax(aLogits);
      let bi = 0;
      aProbs.forEach((p, i) => { if (p > aProbs[bi]!) bi = i; });
      const type = appealLabels[bi]!;
      const cueEv = this.#cueEvidence.get(type);
      appealType = { value: type, confidence: round(aProbs[bi]!), evidence: cueEv ? [cueEv] : topicEvidence.slice(0, 1) };
    }

    return {
      appealType,
      category: { value: category, confidence: round(categoryP), evidence: subEvidence },
      subcategory: { value: bestSub.label, confidence: round(bestSub.probability), evidence: subEvidence },
      handlingUnits: { value: ranked, confidence: top?.confidence ?? 0, evidence: unitEvidence },
      topSubcategories: subDist.slice(0, 5).map((s) => ({ label: s.label, probability: round(s.probability) })),
    };
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
