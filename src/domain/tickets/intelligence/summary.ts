/**
 * One-sentence ticket summary (≤ 60 characters): who / where / what / request, offline.
 *
 * - who: the caller name, or 来电人;
 * - verb from the appeal type: 反映 (投诉, 求助), 咨询, 建议, 举报, 表扬;
 * - where: the incident address, else the district;
 * - what: the problem as the agent restated it ("<address><problem>，对吗？"), else the
 *   subcategory label;
 * - request: what the agent confirmed as the caller's demand ("您的诉求是要求…"), else a
 *   default per appeal type (要求处理 / 请求协调解决 / 要求查处).
 * Too long: the address is shortened to the district, then the problem to the subcategory label.
 */
import type { CityPack } from './city-pack.js';
import { addressChainEnd } from './address.js';
import { arabiseBuildingNumbers } from './numerals.js';
import { evidenceOf, type PreparedTurn } from './text.js';
import type { AppealType, DraftField, FieldEvidence } from './types.js';

/** Maximum summary length in characters. */
export const SUMMARY_MAX_CHARS = 60;

/** Inputs the summary is built from (already extracted fields). */
export interface SummaryInputs {
  readonly callerName: string | null;
  readonly appealType: AppealType | null;
  readonly subcategory: string | null;
  readonly district: string | null;
  readonly incidentAddress: string | null;
  readonly emergencyService: string | null;
}

const VERB: Readonly<Record<AppealType, string>> = { 投诉: '反映', 求助: '反映', 咨询: '咨询', 建议: '建议', 举报: '举报', 表扬: '表扬' };
const DEFAULT_REQUEST: Readonly<Record<AppealType, string>> = { 投诉: '要求处理', 求助: '请求协调解决', 咨询: '', 建议: '', 举报: '要求查处', 表扬: '' };
const CUT = /[，。？！,.?!]|对吗|对吧|是吗|是吧|我们|请问|您|好的|是什么|麻烦/;

/** Find the agent's restated problem after the address in a confirmation turn. */
function restatedProblem(turns: readonly PreparedTurn[], pack: CityPack): { text: string; evidence: FieldEvidence } | undefined {
  for (let i = turns.length - 1; i >= 0; i--) {
    const turn = turns[i]!;
    if (turn.speaker !== 'agent' || i === 0) continue;
    if (!/对吗|对吧|是吗|是吧|对不对/.test(turn.text)) continue;
    const end = addressChainEnd(turn, pack);
    if (end === undefined) continue;
    let rest = turn.text.slice(end).replace(/^(附近|旁边|门口|的|，|,)+/, '');
    const cut = CUT.exec(rest);
    if (cut) rest = rest.slice(0, cut.index);
    rest = arabiseBuildingNumbers(rest.replace(/的$/, ''));
    if (rest.length >= 3 && rest.length <= 24) {
      const start = turn.text.indexOf(rest, end);
      return { text: rest, evidence: evidenceOf(turn, start, start + rest.length) };
    }
  }
  return undefined;
}

/** Find the confirmed demand: "您的诉求是(要求)X，对吗". */
function confirmedRequest(turns: readonly PreparedTurn[]): { text: string; evidence: FieldEvidence } | undefined {
  for (let i = turns.length - 1; i >= 0; i--) {
    const turn = turns[i]!;
    if (turn.speaker !== 'agent') continue;
    const m = /(?:您的)?诉求是((?:希望|要求)?)(.{4,40}?)(?:，|,|对吗|对吧|是吗|。|$)/.exec(turn.text);
    if (m && m[2] && !/^[？?]/.test(m[2])) {
      const start = m.index + m[0].indexOf(m[2]);
      const verb = m[1] === '希望' ? '希望' : '要求';
      return { text: verb + m[2].replace(/^(要求|希望)/, ''), evidence: evidenceOf(turn, start, start + m[2].length) };
    }
  }
  return undefined;
}

/** The consult topic as the agent named it: "您说的是门诊慢特病待遇认定". */
function consultTopic(turns: readonly PreparedTurn[]): { text: string; evidence: FieldEvidence } | undefined {
  for (const turn of turns) {
    if (turn.speaker !== 'agent') continue;
    const m = /您(?:说|问|咨询)的是(.{3,20}?)(?:，|,|。|对吧|吧|吗|？|$)/.exec(turn.text);
    if (m && m[1]) {
      const start = m.index + m[0].indexOf(m[1]);
      return { text: m[1], evidence: evidenceOf(turn, start, start + m[1].length) };
    }
  }
  return undefined;
}

/** Build the summary. Returns null until at least a category-level topic is known. */
export function buildSummary(turns: readonly PreparedTurn[], inputs: SummaryInputs, pack: CityPack): DraftField<string | null> {
  if (!inputs.appealType || !inputs.subcategory) return { value: null, confidence: 0, evidence: [] };
  const who = inputs.callerName && !inputs.callerName.includes('/') ? inputs.callerName : '来电人';
  const verb = VERB[inputs.appealType];
  const problem = inputs.appealType === '咨询' ? consultTopic(turns) : restatedProblem(turns, pack);
  const request = confirmedRequest(turns);
  const evidence = [problem?.evidence, request?.evidence].filter((e): e is FieldEvidence => !!e);
  const shortDistrict = (d: string | null) => (d ? d.replace(/^郑州/, '').replace(/高新技术产业开发区$/, '高新区').replace(/经济技术开发区$/, '经开区').replace(/航空港经济综合实验区$/, '航空港区') : '');

  const compose = (where: string, what: string): string => {
    const demand = request?.text ?? DEFAULT_REQUEST[inputs.appealType!];
    const tail = inputs.emergencyService ? `，已转${inputs.emergencyService}` : demand ? `，${demand}` : '';
    if (inputs.appealType === '咨询') return `${who}咨询${where ? where + '' : ''}${what}相关问题。`;
    return `${who}${verb}${where}${what}${tail}。`;
  };
  const whereFull = inputs.incidentAddress ?? shortDistrict(inputs.district);
  const what = problem?.text ?? inputs.subcategory;
  const candidates = [
    compose(whereFull, what),
    compose(shortDistrict(inputs.district), what),
    compose(shortDistrict(inputs.district), inputs.subcategory),
    compose('', inputs.subcategory),
  ];
  const summary = candidates.find((c) => c.length <= SUMMARY_MAX_CHARS) ?? candidates[candidates.length - 1]!.slice(0, SUMMARY_MAX_CHARS - 1) + '。';
  const confidence = problem ? 0.6 : 0.45;
  return { value: summary, confidence, evidence };
}
