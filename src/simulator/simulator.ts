/**
 * `startFreeSwitchSimulator()`: wires the clock, switch core, media engine, applications, agents
 * and the ESL server into one protocol-level FreeSWITCH 1.10/1.11 stand-in.
 */
import { randomUUID } from 'node:crypto';
import { AgentDirectory, type AgentConfig } from './agents.js';
import { uptime } from './api.js';
import { Applications } from './apps.js';
import { CallControl } from './calls.js';
import { SimulatedCall } from './call.js';
import { SimClock } from './clock.js';
import { silentLogger, SwitchCore, type SimLogger } from './core.js';
import { EslServer } from './esl-server.js';
import type { FsEvent } from './event.js';
import { MediaEngine } from './media.js';
import { eavesdrop, startRecording, stopRecording } from './recorder.js';
import { validateCallScript, type CallScript } from './scripts.js';

/** Options of {@link startFreeSwitchSimulator}. Durations are simulated ms unless noted. */
export interface SimulatorOptions {
  /** Address the ESL server binds to. Default `127.0.0.1`. */
  readonly host?: string;
  /** ESL port; 0 = any free port (read it from `sim.eslPort`). Default 8021. */
  readonly eslPort?: number;
  /** ESL password. Default `ClueCon`. */
  readonly password?: string;
  /** Time scale: 1 = real time, 10 = ten times faster, 0 or Infinity = unpaced. Default 1. */
  readonly speed?: number;
  /** Initial SIP users (agents, supervisors). */
  readonly agents?: readonly AgentConfig[];
  /** pino-compatible logger. Default: silent. */
  readonly logger?: SimLogger;
  /** `FreeSWITCH-Hostname` (and switchname). Default `sim`. */
  readonly hostname?: string;
  /** `FreeSWITCH-IPv4`. Default `127.0.0.1`. */
  readonly ipv4?: string;
  /** `FreeSWITCH-IPv6`. Default `::1`. */
  readonly ipv6?: string;
  /** Address in channel names/SIP variables. Default `127.0.0.1`. */
  readonly sipIp?: string;
  /** `Core-UUID`. Default random. */
  readonly coreUuid?: string;
  /** `show channels`/`show calls` lag behind events (FreeSWITCH: ~160–210). Default 0. */
  readonly showChannelsLagMs?: number;
  /** Emit the vanilla dialplan's log/hash/export executions before `park`. Default false. */
  readonly vanillaDialplan?: boolean;
  /** Destinations that park (uuid_transfer back into the IVR). Default `['12345']`. */
  readonly parkDestinations?: readonly string[];
  /** HEARTBEAT every N simulated seconds; 0 = off. Default 20. */
  readonly heartbeatSec?: number;
  /** Default originate timeout in seconds. Default 60. */
  readonly originateTimeoutSec?: number;
  /** External numbers (sofia/gateway/…) answer after this long. Default 2000. */
  readonly externalAnswerAfterMs?: number;
  /** A leg transferred to a non-park destination hangs up after this long. Default 1000. */
  readonly transferHangupAfterMs?: number;
  /** Wall clock for event dates, ms since epoch. Default `Date.now`. */
  readonly wallClock?: () => number;
}

/** A read-only view of a live channel. */
export interface ChannelInfo {
  readonly uuid: string;
  readonly direction: 'inbound' | 'outbound';
  readonly name: string;
  readonly state: string;
  readonly callState: string;
  readonly answered: boolean;
  readonly callerNumber: string;
  readonly destination: string;
  readonly bridgedTo: string | undefined;
  readonly parked: boolean;
}

export interface SimulatorStats {
  readonly channels: number;
  readonly eslConnections: number;
  readonly sessionsSinceStartup: number;
  /** Simulated ms elapsed. */
  readonly simulatedMs: number;
  readonly ticks: number;
  readonly mediaFrames: number;
}

/** A running simulator. */
export interface FreeSwitchSimulator {
  readonly host: string;
  /** Bound ESL port. */
  readonly eslPort: number;
  readonly password: string;
  readonly speed: number;
  /**
   * Places an inbound call (validated script; throws CallScriptError). The channel is created,
   * goes through the dialplan and parks unanswered before this returns.
   */
  placeCall(script?: CallScript): SimulatedCall;
  /** Adds or replaces a SIP user. */
  setAgent(agent: AgentConfig): void;
  /** Changes some fields of an existing SIP user (e.g. `{ registered: false }`). */
  updateAgent(user: string, patch: Partial<Omit<AgentConfig, 'user'>>): void;
  removeAgent(user: string): boolean;
  agents(): AgentConfig[];
  /** Closes every ESL socket abruptly; calls go on, events meanwhile are lost. */
  dropConnections(): void;
  /** Taps every event the switch fires. Returns the unsubscribe function. */
  onEvent(listener: (ev: FsEvent) => void): () => void;
  /** Resolves with the first event matching `predicate` (rejects after `timeoutMs` real ms, default 10000). */
  waitForEvent(predicate: (ev: FsEvent) => boolean, timeoutMs?: number): Promise<FsEvent>;
  /** Live channels. */
  channels(): ChannelInfo[];
  /** Hangs up every channel (like `hupall`). */
  hangupAll(cause?: string): void;
  stats(): SimulatorStats;
  /** Hangs up all calls, closes sockets and stops the clock. */
  close(): Promise<void>;
}

