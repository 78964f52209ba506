import { connect, type Socket } from 'node:net';
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { EslFrameParser, type EslMessage } from './frame-parser.js';
import { decodeEvent, type EslEvent } from './event.js';
import { EslAuthError, EslCommandError, EslDisconnectedError, EslProtocolError, EslTimeoutError } from './errors.js';

/** How long we wait for the TCP connect + `auth/request` greeting. */
const CONNECT_TIMEOUT_MS = 5_000;

interface PendingReply {
  readonly command: string;
  readonly resolve: (message: EslMessage) => void;
  readonly reject: (error: Error) => void;
  settled: boolean;
}

/** Events emitted by `EslConnection`. */
export interface EslConnectionEvents {
  event: [EslEvent];
  close: [Error | undefined];
}

/**
 * One authenticated inbound event-socket connection. Replies are matched to commands strictly in
 * order (FreeSWITCH answers in order); a command that times out keeps its place in the queue so a
 * late reply is consumed by it and never handed to the next command.
 * Malformed messages are logged and skipped; unrecoverable framing closes the connection (the
 * reconnecting client above opens a new one).
 */
export class EslConnection extends EventEmitter<EslConnectionEvents> {
  readonly #socket: Socket;
  readonly #parser = new EslFrameParser();
  readonly #queue: PendingReply[] = [];
  readonly #log: Logger;
  #closed = false;

  private constructor(socket: Socket, log: Logger) {
    super();
    this.#socket = socket;
    this.#log = log;
  }

  /**
   * Connect to `host:port`, authenticate with `password`, and resolve once `+OK accepted`.
   * Rejects with `EslAuthError` on a wrong password, `EslTimeoutError` if FreeSWITCH does not greet
   * within 5 s, or the socket error (e.g. ECONNREFUSED).
   */
  static async open(options: { host: string; port: number; password: string; log: Logger }): Promise<EslConnection> {
    const socket = connect({ host: options.host, port: options.port });
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 10_000);
    const conn = new EslConnection(socket, options.log);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new EslTimeoutError('connect', CONNECT_TIMEOUT_MS));
      }, CONNECT_TIMEOUT_MS);
      const onError = (error: Error) => {
        clearTimeout(timer);
        reject(error);
      };
      socket.once('error', onError);
      conn.#awaitGreeting = () => {
        clearTimeout(timer);
        socket.off('error', onError);
        resolve();
      };
      conn.#attach();
    });
    const reply = await conn.#send(`auth ${options.password}`, CONNECT_TIMEOUT_MS).catch((error: unknown) => {
      conn.close();
      throw error;
    });
    const text = reply.headers.get('Reply-Text') ?? '';
    if (!text.startsWith('+OK')) {
      conn.close();
      throw new EslAuthError(`event socket authentication failed: ${text}`);
    }
    return conn;
  }

  #awaitGreeting: (() => void) | undefined;

  #attach(): void {
    this.#socket.on('data', (chunk: Buffer) => {
      let messages: EslMessage[];
      try {
        messages = this.#parser.push(chunk);
      } catch (error) {
        this.#log.error({ err: error }, 'unrecoverable ESL framing; dropping connection');
        this.#finish(error as Error);
        return;
      }
      for (const message of messages) this.#dispatch(message);
    });
    this.#socket.on('error', (error) => this.#finish(error));
    this.#socket.on('close', () => this.#finish(undefined));
  }

  #dispatch(message: EslMessage): void {
    const type = message.headers.get('Content-Type');
    switch (type) {
      case 'auth/request':
        this.#awaitGreeting?.();
        this.#awaitGreeting = undefined;
        return;
      case 'command/reply':
      case 'api/response': {
        const pending = this.#queue.shift();
        if (!pending) {
          this.#log.warn({ type }, 'ESL reply with no pending command; ignored');
          return;
        }
        if (!pending.settled) {
          pending.settled = true;
          pending.resolve(message);
        }
        return;
      }
      case 'text/event-json':
      case 'text/event-plain':
        try {
          this.emit('event', decodeEvent(message));
        } catch (error) {
          if (error instanceof EslProtocolError) this.#log.warn({ err: error }, 'malformed ESL event skipped');
          else throw error;
        }
        return;
      case 'text/disconnect-notice':
        this.#log.info('FreeSWITCH sent disconnect-notice');
        return;
      case 'text/rude-rejection':
        this.#log.error({ body: message.body }, 'FreeSWITCH refused the connection (ACL)');
        return;
      default:
        this.#log.warn({ type }, 'unknown ESL content type skipped');
    }
  }

  #send(command: string, timeoutMs: number): Promise<EslMessage> {
    if (this.#closed) return Promise.reject(new EslDisconnectedError('ESL connection is closed'));
    return new Promise<EslMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.settled = true;
        reject(new EslTimeoutError(command, timeoutMs));
      }, timeoutMs);
      const pending: PendingReply = {
        command,
        settled: false,
        resolve: (message) => { clearTimeout(timer); resolve(message); },
        reject: (error) => { clearTimeout(timer); reject(error); },
      };
      // A timed-out entry stays queued (settled) so that its late reply is consumed by it.
      this.#queue.push(pending);
      this.#socket.write(`${command}\n\n`);
    });
  }

  /**
   * Send a raw command (first line plus optional header lines, no trailing blank line) and return
   * the `Reply-Text` / api body. Rejects `EslCommandError` when it starts with `-ERR`/`-USAGE`
   * (unless `allowError`), `EslTimeoutError`, or `EslDisconnectedError`.
   */
  async command(command: string, timeoutMs: number, allowError = false): Promise<{ text: string; message: EslMessage }> {
    const message = await this.#send(command, timeoutMs);
    const text = message.headers.get('Content-Type') === 'api/response'
      ? (message.body ?? '')
      : (message.headers.get('Reply-Text') ?? '');
    if (!allowError && /^-(ERR|USAGE)/.test(text)) throw new EslCommandError(command, text.replace(/^-(ERR|USAGE):?\s?/, '').trim());
    return { text, message };
  }

  /** Close the socket; pending commands reject with `EslDisconnectedError`. Idempotent. */
  close(): void {
    this.#socket.destroy();
    this.#finish(undefined);
  }

  get closed(): boolean {
    return this.#closed;
  }

  #finish(error: Error | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.destroy();
    for (const pending of this.#queue.splice(0)) {
      if (!pending.settled) {
        pending.settled = true;
        pending.reject(new EslDisconnectedError(`ESL connection lost during: ${pending.command.split('\n')[0]}`));
      }
    }
    this.emit('close', error);
  }
}
