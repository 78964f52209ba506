/**
 * `npm run bench:calls [-- N …]`: N concurrent simulated calls through the whole path — ESL control,
 * IVR, ACD offer and bridge, stereo 16 kHz audio fork at real time into the media ingest, a
 * pass-through recogniser (so the server is measured, not an ASR engine), ticket drafting, SQLite,
 * and transcript push to N agent WebSockets. The simulator and agent browsers run in a child
 * process so that this process's CPU, RSS and event-loop delay are the server's own.
 * Prints one row per N: calls, server CPU % (of one core), RSS MB, event-loop delay p50/p99 ms,
 * transcript push latency p50/p99 ms (marker written into the caller's audio → agent WebSocket).
 */
import { fork } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import pino from 'pino';
import { loadConfig } from '../src/config/config.js';
import { startServer } from '../src/app.js';
import { PassthroughRecognizer } from '../src/speech/passthrough.js';
import { EspeakSynthesizer } from '../src/speech/tts.js';
import { createTicketDrafterFactory } from '../src/domain/tickets/intelligence/index.js';

const MEASURE_MS = Number(process.env.BENCH_MEASURE_MS ?? 20_000);
const MARKER_INTERVAL_MS = 1000;
const ELD_RESOLUTION_MS = 10;

function pct(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function runOnce(calls: number): Promise<Record<string, string | number>> {
  const child = fork(new URL('./calls-sim.ts', import.meta.url), { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  type Msg = { type: string } & Record<string, unknown>;
  const next = (type: string) => new Promise<Msg>((resolve, reject) => {
    const on = (m: Msg) => { if (m.type === type) { child.off('message', on); resolve(m); } };
    child.on('message', on);
    child.once('exit', (code) => reject(new Error(`simulator child exited (${code}) while waiting for ${type}`)));
  });
  const { eslPort } = (await next('esl')) as unknown as { eslPort: number };
  const dir = mkdtempSync(join(tmpdir(), 'hotline-bench-'));
  const agents = Array.from({ length: calls }, (_, i) => ({ id: String(2000 + i), name: `b${i}`, sipUser: String(2000 + i), token: `agent-${2000 + i}`, skills: ['general'] }));
  const config = loadConfig({}, {
    http: { host: '127.0.0.1', port: 0 },
    esl: { port: eslPort },
    media: { publicUrl: 'ws://127.0.0.1:{port}/media' },
    storage: { dbPath: join(dir, 'bench.db'), recordingsDir: join(dir, 'rec'), promptsDir: join(process.cwd(), '.cache/prompts') },
    acd: { maxQueueWaitMs: 600_000, ringTimeoutMs: 30_000, wrapUpMs: 1000 },
    agents,
  });
  const log = pino({ level: 'error' });
  const server = await startServer(config, {
    recognizer: new PassthroughRecognizer({ languages: ['*'] }),
    tts: new EspeakSynthesizer({ cacheDir: config.storage.promptsDir }),
    drafterFactory: createTicketDrafterFactory(),
  }, log);
  await server.telephony.whenConnected();
  const talkMs = 60_000 + MEASURE_MS;
  child.send({ type: 'server', serverUrl: server.url, calls, markerIntervalMs: MARKER_INTERVAL_MS, talkMs });
  await next('bridged');

  // The histogram records each timer interval, which includes the sampling resolution: subtract it.
  const eld = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let rssMax = 0;
  const rssTimer = setInterval(() => { rssMax = Math.max(rssMax, process.memoryUsage().rss); }, 500);
  eld.enable();
  child.send({ type: 'start' });
  await new Promise((r) => setTimeout(r, MEASURE_MS));
  child.send({ type: 'stop' });
  eld.disable();
  clearInterval(rssTimer);
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - t0;
  const { latencies } = (await next('stats')) as unknown as { latencies: number[] };
  const frames = server.ingestStats.frames;
  server.telephony.esl.close();
  child.kill();
  await server.close().catch(() => undefined);
  return {
    calls,
    'cpu %': ((cpu.user + cpu.system) / 1000 / wall * 100).toFixed(1),
    'rss MB': (rssMax / 2 ** 20).toFixed(0),
    'loop p50 ms': Math.max(0, eld.percentile(50) / 1e6 - ELD_RESOLUTION_MS).toFixed(2),
    'loop p99 ms': Math.max(0, eld.percentile(99) / 1e6 - ELD_RESOLUTION_MS).toFixed(2),
    'push p50 ms': pct(latencies, 50).toFixed(1),
    'push p99 ms': pct(latencies, 99).toFixed(1),
    transcripts: latencies.length,
    'audio frames': frames,
  };
}

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const rows: Array<Record<string, string | number>> = [];
for (const n of sizes.length ? sizes : [10, 100]) {
  process.stderr.write(`bench:calls N=${n} …\n`);
  rows.push(await runOnce(n));
}
console.table(rows);
process.exit(0);
