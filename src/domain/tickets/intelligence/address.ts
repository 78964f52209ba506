/**
 * District (区县) and incident address (事发地址) by rules.
 *
 * District: every mention of a district name, alias, short form or known town/landmark of the
 * city pack is collected with its speaker. A mention is cancelled when the caller corrects
 * themselves right after it ("我是二七区的……哎不对，这边是中原区") or when it is negated
 * ("不是二七区"), and an agent restatement the caller denies is cancelled too. The district with
 * the most weight wins (caller mentions, agent restatements the caller agreed to, later mentions
 * slightly preferred). Mentions of the city itself (郑州) never imply a district.
 *
 * Address: a chain of place pieces — district, sub-district/town/village, road, junction,
 * named place (…小区/公园/医院/饭店…, or a quoted name), building/unit/room, direction
 * (东门/西南角/对面) — read from the agent's restatement or the caller's description, whichever
 * is more specific; normalised to the ticket style (official district prefix, 跟/和 → 与,
 * 路口 → 交叉口, Arabic building numbers, no fillers).
 */
import type { CityPack } from './city-pack.js';
import { arabiseBuildingNumbers } from './numerals.js';
import { evidenceOf, isAgreement, isDenial, type PreparedTurn } from './text.js';
import type { DraftField, FieldEvidence } from './types.js';

/** One district mention in a turn. */
export interface DistrictMention {
  readonly district: string;
  readonly turnIndex: number;
  /** Normalised-text span. */
  readonly start: number;
  readonly end: number;
  readonly kind: 'alias' | 'short' | 'place';
  readonly speaker: 'agent' | 'caller';
}

interface Matcher {
  readonly regex: RegExp;
  readonly lookup: ReadonlyMap<string, { district: string; kind: DistrictMention['kind'] }>;
}

const matchers = new WeakMap<CityPack, Matcher>();

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function matcherFor(pack: CityPack): Matcher {
  let m = matchers.get(pack);
  if (m) return m;
  const lookup = new Map<string, { district: string; kind: DistrictMention['kind'] }>();
  for (const d of pack.districts) {
    for (const p of d.places) if (!lookup.has(p)) lookup.set(p, { district: d.name, kind: 'place' });
    for (const s of d.shortAliases) lookup.set(s, { district: d.name, kind: 'short' });
    for (const a of d.aliases) lookup.set(a, { district: d.name, kind: 'alias' });
  }
  const keys = [...lookup.keys()].sort((a, b) => b.length - a.length).map(escapeRegex);
  m = { regex: new RegExp(keys.join('|'), 'g'), lookup };
  matchers.set(pack, m);
  return m;
}

/** After a short form or place: it is part of a road/landmark name, not the district (金水路, 二七广场). */
const PART_OF_NAME = /^(路|街(?!道)|大道|大街|南路|北路|东路|西路|中路|广场|河|机场|商场|万达|福塔|大厦|公园|花园|小区|医院|大学|地区|大地|人民)/;

const DIGIT_CHAR = /[零〇一二三四五六七八九幺两十\d]/;

const mentionCache = new WeakMap<PreparedTurn, { pack: CityPack; mentions: DistrictMention[] }>();

/** Find district mentions in one turn (cached per turn object). */
export function findDistrictMentions(turn: PreparedTurn, pack: CityPack): DistrictMention[] {
  const cached = mentionCache.get(turn);
  if (cached && cached.pack === pack) return cached.mentions;
  const mentions = scanDistrictMentions(turn, pack);
  mentionCache.set(turn, { pack, mentions });
  return mentions;
}

function scanDistrictMentions(turn: PreparedTurn, pack: CityPack): DistrictMention[] {
  const { regex, lookup } = matcherFor(pack);
  const out: DistrictMention[] = [];
  for (const m of turn.text.matchAll(regex)) {
    const entry = lookup.get(m[0]);
    if (!entry) continue;
    const after = turn.text.slice(m.index + m[0].length);
    if (entry.kind !== 'alias' && PART_OF_NAME.test(after)) continue;
    // "二七" inside a spoken digit string (一五零三八二七六六…) is not a district.
    const before = turn.text[m.index - 1] ?? '';
    if (/[零〇一二三四五六七八九幺两十\d]/.test(m[0]) && (DIGIT_CHAR.test(before) || DIGIT_CHAR.test(after[0] ?? ''))) continue;
    out.push({ district: entry.district, turnIndex: turn.index, start: m.index, end: m.index + m[0].length, kind: entry.kind, speaker: turn.speaker });
  }
  return out;
}

