/**
 * Contact phone extraction from spoken or written digit strings.
 *
 * Number formats (China numbering plan, MIIT 电信网编号计划):
 * - mobile: 11 digits, `1[3-9]` followed by 9 digits;
 * - landline with area code: trunk prefix 0, then a 2-digit area code for the big cities
 *   (010 Beijing, 020–029) with an 8-digit local number, or a 3-digit area code (0371 Zhengzhou,
 *   …) with a 7- or 8-digit local number — 11 or 12 digits in all;
 * - a bare 7–8 digit local number said in a phone context gets the city's area code prefixed.
 * A leading 86 / +86 / 0086 country code is dropped.
 *
 * Callers read numbers in groups (一五五，三八零九，七七二六), pause (一八九……三九五四),
 * hesitate (嗯), restart (一三零…… / 一三零幺七…), repeat the whole number, or split it over two
 * utterances; agents read the number back. The extractor gathers digit runs, joins runs
 * separated only by pauses/fillers, and picks the last valid number, preferring one that ends
 * the run (the caller's final reading) and one the agent read back.
 */
import { digitOf } from './numerals.js';
import { evidenceOf, isAgreement, isDenial, type PreparedTurn } from './text.js';
import type { DraftField, FieldEvidence } from './types.js';

/** A maximal sequence of digit readings in one turn, possibly with pauses/fillers between groups. */
export interface DigitRun {
  readonly turnIndex: number;
  /** Normalised-text span of the run. */
  readonly start: number;
  readonly end: number;
  /** The digits, e.g. "15538097726". */
  readonly digits: string;
}

/** Characters allowed between digit groups of one spoken number (pauses, punctuation, fillers, 杠 = dash). */
const GAP = /[\s，,、。.\-—–…·:：~～嗯呃啊额哦噢杠]/;
const MAX_GAP = 4;

const runCache = new WeakMap<PreparedTurn, DigitRun[]>();

/** Find digit runs in a prepared turn (cached per turn). Runs shorter than `minDigits` are dropped. */
export function findDigitRuns(turn: PreparedTurn, minDigits = 3): DigitRun[] {
  let runs = runCache.get(turn);
  if (!runs) runCache.set(turn, (runs = scanDigitRuns(turn)));
  return minDigits <= 1 ? runs : runs.filter((r) => r.digits.length >= minDigits);
}

function scanDigitRuns(turn: PreparedTurn): DigitRun[] {
  const minDigits = 1;
  const text = turn.text;
  const runs: DigitRun[] = [];
  let i = 0;
  while (i < text.length) {
    if (digitOf(text[i]!) === undefined) {
      i++;
      continue;
    }
    const start = i;
    let digits = '';
    let end = i;
    let j = i;
    while (j < text.length) {
      const d = digitOf(text[j]!);
      if (d !== undefined) {
        // 十/百 are never part of digit readings, but 一十一 style readings are not phone numbers either.
        digits += d;
        j++;
        end = j;
        continue;
      }
      // A gap continues the run only if a digit follows within MAX_GAP gap characters.
      let k = j;
      while (k < text.length && k - j < MAX_GAP && GAP.test(text[k]!)) k++;
      if (k > j && k < text.length && digitOf(text[k]!) !== undefined) {
        j = k;
        continue;
      }
      break;
    }
    if (digits.length >= minDigits) runs.push({ turnIndex: turn.index, start, end, digits });
    i = Math.max(j, i + 1);
  }
  return runs;
}

/** Is the digit string an 11-digit mobile number (1[3-9]xxxxxxxxx)? */
export function isMobile(digits: string): boolean {
  return /^1[3-9]\d{9}$/.test(digits);
}

/** Is the digit string a landline with area code (0 + 2-digit code 1x/2x + 8, or 0 + 3-digit code + 7–8)? */
export function isLandline(digits: string): boolean {
  return /^0(?:[12]\d{9}|[3-9]\d{9,10})$/.test(digits);
}

/** A bare local landline number (7–8 digits, first digit 2–9). */
export function isLocalNumber(digits: string): boolean {
  return /^[2-9]\d{6,7}$/.test(digits);
}

/** Strip a leading country code (86, 0086) from a mobile number. */
function stripCountryCode(digits: string): string {
  if (/^(0086|86)1[3-9]\d{9}$/.test(digits)) return digits.slice(digits.length - 11);
  return digits;
}

/** A phone number found inside a digit string. */
export interface PhoneMatch {
  readonly number: string;
  /** Offsets within the digit string. */
  readonly from: number;
  readonly to: number;
  /** The whole digit string is this number. */
  readonly exact: boolean;
}

/**
 * Find the best phone number inside a digit string (which may hold restarts, repetitions or
 * a partial first attempt). Prefers the whole string, then the valid number that ends the
 * string, then the last valid one. `areaCode` (e.g. "0371") is prefixed to a bare local number
 * when `allowLocal` is set.
 */
