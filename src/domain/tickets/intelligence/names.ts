/**
 * Caller name (来电人姓名) by rules.
 *
 * Conventions of 12345 tickets: a full name when the caller gives one (我叫宁浩然 → 宁浩然),
 * otherwise surname + honorific (我姓谢 … 谢先生 → 谢先生; 姓范 + agent says 范女士 → 范女士),
 * null when the caller declines (不用记名字 / 别记我名字). The honorific comes from the caller's
 * own "X先生/X女士" or from how the agent addresses the caller (X女士, 先生, 大娘, 阿姨 …).
 * Character clarifications are honoured: 姓萧，草字头那个萧，不是小月肖 → 萧.
 */
import { readFileSync } from 'node:fs';
import { evidenceOf, type PreparedTurn } from './text.js';
import type { DraftField, FieldEvidence } from './types.js';

/** Single-character and compound surnames. */
export interface SurnameList {
  readonly single: ReadonlySet<string>;
  readonly compound: ReadonlySet<string>;
}

let defaultSurnames: SurnameList | undefined;

/** The bundled surname list (`data/surnames.txt`), loaded once. */
export function loadSurnames(): SurnameList {
  if (defaultSurnames) return defaultSurnames;
  const raw = readFileSync(new URL('./data/surnames.txt', import.meta.url), 'utf8');
  const single = new Set<string>();
  const compound = new Set<string>();
  for (const line of raw.split('\n')) {
    if (line.startsWith('#')) continue;
    for (const s of line.split(/\s+/)) {
      if (s.length === 1) single.add(s);
      else if (s.length === 2) compound.add(s);
    }
  }
  defaultSurnames = { single, compound };
  return defaultSurnames;
}

const MALE = /^(先生|大爷|大哥|叔叔|爷爷|师傅|小伙子|老先生|大叔|老爷子|老伯)$/;
const FEMALE = /^(女士|小姐|阿姨|大娘|大姐|奶奶|姑娘|大妈|老太太|大婶|婶子|妹子)$/;
const HONORIFICS = '先生|女士|小姐|阿姨|大爷|大娘|大姐|大哥|叔叔|奶奶|爷爷|师傅|大妈|大叔|老先生';
/** Words that end a given name when reading "我叫XYZ…" without punctuation (ASR). */
const NAME_BOUNDARY = /^(电话|手机|号码|联系|今年|今天|住在|家住|家里|住|是|的|啊|呀|嘞|勒|哈|呢|吧|了|先生|女士|小姐|我|俺|你|您|嗯|呃|就|在|身份证|姓|那|这|谢谢|名字|对|吗|跟|今年)/;
const REFUSAL = /(不用|别|不要|不想|不方便)(记|留|说|登记|写)?(我的?)?(名字|姓名)|(名字|姓名)[^，。？！]{0,4}(不留|不说|不用|就不|不记|不写|别记)|匿名|不留名/;
/** Radical/shape descriptions used to spell a surname (草字头那个萧, 弓长张). */
const CHAR_DESCRIPTION = /(草字头|草头|立早|弓长|木子|耳东|口天|双木|古月|言午|三点水|单人旁|双人旁|提手旁|木字旁|金字旁|人字旁|竖心旁|女字旁|宝盖头|走之|小月|月字旁|土字旁|石字旁|王字旁|日字旁|火字旁|绞丝旁|反文旁|草字)(?:的|那个|的那个|那)?(\p{Script=Han})/gu;
const SPELLED: Readonly<Record<string, string>> = { 弓长: '张', 立早: '章', 木子: '李', 耳东: '陈', 口天: '吴', 双木: '林', 古月: '胡', 言午: '许' };

interface Found {
  readonly value: string;
  readonly turnIndex: number;
  readonly evidence: FieldEvidence;
}

function surnameAt(text: string, pos: number, surnames: SurnameList): string | undefined {
  const two = text.slice(pos, pos + 2);
  if (surnames.compound.has(two)) return two;
  const one = text[pos];
  if (one && surnames.single.has(one)) return one;
  return undefined;
}

