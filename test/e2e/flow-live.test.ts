/**
 * Flow nodes on live calls: the real server drives the FreeSWITCH simulator over ESL, with real
 * pocketsphinx for the speech menu. Covers what the hard-wired flow could not do: post-call
 * survey, outbound transfer to 110, 智能语音导航 with real speech, and publishing a new version
 * while a call runs (the call keeps its version, the next call takes the new one).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { ServerEngines } from '../../src/app.js';
import { createTestEngines, sharedEngines } from '../support/e2e.js';
import { AgentClient, librivoxFile, startLab, type Lab } from '../../src/cli/lab.js';
import type { FlowDocument, FlowNode } from '../../src/domain/ivr/flow-schema.js';
import type { CallProgress } from '../../src/domain/events.js';
import { keyClass } from '../../src/domain/ivr/nodes/menu.js';

const SPEED = 3;
const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
let engines: ServerEngines;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hotline-flow-live-'));
  engines = await createTestEngines(log);
});
afterAll(async () => {
  await engines.recognizer.close();
});

function freshLab(agentHangupAfterMs?: number): Promise<Lab> {
  const id = Math.random().toString(36).slice(2);
  return startLab({
    engines: sharedEngines(engines), log, speed: SPEED,
    simAgents: [{ user: '1000', answerAfterMs: 1000, ...(agentHangupAfterMs ? { hangupAfterMs: agentHangupAfterMs } : {}) }],
    config: {
      storage: {
        dbPath: join(dir, `db-${id}.sqlite`), recordingsDir: join(dir, 'recordings'),
        promptsDir: join(process.cwd(), '.cache/prompts'), audioDir: join(dir, `audio-${id}`),
      },
      acd: { maxQueueWaitMs: 20_000, ringTimeoutMs: 10_000, wrapUpMs: 100 },
    },
  });
}

/** The default flow's published document, edited by `edit`, saved and published; returns the version. */
function publishEdited(lab: Lab, edit: (doc: FlowDocument) => void): number {
  const doc = structuredClone(lab.server.flows.get('default-12345').draft) as FlowDocument;
  edit(doc);
  const issues = lab.server.flows.saveDraft(doc.id, doc, 'test');
  expect(issues).toEqual([]);
  return lab.server.flows.publish(doc.id, 'test').version;
}

function node(doc: FlowDocument, id: string): FlowNode {
  const n = doc.nodes.find((x) => x.id === id);
  if (!n) throw new Error(`no node ${id}`);
  return n;
}

function ivrSteps(lab: Lab, callUuid: string): string[] {
  const steps: string[] = [];
  lab.server.events.on('call', (e: CallProgress) => {
    if (e.callUuid === callUuid && e.type === 'ivr' && e.detail !== undefined && !e.step.includes(':')) steps.push(e.detail);
  });
  return steps;
}

describe('post-call survey (default flow)', () => {
  let lab: Lab;
  let agent: AgentClient;
  beforeAll(async () => {
    lab = await freshLab(4000);
    agent = await AgentClient.login(lab.server.url, '1000', 'agent-1000');
    await agent.ready();
  });
  afterAll(async () => {
    await agent.close();
    await lab.close();
  });

  it('agent hangs up first → the citizen stays, keys 1 满意, the score is stored and the server hangs up', async () => {
    const call = lab.sim.placeCall({
      caller: '13800000001',
      actions: [
        { on: 'execute', match: '^[123]$', delayMs: 800, do: { dtmf: '1' } },
        { on: 'execute', match: '^[12340]$', delayMs: 800, do: { dtmf: '0' } },
        { on: 'execute', match: '^[1-3]$', delayMs: 800, do: { dtmf: '1' } },
      ],
      hangupAfterMs: 120_000,
    });
    const result = await call.ended;
    await lab.server.hotline.whenIdle();
    expect(result.log.digitsSent).toEqual(['1', '0', '1']);
    expect(result.log.bridges).toHaveLength(1);
    expect(result.log.bridges[0]!.endMs).toBeDefined();
    // The server, not the caller, ended the call after the survey.
    expect(result.hangupCause).toBe('NORMAL_CLEARING');
    expect(lab.server.repos.survey(call.uuid)).toMatchObject({ score: 1, agentId: '1000', nodeId: 'survey' });
    expect(lab.server.repos.getCall(call.uuid)).toMatchObject({ disposition: 'agent', agentId: '1000', flowVersion: 1 });
  });
});

