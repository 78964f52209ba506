/**
 * Child process of `bench/calls.ts`: runs the FreeSWITCH simulator and N scripted agent browsers,
 * places N calls whose caller audio carries pass-through latency markers, and measures transcript
 * push latency (marker send time → agent WebSocket receive time, same clock). Talks to the parent
 * over IPC: → {eslPort}; ← {serverUrl, calls, markers}; → {ready}; ← {start}; → {stats}.
 */
import { parsePassthroughText } from '../src/speech/passthrough.js';
import { startFreeSwitchSimulator, type ScriptAction } from '../src/simulator/index.js';
import { AgentClient } from '../src/cli/lab.js';

type Msg = { type: string } & Record<string, unknown>;
const send = (m: Msg) => process.send!(m);
const next = (type: string) => new Promise<Msg>((resolve) => {
  const on = (m: Msg) => { if (m.type === type) { process.off('message', on); resolve(m); } };
  process.on('message', on);
});

const sim = await startFreeSwitchSimulator({ eslPort: 0, speed: 1 });
send({ type: 'esl', eslPort: sim.eslPort });
const { serverUrl, calls, markerIntervalMs, talkMs } = (await next('server')) as unknown as { serverUrl: string; calls: number; markerIntervalMs: number; talkMs: number };

const latencies: number[] = [];
let measuring = false;
const agents: AgentClient[] = [];
for (let i = 0; i < calls; i++) {
  const id = String(2000 + i);
  sim.setAgent({ user: id, answerAfterMs: 500 });
  const agent = await AgentClient.login(serverUrl, id, `agent-${id}`, (m) => {
    if (!measuring || m.type !== 'transcript' || m.kind !== 'final') return;
    const marker = parsePassthroughText(String(m.text));
    if (marker) latencies.push(Date.now() - marker.sentAtMs);
  });
  await agent.ready();
  agents.push(agent);
}

// Each call speaks one utterance per interval, phase-shifted so that utterances arrive spread
// evenly over time as on a real switch (calls placed at once would otherwise all speak together).
const markersFor = (i: number): ScriptAction[] => {
  const out: ScriptAction[] = [];
  const phase = Math.round((i * markerIntervalMs) / calls);
  for (let t = 1000 + phase; t < talkMs; t += markerIntervalMs) out.push({ on: 'bridge', delayMs: t, do: { marker: '路灯 不亮 了' } });
  return out;
};
const placed = [];
for (let i = 0; i < calls; i++) {
  const markers = markersFor(i);
  placed.push(sim.placeCall({
    caller: `1390000${String(i).padStart(4, '0')}`,
    actions: [
      // Default flow: language menu (keys 1–3) → 1 普通话; main menu (1–4, 0) → 0 人工服务.
      { on: 'execute', match: '^[123]$', delayMs: 300, do: { dtmf: '1' } },
      { on: 'execute', match: '^[12340]$', delayMs: 300, do: { dtmf: '0' } },
      ...markers,
      { on: 'bridge', delayMs: talkMs, do: { hangup: true } },
    ],
  }));
}
// All calls bridged → measurement starts.
await Promise.all(placed.map((c) => c.waitFor('bridge', { timeoutMs: 120_000 })));
send({ type: 'bridged' });
await next('start');
measuring = true;
await next('stop');
measuring = false;
send({ type: 'stats', latencies });
sim.hangupAll();
await Promise.all(placed.map((c) => c.ended));
for (const a of agents) await a.close();
await sim.close();
send({ type: 'done' });
process.exit(0);
