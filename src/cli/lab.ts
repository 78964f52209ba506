import { WebSocket } from 'ws';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { loadConfig, type Config, type DeepPartial } from '../config/config.js';
import { startServer, type HotlineServer, type ServerEngines } from '../app.js';
import { startFreeSwitchSimulator, type FreeSwitchSimulator } from '../simulator/index.js';
import type { AgentConfig as SimAgentConfig } from '../simulator/index.js';

/** Reference speech shipped by Debian's pocketsphinx-testdata (real recorded LibriVox readings). */
export const LIBRIVOX_DIR = '/usr/share/pocketsphinx/test/data/librivox';

/** Path of one LibriVox test utterance, e.g. `0870`. */
export function librivoxFile(id: string): string {
  return `${LIBRIVOX_DIR}/sense_and_sensibility_01_austen_64kb-${id}.wav`;
}

/** The reference transcription of one LibriVox test utterance (from the package's `transcription`). */
export function librivoxReference(id: string): string {
  const line = readFileSync(`${LIBRIVOX_DIR}/transcription`, 'utf8').split('\n').find((l) => l.includes(`-${id})`)) ?? '';
  return line.replace(/<\/?s>/g, '').replace(/\(.*\)/, '').trim();
}

/** A server connected to a FreeSWITCH simulator: what the demo, protocol tests and benchmark run. */
export interface Lab {
  readonly sim: FreeSwitchSimulator;
  readonly server: HotlineServer;
  readonly config: Config;
  close(): Promise<void>;
}

/**
 * Start the simulator (ephemeral ESL port) and the real server connected to it over TCP, with the
 * media endpoint on an ephemeral HTTP port. Resolves once the server's ESL connection is up.
 */
export async function startLab(options: {
  engines: ServerEngines;
  log: Logger;
  speed?: number;
  simAgents?: SimAgentConfig[];
  config?: DeepPartial<Config>;
}): Promise<Lab> {
  // The simulator's dialplan parks the hotline numbers the server answers.
  const parkDestinations = (options.config?.hotlineNumbers ?? ['12345']).filter((n): n is string => typeof n === 'string');
  const sim = await startFreeSwitchSimulator({ eslPort: 0, speed: options.speed ?? 1, agents: options.simAgents ?? [], parkDestinations });
  const overrides: DeepPartial<Config> = {
    ...options.config,
    http: { host: '127.0.0.1', port: 0, ...options.config?.http },
    esl: { host: '127.0.0.1', port: sim.eslPort, password: sim.password, ...options.config?.esl },
    media: { publicUrl: 'ws://127.0.0.1:{port}/media', ...options.config?.media },
  };
  const config = loadConfig({}, overrides);
  let server: HotlineServer;
  try {
    server = await startServer(config, options.engines, options.log);
    await server.telephony.whenConnected();
  } catch (error) {
    await sim.close();
    throw error;
  }
  return {
    sim, server, config,
    async close() {
      await server.close();
      await sim.close();
    },
  };
}

/** A message pushed to an agent's WebSocket. */
export type AgentMessage = { type: string } & Record<string, unknown>;

/**
 * A scripted agent browser: logs in over `/agent/ws`, records every message, and lets callers wait
 * for a message by predicate (event-driven, no polling).
 */
export class AgentClient {
  readonly messages: AgentMessage[] = [];
  readonly #waiters = new Set<{ predicate: (m: AgentMessage) => boolean; resolve: (m: AgentMessage) => void }>();

  private constructor(private readonly socket: WebSocket, readonly onMessage?: (m: AgentMessage) => void) {
    socket.on('message', (raw: Buffer) => {
      const message = JSON.parse(raw.toString('utf8')) as AgentMessage;
      this.messages.push(message);
      onMessage?.(message);
      for (const waiter of [...this.#waiters]) {
        if (waiter.predicate(message)) {
          this.#waiters.delete(waiter);
          waiter.resolve(message);
        }
      }
    });
  }

  /** Connect to `baseUrl` (http://host:port), log in and wait for `loggedIn`. Rejects on login error. */
  static async login(baseUrl: string, agentId: string, token: string, onMessage?: (m: AgentMessage) => void): Promise<AgentClient> {
    const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/agent/ws`);
    await once(socket, 'open');
    const client = new AgentClient(socket, onMessage);
    const reply = client.waitFor((m) => m.type === 'loggedIn' || m.type === 'error');
    client.send({ type: 'login', agentId, token });
    const result = await reply;
    if (result.type === 'error') throw new Error(`agent login failed: ${String(result.message)}`);
    return client;
  }

  send(message: Record<string, unknown>): void {
    this.socket.send(JSON.stringify(message));
  }

  /** Go ready and wait until the server reports `available`. */
  async ready(): Promise<void> {
    const available = this.waitFor((m) => m.type === 'agentState' && m.to === 'available', false);
    this.send({ type: 'ready' });
    await available;
  }

  /** Resolves with the first message matching `predicate`: already received (if `includePast`) or future. */
  waitFor(predicate: (m: AgentMessage) => boolean, includePast = true): Promise<AgentMessage> {
    const seen = includePast ? this.messages.find(predicate) : undefined;
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.#waiters.add({ predicate, resolve }));
  }

  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    this.socket.close();
    await once(this.socket, 'close');
  }
}