/** Parse "surname + given name" starting at `pos`; given name of 1–2 Han characters, cut at boundary words. */
function fullNameAt(text: string, start: number, surnames: SurnameList): { surname: string; given: string; end: number } | undefined {
  let pos = start;
  // A stutter or pause before the name: "我叫王……王建国".
  const stutter = /^(\p{Script=Han})[…,，。 .]*\1/u.exec(text.slice(pos));
  if (stutter && surnames.single.has(stutter[1]!)) pos += stutter[0].length - 1;
  const surname = surnameAt(text, pos, surnames);
  if (!surname) return undefined;
  let given = '';
  let i = pos + surname.length;
  while (given.length < 2 && i < text.length) {
    const ch = text[i]!;
    if (!/\p{Script=Han}/u.test(ch)) break;
    if (NAME_BOUNDARY.test(text.slice(i))) break;
    if (ch === surname[0] && given.length > 0) break; // 常秀英常是… : the surname repeated starts a clarification
    if (/[零〇一二三四五六七八九十幺两]/.test(ch) && given.length === 0 && /[零〇一二三四五六七八九幺]/.test(text[i + 1] ?? '')) break;
    given += ch;
    i++;
  }
  return { surname, given, end: i };
}

function genderOf(honorific: string): '先生' | '女士' | undefined {
  if (MALE.test(honorific)) return '先生';
  if (FEMALE.test(honorific)) return '女士';
  return undefined;
}

/**
 * Extract the caller's name from the call so far.
 * Confidence: 0.9 full name confirmed by the agent's address, 0.85 full name or surname with a
 * known honorific, 0.7 name only from the agent's address, 0.4 surname of unknown gender
 * (value "X先生/女士"), 0.8 for a declined name (value null).
 */
