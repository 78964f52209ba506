/**
 * Emergency, urgency, sensitivity and confidentiality by rules (lexicon in `data/alert-lexicon.json`).
 *
 * Recall comes first for emergencies (fire, gas smell, injury/unconsciousness, crime in
 * progress): any caller mention that is not negated right before it (没着火) and not framed as
 * hypothetical, past or a near miss (担心着火 / 上次着火 / 差点撞上) raises an emergency.
 * Framed mentions still count as a hazard (urgent). The agent transferring the call to
 * 110/119/120 is emergency evidence on its own (it also covers callers the recogniser garbled).
 * Sensitive: self-harm threats, planned group gatherings, violent threats; they make the ticket
 * at least urgent. Confidential: the caller asks for their identity to be kept secret (保密).
 */
import { readFileSync } from 'node:fs';
import { evidenceOf, type PreparedTurn } from './text.js';
import type { DraftField, EmergencyService, FieldEvidence, Urgency } from './types.js';

interface RawLexicon {
  emergency: { kind: string; service: EmergencyService; patterns: string[] }[];
  notNow: string;
  notNowNear: string;
  weakContext: string;
  negation: string;
  present: string;
  agentEmergency: string;
  sensitive: { kind: string; patterns: string[] }[];
  urgent: string[];
  agentUrgent: string;
  confidential: { caller: string[]; agent: string };
}

/** The compiled alert lexicon. */
export interface AlertLexicon {
  readonly emergency: readonly { kind: string; service: EmergencyService; re: RegExp }[];
  readonly notNow: RegExp;
  readonly notNowNear: RegExp;
  readonly weakContext: RegExp;
  readonly negation: RegExp;
  readonly present: RegExp;
  readonly agentEmergency: RegExp;
  readonly sensitive: readonly { kind: string; re: RegExp }[];
  readonly urgent: RegExp;
  readonly agentUrgent: RegExp;
  readonly confidentialCaller: RegExp;
  readonly confidentialAgent: RegExp;
}

let lexicon: AlertLexicon | undefined;

/** Load and compile the bundled lexicon once. Throws if a pattern is not a valid regular expression. */
export function loadAlertLexicon(): AlertLexicon {
  if (lexicon) return lexicon;
  const raw = JSON.parse(readFileSync(new URL('./data/alert-lexicon.json', import.meta.url), 'utf8')) as RawLexicon;
  const alt = (patterns: readonly string[]) => new RegExp(patterns.map((p) => `(?:${p})`).join('|'), 'gu');
  lexicon = {
    emergency: raw.emergency.map((e) => ({ kind: e.kind, service: e.service, re: alt(e.patterns) })),
    notNow: new RegExp(raw.notNow, 'u'),
    notNowNear: new RegExp(raw.notNowNear, 'u'),
    weakContext: new RegExp(raw.weakContext, 'u'),
    negation: new RegExp(`(?:${raw.negation})$`, 'u'),
    present: new RegExp(raw.present, 'u'),
    agentEmergency: new RegExp(raw.agentEmergency, 'gu'),
    sensitive: raw.sensitive.map((s) => ({ kind: s.kind, re: alt(s.patterns) })),
    urgent: alt(raw.urgent),
    agentUrgent: new RegExp(raw.agentUrgent, 'gu'),
    confidentialCaller: alt(raw.confidential.caller),
    confidentialAgent: new RegExp(raw.confidential.agent, 'gu'),
  };
  return lexicon;
}

/** One recognised danger. */
export interface AlertHit {
  readonly kind: string;
  readonly service: EmergencyService | null;
  readonly evidence: FieldEvidence;
  /** Where it came from: the caller's words or the agent's action. */
  readonly source: 'caller' | 'agent';
}

/** What one turn contributes. */
export interface TurnAlerts {
  readonly emergencies: readonly AlertHit[];
  /** Urgent situations (urgent lexicon, agent marking the ticket urgent). */
  readonly hazards: readonly AlertHit[];
  readonly sensitive: readonly AlertHit[];
  readonly confidential: readonly (FieldEvidence & { source: 'caller' | 'agent' })[];
}

const FIRST_PERSON_THREAT = /我(就|要|会|非得|真|一定)(要|会|去|得)?/u;