const CORRECTION = /不对|不是|说错了|搞错了|记错了|记混|应该是|哦不|噢不|错了/;

/**
 * Decide the district from the call so far.
 * Confidence: share of the winning district's weight, scaled by how much evidence there is
 * (one caller mention ≈ 0.75, caller + agent restatement ≈ 0.95).
 */
export function extractDistrict(turns: readonly PreparedTurn[], pack: CityPack): DraftField<string | null> & { mentions: DistrictMention[] } {
  const all: { m: DistrictMention; weight: number; cancelled: boolean }[] = [];
  for (const turn of turns) {
    const mentions = findDistrictMentions(turn, pack);
    for (let i = 0; i < mentions.length; i++) {
      const m = mentions[i]!;
      const kindWeight = m.kind === 'alias' ? 1 : m.kind === 'short' ? 0.85 : 0.6;
      let weight = kindWeight * (m.speaker === 'caller' ? 1 : 0.8);
      let cancelled = /不是$|不在$/.test(turn.text.slice(Math.max(0, m.start - 3), m.start));
      // Self-correction: a correction marker after this mention, then another mention in the same turn.
      const next = mentions.slice(i + 1).find((n) => n.district !== m.district || n.kind !== m.kind);
      const tail = turn.text.slice(m.end, next ? next.start : Math.min(turn.text.length, m.end + 24));
      const marker = CORRECTION.exec(tail);
      if (marker && next && next.start - m.end <= 40) cancelled = true;
      if (m.speaker === 'agent') {
        const reply = turns[turn.index + 1];
        if (reply?.speaker === 'caller' && isDenial(reply.text)) cancelled = true;
        else if (reply?.speaker === 'caller' && isAgreement(reply.text)) weight += 0.6;
        // A question about a district ("是金水区吗？") is not evidence.
        if (/^(吗|是吗|对吗)/.test(turn.text.slice(m.end, m.end + 3)) && !(reply && isAgreement(reply.text))) weight *= 0.3;
      }
      all.push({ m, weight, cancelled });
    }
  }
  const live = all.filter((a) => !a.cancelled);
  if (live.length === 0) return { value: null, confidence: 0, evidence: [], mentions: [] };
  const score = new Map<string, number>();
  live.forEach((a, order) => score.set(a.m.district, (score.get(a.m.district) ?? 0) + a.weight + 0.02 * order));
  let best = '';
  let bestScore = -1;
  let total = 0;
  for (const [d, s] of score) {
    total += s;
    if (s > bestScore) {
      best = d;
      bestScore = s;
    }
  }
  const confidence = Math.min(0.97, (bestScore / total) * Math.min(1, 0.55 + 0.25 * bestScore));
  const winning = live.filter((a) => a.m.district === best).map((a) => a.m);
  const evidence: FieldEvidence[] = winning.slice(0, 3).map((m) => evidenceOf(turns[m.turnIndex]!, m.start, m.end));
  return { value: best, confidence: Math.round(confidence * 100) / 100, evidence, mentions: winning };
}

// ---------------------------------------------------------------------------------------------
// Incident address

const HAN = '\\p{Script=Han}';
const PLACE_SUFFIX = [
  '小区', '花园', '花苑', '家园', '新村', '公寓', '大厦', '广场', '公园', '游园', '医院', '卫生院', '诊所', '学校', '小学', '中学', '初中', '高中',
  '幼儿园', '大学', '学院', '市场', '商场', '超市', '饭店', '酒店', '宾馆', '火锅', '烧烤', '酒吧', '网咖', '网吧', '菜馆', '餐馆', '饭馆', '餐厅',
  '通讯', '售楼部', '项目', '工地', '搅拌站', '汽车站', '火车站', '车站', '地铁站', '加油站', '停车场', '菜市场', '农贸市场', '派出所', '银行',
  '中心', '底商', '门面', '门店', '商店', '药店', '超市', '厂', '公司', '景区', '花城', '新城', '公馆', '雅居', '苑', '湾', '庭', '府', '城', '园', '馆', '店', '药房', '大药房', '物流', '站', '公交站', '便利店',
  'KTV', '健身房', '游泳馆', '体育馆', '图书馆', '村委会', '居委会', '写字楼', '安置区',
].sort((a, b) => b.length - a.length).join('|');

