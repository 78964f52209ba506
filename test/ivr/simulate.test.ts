/**
 * Flows run through `simulateFlow` with the real node classes and runner. Expectations come from
 * the flow documents (prompt texts, node ids) and the documented rules (holiday calendar, time
 * ranges, keyword matching, ticket read-back), never from an earlier engine run.
 */
import { describe, expect, it } from 'vitest';
import { compileFlow, type CompiledFlow } from '../../src/domain/ivr/compile.js';
import { defaultFlow } from '../../src/domain/ivr/default-flow.js';
import type { FlowDocument, Language } from '../../src/domain/ivr/flow-schema.js';
import { defaultNodeRegistry } from '../../src/domain/ivr/registry.js';
import { simulateFlow, type SimulationInput, type SimulationResult } from '../../src/domain/ivr/simulate.js';
import { matchKeywords, normaliseUtterance } from '../../src/domain/ivr/nodes/speech-menu.js';
import { compileForTest, envWith, goodFixture } from './helpers.js';

const run = (flow: CompiledFlow, input: SimulationInput, timeZone?: string): Promise<SimulationResult> =>
  simulateFlow(flow, input, defaultNodeRegistry, timeZone);
const ids = (r: SimulationResult): string[] => r.path.map((s) => s.nodeId);
const exitAt = (r: SimulationResult, nodeId: string): (string | null)[] => r.path.filter((s) => s.nodeId === nodeId).map((s) => s.exit);
const textsAt = (r: SimulationResult, nodeId: string): (string | undefined)[] => r.prompts.filter((p) => p.nodeId === nodeId).map((p) => p.text);

/** The text of a node's prompt prop in the document (per-language text: the given language). */
function docText(doc: FlowDocument, nodeId: string, prop = 'prompt', language: Language = 'cmn'): string {
  const node = doc.nodes.find((n) => n.id === nodeId);
  const text = (node?.props as Record<string, { text?: unknown }> | undefined)?.[prop]?.text;
  if (typeof text === 'string') return text;
  const byLanguage = text as Partial<Record<Language, string>> | undefined;
  const t = byLanguage?.[language];
  if (t === undefined) throw new Error(`no ${language} text for ${nodeId}.${prop}`);
  return t;
}

function noticeText(doc: FlowDocument, noticeId: string): string {
  const notices = (doc.nodes.find((n) => n.type === 'announcement')!.props as { notices: { id: string; prompt: { text: string } }[] }).notices;
  return notices.find((n) => n.id === noticeId)!.prompt.text;
}

