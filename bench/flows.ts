/**
 * `npm run bench:flows [-- --calls 100] [--nodes 100000] [--after 10] [--speed 2] [--live-nodes 50] [--only engine,live,publish]`
 *
 * What an IVR node costs, and what publishing a flow does to calls in progress. Three parts:
 *
 * 1. engine — in process, no I/O: `FlowRun` over a compiled, validated linear flow of passive
 *    nodes (setVariable / condition / play) against a no-op `IvrContext`, `--nodes` node executions
 *    per variant after as many for warm-up. Per node: the runner's own per-step time (`FlowStep.ms`,
 *    node `exec` only) p50/p99/mean, and per run (wall time / nodes, runner included) p50/p99/mean.
 *    The same flow through a bare loop (create node, exec, follow exit: no path, timing, guard,
 *    onNode) gives the runner's bookkeeping by difference. Plus compileFlow (validate + freeze).
 * 2. live — the real server (temp DB, pass-through recogniser) and the FreeSWITCH simulator in a
 *    child process, unpaced: a flow of `--live-nodes` `play` nodes (a 20 ms uploaded file, or a
 *    cached TTS prompt), then hangup. ms per node = time between the server's consecutive node
 *    starts: TTS cache look-up, sendmsg execute → +OK → CHANNEL_EXECUTE … EXECUTE_COMPLETE over
 *    real TCP, and the runner. One call at a time, and `--calls` at once.
 * 3. publish — the default 12345 flow (v1) at simulator `--speed`; `--calls` calls placed in three
 *    groups that sit in the flow: in the queue (agents logged in, none ready), in the main menu
 *    waiting for a key, and in the greeting prompt. Then the admin (child process, HTTP) saves a
 *    v2 draft whose prompts and menu keys differ and publishes it; the server's event loop is
 *    measured around it. Then the waiting callers press their key, agents go ready, `--after`
 *    calls are placed on v2, and every call is checked from its CDR and its simulator log.
 *
 * The simulator, agents and HTTP client run in `flows-sim.ts` (child), so the event-loop delay is
 * the server's. Nothing here runs in `npm test`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { loadConfig } from '../src/config/config.js';
import { startServer, type HotlineServer } from '../src/app.js';
import { PassthroughRecognizer } from '../src/speech/passthrough.js';
import { EspeakSynthesizer } from '../src/speech/tts.js';
import { createTicketDrafterFactory } from '../src/domain/tickets/intelligence/index.js';
import { compileFlow, type CompiledFlow } from '../src/domain/ivr/compile.js';
import { FlowRun } from '../src/domain/ivr/runner.js';
import { defaultNodeRegistry } from '../src/domain/ivr/registry.js';
import { defaultFlow } from '../src/domain/ivr/default-flow.js';
import { resolvePrompt, type IvrContext, type QueueOutcome } from '../src/domain/ivr/context.js';
import type { FlowDocument, FlowNode, Language, Prompt } from '../src/domain/ivr/flow-schema.js';
import type { CallProgress } from '../src/domain/events.js';
import type { ScriptAction } from '../src/simulator/index.js';

const { values: opt } = parseArgs({
  options: {
    calls: { type: 'string', default: '100' },
    nodes: { type: 'string', default: '100000' },
    after: { type: 'string', default: '10' },
    speed: { type: 'string', default: '2' },
    'live-nodes': { type: 'string', default: '50' },
    only: { type: 'string', default: 'engine,live,publish' },
  },
});
const CALLS = Number(opt.calls);
const NODES = Number(opt.nodes);
const AFTER = Number(opt.after);
const SPEED = Number(opt.speed);
const LIVE_NODES = Number(opt['live-nodes']);
const ONLY = new Set(opt.only!.split(','));
const CHAIN = 100; // nodes per engine run (the runner's runaway guard stops passive runs at 200)
const PROMPTS_DIR = join(process.cwd(), '.cache/prompts');
const log = pino({ level: process.env.BENCH_LOG_LEVEL ?? 'error' });

// ---------------------------------------------------------------------------------------------
// helpers

function pct(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const mean = (v: readonly number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const f = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : '–');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The simulator child: RPC over IPC (see flows-sim.ts). */
class Sim {
  #next = 1;
  readonly #pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  private constructor(readonly child: ChildProcess, readonly eslPort: number, readonly password: string) {
    child.on('message', (m: any) => {
      if (m.type !== 'reply') return;
      const p = this.#pending.get(m.id);
      this.#pending.delete(m.id);
      if (m.error) p?.reject(new Error(`simulator child: ${m.error}`));
      else p?.resolve(m.result);
    });
    child.once('exit', (code) => {
      for (const p of this.#pending.values()) p.reject(new Error(`simulator child exited (${code})`));
      this.#pending.clear();
    });
  }