/** A Han character that can be part of a place name (not a pronoun, particle or negation). */
const NAME_CHAR = `(?:(?![我你他她们的了是在不没就也还这那吗呢吧啊哪谁说对到去来从往])[${HAN}])`;
const NAME_OR_DIGIT = `(?:${NAME_CHAR}|[A-Za-z\\d])`;
const PIECES: { kind: string; re: RegExp }[] = [
  { kind: 'quoted', re: /[“"「]([^”"」]{1,12})[”"」]/uy },
  { kind: 'admin', re: new RegExp(`${NAME_CHAR}{1,4}?(?:街道|镇|乡|社区|村)(?!民|里|子|长|口)`, 'uy') },
  { kind: 'junction', re: new RegExp(`(?:与|跟|和)+(?:…|，|,)*(?:跟|和|与)?${NAME_OR_DIGIT}{1,6}?(?:大道|大街|路|街)(?:交叉口|十字路口|路口|交口)?`, 'uy') },
  { kind: 'road', re: new RegExp(`(?!往|从|马路|道路|公路|一路|半路|走路|修路)${NAME_OR_DIGIT}{1,6}?(?:大道|大街|路|街|巷|胡同)(?![道过边])(?:[东西南北中]段)?`, 'uy') },
  { kind: 'crossing', re: /(?:那个)?(?:交叉口|十字路口|路口|交口)/uy },
  { kind: 'building', re: /(?:\d+|[零〇一二三四五六七八九十幺两]+)(?:号楼|号院|栋|幢|单元|层|号)(?:\d{3,4}|[零〇一二三四五六七八九幺]{3,4}(?:室|号)?)?/uy },
  { kind: 'place', re: new RegExp(`(?!一个|哪个)${NAME_OR_DIGIT}{1,8}?(?:${PLACE_SUFFIX})(?!${NAME_CHAR}?(?:了|过|着))`, 'uy') },
  { kind: 'place', re: /(?:工地|售楼部|居民楼|小区|公园|医院|学校|小学|市场|超市|商场|广场|停车场|菜市场|公交站|地铁站|写字楼)/uy },
  { kind: 'direction', re: /(?:东南|东北|西南|西北|东|西|南|北)(?:门|角|侧|口)|门口|对面|旁边|附近|底商|地下室|地下车库|楼道|楼顶|天台|入口|出口/uy },
];
/** Longer place suffixes that may follow a shorter one (万和城 + 小区, 御景湾 + 项目). */
const SUFFIX_EXTENSION = /(?:小区|花园|花苑|家园|新村|公寓|大厦|广场|公园|市场|商场|超市|项目|售楼部|工地|分店|门店)/uy;
const FILLER = /(?:的|上|那边|这边|那一块儿?|那块|这块|那个|这个|叫|在|是|就在|就是|[，,、…。 ])+/uy;
/** A self-correction right after a piece: the piece before it is withdrawn. */
const SELF_CORRECTION = /(?:[，,…。？?]*)(?:哎|哦|噢|呃)?(?:不对|不是|说错了|搞错了|记错了)(?:[，,…。]*)(?:是|应该是)?/uy;

interface Chain {
  readonly turn: PreparedTurn;
  readonly start: number;
  readonly end: number;
  readonly pieces: { kind: string; text: string }[];
}

const chainCache = new WeakMap<PreparedTurn, Map<string, Chain>>();

/** Read a chain of place pieces starting at `pos` (cached per turn, start and first piece). */
function readChain(turn: PreparedTurn, pos: number, first?: { kind: string; text: string; end: number }): Chain {
  let perTurn = chainCache.get(turn);
  if (!perTurn) chainCache.set(turn, (perTurn = new Map()));
  const key = `${pos}:${first?.kind ?? ''}:${first?.end ?? ''}`;
  let chain = perTurn.get(key);
  if (!chain) perTurn.set(key, (chain = scanChain(turn, pos, first)));
  return chain;
}

function scanChain(turn: PreparedTurn, pos: number, first?: { kind: string; text: string; end: number }): Chain {
  const text = turn.text;
  const pieces: { kind: string; text: string }[] = [];
  let at = pos;
  let end = pos;
  if (first) {
    pieces.push({ kind: first.kind, text: first.text });
    at = end = first.end;
  }
  for (let guard = 0; guard < 14 && at < text.length; guard++) {
    SELF_CORRECTION.lastIndex = at;
    const correction = pieces.length > 1 ? SELF_CORRECTION.exec(text) : null;
    if (correction && correction[0].length > 0) {
      pieces.pop();
      at = correction.index + correction[0].length;
    }
    let next = at;
    FILLER.lastIndex = at;
    const filler = FILLER.exec(text);
    if (filler && filler[0].length <= 6) next = at + filler[0].length;
    let matched: { kind: string; text: string; end: number } | undefined;
    for (const piece of PIECES) {
      piece.re.lastIndex = next;
      const m = piece.re.exec(text);
      if (m) {
        matched = { kind: piece.kind, text: piece.kind === 'quoted' ? m[1]! : m[0], end: next + m[0].length };
        break;
      }
    }
    if (!matched) {
      // "碧沙岗……哦不是，是人民公园": a fragment we cannot parse, then a self-correction.
      const fragment = new RegExp(`${NAME_CHAR}{1,6}`, 'uy');
      fragment.lastIndex = next;
      const frag = fragment.exec(text);
      if (frag && pieces.length >= 1) {
        for (let cut = frag[0].length; cut >= 1; cut--) {
          SELF_CORRECTION.lastIndex = next + cut;
          const c = SELF_CORRECTION.exec(text);
          if (c && c[0].length > 0) {
            at = c.index + c[0].length;
            matched = { kind: 'skip', text: '', end: at };
            break;
          }
        }
      }
      if (!matched) break;
      continue;
    }
    if (matched.kind === 'place') {
      SUFFIX_EXTENSION.lastIndex = matched.end;
      const ext = SUFFIX_EXTENSION.exec(text);
      if (ext) matched = { ...matched, text: matched.text + ext[0], end: matched.end + ext[0].length };
    }
    pieces.push({ kind: matched.kind, text: matched.text });
    at = end = matched.end;
  }
  // Trailing vague directions (附近/旁边) say nothing on their own.
  while (pieces.length && /^(附近|旁边|楼下)$/.test(pieces[pieces.length - 1]!.text)) pieces.pop();
  return { turn, start: pos, end, pieces };
}

function normaliseAddress(input: readonly { kind: string; text: string }[], districtName: string | null, pack: CityPack): string {
  // Ticket style puts the road before the named place: "叫嵩山农家菜馆，在少林大道上" → 少林大道嵩山农家菜馆.
  const pieces = [...input];
  const firstPlace = pieces.findIndex((p) => p.kind === 'place' || p.kind === 'quoted');
  const firstRoad = pieces.findIndex((p) => p.kind === 'road');
  if (firstPlace >= 0 && firstRoad > firstPlace) {
    let stop = firstRoad + 1;
    while (stop < pieces.length && (pieces[stop]!.kind === 'junction' || pieces[stop]!.kind === 'crossing')) stop++;
    const roadGroup = pieces.splice(firstRoad, stop - firstRoad);
    pieces.splice(firstPlace, 0, ...roadGroup);
  }
  let out = '';
  let hasJunction = false;
  for (const p of pieces) {
    let t = p.text;
    if (p.kind === 'district') continue;
    if (p.kind === 'junction') {
      t = t.replace(/^(?:与|跟|和|…|，|,)+/, '与').replace(/(十字路口|路口|交口)$/, '交叉口');
      hasJunction = true;
    }
    if (p.kind === 'crossing') {
      if (!hasJunction || out.endsWith('交叉口')) continue;
      t = '交叉口';
    }
    t = arabiseBuildingNumbers(t).replace(/(\d+单元)([零〇一二三四五六七八九幺]{3,4})(室|号)?$/, (_m, a: string, room: string) =>
      a + [...room].map((c) => ({ 零: '0', 〇: '0', 一: '1', 幺: '1', 二: '2', 三: '3', 四: '4', 五: '5', 六: '6', 七: '7', 八: '8', 九: '9' } as Record<string, string>)[c] ?? c).join(''));
    if (out.endsWith(t)) continue; // repeated piece ("索河路……索河路中段")
    out += t;
  }
  if (hasJunction && !/交叉口/.test(out)) {
    out = out.replace(/(与[^与]*?(?:大道|大街|路|街))/, '$1交叉口');
  }
  const prefix = districtName ?? '';
  if (!out) return '';
  const city = pack.city;
  return (prefix + out).replace(city, '');
}

/**
 * Extract the incident address. Needs at least one piece besides the district (a district
 * alone gives null). Confidence 0.75 for an agent restatement the caller agreed to, 0.6 for a
 * caller description, lower for short chains.
 */
export function extractIncidentAddress(
  turns: readonly PreparedTurn[], pack: CityPack, district: string | null, districtMentions: readonly DistrictMention[],
): DraftField<string | null> {
  const chains: { chain: Chain; score: number }[] = [];
  const mentionByTurn = new Map<number, DistrictMention[]>();
  for (const t of turns) mentionByTurn.set(t.index, findDistrictMentions(t, pack));
  for (const turn of turns) {
    const restatement = turn.speaker === 'agent' && /对吗|对吧|是吗|是吧|对不对/.test(turn.text);
    const reply = turns[turn.index + 1];
    const agreed = restatement && reply?.speaker === 'caller' && isAgreement(reply.text);
    const denied = turn.speaker === 'agent' && reply?.speaker === 'caller' && isDenial(reply.text);
    const starts: { pos: number; first?: { kind: string; text: string; end: number } }[] = [];
    for (const m of mentionByTurn.get(turn.index) ?? []) {
      if (m.kind === 'place') starts.push({ pos: m.start, first: { kind: /镇|乡|街道|村/.test(turn.text.slice(m.end - 2, m.end)) ? 'admin' : 'place', text: turn.text.slice(m.start, m.end), end: m.end } });
      else starts.push({ pos: m.start, first: { kind: 'district', text: turn.text.slice(m.start, m.end), end: m.end } });
    }
    // Answers to a location question may start without a district.
    const previous = turns[turn.index - 1];
    if (turn.speaker === 'caller' && previous?.speaker === 'agent' && /哪个小区|什么位置|地址|在哪|哪条路|哪个公园|具体位置|哪个村|哪个乡镇|哪家|哪儿/.test(previous.text)) {
      starts.push({ pos: 0 });
    }
    for (const s of starts) {
      const chain = readChain(turn, s.pos, s.first);
      const specific = chain.pieces.filter((p) => p.kind !== 'district' && p.kind !== 'direction').length;
      if (specific === 0) continue;
      const agentMention = turn.speaker === 'agent' && (mentionByTurn.get(turn.index) ?? []).some((m) => m.start <= 2);
      let score = chain.pieces.length + (restatement || agentMention ? 3 : 0) + (agreed ? 0.5 : 0) - (denied ? 5 : 0);
      if (turn.speaker === 'agent' && !restatement && !agentMention) score -= 2; // agent explaining policy, not restating
      chains.push({ chain, score });
    }
  }
  if (chains.length === 0) return { value: null, confidence: 0, evidence: [] };
  chains.sort((a, b) => b.score - a.score || b.chain.turn.index - a.chain.turn.index);
  const best = chains[0]!;
  const chainDistrict = (mentionByTurn.get(best.chain.turn.index) ?? []).find((m) => m.start === best.chain.start)?.district;
  const value = normaliseAddress(best.chain.pieces, chainDistrict ?? district ?? districtMentions[0]?.district ?? null, pack);
  if (!value) return { value: null, confidence: 0, evidence: [] };
  const confidence = Math.min(0.8, 0.35 + 0.08 * best.chain.pieces.length + (best.chain.turn.speaker === 'agent' ? 0.1 : 0));
  return { value, confidence: Math.round(confidence * 100) / 100, evidence: [evidenceOf(best.chain.turn, best.chain.start, best.chain.end)] };
}

/**
 * End (normalised offset) of the place chain that starts at the first district mention of a
 * turn, or undefined when the turn has no district mention. Used to split an agent restatement
 * "<address><problem>，对吗" into its address and problem parts.
 */
export function addressChainEnd(turn: PreparedTurn, pack: CityPack): number | undefined {
  const first = findDistrictMentions(turn, pack)[0];
  if (!first) return undefined;
  return readChain(turn, first.start, { kind: 'district', text: turn.text.slice(first.start, first.end), end: first.end }).end;
}
