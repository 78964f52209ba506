import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { EslConnection } from './connection.js';
import type { EslEvent } from './event.js';
import { EslAuthError, EslCommandError, EslDisconnectedError, EslTimeoutError } from './errors.js';

/** Options of the reconnecting inbound ESL client. Durations in ms. */
export interface EslClientOptions {
  readonly host: string;
  readonly port: number;
  readonly password: string;
  /** Event names to subscribe to (`event json …`); `CUSTOM <subclass…>` may be included. */
  readonly events: readonly string[];
  /** Default per-command timeout. */
  readonly commandTimeoutMs: number;
  /** First reconnect delay; doubles up to `reconnectMaxMs`, with ±20 % jitter. */
  readonly reconnectMinMs: number;
  readonly reconnectMaxMs: number;
  readonly log: Logger;
}

export interface EslClientEvents {
  /** Authenticated and subscribed (first time and after every reconnect). */
  connected: [{ reconnect: boolean }];
  disconnected: [Error | undefined];
  event: [EslEvent];
}

interface PendingExecute {
  readonly resolve: (event: EslEvent) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * Inbound ESL client that stays connected: reconnects with exponential backoff, re-subscribes, and
 * emits `connected {reconnect:true}` so the telephony adapter can resynchronise live channels.
 * Correlates `bgapi` by a client-chosen `Job-UUID` and `sendmsg execute` by `Event-UUID`
 * (returned by FreeSWITCH as `Application-UUID` on CHANNEL_EXECUTE_COMPLETE).
 */
export class EslClient extends EventEmitter<EslClientEvents> {
  readonly #options: EslClientOptions;
  #connection: EslConnection | undefined;
  #stopped = false;
  #everConnected = false;
  #retryTimer: NodeJS.Timeout | undefined;
  #delayMs: number;
  readonly #jobs = new Map<string, PendingExecute>();
  readonly #executes = new Map<string, PendingExecute>();
  #readyWaiters: Array<() => void> = [];

  constructor(options: EslClientOptions) {
    super();
    this.#options = options;
    this.#delayMs = options.reconnectMinMs;
  }

  /** Start connecting; resolves at the first successful connection. Retries until `close()`. */
  start(): Promise<void> {
    const ready = this.whenConnected();
    void this.#attempt();
    return ready;
  }

  get connected(): boolean {
    return this.#connection !== undefined && !this.#connection.closed;
  }