export function extractCallerName(turns: readonly PreparedTurn[], surnames: SurnameList = loadSurnames()): DraftField<string | null> {
  let fullName: Found | undefined;
  let surname: Found | undefined;
  let excluded = new Set<string>();
  let gender: Found | undefined;
  let agentNamed: Found | undefined;
  let refusal: FieldEvidence | undefined;

  for (const turn of turns) {
    const text = turn.text;
    if (turn.speaker === 'caller') {
      const refusalMatch = REFUSAL.exec(text);
      if (refusalMatch) refusal = evidenceOf(turn, refusalMatch.index, refusalMatch.index + refusalMatch[0].length);

      for (const m of text.matchAll(/(?:我|俺)(?:的)?(?:名字)?(?:叫|名叫|名字是|姓名是|名字叫)/g)) {
        const parsed = fullNameAt(text, m.index + m[0].length, surnames);
        if (parsed && parsed.given.length >= 1) {
          const start = m.index + m[0].length;
          fullName = { value: parsed.surname + parsed.given, turnIndex: turn.index, evidence: evidenceOf(turn, start, parsed.end) };
        } else if (parsed) {
          surname = { value: parsed.surname, turnIndex: turn.index, evidence: evidenceOf(turn, m.index, parsed.end) };
        }
      }
      for (const m of text.matchAll(/(?:我|俺|免贵)?姓(?!名)/g)) {
        const pos = m.index + m[0].length;
        const s = surnameAt(text, pos, surnames);
        if (!s || text.slice(m.index - 1, m.index + 1) === '百姓') continue;
        surname = { value: s, turnIndex: turn.index, evidence: evidenceOf(turn, m.index, pos + s.length) };
        // "俺姓贾，贾保国": the full name right after the surname.
        const restart = /^[，,。 ]?/.exec(text.slice(pos + s.length))![0].length + pos + s.length;
        if (text.startsWith(s, restart) && !new RegExp(`^${s}(${HONORIFICS})`).test(text.slice(restart))) {
          const parsed = fullNameAt(text, restart, surnames);
          // Not a character clarification such as "姓应，应该的应" / "常是常常的常".
          const clarifies = new RegExp(`^(?:的|嘞|勒|那个|是)${s}`).test(text.slice(parsed?.end ?? 0));
          if (parsed && parsed.given.length >= 1 && parsed.surname === s && !clarifies) {
            fullName = { value: parsed.surname + parsed.given, turnIndex: turn.index, evidence: evidenceOf(turn, restart, parsed.end) };
          }
        }
        // "我姓谢，谢先生" — the caller's own honorific right after.
        const self = new RegExp(`^[，,。 ]?(?:我是)?${s}(${HONORIFICS})`).exec(text.slice(pos + s.length, pos + s.length + 8));
        const g = self ? genderOf(self[1]!) : undefined;
        if (self && g) {
          const at = pos + s.length + self.index;
          gender = { value: g, turnIndex: turn.index, evidence: evidenceOf(turn, at, at + self[0].length) };
        }
      }
      // "叫我小王就行" / "叫我老李": a surname only.
      for (const m of text.matchAll(/叫我(?:小|老)(\p{Script=Han})/gu)) {
        if (surnames.single.has(m[1]!)) surname = { value: m[1]!, turnIndex: turn.index, evidence: evidenceOf(turn, m.index, m.index + m[0].length) };
      }
      for (const m of text.matchAll(/我是(\p{Script=Han}{1,2}?)(先生|女士)/gu)) {
        const s = surnameAt(m[1]!, 0, surnames);
        if (s && s === m[1]) {
          surname = { value: s, turnIndex: turn.index, evidence: evidenceOf(turn, m.index, m.index + m[0].length) };
          gender = { value: m[2]!, turnIndex: turn.index, evidence: evidenceOf(turn, m.index, m.index + m[0].length) };
        }
      }
      // Clarifications: 草字头那个萧 (positive), 不是小月肖 (negative).
      for (const m of text.matchAll(CHAR_DESCRIPTION)) {
        const negative = /不是$/.test(text.slice(Math.max(0, m.index - 3), m.index));
        const ch = m[2]!;
        const spelled = SPELLED[m[1]!];
        const target = surnames.single.has(ch) ? ch : spelled;
        if (!target) continue;
        if (negative) {
          excluded = new Set([...excluded, target]);
        } else if (surname || fullName) {
          surname = { value: target, turnIndex: turn.index, evidence: evidenceOf(turn, m.index, m.index + m[0].length) };
        }
      }
    } else {
      // How the agent addresses the caller.
      for (const m of text.matchAll(new RegExp(`(\\p{Script=Han}{1,2}?)(${HONORIFICS})`, 'gu'))) {
        const g = genderOf(m[2]!);
        if (!g) continue;
        const before = m[1]!;
        const s = surnames.compound.has(before) ? before : surnameAt(before, before.length - 1, surnames);
        const ev = evidenceOf(turn, m.index, m.index + m[0].length);
        gender = { value: g, turnIndex: turn.index, evidence: ev };
        if (s && !/的$/.test(before)) agentNamed = { value: s + g, turnIndex: turn.index, evidence: ev };
      }
      const bare = /(?:^|[，。！？,好的])(先生|女士|大娘|阿姨|大爷|大姐|大哥|大妈|小姐)(?:[，,。！？您你]|$)/.exec(text);
      if (bare && !gender) {
        const g = genderOf(bare[1]!);
        if (g) gender = { value: g, turnIndex: turn.index, evidence: evidenceOf(turn, bare.index, bare.index + bare[0].length) };
      }
    }
  }

  if (surname && excluded.has(surname.value) && fullName === undefined) surname = undefined;
  if (fullName && (!surname || surname.turnIndex <= fullName.turnIndex || surname.value === fullName.value.slice(0, surname.value.length))) {
    const confirmed = agentNamed?.value.startsWith(fullName.value.slice(0, 1)) ?? false;
    return { value: fullName.value, confidence: confirmed ? 0.9 : 0.85, evidence: [fullName.evidence] };
  }
  if (surname) {
    if (gender) return { value: surname.value + gender.value, confidence: 0.85, evidence: [surname.evidence, gender.evidence] };
    return { value: `${surname.value}先生/女士`, confidence: 0.4, evidence: [surname.evidence] };
  }
  if (agentNamed && !refusal) return { value: agentNamed.value, confidence: 0.7, evidence: [agentNamed.evidence] };
  if (refusal) return { value: null, confidence: 0.8, evidence: [refusal] };
  return { value: null, confidence: 0, evidence: [] };
}
