import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { loadConfig } from '../config/config.js';
import { createEngines } from '../engines.js';
import { wordErrorRate } from '../speech/wer.js';
import { AgentClient, librivoxFile, librivoxReference, startLab } from './lab.js';
import { createLogger } from './logger.js';
import type { CallScript } from '../simulator/index.js';
import { toFlatDraft, type TicketDraft } from '../domain/tickets/intelligence/index.js';

const CALLER_SPEECH = ['0870', '0920'];
const AGENT_SPEECH = '0880';


const time = () => new Date().toISOString().slice(11, 23);
const say = (tag: string, text: string) => process.stdout.write(`${time()} ${tag.padEnd(9)} ${text}\n`);

/** A citizen who picks 普通话 (1) and 人工服务 (0), speaks two real recorded sentences once connected, then hangs up. */
function demoCallScript(caller: string): CallScript {
  return {
    caller,
    actions: [
      // Default flow: language menu (keys 1–3) → 1 普通话; main menu (1–4, 0) → 0 人工服务.
      { on: 'execute', match: '^[123]$', delayMs: 2000, do: { dtmf: '1' } },
      { on: 'execute', match: '^[12340]$', delayMs: 2000, do: { dtmf: '0' } },
      { on: 'bridge', delayMs: 500, do: { say: librivoxFile(CALLER_SPEECH[0]!) } },
      { on: 'bridge', delayMs: 8500, do: { say: librivoxFile(CALLER_SPEECH[1]!) } },
      { on: 'bridge', delayMs: 16_500, do: { hangup: true } },
    ],
  };
}

/**
 * `npm run demo` / `hotline demo [--once]`: the real server against the FreeSWITCH simulator over
 * TCP and WebSocket, a scripted agent browser (agent 1000), and a call whose caller and agent
 * speech is real recorded speech from Debian's pocketsphinx-testdata, recognised live by
 * pocketsphinx. Prints the IVR, queue, offer, live transcript and the stored ticket draft.
 */
export async function runDemo(argv: string[]): Promise<number> {
  const once = argv.includes('--once');
  const config = loadConfig(process.env, { storage: { dbPath: process.env.HOTLINE_DB_PATH ?? 'data/demo.db' } });
  const log = createLogger(process.env.HOTLINE_LOG_LEVEL ?? 'warn');
  say('demo', 'starting speech engines (pocketsphinx, espeak-ng) …');
  const engines = await createEngines(config, log);
  const lab = await startLab({
    engines, log, speed: 1,
    simAgents: [
      { user: '1000', answerAfterMs: 1500, audioFile: librivoxFile(AGENT_SPEECH) },
      { user: '1001', answerAfterMs: 2000, audioFile: librivoxFile('0930') },
    ],
    config: { http: config.http, storage: { dbPath: config.storage.dbPath, recordingsDir: resolve(config.storage.recordingsDir), promptsDir: config.storage.promptsDir } },
  });
  const { server, sim } = lab;
  say('server', `listening on ${server.url} · ESL connected to simulator on 127.0.0.1:${sim.eslPort}`);

  server.events.on('call', (e) => {
    switch (e.type) {
      case 'started': say('call', `${e.callUuid.slice(0, 8)} from ${e.callerNumber} parked, taking control`); break;
      case 'ivr': say('ivr', `${e.step}${e.detail ? ` (${e.detail})` : ''}`); break;
      case 'queued': say('queue', `waiting in queue "${e.queue}" (${e.waiting} waiting)`); break;
      case 'offered': say('acd', `offering to agent ${e.agentId} (originate user/${e.agentId})`); break;
      case 'offerFailed': say('acd', `agent ${e.agentId} did not answer: ${e.cause}`); break;
      case 'answered': say('acd', `agent ${e.agentId} answered after ${e.queueWaitMs} ms in queue; bridged, recording + stereo stream`); break;
      case 'overflow': say('overflow', `to voicebot (${e.reason})`); break;
      case 'voicebot': say('voicebot', `${e.step}${e.detail ? `: ${e.detail}` : ''}`); break;
      case 'ended': say('call', `ended (${e.disposition}, ${e.cause})`); break;
    }
  });
  server.events.on('transcript', (t) => {
    if (t.kind === 'final') say(`asr:${t.speaker}`, `#${t.seq} [${(t.startMs / 1000).toFixed(1)}–${(t.endMs / 1000).toFixed(1)} s] ${t.text}`);
  });
  server.events.on('alert', (a) => say('ALERT', `${a.kind}: ${a.detail}`));

  const agent = await AgentClient.login(server.url, '1000', 'agent-1000');
  await agent.ready();
  say('agent', '1000 logged in over /agent/ws and is ready');

  const placeCall = async (caller: string) => {
    const call = sim.placeCall(demoCallScript(caller));
    await call.ended;
    await server.hotline.whenIdle();
    const cdr = server.repos.getCall(call.uuid);
    const transcripts = server.repos.transcripts(call.uuid);
    const ticket = server.repos.ticketForCall(call.uuid);
    const callerText = transcripts.filter((t) => t.speaker === 'caller').map((t) => t.text).join(' ');
    const wer = wordErrorRate(CALLER_SPEECH.map(librivoxReference).join(' '), callerText);
    say('stored', `CDR ${JSON.stringify(cdr)}`);
    say('stored', `ticket ${ticket?.ticketNumber} (${ticket?.status}, ${transcripts.length} transcript lines)`);
    if (ticket) {
      const { transcript: _t, ...fields } = ticket.draft as Record<string, unknown>;
      process.stdout.write(`${JSON.stringify(toFlatDraft(fields as unknown as TicketDraft), null, 1)}\n`);
    }
    say('wer', `caller speech vs pocketsphinx-testdata reference: WER ${wer.toFixed(3)}`);
    say('agentws', `agent 1000 received ${agent.messages.length} messages: ${[...new Set(agent.messages.map((m) => m.type))].join(', ')}`);
  };

  await placeCall('13800138000');
  if (once) {
    await agent.close();
    await lab.close();
    await engines.recognizer.close();
    return 0;
  }
  say('demo', `open ${server.url}/agent and log in as 1001 / agent-1001 (the simulator answers for your softphone).`);
  say('demo', 'press Enter to place another call, Ctrl-C to stop.');
  const rl = createInterface({ input: process.stdin });
  let n = 1;
  rl.on('line', () => void placeCall(`1380013${String(8000 + n++).padStart(4, '0')}`));
  await new Promise<void>((done) => process.once('SIGINT', () => done()));
  rl.close();
  await agent.close();
  await lab.close();
  await engines.recognizer.close();
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runDemo(process.argv.slice(2)).then((code) => process.exit(code), (error: unknown) => {
    process.stderr.write(`demo failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