  static async start(speed: number): Promise<Sim> {
    const child = fork(new URL('./flows-sim.ts', import.meta.url), [String(speed)], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
    const first = await new Promise<any>((resolve, reject) => {
      child.once('message', resolve);
      child.once('exit', (code) => reject(new Error(`simulator child exited (${code})`)));
    });
    return new Sim(child, first.eslPort, first.password);
  }

  call<T = any>(op: string, args: Record<string, unknown> = {}): Promise<T> {
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.child.send({ type: 'cmd', id, op, ...args });
    });
  }

  async close(): Promise<void> {
    await this.call('close').catch(() => undefined);
    this.child.kill();
  }
}

interface SimCallResult {
  uuid: string; hangupCause: string; answered: boolean; timedOut: boolean;
  prompts: string[]; apps: { app: string; arg: string }[]; digits: string[]; bridges: number; errors: string[];
}

async function startBenchServer(sim: Sim, agentIds: string[], audioDir?: string): Promise<{ server: HotlineServer; tts: EspeakSynthesizer }> {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-bench-flows-'));
  const config = loadConfig({}, {
    http: { host: '127.0.0.1', port: 0 },
    esl: { host: '127.0.0.1', port: sim.eslPort, password: sim.password },
    media: { publicUrl: 'ws://127.0.0.1:{port}/media' },
    storage: { dbPath: join(dir, 'bench.db'), recordingsDir: join(dir, 'rec'), promptsDir: PROMPTS_DIR, audioDir: audioDir ?? join(dir, 'audio') },
    acd: { maxQueueWaitMs: 600_000, ringTimeoutMs: 30_000, wrapUpMs: 500 },
    agents: agentIds.map((id, i) => ({ id, name: `b${i}`, sipUser: id, token: `agent-${id}`, skills: ['general'] })),
  });
  const tts = new EspeakSynthesizer({ cacheDir: PROMPTS_DIR });
  const server = await startServer(config, {
    recognizer: new PassthroughRecognizer({ languages: ['*'] }), tts, drafterFactory: createTicketDrafterFactory(),
  }, log);
  await server.telephony.whenConnected();
  await sim.call('server', { serverUrl: server.url });
  return { server, tts };
}

/** A mono 16-bit 8 kHz WAV of silence. */
function silenceWav(ms: number): Buffer {
  const samples = Math.round((8000 * ms) / 1000);
  const b = Buffer.alloc(44 + samples * 2);
  b.write('RIFF', 0); b.writeUInt32LE(36 + samples * 2, 4); b.write('WAVE', 8);
  b.write('fmt ', 12); b.writeUInt32LE(16, 16); b.writeUInt16LE(1, 20); b.writeUInt16LE(1, 22);
  b.writeUInt32LE(8000, 24); b.writeUInt32LE(16000, 28); b.writeUInt16LE(2, 32); b.writeUInt16LE(16, 34);
  b.write('data', 36); b.writeUInt32LE(samples * 2, 40);
  return b;
}

// ---------------------------------------------------------------------------------------------
// 1. engine

