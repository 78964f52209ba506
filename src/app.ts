import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import websocket from '@fastify/websocket';
import { mkdirSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Config } from './config/config.js';
import { Acd } from './domain/acd/acd.js';
import { HotlineEvents } from './domain/events.js';
import { Hotline } from './domain/calls/hotline.js';
import type { TicketDrafterFactory } from './domain/tickets/drafter.js';
import type { SpeechRecognizer, SpeechSynthesizer } from './speech/ports.js';
import { openDatabase, type Db } from './storage/database.js';
import { Repositories } from './storage/repositories.js';
import { FreeSwitchTelephony } from './telephony/freeswitch-telephony.js';
import { AUDIO_FORK_SUBPROTOCOL, handleAudioStream, type IngestStats } from './media/audio-ingest.js';
import { mediaToken } from './media/token.js';
import { registerAgentSocket } from './routes/agent-ws.js';
import { registerHttpRoutes } from './routes/http.js';
import { requireAdmin } from './routes/admin-auth.js';
import { registerFlowRoutes } from './routes/admin-flows.js';
import { registerPromptRoutes } from './routes/admin-prompts.js';
import { registerEditorRoutes } from './routes/admin-editor.js';
import { PromptStore } from './media/prompt-store.js';
import { FlowRepository } from './storage/flow-repository.js';
import { FlowService } from './domain/ivr/flow-service.js';
import { defaultNodeRegistry } from './domain/ivr/registry.js';
import { defaultFlow } from './domain/ivr/default-flow.js';

/** Engines and intelligence the server is built with (created by the caller: CLI, tests, bench). */
export interface ServerEngines {
  readonly recognizer: SpeechRecognizer;
  readonly tts: SpeechSynthesizer;
  readonly drafterFactory: TicketDrafterFactory;
}

