import { describe, expect, it } from 'vitest';
import { Acd, QueueWaitAbortedError } from '../../src/domain/acd/acd.js';
import { IllegalTransitionError } from '../../src/domain/state-machine.js';

function makeAcd() {
  let now = 1000;
  const acd = new Acd(50, () => now);
  acd.addAgent('a1', 'A1', '1000', ['general']);
  acd.addAgent('a2', 'A2', '1001', ['general']);
  return { acd, tick: (ms: number) => { now += ms; } };
}

describe('agent state machine', () => {
  it('rejects illegal moves and reports legal ones', () => {
    const { acd } = makeAcd();
    const changes: string[] = [];
    acd.on('agentState', (e) => changes.push(`${e.agentId}:${e.from}->${e.to}`));
    expect(() => acd.connected('a1')).toThrow(IllegalTransitionError);
    acd.login('a1');
    acd.setReady('a1', true);
    expect(changes).toEqual(['a1:logged-out->not-ready', 'a1:not-ready->available']);
  });
});

describe('ACD', () => {
  it('offers the longest-waiting call to the longest-idle agent', async () => {
    const { acd, tick } = makeAcd();
    acd.login('a1'); acd.setReady('a1', true);
    tick(10);
    acd.login('a2'); acd.setReady('a2', true);
    const ctl = new AbortController();
    const first = await acd.waitForAgent('call-1', 'general', ctl.signal);
    expect(first.id).toBe('a1');
    expect(first.state).toBe('offered');
    const second = await acd.waitForAgent('call-2', 'general', ctl.signal);
    expect(second.id).toBe('a2');
  });

  it('queues calls in order until an agent becomes available', async () => {
    const { acd } = makeAcd();
    acd.login('a1');
    const ctl = new AbortController();
    const order: string[] = [];
    const w1 = acd.waitForAgent('c1', 'general', ctl.signal).then((a) => { order.push(`c1:${a.id}`); return a; });
    const w2 = acd.waitForAgent('c2', 'general', ctl.signal).then((a) => { order.push(`c2:${a.id}`); return a; });
    expect(acd.waitingCount).toBe(2);
    acd.setReady('a1', true);
    const a = await w1;
    acd.connected(a.id);
    acd.callEnded(a.id); // → wrap-up, available after 50 ms
    expect(a.state).toBe('wrap-up');
    await w2;
    expect(order).toEqual(['c1:a1', 'c2:a1']);
  });

  it('RONA moves the agent to not-ready with reason rona', async () => {
    const { acd } = makeAcd();
    acd.login('a1'); acd.setReady('a1', true);
    const agent = await acd.waitForAgent('c1', 'general', new AbortController().signal);
    acd.offerFailed(agent.id, true);
    expect(agent.state).toBe('not-ready');
    expect(agent.notReadyReason).toBe('rona');
  });

  it('an aborted wait leaves the queue and rejects', async () => {
    const { acd } = makeAcd();
    const ctl = new AbortController();
    const wait = acd.waitForAgent('c1', 'general', ctl.signal);
    ctl.abort();
    await expect(wait).rejects.toBeInstanceOf(QueueWaitAbortedError);
    expect(acd.waitingCount).toBe(0);
  });
});