describe('flow versions and node types on live calls', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await freshLab();
  });
  afterAll(async () => {
    await lab.close();
  });

  it('a call keeps the version it started on; the next call takes the newly published one', async () => {
    // Call A waits in v1's language menu…
    const a = lab.sim.placeCall({
      caller: '13800000002',
      actions: [
        { on: 'execute', match: '^[123]$', delayMs: 4000, do: { dtmf: '3' } },
        { on: 'execute', match: '^[12340]$', delayMs: 1000, do: { hangup: true } },
      ],
    });
    await a.waitFor('execute', { match: '^[123]$', timeoutMs: 30_000 });
    // …while v2 drops the language choice: greeting → notice → main menu with key 9 → hang up.
    const v2 = publishEdited(lab, (doc) => {
      node(doc, 'notice').exits = { next: 'mainMenu' };
      doc.nodes = doc.nodes.filter((n) => !['languageMenu', 'setCantonese', 'setEnglish'].includes(n.id));
      const menu = node(doc, 'mainMenu');
      (menu.props as { choices: string[] }).choices.push('9');
      menu.exits['9'] = 'goodbye';
    });
    expect(v2).toBe(2);
    const b = lab.sim.placeCall({ caller: '13800000003', actions: [{ on: 'execute', match: '^[123409]$', delayMs: 800, do: { dtmf: '9' } }], hangupAfterMs: 60_000 });
    const [ra, rb] = await Promise.all([a.ended, b.ended]);
    await lab.server.hotline.whenIdle();
    // A finished on v1: English chosen in the language menu (v1 only), then v1's main menu (no key 9).
    expect(ra.log.digitsSent).toEqual(['3']);
    expect(ra.log.apps.filter((x) => x.app === 'play_and_get_digits').map((x) => x.arg?.split(' ').at(-2))).toEqual(['^[123]$', '^[12340]$']);
    expect(lab.server.repos.getCall(a.uuid)).toMatchObject({ flowVersion: 1, disposition: 'ivr' });
    // B ran v2: no language menu, key 9 exists.
    expect(rb.log.apps.filter((x) => x.app === 'play_and_get_digits').map((x) => x.arg?.split(' ').at(-2))).toEqual(['^[123409]$']);
    expect(lab.server.repos.getCall(b.uuid)).toMatchObject({ flowVersion: 2, disposition: 'ivr', hangupCause: 'NORMAL_CLEARING' });
  });

  it('transfer to 110 originates through the trunk gateway with the citizen\'s number and bridges', async () => {
    let menuKeys = '';
    publishEdited(lab, (doc) => {
      const menu = node(doc, 'mainMenu');
      (menu.props as { choices: string[] }).choices.push('8');
      menuKeys = keyClass((menu.props as { choices: string[] }).choices);
      menu.exits['8'] = 'police';
      doc.nodes.push({ id: 'police', type: 'transfer', props: { destination: '110', kind: 'emergency', prompt: { text: '正在为您转接110。' } }, exits: {} });
    });
    const call = lab.sim.placeCall({
      caller: '13800000004',
      actions: [
        { on: 'execute', match: menuKeys, delayMs: 800, do: { dtmf: '8' } },
        { on: 'bridge', delayMs: 2000, do: { hangup: true } },
      ],
    });
    const steps = ivrSteps(lab, call.uuid);
    const created: { uuid: string; name: string; callerId: string }[] = [];
    const off = lab.sim.onEvent((ev) => {
      if (ev.get('Event-Name') === 'CHANNEL_CREATE') created.push({ uuid: ev.get('Unique-ID')!, name: ev.get('Channel-Name')!, callerId: ev.get('Caller-Caller-ID-Number')! });
    });
    const result = await call.ended;
    off();
    await lab.server.hotline.whenIdle();
    expect(steps.at(-1)).toBe('police');
    expect(result.log.bridges).toHaveLength(1);
    const outside = created.find((c) => c.uuid === result.log.bridges[0]!.otherUuid);
    expect(outside?.name).toMatch(/^sofia\/external\/110@/);
    expect(outside?.callerId).toBe('13800000004');
    const other = lab.sim.channels().length; // all legs gone
    expect(other).toBe(0);
    expect(lab.server.repos.getCall(call.uuid)).toMatchObject({ disposition: 'transferred', queue: 'transfer:110' });
  });

  it('智能语音导航: real speech (pocketsphinx) picks the exit by keyword', async () => {
    publishEdited(lab, (doc) => {
      node(doc, 'greeting').exits = { next: 'speech' };
      doc.nodes = doc.nodes.filter((n) => !['notice', 'languageMenu', 'setCantonese', 'setEnglish'].includes(n.id));
      doc.nodes.push(
        {
          id: 'speech', type: 'speechMenu',
          props: {
            prompt: { text: 'Please say what you are calling about.', language: 'en' }, maxListenMs: 15_000, retries: 1,
            // Words the LibriVox recording 0870 contains ("…leisure to consider how much…").
            choices: [{ exit: 'consult', keywords: ['consider'], digit: '1' }, { exit: 'complain', keywords: ['taxes'], digit: '2' }],
          },
          exits: { consult: 'consultEnd', complain: 'mainMenu', failed: 'mainMenu' },
        },
        { id: 'consultEnd', type: 'hangup', props: { prompt: { text: 'Thank you.', language: 'en' } }, exits: {} },
      );
    });
    const call = lab.sim.placeCall({ caller: '13800000005', actions: [{ on: 'forkStart', delayMs: 200, do: { say: librivoxFile('0870') } }], hangupAfterMs: 120_000 });
    const steps = ivrSteps(lab, call.uuid);
    const result = await call.ended;
    await lab.server.hotline.whenIdle();
    expect(result.log.forks[0]?.mix).toBe('mono');
    expect(steps).toContain('consultEnd');
    // The utterance is kept in the call's transcript but creates no ticket.
    expect(lab.server.repos.transcripts(call.uuid).map((t) => t.text).join(' ')).toMatch(/consider/);
    expect(lab.server.repos.ticketForCall(call.uuid)).toBeUndefined();
  });
});
