import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import {
  OriginateError, type Channel, type InboundCall, type OriginateRequest, type Telephony,
} from '../domain/telephony-port.js';
import { EslClient } from './esl/client.js';
import { EslCommandError } from './esl/errors.js';
import type { EslEvent } from './esl/event.js';
import { mapEslEvent, SUBSCRIBED_EVENTS } from './event-map.js';
import { FsChannel, type AudioStreamModule } from './fs-channel.js';

/** Configuration of the FreeSWITCH adapter. Durations in ms. */
export interface FreeSwitchOptions {
  readonly host: string;
  readonly port: number;
  readonly password: string;
  /** Destination numbers that belong to the hotline (parked calls to others are ignored). */
  readonly hotlineNumbers: readonly string[];
  readonly audioModule: AudioStreamModule;
  readonly commandTimeoutMs: number;
  readonly reconnectMinMs: number;
  readonly reconnectMaxMs: number;
  readonly log: Logger;
}

/** Row of `show calls as json` (FreeSWITCH 1.10 core DB); only the columns we read. */
interface ShowCallsRow {
  uuid: string;
  direction: string;
  cid_num: string;
  dest: string;
  callstate: string;
  b_uuid?: string;
}

/**
 * `Telephony` over FreeSWITCH's inbound event socket. Inbound hotline calls arrive parked
 * (dialplan `park`); agent legs are originated with `&park()` and joined with `uuid_bridge`.
 * After a reconnect it resynchronises: channels that vanished during the outage get a `hangup`,
 * parked calls it did not know are adopted and announced with `resynced: true`.
 */
export class FreeSwitchTelephony implements Telephony {
  readonly #esl: EslClient;
  readonly #options: FreeSwitchOptions;
  readonly #channels = new Map<string, FsChannel>();
  /** Legs we originated: their park must not be announced as inbound calls. */
  readonly #originated = new Set<string>();
  readonly #inboundListeners = new Set<(call: InboundCall) => void>();
  readonly #connectionListeners = new Set<(connected: boolean) => void>();