class NoopContext implements IvrContext {
  readonly callUuid = 'bench';
  readonly callerNumber = '13800138000';
  readonly destination = '12345';
  readonly variables = new Map<string, string>([['district', '海淀区']]);
  readonly calendars = {};
  readonly defaultLanguage: Language = 'cmn';
  readonly timeZone = 'Asia/Shanghai';
  readonly #now = new Date('2026-11-23T10:00:00+08:00');
  plays = 0;
  now(): Date { return this.#now; }
  async play(): Promise<void> { this.plays++; }
  async collectDigits(): Promise<string | null> { return null; }
  async listen(): Promise<string | null> { return null; }
  async queue(): Promise<QueueOutcome> { return 'completed'; }
  async voicebot(): Promise<void> {}
  async transfer(): Promise<boolean> { return false; }
  async lookupTicket(): Promise<null> { return null; }
  async saveSurvey(): Promise<void> {}
  async callerDistrict(): Promise<string | null> { return null; }
  async hangup(): Promise<void> {}
}

type PassiveType = 'setVariable' | 'condition' | 'play';
const PASSIVE_PROPS: Record<PassiveType, Record<string, unknown>> = {
  setVariable: { name: 'lastDistrict', value: '${district}-${language}' },
  // A typical work-hours test: time of day and weekday in Asia/Shanghai (Intl), caller prefix.
  condition: { timeOfDay: { from: '08:30', to: '17:30' }, weekdays: [1, 2, 3, 4, 5], callerPrefix: ['138', '139'] },
  play: { prompt: { text: { cmn: '您好，欢迎致电12345。', en: 'Welcome to 12345.' } } },
};

/** A linear flow of `n` nodes: passive nodes cycling through `types`, then a hangup. Validated. */
function chainFlow(n: number, types: readonly PassiveType[]): CompiledFlow {
  const nodes: FlowNode[] = [];
  for (let i = 0; i < n - 1; i++) {
    const type = types[i % types.length]!;
    const next = i === n - 2 ? 'end' : `n${i + 1}`;
    nodes.push({ id: `n${i}`, type, props: PASSIVE_PROPS[type], exits: type === 'condition' ? { true: next, false: next } : { next } });
  }
  nodes.push({ id: 'end', type: 'hangup', props: {}, exits: {} });
  const doc: FlowDocument = { schemaVersion: 1, id: 'bench-chain', name: 'bench', numbers: ['19999'], language: 'cmn', start: 'n0', nodes };
  return compileFlow(doc, 1, { registry: defaultNodeRegistry, audioExists: () => true });
}

async function runnerSamples(flow: CompiledFlow, runs: number): Promise<{ perRun: number[]; steps: number[] }> {
  const perRun: number[] = [];
  const steps: number[] = [];
  for (let r = 0; r < runs * 2; r++) { // first half: warm-up
    const run = new FlowRun(flow, new NoopContext(), { registry: defaultNodeRegistry, onNode: () => undefined });
    const t0 = performance.now();
    const result = await run.run();
    const ms = performance.now() - t0;
    if (result.outcome !== 'completed' || result.path.length !== flow.nodes.size) throw new Error(`engine run ended ${result.outcome} after ${result.path.length} nodes`);
    if (r < runs) continue;
    perRun.push(ms / result.path.length);
    for (const s of result.path) steps.push(s.ms);
  }
  return { perRun, steps };
}

/** The same walk without the runner: create, exec, follow the exit. Returns ms per node. */
async function bareRun(flow: CompiledFlow): Promise<number> {
  const ctx = new NoopContext();
  const t0 = performance.now();
  let id: string | undefined = flow.start;
  let count = 0;
  while (id !== undefined) {
    const def: FlowNode = flow.nodes.get(id)!;
    const exit: string | null = await defaultNodeRegistry.create(def.type, def.id, def.props).exec(ctx);
    count++;
    if (exit === null) break;
    id = def.exits[exit];
  }
  return (performance.now() - t0) / count;
}

/** FlowRun and the bare loop alternately on the same flow (so JIT state and machine noise hit both alike). */
async function runnerVersusBare(flow: CompiledFlow, runs: number): Promise<{ runner: number[]; bare: number[] }> {
  const runner: number[] = [];
  const bare: number[] = [];
  for (let r = 0; r < runs * 2; r++) {
    const run = new FlowRun(flow, new NoopContext(), { registry: defaultNodeRegistry, onNode: () => undefined });
    const t0 = performance.now();
    const result = await run.run();
    const perNode = (performance.now() - t0) / result.path.length;
    const barePerNode = await bareRun(flow);
    if (r < runs) continue;
    runner.push(perNode);
    bare.push(barePerNode);
  }
  return { runner, bare };
}

async function engineSection(): Promise<void> {
  const runs = Math.max(10, Math.ceil(NODES / CHAIN));
  console.log(`\n## 1a. Engine: FlowRun over passive nodes, no-op IvrContext (in process, no I/O)`);
  console.log(`flow: ${CHAIN} nodes (validated by compileFlow), ${runs} runs = ${runs * CHAIN} node executions per row, after as many for warm-up. ms per node.`);
  const rows: Record<string, string | number>[] = [];
  const variants: [string, PassiveType[]][] = [
    ['mixed (setVariable, condition, play)', ['setVariable', 'condition', 'play']],
    ['setVariable only', ['setVariable']],
    ['condition only (time, weekday, prefix)', ['condition']],
    ['play only (resolvePrompt + no-op play)', ['play']],
  ];
  for (const [name, types] of variants) {
    const flow = chainFlow(CHAIN, types);
    const { perRun, steps } = await runnerSamples(flow, runs);
    rows.push({
      'FlowRun, nodes': name,
      'exec p50': f(pct(steps, 50), 4), 'exec p99': f(pct(steps, 99), 4), 'exec mean': f(mean(steps), 4),
      'per run p50': f(pct(perRun, 50), 4), 'per run p99': f(pct(perRun, 99), 4), 'per run mean': f(mean(perRun), 4),
    });
  }
  console.table(rows);
  console.log('exec = FlowStep.ms (node exec only, as the runner records it); per run = FlowRun.run() wall time / nodes (runner included).');

  const mixed = chainFlow(CHAIN, ['setVariable', 'condition', 'play']);
  const { runner: withRunner, bare } = await runnerVersusBare(mixed, runs);
  console.table([
    { 'mixed flow, ms per node': 'FlowRun.run (path, timing, guard, onNode)', p50: f(pct(withRunner, 50), 4), p99: f(pct(withRunner, 99), 4), mean: f(mean(withRunner), 4) },
    { 'mixed flow, ms per node': 'bare loop (create node, exec, follow exit)', p50: f(pct(bare, 50), 4), p99: f(pct(bare, 99), 4), mean: f(mean(bare), 4) },
  ]);
  console.log(`runner bookkeeping ≈ ${f((mean(withRunner) - mean(bare)) * 1000, 2)} µs per node (difference of means, runs alternated; below ~0.5 µs this is noise).`);

  const env = { registry: defaultNodeRegistry, audioExists: () => true };
  const compileRows: Record<string, string>[] = [];
  for (const [name, doc] of [['default 12345 flow (11 nodes)', defaultFlow()], ['500-node passive flow (document maximum)', chainFlow(500, ['setVariable', 'condition', 'play']).doc]] as const) {
    const samples: number[] = [];
    for (let i = 0; i < 40; i++) {
      const t0 = performance.now();
      compileFlow(doc, 1, env);
      if (i >= 10) samples.push(performance.now() - t0);
    }
    compileRows.push({ 'compileFlow (validate + freeze), ms': name, p50: f(pct(samples, 50), 3), max: f(Math.max(...samples), 3) });
  }
  console.table(compileRows);
  console.log('FlowService.publish validates twice (validate(), then compileFlow) and writes SQLite, synchronously in the request.');
}

// ---------------------------------------------------------------------------------------------
// 2. live per node

/** Node start times per call, from the server's own progress events (emitted by the runner's onNode). */
function nodeStarts(server: HotlineServer): Map<string, { nodeId: string; t: number }[]> {
  const starts = new Map<string, { nodeId: string; t: number }[]>();
  server.events.on('call', (e: CallProgress) => {
    if (e.type !== 'ivr' || e.detail === undefined || e.step.includes(':')) return;
    let list = starts.get(e.callUuid);
    if (!list) starts.set(e.callUuid, (list = []));
    list.push({ nodeId: e.detail, t: performance.now() });
  });
  return starts;
}

async function liveSection(): Promise<void> {
  console.log(`\n## 1b. Live: ms per play node through the real server and the simulator (unpaced, child process)`);
  const audioDir = mkdtempSync(join(tmpdir(), 'hotline-bench-audio-'));
  writeFileSync(join(audioDir, 'bench-20ms.wav'), silenceWav(20));
  const sim = await Sim.start(0);
  const { server, tts } = await startBenchServer(sim, [], audioDir);
  const starts = nodeStarts(server);
  const ttsText = '请稍候。';
  const ttsFile = await tts.synthesize(ttsText, 'cmn'); // render once; calls then hit the cache
  const rows: Record<string, string | number>[] = [];
  try {
    const scenarios: { name: string; prompt: Prompt; calls: number; sequential: boolean }[] = [
      { name: '20 ms file prompt, 1 call at a time', prompt: { file: 'bench-20ms.wav' }, calls: 10, sequential: true },
      { name: `20 ms file prompt, ${CALLS} calls at once`, prompt: { file: 'bench-20ms.wav' }, calls: CALLS, sequential: false },
      { name: 'cached TTS prompt (~1 s audio), 1 call at a time', prompt: { text: ttsText }, calls: 10, sequential: true },
    ];
    for (const s of scenarios) {
      const doc = structuredClone(server.flows.get('default-12345').draft) as FlowDocument;
      doc.start = 'p0';
      doc.nodes = [
        ...Array.from({ length: LIVE_NODES }, (_, i): FlowNode => ({ id: `p${i}`, type: 'play', props: { prompt: s.prompt }, exits: { next: i === LIVE_NODES - 1 ? 'bye' : `p${i + 1}` } })),
        { id: 'bye', type: 'hangup', props: {}, exits: {} },
      ];
      const issues = server.flows.saveDraft(doc.id, doc, 'bench');
      if (issues.length) throw new Error(`live flow invalid: ${JSON.stringify(issues)}`);
      const version = server.flows.publish(doc.id, 'bench').version;
      // One unmeasured call first (JIT, TTS cache, prompt clip cache in the simulator).
      const [warm] = await sim.call<string[]>('place', { calls: [{ caller: '13700009999', actions: [] }] });
      await sim.call('results', { uuids: [warm], timeoutMs: 60_000 });
      await server.hotline.whenIdle();
      const cpu0 = process.cpuUsage();
      const simCpu0 = await sim.call<NodeJS.CpuUsage>('cpu');
      const t0 = performance.now();
      const uuids: string[] = [];
      const caller = (i: number) => ({ caller: `1370000${String(i).padStart(4, '0')}`, actions: [] as ScriptAction[] });
      if (s.sequential) {
        for (let i = 0; i < s.calls; i++) {
          const [u] = await sim.call<string[]>('place', { calls: [caller(i)] });
          uuids.push(u!);
          await sim.call('results', { uuids: [u], timeoutMs: 60_000 });
        }
      } else {
        uuids.push(...await sim.call<string[]>('place', { calls: Array.from({ length: s.calls }, (_, i) => caller(i)) }));
        await sim.call('results', { uuids, timeoutMs: 90_000 });
      }
      const wall = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      const simCpu1 = await sim.call<NodeJS.CpuUsage>('cpu');
      const simCpuMs = (simCpu1.user + simCpu1.system - simCpu0.user - simCpu0.system) / 1000;
      await server.hotline.whenIdle();
      const perNode: number[] = [];
      let complete = 0;
      let executed = 0;
      for (const u of uuids) {
        const list = starts.get(u) ?? [];
        executed += list.length;
        const i0 = list.findIndex((x) => x.nodeId === 'p0');
        const seq = i0 >= 0 ? list.slice(i0, i0 + LIVE_NODES + 1) : [];
        if (seq.length === LIVE_NODES + 1 && seq[LIVE_NODES]!.nodeId === 'bye' && server.repos.getCall(u)?.flowVersion === version) complete++;
        for (let i = 1; i < seq.length; i++) perNode.push(seq[i]!.t - seq[i - 1]!.t);
      }
      rows.push({
        'play node': s.name, calls: s.calls, 'calls complete': complete,
        'p50 ms': f(pct(perNode, 50)), 'p99 ms': f(pct(perNode, 99)), 'mean ms': f(mean(perNode)),
        'server CPU %': f(((cpu.user + cpu.system) / 1000 / wall) * 100, 1),
        'server CPU ms/node': f((cpu.user + cpu.system) / 1000 / executed, 3),
        'simulator CPU %': f((simCpuMs / wall) * 100, 1),
      });
    }
  } finally {
    server.telephony.esl.close();
    await sim.close();
    await server.close().catch(() => undefined);
  }
  console.table(rows);
  console.log(`flow: ${LIVE_NODES} play nodes then hangup; ms per node = between the server's consecutive node starts (onNode events),`);
  console.log(`i.e. prompt look-up (TTS cache: hash + stat; file: path), sendmsg execute → +OK → EXECUTE … EXECUTE_COMPLETE over TCP, runner.`);
  console.log(`The simulator is unpaced (the 20 ms prompt takes one 20 ms tick without waiting; the TTS prompt ~50 ticks back to back); CPU % = of one core; server CPU ms/node = server process CPU over the scenario (calls set-up included) / nodes run. TTS file ${ttsFile.split('/').pop()}.`);
}

// ---------------------------------------------------------------------------------------------
// 3. publish under load

/** Every prompt file a caller choosing 普通话 (cmn) can hear in `doc` → node id. */
async function promptFiles(doc: FlowDocument, tts: EspeakSynthesizer): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const ctx = { variables: new Map<string, string>(), defaultLanguage: doc.language };
  for (const node of doc.nodes) {
    const props = node.props as Record<string, unknown>;
    for (const key of ['prompt', 'invalidPrompt', 'noInputPrompt', 'thanksPrompt']) {
      const p = props[key] as Prompt | undefined;
      if (!p) continue;
      const r = resolvePrompt(p, ctx);
      if (r.kind === 'tts') files.set(await tts.synthesize(r.text, r.language), `${node.id}.${key}`);
    }
  }
  return files;
}

