import { describe, expect, it } from 'vitest';
import { createTicketDrafterFactory } from '../../src/domain/tickets/intelligence/drafter-adapter.js';

describe('TicketDrafter adapter for the live call path', () => {
  it('returns whole drafts, the contact phone and wire alerts per utterance', () => {
    const drafter = createTicketDrafterFactory()('13800001111');
    const first = drafter.addTurn({ speaker: 'agent', text: '您好 幺 二 三 四 五 热线 请问 有 什么 可以 帮 您' });
    expect(first.alerts).toEqual([]);
    const fire = drafter.addTurn({ speaker: 'caller', text: '着火 了 我们 楼下 电动车 着火 了 楼道 里 全 是 烟' });
    expect(fire.alerts).toEqual([{ kind: 'emergency:119', detail: expect.stringContaining('fire') }]);
    expect(fire.changedFields).toContain('urgency');
    const phone = drafter.addTurn({ speaker: 'caller', text: '电话 就用 我 打 进来 的 这个' });
    expect(phone.contactPhone).toBe('13800001111');
    const current = drafter.current();
    expect(current.changedFields).toEqual([]);
    expect(JSON.parse(JSON.stringify(current.draft))).toMatchObject({ urgency: { value: 'emergency' }, emergencyService: { value: '119' } });
  });
});