const SERVICE_DIGITS: Readonly<Record<string, EmergencyService>> = {
  幺幺九: '119', 一一九: '119', '119': '119', 幺幺零: '110', 一一零: '110', '110': '110', 幺二零: '120', 一二零: '120', '120': '120',
};
const KIND_OF_SERVICE: Readonly<Record<EmergencyService, string>> = { '119': 'fire', '110': 'crime', '120': 'medical' };

/**
 * Classify the context before a match: 'negated', 'notNow' or 'now'. Temporal/conditional
 * markers are looked for `farWidth` characters back (10 for emergencies: recall first; 16 for
 * urgency, where sentence-initial markers such as 上礼拜六 matter), hedges 5 characters back.
 */
function contextOf(text: string, start: number, lex: AlertLexicon, farWidth = 10): 'negated' | 'notNow' | 'now' {
  const before2 = text.slice(Math.max(0, start - 2), start);
  if (lex.negation.test(before2)) return 'negated';
  for (const [re, width] of [[lex.notNow, farWidth], [lex.notNowNear, 5]] as const) {
    const window = text.slice(Math.max(0, start - width), start);
    const framed = re.exec(window);
    if (framed && !lex.present.test(window.slice(framed.index + framed[0].length))) return 'notNow';
  }
  return 'now';
}

/** Assess one turn. Pure; the extractor caches the result per turn. */
export function assessTurn(turn: PreparedTurn, lex: AlertLexicon = loadAlertLexicon()): TurnAlerts {
  const emergencies: AlertHit[] = [];
  const hazards: AlertHit[] = [];
  const sensitive: AlertHit[] = [];
  const confidential: (FieldEvidence & { source: 'caller' | 'agent' })[] = [];
  const text = turn.text;
  if (turn.speaker === 'caller') {
    const weakTurn = lex.weakContext.test(text);
    for (const e of lex.emergency) {
      const weakKind = WEAK_KINDS.has(e.kind);
      for (const m of text.matchAll(e.re)) {
        let ctx = contextOf(text, m.index, lex);
        if (ctx === 'now' && weakKind && weakTurn && !lex.present.test(text)) ctx = 'notNow';
        if (ctx === 'negated') continue;
        // Framed mentions (上次着火 / 担心着火 / 差点被撞) are neither emergencies nor urgent by themselves.
        if (ctx !== 'now') continue;
        // A first-person threat ("再不退钱我就从楼顶跳下去") is sensitive, not a danger in progress.
        const lead = text.slice(Math.max(0, m.index - 10), m.index);
        if (FIRST_PERSON_THREAT.test(lead) && !lex.present.test(lead)) continue;
        emergencies.push({ kind: e.kind, service: e.service, evidence: evidenceOf(turn, m.index, m.index + m[0].length), source: 'caller' });
      }
    }
    for (const s of lex.sensitive) {
      for (const m of text.matchAll(s.re)) {
        if (contextOf(text, m.index, lex) === 'negated') continue;
        sensitive.push({ kind: s.kind, service: null, evidence: evidenceOf(turn, m.index, m.index + m[0].length), source: 'caller' });
      }
    }
    for (const m of text.matchAll(lex.urgent)) {
      if (contextOf(text, m.index, lex, 16) !== 'now') continue;
      hazards.push({ kind: 'urgent', service: null, evidence: evidenceOf(turn, m.index, m.index + m[0].length), source: 'caller' });
    }
    for (const m of text.matchAll(lex.confidentialCaller)) {
      confidential.push({ ...evidenceOf(turn, m.index, m.index + m[0].length), source: 'caller' });
    }
  } else {
    for (const m of text.matchAll(lex.agentEmergency)) {
      const digits = m[2] ?? '';
      const service = SERVICE_DIGITS[digits];
      if (!service) continue;
      emergencies.push({ kind: KIND_OF_SERVICE[service], service, evidence: evidenceOf(turn, m.index, m.index + m[0].length), source: 'agent' });
    }
    for (const m of text.matchAll(lex.agentUrgent)) {
      hazards.push({ kind: 'urgent', service: null, evidence: evidenceOf(turn, m.index, m.index + m[0].length), source: 'agent' });
    }
    for (const m of text.matchAll(lex.confidentialAgent)) {
      confidential.push({ ...evidenceOf(turn, m.index, m.index + m[0].length), source: 'agent' });
    }
  }
  return { emergencies, hazards, sensitive, confidential };
}