export function findPhoneInDigits(raw: string, areaCode?: string, allowLocal = false): PhoneMatch | undefined {
  const digits = stripCountryCode(raw);
  if (isMobile(digits) || isLandline(digits)) return { number: digits, from: 0, to: digits.length, exact: true };
  if (allowLocal && areaCode && isLocalNumber(digits)) {
    return { number: areaCode + digits, from: 0, to: digits.length, exact: true };
  }
  let best: PhoneMatch | undefined;
  let bestScore = -Infinity;
  for (let from = 0; from < digits.length; from++) {
    for (const len of [11, 12]) {
      const to = from + len;
      if (to > digits.length) continue;
      const candidate = digits.slice(from, to);
      const valid = len === 11 ? isMobile(candidate) || isLandline(candidate) : isLandline(candidate);
      if (!valid) continue;
      // Ending the string (the final reading) beats everything; later beats earlier.
      const score = (to === digits.length ? 1000 : 0) + from + (len === 12 ? 0.5 : 0);
      if (score > bestScore) {
        bestScore = score;
        best = { number: candidate, from, to, exact: false };
      }
    }
  }
  return best;
}

const PHONE_CUE = /电话|手机|号码|联系方式|座机|固话|打这个|号是|拨打我|联系我/;
const PHONE_REQUEST = /电话|手机|号码|联系方式|怎么联系|联系您/;
const NOT_PHONE_CUE = /用户号|户号|卡号|身份证|车牌|工号|订单号|编号|房间号|门牌号|账号|QQ|微信号|快递单|运单|学号|证号|发票号|合同号/;
/** Someone else's number (物业电话, 老板的手机): not the caller's contact phone. */
const THIRD_PARTY_PHONE = /(物业|老板|他们|他的|她的|对方|商家|客服|公司|店里|店家|中介|房东|司机|包工头|经理)(的)?(电话|手机|号码|联系方式)(号码?)?(是|为)?[，,：: ]*$/;
const LAST_DIGITS_CUE = /(?:最后|后面?|尾号)(?:那)?([一二两三四五六七八\d])位(?:数)?(?:是|应该是|改成|改为)?[，,：: ]*$/;
const DIGIT_COUNT: Readonly<Record<string, number>> = { 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8 };
const CALLER_ID_CUE = /打进来的(这个|号)?|来电(号码|显示)|这个号(码)?就(行|可以)|就用(我)?(打进来|这个)|就是这个号|本机号|现在打的(这个)?(号|电话)/;

/** Phone evidence gathered so far for one call. */
interface PhoneCandidate {
  readonly number: string;
  readonly turnIndex: number;
  readonly evidence: FieldEvidence;
  readonly exact: boolean;
  readonly speaker: 'agent' | 'caller';
}

/** Options for `extractContactPhone`. */
export interface PhoneOptions {
  /** Area code of the configured city, prefixed to bare local numbers (e.g. "0371"). */
  readonly areaCode?: string;
  /** Caller ID of the call; used only when the caller says to use the number they are calling from. */
  readonly callerNumber?: string;
}

/**
 * Extract the contact phone from the whole call so far.
 *
 * Returns digits only, with confidence 0.97 when the caller's number and the agent's read-back
 * agree, 0.85 for a clean caller reading, 0.75 for an agent read-back alone (the caller's
 * reading was not recognisable), 0.6 for the caller ID when the caller said "use this number".
 */
