/**
 * Manual use of the simulator:
 *
 *   tsx src/simulator/cli.ts --port 8021 --script call.json [--speed 1] [--agents agents.json]
 *                            [--repeat 10 --interval-ms 2000] [--password ClueCon] [--host 127.0.0.1]
 *                            [--vanilla-dialplan] [--lag-ms 200] [--hostname vm] [--quiet]
 *
 * `--script` is a JSON file holding one call script, an array of them, or
 * `{ "agents": [...], "calls": [...] }`. Calls are placed once the ESL port listens (each script
 * `--repeat` times, `--interval-ms` apart). The process runs until SIGINT/SIGTERM.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { AgentConfig } from './agents.js';
import type { SimLogger } from './core.js';
import type { CallScript } from './scripts.js';
import { startFreeSwitchSimulator } from './simulator.js';

const USAGE = `usage: tsx src/simulator/cli.ts [--port 8021] [--host 127.0.0.1] [--password ClueCon] [--speed 1]
       [--script calls.json] [--agents agents.json] [--repeat 1] [--interval-ms 1000]
       [--vanilla-dialplan] [--lag-ms 0] [--hostname sim] [--quiet]`;

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8')) as unknown;
}

const consoleLogger: SimLogger = {
  debug() {},
  info: (o, m) => console.log(`[sim] ${m ?? ''} ${JSON.stringify(o)}`),
  warn: (o, m) => console.warn(`[sim] WARN ${m ?? ''} ${JSON.stringify(o, errReplacer)}`),
  error: (o, m) => console.error(`[sim] ERROR ${m ?? ''} ${JSON.stringify(o, errReplacer)}`),
};

function errReplacer(_k: string, v: unknown): unknown {
  return v instanceof Error ? { name: v.name, message: v.message } : v;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8021' },
      host: { type: 'string', default: '127.0.0.1' },
      password: { type: 'string', default: 'ClueCon' },
      speed: { type: 'string', default: '1' },
      script: { type: 'string' },
      agents: { type: 'string' },
      repeat: { type: 'string', default: '1' },
      'interval-ms': { type: 'string', default: '1000' },
      'vanilla-dialplan': { type: 'boolean', default: false },
      'lag-ms': { type: 'string', default: '0' },
      hostname: { type: 'string', default: 'sim' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  let calls: CallScript[] = [];
  let agents: AgentConfig[] = [];
  if (values.script) {
    const data = readJson(values.script);
    if (Array.isArray(data)) calls = data as CallScript[];
    else if (data && typeof data === 'object' && ('calls' in data || 'agents' in data)) {
      const d = data as { calls?: CallScript[]; agents?: AgentConfig[] };
      calls = d.calls ?? [];
      agents = d.agents ?? [];
    } else calls = [data as CallScript];
  }
  if (values.agents) agents = agents.concat(readJson(values.agents) as AgentConfig[]);
  const speedArg = values.speed.toLowerCase();
  const sim = await startFreeSwitchSimulator({
    host: values.host,
    eslPort: Number(values.port),
    password: values.password,
    speed: speedArg === 'inf' || speedArg === 'infinity' ? Infinity : Number(speedArg),
    agents,
    vanillaDialplan: values['vanilla-dialplan'],
    showChannelsLagMs: Number(values['lag-ms']),
    hostname: values.hostname,
    logger: consoleLogger,
  });
  console.log(`FreeSWITCH simulator: ESL on ${sim.host}:${sim.eslPort} (password ${sim.password}), speed ${sim.speed}, agents ${agents.map((a) => a.user).join(',') || '-'}`);
  const repeat = Math.max(1, Number(values.repeat));
  const interval = Number(values['interval-ms']);
  let n = 0;
  for (let r = 0; r < repeat; r++) {
    for (const script of calls) {
      setTimeout(() => {
        try {
          const call = sim.placeCall(script);
          console.log(`call ${call.uuid} placed from ${call.log.caller} to ${call.log.destination}`);
          if (!values.quiet) {
            call.on((s) => {
              const { type, ...rest } = s;
              if (type !== 'dtmf' || !values.quiet) console.log(`  ${call.uuid.slice(0, 8)} ${type} ${JSON.stringify(rest, (_k, v: unknown) => (v instanceof Promise ? undefined : v))}`);
            });
          }
          void call.ended.then((res) => console.log(`call ${res.uuid} ended: ${res.hangupCause} after ${res.durationMs} ms (answered: ${res.answered})`));
        } catch (err) {
          console.error(`cannot place call: ${(err as Error).message}`);
        }
      }, n++ * interval);
    }
  }
  const stop = () => {
    void sim.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error((err as Error).message);
  process.exit(1);
});