describe('default 12345 flow', () => {
  const doc = defaultFlow();
  const flow = compileFlow(doc, 1, envWith());

  it('1 普通话 → main menu 0 → queue completed → survey: the score is stored and thanked', async () => {
    const r = await run(flow, { keys: ['1', '0', '1'] });
    expect(ids(r)).toEqual(['greeting', 'notice', 'languageMenu', 'mainMenu', 'queue', 'survey', 'goodbye']);
    expect(r.outcome).toBe('completed');
    expect(r.survey).toBe(1);
    expect(r.variables['satisfaction']).toBe('1');
    expect(r.variables['mainMenu']).toBe('0');
    expect(textsAt(r, 'greeting')).toEqual([docText(doc, 'greeting')]);
    expect(textsAt(r, 'survey')).toEqual([docText(doc, 'survey'), docText(doc, 'survey', 'thanksPrompt')]);
    expect(r.prompts.every((p) => p.language === 'cmn')).toBe(true);
  });

  it('2 粤语 sets the call language to yue', async () => {
    const r = await run(flow, { keys: ['2', '0', '2'] });
    expect(ids(r).slice(0, 5)).toEqual(['greeting', 'notice', 'languageMenu', 'setCantonese', 'mainMenu']);
    expect(r.variables['language']).toBe('yue');
  });

  /**
   * KNOWN BUG: compileFlow applies props defaults with `Value.Default` (validate.ts `withDefaults`),
   * and `LanguageSchema` has `default: 'cmn'`, so every TTS prompt gets `language: 'cmn'` pinned
   * (`{ text: {...}, language: 'cmn' }`). `resolvePrompt` then honours `prompt.language` before
   * the call's `language` variable: after choosing 粤语 / English every prompt is still Mandarin.
   */
  for (const [key, language] of [['2', 'yue'], ['3', 'en']] as const) {
    it(`${key} → the main menu, queue and survey prompts are in ${language}`, async () => {
      const r = await run(flow, { keys: [key, '0', '1'] });
      expect(r.prompts.filter((p) => p.nodeId === 'mainMenu')).toEqual([{ nodeId: 'mainMenu', text: docText(doc, 'mainMenu', 'prompt', language), language }]);
      expect(textsAt(r, 'queue')).toEqual([docText(doc, 'queue', 'prompt', language)]);
      expect(textsAt(r, 'survey')).toEqual([docText(doc, 'survey', 'prompt', language), docText(doc, 'survey', 'thanksPrompt', language)]);
    });
  }

  it('4 → a known ticket is read back digit by digit with its status, then the main menu again', async () => {
    const r = await run(flow, { keys: ['1', '4', '20261121000001#', '0', '1'], tickets: { '20261121000001': 'handling' } });
    expect(ids(r)).toEqual(['greeting', 'notice', 'languageMenu', 'mainMenu', 'ticketStatus', 'mainMenu', 'queue', 'survey', 'goodbye']);
    expect(exitAt(r, 'ticketStatus')).toEqual(['next']);
    expect(r.variables['ticketNumber']).toBe('20261121000001');
    const [ask, answer] = textsAt(r, 'ticketStatus');
    expect(ask).toBe(docText(doc, 'ticketStatus'));
    expect(answer).toContain('二零二六一一二一零零零零零一');
    expect(answer).toContain('正在办理');
  });

  it('4 → the read-back follows the call language (English after key 3)', async () => {
    const r = await run(flow, { keys: ['3', '4', '20261121000001#', '0'], tickets: { '20261121000001': 'closed' } });
    const readBack = r.prompts.filter((p) => p.nodeId === 'ticketStatus').at(-1)!;
    expect(readBack.language).toBe('en');
    expect(readBack.text).toContain('2 0 2 6 1 1 2 1 0 0 0 0 0 1');
    expect(readBack.text).toContain('closed');
  });

  it('4 → an unknown ticket: notFound, the caller hears so, back to the main menu', async () => {
    const r = await run(flow, { keys: ['1', '4', '20269999999999#', '0'], tickets: { '20261121000001': 'handling' } });
    expect(exitAt(r, 'ticketStatus')).toEqual(['notFound']);
    expect(ids(r).slice(4, 6)).toEqual(['ticketStatus', 'mainMenu']);
    expect(textsAt(r, 'ticketStatus').at(-1)).toContain('未查询到');
  });

  it('4 → a ticket number that is too short twice: failed, back to the main menu', async () => {
    const r = await run(flow, { keys: ['1', '4', '123#', '', '0'] });
    expect(exitAt(r, 'ticketStatus')).toEqual(['failed']);
    expect(textsAt(r, 'ticketStatus')).toEqual([docText(doc, 'ticketStatus'), docText(doc, 'ticketStatus')]);
    expect(r.variables['ticketNumber']).toBeUndefined();
  });

  it('invalid keys and silence use up the main menu tries → failed → queue; no survey answer is stored as null', async () => {
    const r = await run(flow, { keys: ['1', '9', '', '8'] });
    expect(ids(r)).toEqual(['greeting', 'notice', 'languageMenu', 'mainMenu', 'queue', 'survey', 'goodbye']);
    expect(exitAt(r, 'mainMenu')).toEqual(['failed']);
    // 3 tries: prompt, invalid, prompt, invalid, prompt (no invalid prompt after the last try).
    const menu = docText(doc, 'mainMenu');
    const invalid = docText(doc, 'mainMenu', 'invalidPrompt');
    expect(textsAt(r, 'mainMenu')).toEqual([menu, invalid, menu, invalid, menu]);
    expect(r.variables['mainMenu']).toBeUndefined();
    expect(r.survey).toBeNull();
    expect(textsAt(r, 'survey')).toEqual([docText(doc, 'survey'), docText(doc, 'survey')]);
  });

  it('no key at the language menu (1 try) goes on to the main menu in the default language', async () => {
    const r = await run(flow, { keys: ['', '0', '3'] });
    expect(exitAt(r, 'languageMenu')).toEqual(['failed']);
    expect(ids(r)[3]).toBe('mainMenu');
    expect(r.survey).toBe(3);
  });

  for (const queueOutcome of ['timeout', 'noAgents'] as const) {
    it(`queue ${queueOutcome} → voicebot, which ends the call (its exit is optional and unconnected)`, async () => {
      const r = await run(flow, { keys: ['1', '2'], queueOutcome });
      expect(ids(r)).toEqual(['greeting', 'notice', 'languageMenu', 'mainMenu', 'queue', 'voicebot']);
      expect(exitAt(r, 'queue')).toEqual([queueOutcome]);
      expect(r.outcome).toBe('hungUp');
      expect(r.survey).toBeUndefined();
    });
  }

  it('a survey key out of 1–3 is retried', async () => {
    const r = await run(flow, { keys: ['1', '0', '7', '2'] });
    expect(r.survey).toBe(2);
    expect(textsAt(r, 'survey')).toEqual([docText(doc, 'survey'), docText(doc, 'survey'), docText(doc, 'survey', 'thanksPrompt')]);
  });
});