/** Call-level result of the alert rules. */
export interface AlertAssessment {
  readonly urgency: DraftField<Urgency>;
  readonly emergencyService: DraftField<EmergencyService | null>;
  readonly sensitive: DraftField<boolean>;
  readonly confidential: DraftField<boolean>;
  /** Emergency hazard kinds recognised (fire, gas, medical, crime), first recognised first. */
  readonly emergencyKinds: readonly string[];
  /** Sensitive kinds recognised (selfHarm, gathering, violence). */
  readonly sensitiveKinds: readonly string[];
  /** Every emergency hit (for alerts). */
  readonly emergencyHits: readonly AlertHit[];
  readonly sensitiveHits: readonly AlertHit[];
}

const SERVICE_PRIORITY: readonly string[] = ['fire', 'gas', 'crime', 'traffic', 'medical', 'injury'];
/** Hazard kinds that are often told about the past (injuries, accidents). */
const WEAK_KINDS: ReadonlySet<string> = new Set(['injury', 'traffic']);

/** Combine per-turn assessments into call-level fields. */
export function combineAlerts(perTurn: readonly TurnAlerts[]): AlertAssessment {
  const emergencyHits = perTurn.flatMap((t) => t.emergencies);
  const hazardHits = perTurn.flatMap((t) => t.hazards);
  const sensitiveHits = perTurn.flatMap((t) => t.sensitive);
  const confidentialHits = perTurn.flatMap((t) => t.confidential);

  // Primary hazard first: what the caller described (by priority), then what the agent's transfer implies.
  const rank = (h: AlertHit) => (h.source === 'caller' ? 0 : 10) + SERVICE_PRIORITY.indexOf(h.kind);
  const emergencyKinds = [...new Set([...emergencyHits].sort((a, b) => rank(a) - rank(b)).map((h) => h.kind))];
  const sensitiveKinds = [...new Set(sensitiveHits.map((h) => h.kind))];

  let emergencyService: DraftField<EmergencyService | null> = { value: null, confidence: 0.7, evidence: [] };
  let urgency: DraftField<Urgency> = { value: 'normal', confidence: 0.7, evidence: [] };
  if (emergencyHits.length) {
    const agentTransfer = [...emergencyHits].reverse().find((h) => h.source === 'agent');
    const callerHits = emergencyHits.filter((h) => h.source === 'caller');
    // A traffic accident with injured people needs an ambulance first.
    const injured = callerHits.some((h) => h.kind === 'medical' || h.kind === 'injury');
    const kind = SERVICE_PRIORITY.find((k) => callerHits.some((h) => h.kind === k) && !(k === 'traffic' && injured));
    const chosen = agentTransfer ?? callerHits.find((h) => h.kind === kind)!;
    const confidence = agentTransfer && callerHits.length ? 0.99 : agentTransfer ? 0.95 : 0.85;
    emergencyService = { value: chosen.service, confidence, evidence: [chosen.evidence] };
    urgency = { value: 'emergency', confidence, evidence: emergencyHits.slice(0, 3).map((h) => h.evidence) };
  } else if (sensitiveHits.length || hazardHits.length) {
    const evidence = [...sensitiveHits, ...hazardHits].slice(0, 3).map((h) => h.evidence);
    urgency = { value: 'urgent', confidence: sensitiveHits.length || hazardHits.some((h) => h.source === 'agent') ? 0.85 : 0.65, evidence };
    emergencyService = { value: null, confidence: 0.75, evidence: [] };
  }
  const sensitive: DraftField<boolean> = sensitiveHits.length
    ? { value: true, confidence: 0.85, evidence: sensitiveHits.slice(0, 3).map((h) => h.evidence) }
    : { value: false, confidence: 0.8, evidence: [] };
  const callerConfidential = confidentialHits.filter((h) => h.source === 'caller');
  const strip = (h: FieldEvidence & { source: string }): FieldEvidence => ({ turnIndex: h.turnIndex, start: h.start, end: h.end, text: h.text });
  const confidential: DraftField<boolean> = callerConfidential.length
    ? { value: true, confidence: confidentialHits.length > callerConfidential.length ? 0.95 : 0.85, evidence: confidentialHits.slice(0, 3).map(strip) }
    : confidentialHits.length
      ? { value: true, confidence: 0.55, evidence: confidentialHits.slice(0, 2).map(strip) }
      : { value: false, confidence: 0.8, evidence: [] };
  return { urgency, emergencyService, sensitive, confidential, emergencyKinds, sensitiveKinds, emergencyHits, sensitiveHits };
}