  constructor(options: FreeSwitchOptions) {
    this.#options = options;
    this.#esl = new EslClient({
      host: options.host,
      port: options.port,
      password: options.password,
      events: SUBSCRIBED_EVENTS,
      commandTimeoutMs: options.commandTimeoutMs,
      reconnectMinMs: options.reconnectMinMs,
      reconnectMaxMs: options.reconnectMaxMs,
      log: options.log.child({ component: 'esl' }),
    });
    this.#esl.on('event', (event) => this.#onEvent(event));
    this.#esl.on('connected', ({ reconnect }) => {
      this.#notifyConnection(true);
      if (reconnect) void this.resync();
    });
    this.#esl.on('disconnected', () => this.#notifyConnection(false));
  }

  get connected(): boolean {
    return this.#esl.connected;
  }

  /** The underlying client (for operations tooling and tests: `dropConnection()`). */
  get esl(): EslClient {
    return this.#esl;
  }

  whenConnected(): Promise<void> {
    return this.#esl.whenConnected();
  }

  start(): Promise<void> {
    return this.#esl.start();
  }

  onInboundCall(listener: (call: InboundCall) => void): () => void {
    this.#inboundListeners.add(listener);
    return () => this.#inboundListeners.delete(listener);
  }

  onConnectionChange(listener: (connected: boolean) => void): () => void {
    this.#connectionListeners.add(listener);
    return () => this.#connectionListeners.delete(listener);
  }

  async originate(request: OriginateRequest): Promise<Channel> {
    const uuid = randomUUID();
    const channel = this.#channel(uuid, request.callerIdNumber, request.endpoint);
    this.#originated.add(uuid);
    const timeoutSec = Math.max(1, Math.ceil(request.ringTimeoutMs / 1000));
    const vars = [
      `origination_uuid=${uuid}`,
      `origination_caller_id_number=${request.callerIdNumber}`,
      `origination_caller_id_name=${(request.callerIdName ?? request.callerIdNumber).replace(/[,{}\s]/g, '_')}`,
      `originate_timeout=${timeoutSec}`,
    ].join(',');
    try {
      // The job ends when the leg answers or fails; allow the ring time plus a margin.
      await this.#esl.bgapi(`originate {${vars}}${request.endpoint} &park()`, request.ringTimeoutMs + 10_000);
      return channel;
    } catch (error) {
      this.#channels.delete(uuid);
      this.#originated.delete(uuid);
      if (error instanceof EslCommandError) throw new OriginateError(error.reply.split(/\s/)[0] ?? 'UNKNOWN');
      throw error;
    }
  }

  #channel(uuid: string, callerNumber: string, destination: string): FsChannel {
    let channel = this.#channels.get(uuid);
    if (!channel) {
      channel = new FsChannel(uuid, callerNumber, destination, this.#esl, this.#options.audioModule,
        this.#options.log.child({ callUuid: uuid }));
      this.#channels.set(uuid, channel);
    }
    return channel;
  }

  #onEvent(event: EslEvent): void {
    const uuid = event.uniqueId;
    if (event.name === 'CHANNEL_PARK' && uuid && !this.#channels.has(uuid) && !this.#originated.has(uuid)) {
      const destination = event.headers['Caller-Destination-Number'] ?? '';
      if (event.headers['Call-Direction'] === 'inbound' && this.#options.hotlineNumbers.includes(destination)) {
        const channel = this.#channel(uuid, event.headers['Caller-Caller-ID-Number'] ?? '', destination);
        this.#announce({ channel, resynced: false, answered: event.headers['Answer-State'] === 'answered', bridgedTo: undefined });
      }
      return;
    }
    for (const [target, mapped] of mapEslEvent(event)) this.#channels.get(target)?.deliver(mapped);
    if (event.name === 'CHANNEL_DESTROY' && uuid) {
      this.#channels.delete(uuid);
      this.#originated.delete(uuid);
    }
  }

  #announce(call: InboundCall): void {
    for (const listener of this.#inboundListeners) listener(call);
  }

  #notifyConnection(connected: boolean): void {
    for (const listener of this.#connectionListeners) listener(connected);
  }

  /**
   * Reconcile our channels with the switch's (`show calls as json`, verified by `uuid_exists`
   * because the core DB lags events by ~0.2 s). Called after every reconnect.
   */
  async resync(): Promise<void> {
    const log = this.#options.log;
    let rows: ShowCallsRow[];
    try {
      const text = await this.#esl.api('show calls as json');
      rows = (JSON.parse(text) as { rows?: ShowCallsRow[] }).rows ?? [];
    } catch (error) {
      log.error({ err: error }, 'resync: show calls failed');
      return;
    }
    const live = new Set<string>();
    for (const row of rows) {
      live.add(row.uuid);
      if (row.b_uuid) live.add(row.b_uuid);
    }
    for (const [uuid, channel] of this.#channels) {
      if (live.has(uuid)) continue;
      const exists = await this.#esl.api(`uuid_exists ${uuid}`).catch(() => 'false');
      if (exists.trim() !== 'true') {
        log.info({ callUuid: uuid }, 'resync: channel ended during ESL outage');
        channel.deliver({ type: 'hangup', cause: 'NORMAL_CLEARING' });
        this.#channels.delete(uuid);
      }
    }
    for (const row of rows) {
      if (this.#channels.has(row.uuid) || this.#originated.has(row.uuid)) continue;
      if (row.direction !== 'inbound' || !this.#options.hotlineNumbers.includes(row.dest)) continue;
      const channel = this.#channel(row.uuid, row.cid_num, row.dest);
      log.info({ callUuid: row.uuid, bridged: Boolean(row.b_uuid) }, 'resync: adopted live call');
      if (row.b_uuid) {
        this.#originated.add(row.b_uuid);
        this.#channel(row.b_uuid, row.cid_num, 'agent');
      }
      this.#announce({ channel, resynced: true, answered: row.callstate !== 'RINGING', bridgedTo: row.b_uuid || undefined });
    }
    log.info({ live: rows.length, tracked: this.#channels.size }, 'resync complete');
  }

  /** Look up a tracked channel (e.g. an agent leg adopted by resync). */
  channel(uuid: string): Channel | undefined {
    return this.#channels.get(uuid);
  }

  async close(): Promise<void> {
    this.#esl.close();
  }
}