describe('speech menu with DTMF fallback (speech-navigation)', () => {
  const doc = goodFixture('speech-navigation');
  const flow = compileFlow(doc, 1, envWith());

  it('the longest matching keyword wins: 查询工单 (status) beats 查询 (enquiry, an earlier choice)', async () => {
    const r = await run(flow, { utterances: ['我想查询工单的办理进度'], keys: ['20261121000001#'], tickets: { '20261121000001': 'replied' } });
    expect(exitAt(r, 'nav')).toEqual(['status']);
    expect(ids(r)).toEqual(['welcome', 'nav', 'status', 'bye']);
    expect(r.variables['nav']).toBe('我想查询工单的办理进度');
    expect(textsAt(r, 'nav')).toEqual([docText(doc, 'nav')]);
  });

  it('equally long keywords: the earlier choice wins', async () => {
    const r = await run(flow, { utterances: ['停水的事情我要投诉'] });
    expect(exitAt(r, 'nav')).toEqual(['outage']);
    expect(ids(r)).toEqual(['welcome', 'nav', 'outageInfo', 'voicebot']);
  });

  for (const said of ['停 水！！', '停水。', 'OPERATOR, please.', '人 工 服 务？']) {
    it(`matching ignores case, spaces and punctuation: "${said}"`, async () => {
      const r = await run(flow, { utterances: [said] });
      expect(exitAt(r, 'nav')).toEqual([said.includes('水') ? 'outage' : 'operator']);
    });
  }

  it('an unmatched utterance is retried with the retry prompt', async () => {
    const r = await run(flow, { utterances: ['今天天气不错', '工单进度'], keys: ['20269999999999#'] });
    expect(exitAt(r, 'nav')).toEqual(['status']);
    expect(textsAt(r, 'nav')).toEqual([docText(doc, 'nav'), docText(doc, 'nav', 'retryPrompt')]);
    expect(exitAt(r, 'status')).toEqual(['notFound']);
  });

  it('after the speech tries fail, DTMF fallback: key 2 → complaint', async () => {
    const r = await run(flow, { utterances: ['', '嗯嗯'], keys: ['2'] });
    expect(exitAt(r, 'nav')).toEqual(['complaint']);
    expect(textsAt(r, 'nav')).toEqual([docText(doc, 'nav'), docText(doc, 'nav', 'retryPrompt'), docText(doc, 'nav', 'fallbackPrompt')]);
    expect(ids(r)).toEqual(['welcome', 'nav', 'queue', 'bye']);
  });

  it('DTMF fallback only accepts the keys of choices that have one', async () => {
    // enquiry has no digit; 5 and 4 are nobody's.
    const r = await run(flow, { utterances: [], keys: ['5', '3', '20261121000001#'], tickets: { '20261121000001': 'closed' } });
    expect(exitAt(r, 'nav')).toEqual(['status']);
    const none = await run(flow, { utterances: [], keys: ['4', '5'] });
    expect(exitAt(none, 'nav')).toEqual(['failed']);
    expect(ids(none)).toEqual(['welcome', 'nav', 'queue', 'bye']);
  });

  it('matchKeywords / normaliseUtterance directly', () => {
    const choices = [{ exit: 'water', keywords: ['水'] }, { exit: 'noOutage', keywords: ['不停水'] }, { exit: 'outage', keywords: ['停水'] }];
    expect(matchKeywords('我们小区不停水了吗？', choices)?.exit).toBe('noOutage');
    expect(matchKeywords('停水', choices)?.exit).toBe('outage');
    expect(matchKeywords('自来水', choices)?.exit).toBe('water');
    expect(matchKeywords('路灯坏了', choices)).toBeUndefined();
    expect(normaliseUtterance(' Hello, World！ 停 水。')).toBe('helloworld停水');
  });
});

