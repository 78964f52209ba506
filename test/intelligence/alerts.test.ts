import { describe, expect, it } from 'vitest';
import { assessTurn, combineAlerts } from '../../src/domain/tickets/intelligence/alerts.js';
import { createTicketExtractor } from '../../src/domain/tickets/intelligence/extractor.js';
import { rawTurns, turns } from './helpers.js';

const assess = (...lines: string[]) => combineAlerts(turns(...lines).map((t) => assessTurn(t)));

describe('emergencies (phrasings not taken from the dev corpus)', () => {
  it.each([
    ['C:厨房里一股很浓的天然气味，我婆婆还在里面！', '119'],
    ['C:隔壁仓库冒黑烟了，火苗都窜出来了！', '119'],
    ['C:对面 楼 着 火 了 好 大 的 烟', '119'],
    ['C:我老公突然晕过去了，怎么叫都叫不醒！', '120'],
    ['C:有 个 小孩 掉 到 河 里 了', '120'],
    ['C:我爸心脏病犯了，喘不上气。', '120'],
    ['C:楼下有人拿着刀追着人砍！', '110'],
    ['C:有人正在撬我家门，我一个人在家。', '110'],
    ['C:我们小区门口撞车了，有个人躺在地上流了好多血。', '120'],
  ])('%s → emergency %s', (line, service) => {
    const a = assess(line);
    expect(a.urgency.value).toBe('emergency');
    expect(a.emergencyService.value).toBe(service);
    expect(a.urgency.evidence.length).toBeGreaterThan(0);
  });

  it('treats the agent transferring to 119/120/110 as an emergency even when the caller was garbled', () => {
    const a = assess('C:快 来 啊 那边 全 是 咳咳', 'A:好的，我现在马上为您转接幺幺九，请不要挂机。');
    expect(a.urgency.value).toBe('emergency');
    expect(a.emergencyService.value).toBe('119');
  });

  it.each([
    'C:楼道里堆满了杂物，万一着火就麻烦了。',
    'C:上个月小区里起火了一次，现在消防通道还是堵着。',
    'C:没有着火，就是烧焦的味道。',
    'C:前两天有个孩子差点被电动车撞了。',
    'C:去年在工地上干活从架子上摔下来腰椎骨折，工伤认定下来了公司不给赔。',
  ])('%s → not an emergency', (line) => {
    expect(assess(line).urgency.value).not.toBe('emergency');
  });

  it('flags urgent situations', () => {
    expect(assess('C:这个路口的红绿灯全灭了，车乱成一团。').urgency.value).toBe('urgent');
    expect(assess('C:人行道上的井盖没了，就剩个大窟窿。').urgency.value).toBe('urgent');
    expect(assess('C:上礼拜停电，我家老人用制氧机急得不行，后来修好了，我想表扬一下。').urgency.value).toBe('normal');
  });
});

describe('sensitive and confidential', () => {
  it('recognises self-harm, gathering and violence threats (urgent, not emergency)', () => {
    const selfHarm = assess('C:再不给我退钱，我就从他们楼顶跳下去！');
    expect(selfHarm.sensitive.value).toBe(true);
    expect(selfHarm.urgency.value).toBe('urgent');
    expect(assess('C:我们二十几个业主商量好了，明天一起去区政府门口拉横幅。').sensitiveKinds).toContain('gathering');
    const violence = assess('C:再这样下去我真拿刀去砍他。');
    expect(violence.sensitiveKinds).toContain('violence');
    expect(violence.urgency.value).toBe('urgent');
  });

  it('marks confidential when the caller asks for secrecy, not when they only decline their name', () => {
    expect(assess('C:你们可千万别说是我举报的，怕他们报复。').confidential.value).toBe(true);
    expect(assess('C:能不能替我保密？').confidential.value).toBe(true);
    expect(assess('C:不用记名字了，你们去处理就行。').confidential.value).toBe(false);
  });
});

describe('alerts from the extractor', () => {
  it('raises an emergency alert once, on the utterance that reveals it', () => {
    const extractor = createTicketExtractor();
    const script = rawTurns(
      'A:您好，12345政务服务便民热线，请问有什么可以帮您？',
      'C:我们楼道里煤气味特别冲，好像哪家漏气了！',
      'A:请您不要开灯，先开窗通风。请问具体地址？',
      'C:金水区丰庆路天明花园5号楼。',
      'A:好的，我马上为您转接119。',
    );
    const updates = script.map((t) => extractor.addTurn(t));
    expect(updates[0]!.newAlerts).toEqual([]);
    expect(updates[1]!.newAlerts).toHaveLength(1);
    expect(updates[1]!.newAlerts[0]).toMatchObject({ kind: 'emergency', reason: 'gas', emergencyService: '119' });
    expect(updates[1]!.newAlerts[0]!.evidence.turnIndex).toBe(1);
    expect(updates[1]!.changedFields).toContain('urgency');
    expect(updates.slice(2).every((u) => u.newAlerts.length === 0)).toBe(true);
    expect(extractor.draft.urgency.value).toBe('emergency');
    expect(extractor.alerts).toHaveLength(1);
  });

  it('raises a sensitive alert', () => {
    const extractor = createTicketExtractor();
    const update = extractor.addTurn({ speaker: 'caller', text: '你们再不管，我就喝药死给他们看。' });
    expect(update.newAlerts.map((a) => a.kind)).toEqual(['sensitive']);
    expect(update.draft.sensitive.value).toBe(true);
  });
});
