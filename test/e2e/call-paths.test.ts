import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { ServerEngines } from '../../src/app.js';
import { createTestEngines, sharedEngines } from '../support/e2e.js';
import { AgentClient, librivoxFile, librivoxReference, startLab, type Lab } from '../../src/cli/lab.js';
import { wordErrorRate } from '../../src/speech/wer.js';
import { decodeWav } from '../../src/speech/wav.js';


/**
 * Word error rate ceiling for one utterance through the live path (simulator → stereo/mono 16 kHz
 * fork → media ingest → pocketsphinx en-US). Measured on this machine: caller 0870 0.455, agent
 * 0880 0.375, voicebot 0890 0.429 (Debian's generic en-US model on LibriVox audio; the offline
 * corpus WER over all five files is 0.338, see src/speech/README.md). Ceiling = worst + margin.
 */
const MAX_LIVE_WER = 0.5;
const SPEED = 3;
const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
let engines: ServerEngines;
let lab: Lab;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hotline-e2e-'));
  engines = await createTestEngines(log);
});
afterAll(async () => {
  await engines.recognizer.close();
});

async function freshLab(): Promise<Lab> {
  return startLab({
    // The recogniser is shared by the labs of this file (its worker pool starts once); labs must not close it.
    engines: sharedEngines(engines),
    log, speed: SPEED,
    simAgents: [{ user: '1000', answerAfterMs: 1000, audioFile: librivoxFile('0880') }],
    config: {
      storage: { dbPath: join(dir, `db-${Math.random().toString(36).slice(2)}.sqlite`), recordingsDir: join(dir, 'recordings'), promptsDir: join(process.cwd(), '.cache/prompts'), audioDir: join(dir, 'audio') },
      acd: { maxQueueWaitMs: 20_000, ringTimeoutMs: 10_000, wrapUpMs: 100 },
      voicebot: { maxListenMs: 20_000, endSilenceMs: 800 },
    },
  });
}