describe('office hours: calendar, 调休, time ranges in Asia/Shanghai, announcements, transfers (office-hours)', () => {
  const doc = goodFixture('office-hours');
  const flow = compileForTest(doc);
  const conditionPath = (r: SimulationResult) => r.path.filter((s) => s.type === 'condition').map((s) => `${s.nodeId}:${s.exit}`);

  it('2026-10-01 10:00 (国庆, a Thursday) is a holiday: closed message, voicebot', async () => {
    const r = await run(flow, { at: '2026-10-01T10:00:00+08:00' });
    expect(conditionPath(r)).toEqual(['isWorkday:false', 'weekendDuty:false', 'night:false']);
    expect(ids(r).slice(-2)).toEqual(['closedMsg', 'voicebot']);
    expect(textsAt(r, 'closedMsg')).toEqual([docText(doc, 'closedMsg')]);
  });

  it('2026-10-11 10:00 is a Sunday but a 调休 workday: open, main menu', async () => {
    const r = await run(flow, { at: '2026-10-11T10:00:00+08:00', keys: ['0'] });
    expect(conditionPath(r)).toEqual(['isWorkday:true', 'workHours:true']);
    expect(ids(r)).toContain('menu');
  });

  it('2026-10-10 is an ordinary Saturday: weekend duty 09:00–17:00 only', async () => {
    const open = await run(flow, { at: '2026-10-10T10:00:00+08:00', keys: ['0'] });
    expect(conditionPath(open)).toEqual(['isWorkday:false', 'weekendDuty:true']);
    const closed = await run(flow, { at: '2026-10-10T18:00:00+08:00' });
    expect(conditionPath(closed)).toEqual(['isWorkday:false', 'weekendDuty:false', 'night:false']);
    expect(ids(closed)).toContain('closedMsg');
  });

  it('23:30 on a workday is outside 08:00–20:00 and inside the wrap-around night range 20:00–08:00', async () => {
    const r = await run(flow, { at: '2026-10-12T23:30:00+08:00' });
    expect(conditionPath(r)).toEqual(['isWorkday:true', 'workHours:false', 'night:true']);
    expect(textsAt(r, 'nightMsg')).toEqual([docText(doc, 'nightMsg')]);
  });

  for (const [time, open] of [['07:59', false], ['08:00', true], ['19:59', true], ['20:00', false], ['00:00', false]] as const) {
    it(`workday ${time} → ${open ? 'open (from ≤ t)' : 'night (t < to of 20:00–08:00)'}`, async () => {
      const r = await run(flow, { at: `2026-10-13T${time}:00+08:00`, keys: ['0'] });
      expect(conditionPath(r)).toEqual(open ? ['isWorkday:true', 'workHours:true'] : ['isWorkday:true', 'workHours:false', 'night:true']);
    });
  }

  it('conditions use the centre time zone, not UTC: 2026-10-11T02:00Z is 10:00 in Shanghai', async () => {
    const shanghai = await run(flow, { at: '2026-10-11T02:00:00Z', keys: ['0'] });
    expect(conditionPath(shanghai)).toEqual(['isWorkday:true', 'workHours:true']);
    const utc = await run(flow, { at: '2026-10-11T02:00:00Z' }, 'UTC');
    expect(conditionPath(utc)).toEqual(['isWorkday:true', 'workHours:false', 'night:true']);
  });

  describe('announcements: active only between start and end, targeted ones only for their district', () => {
    const at = '2026-10-05T10:00:00+08:00';
    const water = noticeText(doc, 'water-tianhe');
    const nationalDay = noticeText(doc, 'national-day');
    const yuexiu = noticeText(doc, 'expired');

    it('天河区 caller during both notices hears both, in order', async () => {
      expect(textsAt(await run(flow, { at, district: '天河区' }), 'notice')).toEqual([water, nationalDay]);
    });
    it('the district variable counts as the caller district', async () => {
      expect(textsAt(await run(flow, { at, variables: { district: '天河区' } }), 'notice')).toEqual([water, nationalDay]);
    });
    it('another district, or an unknown one, hears only the untargeted notice', async () => {
      expect(textsAt(await run(flow, { at, district: '越秀区' }), 'notice')).toEqual([nationalDay]);
      expect(textsAt(await run(flow, { at }), 'notice')).toEqual([nationalDay]);
    });
    it('start is inclusive, end exclusive', async () => {
      expect(textsAt(await run(flow, { at: '2026-10-01T00:00:00+08:00', district: '天河区' }), 'notice')).toEqual([water, nationalDay]);
      expect(textsAt(await run(flow, { at: '2026-10-14T23:59:59+08:00', district: '天河区' }), 'notice')).toEqual([water]);
      expect(textsAt(await run(flow, { at: '2026-10-15T00:00:00+08:00', district: '天河区' }), 'notice')).toEqual([]);
      expect(textsAt(await run(flow, { at: '2026-09-29T23:59:59+08:00', district: '天河区' }), 'notice')).toEqual([]);
    });
    it('a January notice for 越秀区 plays in January only, and only to 越秀区', async () => {
      expect(textsAt(await run(flow, { at: '2026-01-15T10:00:00+08:00', district: '越秀区' }), 'notice')).toEqual([yuexiu]);
      expect(textsAt(await run(flow, { at: '2026-01-15T10:00:00+08:00', district: '天河区' }), 'notice')).toEqual([]);
      expect(textsAt(await run(flow, { at: '2026-03-01T10:00:00+08:00', district: '越秀区' }), 'notice')).toEqual([]);
    });
  });

  it('key 1 transfers to 110: the run ends at the transfer with transferredTo', async () => {
    const r = await run(flow, { at: '2026-10-12T10:00:00+08:00', keys: ['1'] });
    expect(r.transferredTo).toBe('110');
    expect(r.outcome).toBe('completed');
    expect(r.path.at(-1)).toEqual({ nodeId: 'police', type: 'transfer', exit: null });
    expect(r.prompts.at(-1)).toMatchObject({ nodeId: 'police', text: docText(doc, 'police') });
  });

  it('key 2 transfers to 12333', async () => {
    const r = await run(flow, { at: '2026-10-12T10:00:00+08:00', keys: ['2'] });
    expect(r.transferredTo).toBe('12333');
    expect(ids(r).at(-1)).toBe('social');
  });

  it('key 3 ticket status → menu → 0 queue → survey', async () => {
    const r = await run(flow, {
      at: '2026-10-12T10:00:00+08:00', keys: ['3', '20261001000123#', '0', '1'], tickets: { '20261001000123': 'dispatched' },
    });
    expect(ids(r).slice(-6)).toEqual(['menu', 'status', 'menu', 'queue', 'survey', 'goodbye']);
    expect(textsAt(r, 'status').at(-1)).toContain('已派发至承办单位');
    expect(r.survey).toBe(1);
    expect(r.transferredTo).toBeUndefined();
  });
});