/** v2: a new greeting, an extra play node after it, a main menu with key 5 and a new text, a new survey text. */
function versionTwo(v1: FlowDocument): FlowDocument {
  const doc = structuredClone(v1);
  const node = (id: string) => doc.nodes.find((n) => n.id === id)!;
  node('greeting').props = { prompt: { text: '您好，这里是12345热线（新版流程）。紧急情况请拨打110、119、120。' } };
  node('greeting').exits = { next: 'v2Notice' };
  doc.nodes.push({ id: 'v2Notice', type: 'play', label: '流程更新', props: { prompt: { text: '本热线服务流程已更新，感谢您的耐心。' } }, exits: { next: 'notice' }, position: { x: 260, y: 60 } });
  const menu = node('mainMenu');
  menu.props = {
    ...menu.props,
    prompt: { text: { cmn: '咨询请按1，投诉请按2，求助请按3，查询工单请按4，建议请按5，人工服务请按0。', yue: '查詢請按1，投訴請按2，求助請按3，查詢工單請按4，建議請按5，人工服務請按0。', en: 'Enquiries 1, complaints 2, help 3, ticket status 4, suggestions 5, operator 0.' } },
    choices: ['1', '2', '3', '4', '5', '0'],
  };
  menu.exits = { ...menu.exits, 5: 'queue' };
  const survey = node('survey');
  survey.props = { ...survey.props, prompt: { text: { cmn: '请为本次服务打分：满意按1，基本满意按2，不满意按3。', yue: '請為今次服務評分：滿意按1，基本滿意按2，唔滿意按3。', en: 'Rate us: 1 satisfied, 2 fairly satisfied, 3 dissatisfied.' } } };
  return doc;
}

