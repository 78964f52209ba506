/**
 * Public types of ticket intelligence: transcript turns in, ticket (工单) drafts out.
 *
 * Every draft field carries a value, a confidence in [0, 1] and the evidence it came from
 * (turn index + character span in that turn's original text) so the agent UI can highlight it.
 */

/** One final utterance of the call, in call order. `text` is either clean (punctuated) or ASR-style. */
export interface TranscriptTurn {
  readonly speaker: 'agent' | 'caller';
  readonly text: string;
}

/** 诉求类型. */
export const APPEAL_TYPES = ['咨询', '求助', '投诉', '举报', '建议', '表扬'] as const;
export type AppealType = (typeof APPEAL_TYPES)[number];

/** normal · urgent (act within 2 h) · emergency (danger now). */
export type Urgency = 'normal' | 'urgent' | 'emergency';

/** Emergency service the call must be handed to (110 police, 119 fire/rescue, 120 ambulance). */
export type EmergencyService = '110' | '119' | '120';

/**
 * Where a value came from: `turnIndex` is the 0-based index of the turn in the call,
 * `start`/`end` a half-open UTF-16 span in that turn's original `text`, `text` the spanned text.
 */
export interface FieldEvidence {
  readonly turnIndex: number;
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** A draft field: value, confidence in [0, 1] (0 when nothing was found) and evidence spans. */
export interface DraftField<T> {
  readonly value: T;
  readonly confidence: number;
  readonly evidence: readonly FieldEvidence[];
}

/** One ranked handling unit (承办单位) with a confidence in [0, 1]. */
export interface RankedUnit {
  readonly unit: string;
  readonly confidence: number;
}

/** The ticket draft after the latest utterance. */
export interface TicketDraft {
  /** 王女士 / 李先生 (surname + honorific) or a full name; null when not given or refused. */
  readonly callerName: DraftField<string | null>;
  /** Digits only: an 11-digit mobile or a landline with area code (e.g. 037162873510); null if none. */
  readonly contactPhone: DraftField<string | null>;
  readonly appealType: DraftField<AppealType | null>;
  /** Top-level category of the city pack taxonomy (e.g. 环境保护). */
  readonly category: DraftField<string | null>;
  /** Short subcategory label from the city pack taxonomy (e.g. 建筑施工噪声). */
  readonly subcategory: DraftField<string | null>;
  /** Handling units ranked best first (at most 5); `confidence` of the field = top unit's confidence. */
  readonly handlingUnits: DraftField<readonly RankedUnit[]>;
  /** Official district name of the configured city (e.g. 郑州高新技术产业开发区) or null. */
  readonly district: DraftField<string | null>;
  /** Normalised short address of the incident (district + road/place), or null. */
  readonly incidentAddress: DraftField<string | null>;
  readonly urgency: DraftField<Urgency>;
  readonly emergencyService: DraftField<EmergencyService | null>;
  /** Self-harm threats, planned group gatherings, violent threats. */
  readonly sensitive: DraftField<boolean>;
  /** Caller asked that their identity be kept secret (保密). */
  readonly confidential: DraftField<boolean>;
  /** One sentence, at most 60 characters: who / where / what / request. */
  readonly summary: DraftField<string | null>;
  /** The top unit when its confidence reaches the configured auto-dispatch threshold, else null. */
  readonly autoDispatch: RankedUnit | null;
  /** Number of turns seen so far. */
  readonly turnCount: number;
}

/** Names of the draft fields that carry a `DraftField`. */
export type DraftFieldName =
  | 'callerName' | 'contactPhone' | 'appealType' | 'category' | 'subcategory' | 'handlingUnits'
  | 'district' | 'incidentAddress' | 'urgency' | 'emergencyService' | 'sensitive' | 'confidential' | 'summary';

/** Every `DraftFieldName`, in display order. */
export const DRAFT_FIELD_NAMES: readonly DraftFieldName[] = [
  'callerName', 'contactPhone', 'appealType', 'category', 'subcategory', 'handlingUnits', 'district',
  'incidentAddress', 'urgency', 'emergencyService', 'sensitive', 'confidential', 'summary',
];

/** Kind of alert raised for the agent and supervisors. */
export type TicketAlertKind = 'emergency' | 'sensitive';

/**
 * An alert raised the first time a danger is recognised in the call. Emergency alerts are raised
 * again only when the emergency service changes (e.g. a fire call that turns out to have injured).
 */
export interface TicketAlert {
  readonly kind: TicketAlertKind;
  /** Hazard recognised: fire, gas, medical, crime (emergency) or selfHarm, gathering, violence (sensitive). */
  readonly reason: string;
  readonly emergencyService: EmergencyService | null;
  /** Turn that raised it and the matched span. */
  readonly evidence: FieldEvidence;
}

/** What one `addTurn` returns. */
export interface TicketDraftUpdate {
  readonly draft: TicketDraft;
  /** Fields whose value changed with this turn. */
  readonly changedFields: readonly DraftFieldName[];
  /** Alerts raised by this turn (empty most of the time): push them to agent and supervisors at once. */
  readonly newAlerts: readonly TicketAlert[];
}

/** A flat, JSON-friendly view of a draft (values only), as printed by `hotline extract`. */
export interface FlatTicketDraft {
  callerName: string | null;
  contactPhone: string | null;
  appealType: AppealType | null;
  category: string | null;
  subcategory: string | null;
  /** Top-ranked handling unit (主办), same key as the corpus gold. */
  department: string | null;
  /** Next ranked units (协办 candidates), same key as the corpus gold. */
  departmentAlternatives: string[];
  handlingUnits: RankedUnit[];
  district: string | null;
  incidentAddress: string | null;
  urgency: Urgency;
  emergencyService: EmergencyService | null;
  sensitive: boolean;
  confidential: boolean;
  summary: string | null;
  autoDispatch: RankedUnit | null;
  /** Confidence per field. */
  confidence: Record<DraftFieldName, number>;
  /** Evidence per field (fields without evidence are omitted). */
  evidence: Partial<Record<DraftFieldName, readonly FieldEvidence[]>>;
}