export function extractContactPhone(turns: readonly PreparedTurn[], options: PhoneOptions = {}): DraftField<string | null> {
  const callerCandidates: PhoneCandidate[] = [];
  const agentCandidates: PhoneCandidate[] = [];
  let pending: { digits: string; turn: PreparedTurn; start: number } | undefined;
  let lastCallerAttempt = -10;
  let callerIdCue: FieldEvidence | undefined;

  for (const turn of turns) {
    const previousAgent = lastAgentBefore(turns, turn.index);
    if (turn.speaker === 'caller') {
      const cueMatch = CALLER_ID_CUE.exec(turn.text);
      if (cueMatch && /电话|号/.test(turn.text + (previousAgent?.text ?? ''))) {
        callerIdCue = evidenceOf(turn, cueMatch.index, cueMatch.index + cueMatch[0].length);
      }
      const agentAsked = previousAgent !== undefined && PHONE_REQUEST.test(previousAgent.text) && !NOT_PHONE_CUE.test(previousAgent.text);
      const runs = findDigitRuns(turn, 3);
      let foundInTurn = false;
      for (const run of runs) {
        const before = turn.text.slice(Math.max(0, run.start - 12), run.start);
        if (NOT_PHONE_CUE.test(before.slice(-6)) || THIRD_PARTY_PHONE.test(before)) continue;
        // "最后四位是八五二六": replace the tail of the number just given.
        const tail = LAST_DIGITS_CUE.exec(before);
        const previous = callerCandidates[callerCandidates.length - 1];
        if (tail && previous && turn.index - previous.turnIndex <= 2) {
          const n = Number(DIGIT_COUNT[tail[1]!] ?? tail[1]);
          if (n === run.digits.length && n < previous.number.length) {
            const patched = previous.number.slice(0, previous.number.length - n) + run.digits;
            if (isMobile(patched) || isLandline(patched)) {
              callerCandidates.push({ ...previous, number: patched, turnIndex: turn.index, evidence: evidenceOf(turn, run.start, run.end) });
              foundInTurn = true;
              lastCallerAttempt = turn.index;
              continue;
            }
          }
        }
        const cued = PHONE_CUE.test(before) || agentAsked || pending !== undefined;
        const match = findPhoneInDigits(run.digits, options.areaCode, cued);
        if (match && (cued || (isMobile(match.number) && match.exact))) {
          callerCandidates.push({
            number: match.number, turnIndex: turn.index, exact: match.exact, speaker: 'caller',
            evidence: evidenceOf(turn, run.start, run.end),
          });
          pending = undefined;
          foundInTurn = true;
          lastCallerAttempt = turn.index;
          continue;
        }
        if (!cued) continue;
        lastCallerAttempt = turn.index;
        // A partial reading: join with a pending prefix from the previous caller turn, or keep it pending.
        if (pending) {
          const joined = findPhoneInDigits(pending.digits + run.digits, options.areaCode, false);
          if (joined) {
            const first = evidenceOf(pending.turn, pending.start, pending.turn.text.length);
            callerCandidates.push({
              number: joined.number, turnIndex: turn.index, exact: false, speaker: 'caller',
              evidence: { ...evidenceOf(turn, run.start, run.end), text: first.text + '…' + turn.text.slice(run.start, run.end) },
            });
            pending = undefined;
            foundInTurn = true;
            continue;
          }
        }
        if (run.digits.length < 11) pending = { digits: run.digits, turn, start: run.start };
      }
      if (!foundInTurn && runs.length === 0 && pending && turn.index - pending.turn.index > 2) pending = undefined;
    } else {
      // Agent read-back: only counts right after the caller tried to give a number.
      if (turn.index - lastCallerAttempt > 2) continue;
      for (const run of findDigitRuns(turn, 7)) {
        const match = findPhoneInDigits(run.digits, options.areaCode, false);
        if (!match) continue;
        agentCandidates.push({
          number: match.number, turnIndex: turn.index, exact: match.exact, speaker: 'agent',
          evidence: evidenceOf(turn, run.start, run.end),
        });
      }
    }
  }

  const caller = callerCandidates[callerCandidates.length - 1];
  const agent = agentCandidates[agentCandidates.length - 1];
  if (caller && agent) {
    if (caller.number === agent.number) {
      return { value: caller.number, confidence: 0.97, evidence: [caller.evidence, agent.evidence] };
    }
    if (agent.turnIndex > caller.turnIndex) {
      const reply = turns[agent.turnIndex + 1];
      const agreed = reply !== undefined && reply.speaker === 'caller' && isAgreement(reply.text) && !isDenial(reply.text);
      const denied = reply !== undefined && reply.speaker === 'caller' && isDenial(reply.text);
      // The caller agreed to the read-back, or the caller's digits only held a number inside a
      // longer (mis-recognised) string and nobody objected: the agent typed what they heard.
      if (agreed || (!caller.exact && !denied)) {
        return { value: agent.number, confidence: agreed ? 0.8 : 0.7, evidence: [agent.evidence, caller.evidence] };
      }
    }
    return { value: caller.number, confidence: 0.7, evidence: [caller.evidence] };
  }
  if (caller) return { value: caller.number, confidence: caller.exact ? 0.85 : 0.75, evidence: [caller.evidence] };
  if (agent) return { value: agent.number, confidence: 0.75, evidence: [agent.evidence] };
  if (callerIdCue && options.callerNumber) {
    const digits = stripCountryCode(options.callerNumber.replace(/\D/g, ''));
    if (isMobile(digits) || isLandline(digits)) return { value: digits, confidence: 0.6, evidence: [callerIdCue] };
  }
  return { value: null, confidence: 0, evidence: [] };
}

function lastAgentBefore(turns: readonly PreparedTurn[], index: number): PreparedTurn | undefined {
  for (let i = index - 1; i >= 0 && i >= index - 3; i--) {
    const t = turns[i]!;
    if (t.speaker === 'agent') return t;
  }
  return undefined;
}