/** Time FlowService.publish and its parts in the server process (bench-only wrappers on the instance). */
function instrumentPublish(server: HotlineServer): { total: number; validate: number; sqlite: number; restore(): void } {
  const flows = server.flows as unknown as { publish: (...a: unknown[]) => unknown; validate: (...a: unknown[]) => unknown; deps: { repo: { publish: (...a: unknown[]) => unknown } } };
  const repo = flows.deps.repo;
  const orig = { publish: flows.publish, validate: flows.validate, repoPublish: repo.publish };
  const t = { total: NaN, validate: 0, sqlite: 0, restore() {} };
  const timed = (fn: (...a: unknown[]) => unknown, self: unknown, add: (ms: number) => void) => (...a: unknown[]) => {
    const s0 = performance.now();
    try {
      return fn.apply(self, a);
    } finally {
      add(performance.now() - s0);
    }
  };
  let inPublish = false;
  const publish = timed(orig.publish, flows, (ms) => (t.total = ms));
  flows.publish = (...a: unknown[]) => {
    inPublish = true;
    try {
      return publish(...a);
    } finally {
      inPublish = false;
    }
  };
  flows.validate = timed(orig.validate, flows, (ms) => { if (inPublish) t.validate += ms; });
  repo.publish = timed(orig.repoPublish, repo, (ms) => (t.sqlite += ms));
  t.restore = () => {
    flows.publish = orig.publish;
    flows.validate = orig.validate;
    repo.publish = orig.repoPublish;
  };
  return t;
}