/** A running server and its parts (exposed for the demo, tests and benchmarks). */
export interface HotlineServer {
  readonly http: FastifyInstance;
  readonly telephony: FreeSwitchTelephony;
  readonly hotline: Hotline;
  readonly acd: Acd;
  readonly events: HotlineEvents;
  readonly repos: Repositories;
  readonly db: Db;
  readonly ingestStats: IngestStats;
  readonly flows: FlowService;
  readonly prompts: PromptStore;
  /** `http://host:port` actually bound (port 0 in config = ephemeral). */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The composition root: wires storage, the FreeSWITCH adapter, the domain (ACD, call sessions,
 * voicebot, live transcripts) and the HTTP/WebSocket routes, then listens and connects to the
 * switch. Rejects if the HTTP port cannot be bound; the switch connection retries on its own.
 * `config.media.publicUrl` may contain `{port}`, replaced by the bound port (for ephemeral ports).
 */
export async function startServer(config: Config, engines: ServerEngines, log: Logger): Promise<HotlineServer> {
  mkdirSync(config.storage.recordingsDir, { recursive: true });
  const db = openDatabase(config.storage.dbPath);
  const repos = new Repositories(db);
  const events = new HotlineEvents();
  const acd = new Acd(config.acd.wrapUpMs);
  for (const a of config.agents) acd.addAgent(a.id, a.name, a.sipUser, a.skills);
  acd.on('agentState', (e) => events.emit('agentState', e));

  const prompts = new PromptStore({ dir: config.storage.audioDir, logger: log.child({ component: 'prompts' }) });
  const flows = new FlowService({
    repo: new FlowRepository(db), registry: defaultNodeRegistry, audioExists: (file) => prompts.exists(file), timeZone: config.ivr.timeZone,
  });
  seedAndLoadFlows(flows, config, log);

  const telephony = new FreeSwitchTelephony({
    ...config.esl, hotlineNumbers: config.hotlineNumbers, audioModule: config.media.module, log,
  });

  const http: FastifyInstance = Fastify({ loggerInstance: log as FastifyBaseLogger }) as unknown as FastifyInstance;
  await http.register(websocket, {
    options: {
      maxPayload: 64 * 1024,
      // Echo mod_audio_fork's subprotocol; other clients (agents) ask for none.
      handleProtocols: (protocols: Set<string>) => (protocols.has(AUDIO_FORK_SUBPROTOCOL) ? AUDIO_FORK_SUBPROTOCOL : false),
    },
  });
  const ingestStats: IngestStats = { connections: 0, frames: 0, rejectedFrames: 0, rejectedStreams: 0 };

  let mediaUrl = config.media.publicUrl;
  const hotline = new Hotline({
    telephony, acd, events, repos, tts: engines.tts, recognizer: engines.recognizer, language: config.speech.language,
    drafterFactory: engines.drafterFactory, log,
    flowFor: (destination) => flows.catalog.forNumber(destination) ?? flows.catalog.forNumber(config.hotlineNumbers[0]!),
    registry: defaultNodeRegistry,
    audioPath: (file) => prompts.path(file),
    settings: {
      timeZone: config.ivr.timeZone,
      trunkGateway: config.ivr.trunkGateway,
      transferRingTimeoutMs: config.ivr.transferRingTimeoutMs,
      maxQueueWaitMs: config.acd.maxQueueWaitMs,
      ringTimeoutMs: config.acd.ringTimeoutMs,
      voicebotMaxListenMs: config.voicebot.maxListenMs,
      voicebotEndSilenceMs: config.voicebot.endSilenceMs,
      promptVoice: config.speech.promptVoice,
      recordingsDir: config.storage.recordingsDir,
      media: {
        get url() { return mediaUrl; },
        sampleRateHz: config.media.sampleRateHz,
        metadata: (callUuid) => ({ callUuid, token: mediaToken(config.media.secret, callUuid) }),
      },
    },
  });
  http.get('/media', { websocket: true }, (socket) => {
    handleAudioStream(socket, { calls: hotline, secret: config.media.secret, log: log.child({ component: 'media' }), stats: ingestStats });
  });
  registerAgentSocket(http, { acd, events, agents: config.agents });
  registerHttpRoutes(http, { health: () => ({ switchConnected: telephony.connected, liveCalls: hotline.liveCalls }) });
  await http.register(async (admin) => {
    await requireAdmin(admin, config.admins);
    registerFlowRoutes(admin, flows);
    registerPromptRoutes(admin, prompts);
  }, { prefix: '/admin/api' });
  await registerEditorRoutes(http);

  const address = await http.listen({ host: config.http.host, port: config.http.port });
  const port = new URL(address).port;
  mediaUrl = mediaUrl.replace('{port}', port);
  hotline.start();
  void telephony.start();

  return {
    http, telephony, hotline, acd, events, repos, db, ingestStats, flows, prompts, url: `http://${config.http.host}:${port}`,
    async close() {
      hotline.close();
      await telephony.close();
      acd.close();
      await http.close();
      await engines.recognizer.close();
      db.close();
    },
  };
}

/**
 * First start: seed the built-in 12345 flow (answering the first configured hotline number; the
 * others fall back to it until a flow claims them) and publish it; then load every published flow. A stored version that no longer validates (e.g. a
 * prompt file was deleted) is logged and skipped.
 */
function seedAndLoadFlows(flows: FlowService, config: Config, log: Logger): void {
  const doc = defaultFlow();
  if (flows.seed({ ...doc, numbers: [config.hotlineNumbers[0]!] })) log.info({ flowId: doc.id }, 'seeded the default 12345 flow');
  for (const skipped of flows.load()) log.error({ flowId: skipped.flowId, version: skipped.version, issues: skipped.error.issues }, 'published flow no longer valid; not loaded');
  for (const n of config.hotlineNumbers) {
    if (!flows.catalog.forNumber(n)) log.info({ number: n }, 'no published flow claims this hotline number yet; its calls take the first number\'s flow');
  }
}