/** Starts a simulator. Resolves once the ESL port is listening. */
export async function startFreeSwitchSimulator(opts: SimulatorOptions = {}): Promise<FreeSwitchSimulator> {
  const log = opts.logger ?? silentLogger;
  const speed = opts.speed ?? 1;
  const clock = new SimClock(speed, (err) => log.error({ err }, 'simulator timer failed'));
  const hostname = opts.hostname ?? 'sim';
  const core = new SwitchCore(
    {
      identity: {
        coreUuid: opts.coreUuid ?? randomUUID(),
        hostname,
        switchname: hostname,
        ipv4: opts.ipv4 ?? '127.0.0.1',
        ipv6: opts.ipv6 ?? '::1',
      },
      sipIp: opts.sipIp ?? '127.0.0.1',
      profilePort: 5060,
      showChannelsLagMs: opts.showChannelsLagMs ?? 0,
      vanillaDialplan: opts.vanillaDialplan ?? false,
      heartbeatSec: opts.heartbeatSec ?? 20,
      ptimeMs: 20,
      originateTimeoutSec: opts.originateTimeoutSec ?? 60,
      externalAnswerAfterMs: opts.externalAnswerAfterMs ?? 2000,
      transferHangupAfterMs: opts.transferHangupAfterMs ?? 1000,
      wallClock: opts.wallClock ?? Date.now,
    },
    clock,
    log,
  );
  const media = new MediaEngine(core);
  core.channelsChanged = (n) => (n > 0 ? media.start() : media.stop());
  const calls = new CallControl(core);
  const parkDestinations = new Set(opts.parkDestinations ?? ['12345']);
  const apps = new Applications(core, calls, {
    startRecording: (ch, path, limit) => void startRecording(core, ch, path, limit),
    stopRecording: (ch, path) => stopRecording(ch, path),
    eavesdrop: (ch, target, signal) => eavesdrop(core, ch, target, signal),
    transfer: (ch, dest, dialplan, context) => calls.transfer(ch, dest, dialplan, context, parkDestinations),
  });
  const agents = new AgentDirectory(opts.agents ?? []);
  const password = opts.password ?? 'ClueCon';
  const esl = new EslServer({ core, calls, apps, media, agents, parkDestinations, password });
  const host = opts.host ?? '127.0.0.1';
  const eslPort = await esl.listen(host, opts.eslPort ?? 8021);

  let heartbeat: NodeJS.Timeout | undefined;
  if (core.config.heartbeatSec > 0 && !clock.unpaced) {
    heartbeat = setInterval(() => {
      const ev = core.event('HEARTBEAT');
      ev.add('Event-Info', 'System Ready');
      ev.add('Up-Time', uptime(core.config.wallClock() - core.startedMs));
      ev.add('FreeSWITCH-Version', '1.11.1-release~64bit');
      ev.add('Uptime-msec', String(core.config.wallClock() - core.startedMs));
      ev.add('Session-Count', String(core.channels.size));
      ev.add('Max-Sessions', '1000');
      ev.add('Session-Per-Sec', '30');
      ev.add('Session-Since-Startup', String(core.sessionsSinceStartup));
      ev.add('Session-Peak-Max', String(core.peakSessions));
      ev.add('Idle-CPU', '95.000000');
      core.fire(ev);
    }, (core.config.heartbeatSec * 1000) / speed);
    heartbeat.unref();
  }
  let closed = false;

  const sim: FreeSwitchSimulator = {
    host,
    eslPort,
    password,
    speed,
    placeCall(script: CallScript = {}) {
      if (closed) throw new Error('simulator is closed');
      const s = validateCallScript(script);
      const ch = calls.createInbound({
        uuid: s.uuid,
        caller: s.caller ?? '13800138000',
        callerName: s.callerName,
        destination: s.destination ?? '12345',
        variables: s.variables,
        ptimeMs: s.ptimeMs,
      });
      const call = new SimulatedCall({ core, calls, media }, ch, s);
      call.start();
      return call;
    },
    setAgent: (a) => agents.set(a),
    updateAgent: (user, patch) => agents.update(user, patch),
    removeAgent: (user) => agents.remove(user),
    agents: () => agents.list(),
    dropConnections: () => esl.dropConnections(),
    onEvent: (fn) => core.onEvent(fn),
    waitForEvent(predicate, timeoutMs = 10000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          off();
          reject(new Error(`timeout after ${timeoutMs} ms waiting for an event`));
        }, timeoutMs);
        const off = core.onEvent((ev) => {
          if (!predicate(ev)) return;
          clearTimeout(timer);
          off();
          resolve(ev);
        });
      });
    },
    channels: () =>
      [...core.channels.values()].map((ch) => ({
        uuid: ch.uuid,
        direction: ch.direction,
        name: ch.name,
        state: ch.runningState,
        callState: ch.callState,
        answered: ch.answered,
        callerNumber: ch.profile.callerIdNumber ?? '',
        destination: ch.profile.destinationNumber,
        bridgedTo: ch.partner?.uuid,
        parked: ch.parked,
      })),
    hangupAll(cause = 'MANAGER_REQUEST') {
      for (const ch of [...core.channels.values()]) calls.hangup(ch, cause);
    },
    stats: () => ({
      channels: core.channels.size,
      eslConnections: esl.connectionCount,
      sessionsSinceStartup: core.sessionsSinceStartup,
      simulatedMs: clock.now(),
      ticks: clock.ticks,
      mediaFrames: media.framesProcessed,
    }),
    async close() {
      if (closed) return;
      closed = true;
      if (heartbeat) clearInterval(heartbeat);
      for (const ch of [...core.channels.values()]) calls.hangup(ch, 'SYSTEM_SHUTDOWN');
      await esl.close();
      clock.close();
    },
  };
  return sim;
}