describe('agent path, end to end through the simulator with real speech', () => {
  let agent: AgentClient;
  beforeAll(async () => {
    lab = await freshLab();
    agent = await AgentClient.login(lab.server.url, '1000', 'agent-1000');
    await agent.ready();
  });
  afterAll(async () => {
    await agent.close();
    await lab.close();
  });

  it('IVR → queue → agent → live transcript + ticket draft over WebSocket and in SQLite', async () => {
    const call = lab.sim.placeCall({
      caller: '13800138000',
      actions: [
        // Default flow: language menu (keys 1–3) → 1 普通话; main menu (keys 1–4, 0) → 0 人工服务.
        { on: 'execute', match: '^[123]$', delayMs: 1500, do: { dtmf: '1' } },
        { on: 'execute', match: '^[12340]$', delayMs: 1500, do: { dtmf: '0' } },
        { on: 'bridge', delayMs: 300, do: { say: librivoxFile('0870') } },
        { on: 'bridge', delayMs: 12_000, do: { hangup: true } },
      ],
    });
    const result = await call.ended;
    await lab.server.hotline.whenIdle();

    expect(result.log.digitsSent).toEqual(['1', '0']);
    expect(result.log.bridges).toHaveLength(1);
    expect(result.log.forks[0]?.mix).toBe('stereo');

    const cdr = lab.server.repos.getCall(call.uuid)!;
    expect(cdr).toMatchObject({ callerNumber: '13800138000', agentId: '1000', disposition: 'agent', menuChoice: '0', flowId: 'default-12345', flowVersion: 1 });
    expect(cdr.endedAt).toBeGreaterThan(cdr.startedAt);
    expect(cdr.queueWaitMs).toBeGreaterThanOrEqual(0);

    const transcripts = lab.server.repos.transcripts(call.uuid);
    const callerText = transcripts.filter((t) => t.speaker === 'caller').map((t) => t.text).join(' ');
    const agentText = transcripts.filter((t) => t.speaker === 'agent').map((t) => t.text).join(' ');
    const callerWer = wordErrorRate(librivoxReference('0870'), callerText);
    const agentWer = wordErrorRate(librivoxReference('0880'), agentText);
    console.log(`live WER caller ${callerWer.toFixed(3)} "${callerText}" | agent ${agentWer.toFixed(3)} "${agentText}"`);
    expect(callerWer).toBeLessThan(MAX_LIVE_WER);
    expect(agentWer).toBeLessThan(MAX_LIVE_WER);

    // The agent's browser saw the call, numbered transcript messages and the draft.
    await agent.waitFor((m) => m.type === 'callEnded' && m.callUuid === call.uuid);
    const types = new Set(agent.messages.map((m) => m.type));
    for (const t of ['callOffered', 'callAnswered', 'transcript', 'ticketDraft', 'callEnded']) expect(types).toContain(t);
    const seqs = agent.messages.filter((m) => m.type === 'transcript' && m.callUuid === call.uuid).map((m) => m.seq as number);
    expect(seqs.length).toBeGreaterThan(2);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);

    const ticket = lab.server.repos.ticketForCall(call.uuid)!;
    expect(ticket.source).toBe('agent');
    expect((ticket.draft as { transcript: unknown[] }).transcript.length).toBe(transcripts.length);

    // The switch wrote the stereo recording the server asked for.
    expect(cdr.recordingPath).toBe(join(dir, 'recordings', `${call.uuid}.wav`));
    await Promise.all(result.log.recordings.map((r) => r.finished));
    const wav = decodeWav(readFileSync(cdr.recordingPath!));
    expect(wav.channels).toBe(2);
  });

  it('survives an ESL drop mid-call: reconnects, resyncs, and the call completes', async () => {
    const reconnected = new Promise<void>((resolve) => lab.server.telephony.esl.once('connected', () => resolve()));
    const call = lab.sim.placeCall({
      caller: '13900139000',
      actions: [
        // Cantonese prompts, then 2 投诉举报.
        { on: 'execute', match: '^[123]$', delayMs: 1000, do: { dtmf: '2' } },
        { on: 'execute', match: '^[12340]$', delayMs: 1000, do: { dtmf: '2' } },
        { on: 'bridge', delayMs: 300, do: { say: librivoxFile('0930') } },
        { on: 'bridge', delayMs: 6000, do: { hangup: true } },
      ],
    });
    await new Promise<void>((resolve) => {
      const onCall = (e: { type: string; callUuid: string }) => {
        if (e.type === 'answered' && e.callUuid === call.uuid) {
          lab.server.events.off('call', onCall);
          resolve();
        }
      };
      lab.server.events.on('call', onCall);
    });
    lab.sim.dropConnections();
    await reconnected;
    await call.ended;
    await lab.server.hotline.whenIdle();
    const cdr = lab.server.repos.getCall(call.uuid)!;
    expect(cdr.disposition).toBe('agent');
    expect(cdr.menuChoice).toBe('2');
    expect(cdr.endedAt).not.toBeNull();
    expect(lab.server.repos.transcripts(call.uuid).some((t) => t.speaker === 'caller')).toBe(true);
    expect(lab.server.acd.agent('1000')?.state).not.toBe('on-call');
  });
});

describe('voicebot overflow path', () => {
  beforeAll(async () => {
    lab = await freshLab();
  });
  afterAll(async () => {
    await lab.close();
  });

  it('no agent logged in → voicebot listens, stores a ticket draft, reads the number back, hangs up', async () => {
    const call = lab.sim.placeCall({
      caller: '13700137000',
      actions: [
        { on: 'execute', match: '^[123]$', delayMs: 1000, do: { dtmf: '1' } },
        { on: 'execute', match: '^[12340]$', delayMs: 1000, do: { dtmf: '1' } },
        { on: 'forkStart', delayMs: 200, do: { say: librivoxFile('0890') } },
      ],
      hangupAfterMs: 120_000,
    });
    const result = await call.ended;
    await lab.server.hotline.whenIdle();
    const cdr = lab.server.repos.getCall(call.uuid)!;
    expect(cdr.disposition).toBe('voicebot');
    expect(result.hangupCause).toBe('NORMAL_CLEARING');
    expect(result.log.forks[0]?.mix).toBe('mono');
    const ticket = lab.server.repos.ticketForCall(call.uuid)!;
    expect(ticket.source).toBe('voicebot');
    expect(ticket.ticketNumber).toMatch(/^\d{14}$/);
    const heard = lab.server.repos.transcripts(call.uuid).map((t) => t.text).join(' ');
    const wer = wordErrorRate(librivoxReference('0890'), heard);
    console.log(`live WER voicebot ${wer.toFixed(3)} "${heard}"`);
    expect(wer).toBeLessThan(MAX_LIVE_WER);
    // Prompts: greeting, language menu, main menu, voicebot intro, ticket number read-back, goodbye.
    expect(result.log.prompts.length).toBeGreaterThanOrEqual(6);
    expect(existsSync(result.log.prompts.at(-2)!.file)).toBe(true);
  });
});
