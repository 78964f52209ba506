/**
 * The ticket extractor: fed one final utterance at a time, it keeps the ticket (工单) draft up
 * to date and reports new emergency/sensitive alerts the call path must push at once.
 *
 * Offline by default (rules + fitted models, a few milliseconds per utterance at most); an
 * optional OpenAI-compatible LLM can refine summary and low-confidence fields on demand
 * (`refine()`), never blocking `addTurn`.
 */
import { extractDistrict, extractIncidentAddress } from './address.js';
import { assessTurn, combineAlerts, loadAlertLexicon, type TurnAlerts } from './alerts.js';
import { defaultCityPack, type CityPack } from './city-pack.js';
import { refineDraftWithLlm, type LlmAdapter, type LlmRefinement } from './llm.js';
import { extractCallerName, loadSurnames } from './names.js';
import { extractContactPhone } from './phone.js';
import { buildSummary } from './summary.js';
import { prepareTurn, type PreparedTurn } from './text.js';
import { fitTopicModel, TopicTracker } from './topic-model.js';
import {
  DRAFT_FIELD_NAMES, type DraftField, type DraftFieldName, type FlatTicketDraft, type TicketAlert, type TicketDraft,
  type TicketDraftUpdate, type TranscriptTurn,
} from './types.js';

/** Default auto-dispatch threshold on the top handling unit's confidence. */
export const DEFAULT_AUTO_DISPATCH_THRESHOLD = 0.9;

/** Options of `createTicketExtractor`. */
export interface TicketExtractorOptions {
  /** City pack (districts, units, taxonomy, dispatch rules); default 郑州市. */
  readonly cityPack?: CityPack;
  /** Top unit confidence (0–1, probability of being the lead unit) at or above which `draft.autoDispatch` is set; default 0.9. */
  readonly autoDispatchThreshold?: number;
  /** Optional LLM used by `refine()`; without it `refine()` resolves to the offline draft. */
  readonly llm?: LlmAdapter;
  /** Caller ID of the call: used (confidence 0.6) only when the caller says to use the calling number. */
  readonly callerNumber?: string;
}

/** Per-call ticket extractor. Not shared between calls. */
export interface TicketExtractor {
  /** Add one final utterance; returns the updated draft, the fields that changed and new alerts. */
  addTurn(turn: TranscriptTurn): TicketDraftUpdate;
  /** The current draft. */
  readonly draft: TicketDraft;
  /** Every alert raised so far. */
  readonly alerts: readonly TicketAlert[];
  /**
   * Ask the configured LLM to refine the summary and fill/replace low-confidence fields
   * (validated against the city pack). Resolves to the offline draft when no LLM is
   * configured. Rejects with the adapter's typed error (LlmRequestError/LlmResponseError).
   */
  refine(signal?: AbortSignal): Promise<TicketDraftUpdate>;
}

const nothing = <T>(value: T): DraftField<T> => ({ value, confidence: 0, evidence: [] });

function emptyDraft(): TicketDraft {
  return {
    callerName: nothing(null), contactPhone: nothing(null), appealType: nothing(null), category: nothing(null),
    subcategory: nothing(null), handlingUnits: nothing([]), district: nothing(null), incidentAddress: nothing(null),
    urgency: { value: 'normal', confidence: 0.5, evidence: [] }, emergencyService: { value: null, confidence: 0.5, evidence: [] },
    sensitive: { value: false, confidence: 0.5, evidence: [] }, confidential: { value: false, confidence: 0.5, evidence: [] },
    summary: nothing(null), autoDispatch: null, turnCount: 0,
  };
}

/**
 * Create an extractor for one call. The first extractor of a process fits the topic model
 * (~0.3–0.5 s including the jieba dictionary); later ones reuse it.
 * @throws RangeError when `autoDispatchThreshold` is outside [0, 1].
 */