describe('collect digits, variable conditions, setVariable, caller prefix (callback-request)', () => {
  const doc = goodFixture('callback-request');
  const flow = compileFlow(doc, 1, envWith());

  it('setVariable interpolates ${name}; unset variables become empty', async () => {
    const r = await run(flow, { keys: ['13800138000#'], variables: { callerName: '张先生' } });
    expect(ids(r)).toEqual(['ask', 'isMobile', 'compose', 'confirm', 'route', 'bye']);
    expect(r.variables['callback']).toBe('13800138000');
    expect(r.variables['summary']).toBe('回拨13800138000，称呼张先生。');
  });

  it('wrong lengths are retried with the invalid prompt', async () => {
    const r = await run(flow, { keys: ['12345#', '139123456789#', '13912345678#'] });
    const ask = docText(doc, 'ask');
    const invalid = docText(doc, 'ask', 'invalidPrompt');
    expect(textsAt(r, 'ask')).toEqual([ask, invalid, ask, invalid, ask]);
    expect(r.variables['callback']).toBe('13912345678');
  });

  it('a number that fails the regex takes the false exit', async () => {
    const r = await run(flow, { keys: ['23912345678#'] });
    expect(exitAt(r, 'isMobile')).toEqual(['false']);
    expect(r.variables['summary']).toBeUndefined();
  });

  for (const callerNumber of ['075588889999', '+8675588889999']) {
    it(`caller prefix ${callerNumber.slice(0, 6)}… routes to the district line`, async () => {
      const r = await run(flow, { keys: ['13912345678#'], callerNumber });
      expect(exitAt(r, 'route')).toEqual(['true']);
      expect(r.transferredTo).toBe('075512345678');
    });
  }

  it('no digits at all: failed → goodbye prompt', async () => {
    const r = await run(flow, { keys: [] });
    expect(ids(r)).toEqual(['ask', 'bye']);
    expect(textsAt(r, 'bye')).toEqual([docText(doc, 'bye')]);
  });
});

describe('simulation guards', () => {
  it('a menu that retries into itself forever is stopped', async () => {
    const loop = compileFlow({
      schemaVersion: 1, id: 'loop', name: 'loop', numbers: [], language: 'cmn', start: 'menu',
      nodes: [{ id: 'menu', type: 'menu', props: { prompt: { text: '请按1。' }, choices: ['1'], retries: 1 }, exits: { '1': 'bye', failed: 'menu' } },
        { id: 'bye', type: 'hangup', props: {}, exits: {} }],
    }, 1, envWith());
    const r = await run(loop, { keys: [] });
    expect(r.outcome).toBe('stopped');
    expect(r.path.length).toBeGreaterThan(100);
    expect(r.path.length).toBeLessThanOrEqual(501);
  });

  it('a bad simulation time is a RangeError', async () => {
    const flow = compileFlow(defaultFlow(), 1, envWith());
    await expect(run(flow, { at: 'next Tuesday' })).rejects.toBeInstanceOf(RangeError);
  });
});