  /** Resolves when the client is (again) connected and subscribed. */
  whenConnected(): Promise<void> {
    if (this.connected) return Promise.resolve();
    return new Promise((resolve) => this.#readyWaiters.push(resolve));
  }

  async #attempt(): Promise<void> {
    this.#retryTimer = undefined;
    if (this.#stopped) return;
    const { host, port, password, log } = this.#options;
    try {
      const conn = await EslConnection.open({ host, port, password, log });
      if (this.#stopped) {
        conn.close();
        return;
      }
      conn.on('event', (event) => this.#onEvent(event));
      conn.on('close', (error) => this.#onClose(conn, error));
      this.#connection = conn;
      await conn.command(`event json ${this.#options.events.join(' ')}`, this.#options.commandTimeoutMs);
      this.#delayMs = this.#options.reconnectMinMs;
      const reconnect = this.#everConnected;
      this.#everConnected = true;
      log.info({ host, port, reconnect }, 'ESL connected');
      for (const waiter of this.#readyWaiters.splice(0)) waiter();
      this.emit('connected', { reconnect });
    } catch (error) {
      if (error instanceof EslAuthError) log.error({ err: error }, 'ESL authentication failed; will retry');
      else log.warn({ err: error, host, port }, 'ESL connect failed');
      this.#connection?.close();
      this.#connection = undefined;
      this.#scheduleRetry();
    }
  }

  #scheduleRetry(): void {
    if (this.#stopped || this.#retryTimer) return;
    const jitter = 0.8 + Math.random() * 0.4;
    const delay = Math.round(this.#delayMs * jitter);
    this.#delayMs = Math.min(this.#delayMs * 2, this.#options.reconnectMaxMs);
    this.#options.log.info({ delayMs: delay }, 'ESL reconnect scheduled');
    this.#retryTimer = setTimeout(() => void this.#attempt(), delay);
  }

  #onClose(conn: EslConnection, error: Error | undefined): void {
    if (this.#connection !== conn) return;
    this.#connection = undefined;
    // Results of jobs and executions in flight are lost with the socket: fail them now.
    for (const map of [this.#jobs, this.#executes]) {
      for (const [id, pending] of map) {
        clearTimeout(pending.timer);
        pending.reject(new EslDisconnectedError('ESL connection lost before the result arrived'));
        map.delete(id);
      }
    }
    this.emit('disconnected', error);
    this.#scheduleRetry();
  }

  #onEvent(event: EslEvent): void {
    if (event.name === 'BACKGROUND_JOB') {
      const jobId = event.headers['Job-UUID'];
      const pending = jobId ? this.#jobs.get(jobId) : undefined;
      if (pending && jobId) {
        this.#jobs.delete(jobId);
        clearTimeout(pending.timer);
        pending.resolve(event);
      }
    } else if (event.name === 'CHANNEL_EXECUTE_COMPLETE') {
      const appId = event.headers['Application-UUID'];
      const pending = appId ? this.#executes.get(appId) : undefined;
      if (pending && appId) {
        this.#executes.delete(appId);
        clearTimeout(pending.timer);
        pending.resolve(event);
      }
    }
    this.emit('event', event);
  }

  #conn(): EslConnection {
    const conn = this.#connection;
    if (!conn || conn.closed) throw new EslDisconnectedError('ESL is not connected');
    return conn;
  }

  /** `api <command>`; resolves with the response body. Rejects `EslCommandError` on `-ERR`. */
  async api(command: string, timeoutMs = this.#options.commandTimeoutMs): Promise<string> {
    return (await this.#conn().command(`api ${command}`, timeoutMs)).text;
  }

  /**
   * `bgapi <command>` with a client-chosen Job-UUID; resolves with the BACKGROUND_JOB body once the
   * job finishes (e.g. `+OK <uuid>\n` for originate). Rejects `EslCommandError` if the body is `-ERR …`.
   */
  async bgapi(command: string, timeoutMs = this.#options.commandTimeoutMs): Promise<string> {
    const jobId = randomUUID();
    const result = this.#await(this.#jobs, jobId, `bgapi ${command}`, timeoutMs);
    result.catch(() => undefined); // observed below; avoid an unhandled rejection if bgapi itself fails
    try {
      await this.#conn().command(`bgapi ${command}\nJob-UUID: ${jobId}`, this.#options.commandTimeoutMs);
    } catch (error) {
      this.#cancel(this.#jobs, jobId);
      throw error;
    }
    const body = (await result).body ?? '';
    if (/^-(ERR|USAGE)/.test(body)) throw new EslCommandError(command, body.replace(/^-(ERR|USAGE):?\s?/, '').trim());
    return body;
  }

  /**
   * `sendmsg <uuid>` execute of a dialplan application; resolves with its CHANNEL_EXECUTE_COMPLETE
   * event (read `Application-Response` and `variable_*` there). `timeoutMs` bounds the whole
   * application run (set it above the prompt's length). Rejects `EslCommandError` for an unknown uuid.
   */
  async execute(uuid: string, app: string, arg: string | undefined, timeoutMs: number): Promise<EslEvent> {
    const eventId = randomUUID();
    const done = this.#await(this.#executes, eventId, `${app} ${arg ?? ''}`, timeoutMs);
    done.catch(() => undefined); // observed below; avoid an unhandled rejection if sendmsg itself fails
    const lines = [`sendmsg ${uuid}`, 'call-command: execute', `execute-app-name: ${app}`, 'event-lock: true', `Event-UUID: ${eventId}`];
    if (arg !== undefined && arg !== '') {
      if (/[\r\n]/.test(arg)) throw new EslCommandError(app, 'application argument must not contain a line break');
      lines.push(`execute-app-arg: ${arg}`);
    }
    try {
      await this.#conn().command(lines.join('\n'), this.#options.commandTimeoutMs);
    } catch (error) {
      this.#cancel(this.#executes, eventId);
      throw error;
    }
    return done;
  }

  /** `sendmsg <uuid>` hangup with a Q.850 cause name (e.g. `NORMAL_CLEARING`). */
  async hangup(uuid: string, cause: string): Promise<void> {
    await this.#conn().command(`sendmsg ${uuid}\ncall-command: hangup\nhangup-cause: ${cause}`, this.#options.commandTimeoutMs);
  }

  #await(map: Map<string, PendingExecute>, id: string, what: string, timeoutMs: number): Promise<EslEvent> {
    return new Promise<EslEvent>((resolve, reject) => {
      const timer = setTimeout(() => {
        map.delete(id);
        reject(new EslTimeoutError(what, timeoutMs));
      }, timeoutMs);
      map.set(id, { resolve, reject, timer });
    });
  }

  #cancel(map: Map<string, PendingExecute>, id: string): void {
    const pending = map.get(id);
    if (pending) clearTimeout(pending.timer);
    map.delete(id);
  }

  /** Drop the current connection as if the network failed (reconnect follows). For tests/ops. */
  dropConnection(): void {
    this.#connection?.close();
  }

  /** Stop reconnecting and close. Pending commands reject with `EslDisconnectedError`. */
  close(): void {
    this.#stopped = true;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#connection?.close();
  }
}