export function createTicketExtractor(options: TicketExtractorOptions = {}): TicketExtractor {
  const pack = options.cityPack ?? defaultCityPack();
  const threshold = options.autoDispatchThreshold ?? DEFAULT_AUTO_DISPATCH_THRESHOLD;
  if (!(threshold >= 0 && threshold <= 1)) throw new RangeError(`autoDispatchThreshold must be in [0, 1], got ${threshold}`);
  const model = fitTopicModel(pack);
  const lexicon = loadAlertLexicon();
  const surnames = loadSurnames();
  const tracker = new TopicTracker(model);
  const turns: PreparedTurn[] = [];
  const perTurnAlerts: TurnAlerts[] = [];
  const alerts: TicketAlert[] = [];
  const alerted = new Set<string>();
  let draft = emptyDraft();
  let overrides: LlmRefinement | undefined;

  const compute = (): TicketDraft => {
    const assessment = combineAlerts(perTurnAlerts);
    tracker.setAlertKinds(assessment.emergencyKinds);
    const topic = tracker.result();
    const callerName = extractCallerName(turns, surnames);
    const contactPhone = extractContactPhone(turns, { areaCode: pack.areaCode, callerNumber: options.callerNumber });
    const district = extractDistrict(turns, pack);
    const incidentAddress = extractIncidentAddress(turns, pack, district.value, district.mentions);
    const base: { -readonly [K in keyof BaseFields]: BaseFields[K] } = {
      callerName, contactPhone, appealType: topic.appealType, category: topic.category, subcategory: topic.subcategory,
      handlingUnits: topic.handlingUnits, district: { value: district.value, confidence: district.confidence, evidence: district.evidence },
      incidentAddress, urgency: assessment.urgency, emergencyService: assessment.emergencyService,
      sensitive: assessment.sensitive, confidential: assessment.confidential,
    };
    // Convention of 12345 tickets: a consultation has no incident address (the district stays).
    if (base.appealType.value === '咨询' && base.appealType.confidence >= 0.5 && base.incidentAddress.value !== null) {
      base.incidentAddress = { value: null, confidence: base.appealType.confidence, evidence: [] };
    }
    const merged = overrides ? applyOverrides(base, overrides) : base;
    const summary = overrides?.summary ?? buildSummary(turns, {
      callerName: merged.callerName.value, appealType: merged.appealType.value, subcategory: merged.subcategory.value,
      district: merged.district.value, incidentAddress: merged.incidentAddress.value, emergencyService: merged.emergencyService.value,
    }, pack);
    const top = merged.handlingUnits.value[0];
    return { ...merged, summary, autoDispatch: top && top.confidence >= threshold ? top : null, turnCount: turns.length };
  };

  const update = (previous: TicketDraft): TicketDraftUpdate => {
    draft = compute();
    // Changed = different value; for handling units, a different ranking (not a confidence wiggle).
    const key = (d: TicketDraft, f: DraftFieldName) => JSON.stringify(f === 'handlingUnits' ? d.handlingUnits.value.map((u) => u.unit) : d[f].value);
    const changedFields = DRAFT_FIELD_NAMES.filter((f) => key(previous, f) !== key(draft, f));
    const assessment = combineAlerts(perTurnAlerts);
    const newAlerts: TicketAlert[] = [];
    // Emergency alerts: the first one, then whenever the emergency service changes or the caller
    // describes a new kind of danger (an agent transfer alone does not re-alert).
    const service = draft.emergencyService.value;
    for (const hit of assessment.emergencyHits) {
      const first = !alerted.has('emergency');
      const newService = !alerted.has(`service:${service}`);
      const newKind = hit.source === 'caller' && !alerted.has(`kind:${hit.kind}`);
      if (!first && !newService && !newKind) continue;
      alerted.add('emergency');
      alerted.add(`service:${service}`);
      alerted.add(`kind:${hit.kind}`);
      newAlerts.push({ kind: 'emergency', reason: hit.kind, emergencyService: service, evidence: hit.evidence });
    }
    for (const hit of assessment.sensitiveHits) {
      const key = `sensitive:${hit.kind}`;
      if (alerted.has(key)) continue;
      alerted.add(key);
      newAlerts.push({ kind: 'sensitive', reason: hit.kind, emergencyService: null, evidence: hit.evidence });
    }
    alerts.push(...newAlerts);
    return { draft, changedFields, newAlerts };
  };

  return {
    addTurn(turn: TranscriptTurn): TicketDraftUpdate {
      const prepared = prepareTurn(turn, turns.length);
      turns.push(prepared);
      perTurnAlerts.push(assessTurn(prepared, lexicon));
      tracker.addTurn(prepared);
      return update(draft);
    },
    get draft() {
      return draft;
    },
    get alerts() {
      return alerts;
    },
    async refine(signal?: AbortSignal): Promise<TicketDraftUpdate> {
      if (!options.llm || turns.length === 0) return { draft, changedFields: [], newAlerts: [] };
      overrides = await refineDraftWithLlm(options.llm, turns, draft, pack, { signal });
      return update(draft);
    },
  };
}

type BaseFields = Omit<TicketDraft, 'summary' | 'autoDispatch' | 'turnCount'>;

/** Apply LLM values to fields the offline path found nothing for or is unsure about (< 0.5). */
function applyOverrides(base: BaseFields, refinement: LlmRefinement): BaseFields {
  const out: Record<string, unknown> = { ...base };
  for (const [name, field] of Object.entries(refinement.fields)) {
    const current = (base as unknown as Record<string, DraftField<unknown>>)[name];
    if (!field || !current) continue;
    const empty = current.value === null || (Array.isArray(current.value) && current.value.length === 0);
    if (empty || current.confidence < 0.5) out[name] = field;
  }
  return out as unknown as BaseFields;
}

/** Run a whole transcript through a fresh extractor and return the final draft. */
export function extractTicketDraft(turns: readonly TranscriptTurn[], options: TicketExtractorOptions = {}): TicketDraft {
  const extractor = createTicketExtractor(options);
  for (const turn of turns) extractor.addTurn(turn);
  return extractor.draft;
}

/** Flatten a draft to plain values (plus confidence and evidence maps), as printed by `hotline extract`. */
export function toFlatDraft(draft: TicketDraft): FlatTicketDraft {
  const confidence = {} as Record<DraftFieldName, number>;
  const evidence: FlatTicketDraft['evidence'] = {};
  for (const f of DRAFT_FIELD_NAMES) {
    confidence[f] = draft[f].confidence;
    if (draft[f].evidence.length) evidence[f] = draft[f].evidence;
  }
  const units = draft.handlingUnits.value;
  return {
    callerName: draft.callerName.value,
    contactPhone: draft.contactPhone.value,
    appealType: draft.appealType.value,
    category: draft.category.value,
    subcategory: draft.subcategory.value,
    department: units[0]?.unit ?? null,
    departmentAlternatives: units.slice(1, 3).map((u) => u.unit),
    handlingUnits: [...units],
    district: draft.district.value,
    incidentAddress: draft.incidentAddress.value,
    urgency: draft.urgency.value,
    emergencyService: draft.emergencyService.value,
    sensitive: draft.sensitive.value,
    confidential: draft.confidential.value,
    summary: draft.summary.value,
    autoDispatch: draft.autoDispatch,
    confidence,
    evidence,
  };
}