const V1_MENU = '^[12340]$';
const V2_MENU = '^[123450]$';
const LANG_MENU = '^[123]$';
const SURVEY = '^[1-3]$';

async function publishSection(): Promise<void> {
  console.log(`\n## 2. Publish under load: ${CALLS} calls in the default flow (v1), publish v2 over the admin API`);
  const sim = await Sim.start(SPEED);
  const agentIds = Array.from({ length: CALLS }, (_, i) => String(2000 + i));
  const { server, tts } = await startBenchServer(sim, agentIds);
  try {
    const v1 = server.flows.get('default-12345').draft as FlowDocument;
    const v2 = versionTwo(v1);
    const v1Files = await promptFiles(v1, tts); // renders any missing prompt now, not during the measurement
    const v2Files = await promptFiles(v2, tts);
    const v1Only = [...v1Files.keys()].filter((p) => !v2Files.has(p));
    const v2Only = [...v2Files.keys()].filter((p) => !v1Files.has(p));
    const expectV1 = v1Only.filter((p) => !v1Files.get(p)!.includes('invalidPrompt'));
    const expectV2 = v2Only.filter((p) => !v2Files.get(p)!.includes('invalidPrompt'));
    // Agents (SIP users + browsers) answer after 200 ms and hang up 1 s into the conversation; the caller stays for the survey.
    await sim.call('agents', { ids: agentIds, answerAfterMs: 200, hangupAfterMs: 1000 });

    const langAction: ScriptAction = { on: 'execute', match: LANG_MENU, delayMs: 300, do: { dtmf: '1' } };
    const surveyAction: ScriptAction = { on: 'execute', match: SURVEY, delayMs: 300, do: { dtmf: '1' } };
    const script = (i: number, menu: string | null) => ({
      caller: `1390000${String(i).padStart(4, '0')}`,
      actions: [langAction, surveyAction, ...(menu ? [{ on: 'execute', match: menu, delayMs: 300, do: { dtmf: '0' } } as ScriptAction] : [])],
    });
    const nQueue = Math.ceil(CALLS / 3);
    const nMenu = Math.ceil((CALLS - nQueue) / 2);
    const nGreeting = CALLS - nQueue - nMenu;
    const t0 = performance.now();
    // Group A: through both menus into the queue (agents logged in, none ready: they wait).
    const queueGroup = await sim.call<string[]>('place', { calls: Array.from({ length: nQueue }, (_, i) => script(i, V1_MENU)) });
    // Group B: language chosen, then silent in the main menu until after the publish.
    const menuGroup = await sim.call<string[]>('place', { calls: Array.from({ length: nMenu }, (_, i) => script(nQueue + i, null)) });
    await sim.call('reach', { uuids: menuGroup, on: 'execute', match: V1_MENU, timeoutMs: 120_000 });
    while (server.acd.waitingCount < nQueue) await sleep(20);
    // Group C: placed last, still in the (long) greeting prompt at the publish.
    const greeting = [...v1Files].find(([, n]) => n === 'greeting.prompt')![0];
    const greetingGroup = await sim.call<string[]>('place', { calls: Array.from({ length: nGreeting }, (_, i) => script(nQueue + nMenu + i, V1_MENU)) });
    await sim.call('reach', { uuids: greetingGroup, on: 'playbackStart', match: greeting, timeoutMs: 60_000 });
    const positionedS = (performance.now() - t0) / 1000;
    const v1Calls = [...queueGroup, ...menuGroup, ...greetingGroup];
    const inProgress = server.hotline.liveCalls;
    const waiting = server.acd.waitingCount;

    // Baseline loop delay with the calls sitting, then the publish.
    const RES = 1;
    const base = monitorEventLoopDelay({ resolution: RES });
    base.enable();
    await sleep(1000);
    base.disable();
    type Http = { ms: number; status: number; body: any };
    const save = await sim.call<Http>('saveDraft', { flowId: 'default-12345', doc: v2 });
    if (save.status !== 200 || save.body?.issues?.length) throw new Error(`saving v2 failed: ${JSON.stringify(save)}`);
    if (server.hotline.liveCalls !== inProgress) throw new Error('calls ended before the publish');
    await sleep(200);
    const timing = instrumentPublish(server);
    const during = monitorEventLoopDelay({ resolution: RES });
    during.enable();
    const published = await sim.call<Http>('publish', { flowId: 'default-12345', comment: 'bench v2' });
    await sleep(50);
    during.disable();
    timing.restore();
    if (published.status !== 200) throw new Error(`publish failed: ${JSON.stringify(published)}`);
    const newVersion = published.body.version as number;
    const stillLive = server.hotline.liveCalls;

    // After the publish: waiting callers press 0, agents go ready, new calls arrive.
    await sim.call('dtmf', { uuids: menuGroup, digits: '0' });
    const v2Calls = await sim.call<string[]>('place', { calls: Array.from({ length: AFTER }, (_, i) => script(CALLS + i, V2_MENU)) });
    await sim.call('ready');
    const results = new Map((await sim.call<SimCallResult[]>('results', { uuids: [...v1Calls, ...v2Calls], timeoutMs: 150_000 })).map((r) => [r.uuid, r]));
    await server.hotline.whenIdle();
    const totalS = (performance.now() - t0) / 1000;

    const problems = new Map<string, number>();
    const check = (uuid: string, version: number, menu: string, mustHear: string[], mustNotHear: string[], otherMenu: string): string[] => {
      const bad: string[] = [];
      const r = results.get(uuid)!;
      const cdr = server.repos.getCall(uuid);
      if (!cdr) return ['no CDR'];
      if (cdr.flowVersion !== version) bad.push(`CDR flowVersion ${cdr.flowVersion}`);
      if (cdr.disposition !== 'agent') bad.push(`disposition ${cdr.disposition}`);
      if (cdr.endedAt === null) bad.push('CDR not ended');
      if (cdr.menuChoice !== '0') bad.push(`menuChoice ${cdr.menuChoice}`);
      if (server.repos.survey(uuid)?.score !== 1) bad.push('no survey score 1');
      if (r.timedOut) bad.push('did not finish');
      if (!r.answered) bad.push('not answered');
      if (r.hangupCause !== 'NORMAL_CLEARING') bad.push(`hangup ${r.hangupCause}`);
      if (r.bridges !== 1) bad.push(`${r.bridges} bridges`);
      if (r.digits.join('') !== '101') bad.push(`digits ${r.digits.join('')}`);
      if (r.errors.length) bad.push('simulator errors');
      const menus = r.apps.filter((a) => a.app === 'play_and_get_digits').map((a) => a.arg.split(' ')[8]);
      if (!menus.includes(menu)) bad.push(`no ${menu} menu`);
      if (menus.includes(otherMenu)) bad.push(`heard the other version's menu ${otherMenu}`);
      for (const p of mustHear) if (!r.prompts.includes(p)) bad.push(`missing prompt ${(version === 1 ? v1Files : v2Files).get(p)}`);
      for (const p of mustNotHear) if (r.prompts.includes(p)) bad.push(`heard the other version's ${(version === 1 ? v2Files : v1Files).get(p)}`);
      for (const b of bad) problems.set(`v${version}: ${b}`, (problems.get(`v${version}: ${b}`) ?? 0) + 1);
      return bad;
    };
    const disturbed = v1Calls.filter((u) => check(u, 1, V1_MENU, expectV1, v2Only, V2_MENU).length > 0);
    const v2Bad = v2Calls.filter((u) => check(u, newVersion, V2_MENU, expectV2, v1Only, V1_MENU).length > 0);
    const groupOk = (g: string[]) => `${g.filter((u) => !disturbed.includes(u)).length}/${g.length}`;
    const ms = (h: ReturnType<typeof monitorEventLoopDelay>, p: number) => f(Math.max(0, h.percentile(p) / 1e6 - RES));

    // For comparison, after the calls: the same publish on the idle server, warm, N times (versions 3…).
    const idle: number[] = [];
    const idleServer: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = instrumentPublish(server);
      const r = await sim.call<Http>('publish', { flowId: 'default-12345', comment: 'bench idle' });
      t.restore();
      if (r.status !== 200) throw new Error(`idle publish failed: ${r.status}`);
      idle.push(r.ms);
      idleServer.push(t.total);
    }

    console.table([{
      'calls in progress': inProgress, 'in queue': waiting, 'save draft ms': f(save.ms), 'publish ms': f(published.ms),
      'server publish ms': f(timing.total), 'of which SQLite ms': f(timing.sqlite), 'loop p99 ms (publish)': ms(during, 99), 'loop max ms (publish)': f(Math.max(0, during.max / 1e6 - RES)),
      'loop p99 ms (before)': ms(base, 99), disturbed: disturbed.length, 'v1 completions': v1Calls.length - disturbed.length,
      'v2 completions': v2Calls.length - v2Bad.length, 'version published': newVersion,
    }]);
    console.log(`v1 calls by position at the publish (undisturbed/total): queue ${groupOk(queueGroup)}, main menu ${groupOk(menuGroup)}, greeting prompt ${groupOk(greetingGroup)};`);
    console.log(`${stillLive} calls still live right after the publish; v2 calls placed after it: ${AFTER} (${v2Bad.length} not as expected).`);
    if (problems.size) console.log('problems:', Object.fromEntries(problems));
    console.log(`publish ms = admin HTTP round trip from the child process (POST /admin/api/flows/default-12345/publish); save draft = the PUT of the v2 draft just before (not in the loop window);`);
    console.log(`server publish ms = FlowService.publish (draft read, validate, compile, SQLite, catalog swap) timed in the server process;`);
    console.log(`  it validates once (inside compileFlow); SQLite = FlowRepository.publish (one transaction).`);
    console.log(`for comparison, the same publish repeated 20× on the idle server after the calls: HTTP p50 ${f(pct(idle, 50))} ms / max ${f(Math.max(...idle))} ms, server p50 ${f(pct(idleServer, 50))} ms.`);
    console.log(`loop = server event-loop delay (monitorEventLoopDelay, 1 ms resolution subtracted) over the publish round trip (IPC to the child included) + 50 ms (${during.count} samples), and over 1 s before it.`);
    console.log(`checked per call: CDR flowVersion, disposition agent, menuChoice 0, survey score 1, ended; simulator log: digits 1,0,1, one bridge, NORMAL_CLEARING,`);
    console.log(`the version's own main-menu regex (${V1_MENU} v1 / ${V2_MENU} v2) and prompts (v1: greeting, main menu, survey texts; v2: those plus the extra play node), none of the other's.`);
    console.log(`simulator speed ${SPEED}; ${nQueue}/${nMenu}/${nGreeting} calls positioned in ${f(positionedS, 1)} s; whole scenario ${f(totalS, 1)} s.`);
  } finally {
    server.telephony.esl.close();
    await sim.close();
    await server.close().catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------

console.log(`# bench:flows — ${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version}, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} at start`);
mkdirSync(PROMPTS_DIR, { recursive: true });
if (ONLY.has('engine')) await engineSection();
if (ONLY.has('live')) await liveSection();
if (ONLY.has('publish')) await publishSection();
process.exit(0);
