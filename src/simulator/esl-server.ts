/**
 * The inbound event socket (mod_event_socket) over TCP: authentication, event subscriptions in
 * plain/json/xml, filters, `api`/`bgapi`, `sendmsg`, `exit`, with the reply texts of FreeSWITCH 1.11.
 *
 * Like FreeSWITCH, each connection answers commands strictly in order, and events that occur while a
 * command is executing (e.g. a blocking `api originate`) are held and written after its reply.
 */
import net from 'node:net';
import type { ApiDeps } from './api.js';
import { executeApi } from './api.js';
import type { FsEvent } from './event.js';
import {
  apiResponse,
  authRequest,
  commandReply,
  CommandParser,
  disconnectNotice,
  headerOf,
  type ClientMessage,
  type EventFormat,
} from './wire.js';

/** Events a connection may queue for a slow reader before further events are dropped. */
const MAX_PENDING_BYTES = 64 * 1024 * 1024;

const LOG_LEVELS: Readonly<Record<string, number>> = {
  console: 0,
  alert: 1,
  crit: 2,
  err: 3,
  error: 3,
  warning: 4,
  notice: 5,
  info: 6,
  debug: 7,
};

interface Subscription {
  all: boolean;
  readonly events: Set<string>;
  readonly subclasses: Set<string>;
}

type Filter = readonly [header: string, value: string];

class EslConnection {
  private authed = false;
  private format: EventFormat = 'plain';
  private sub: Subscription | undefined;
  private filters: Filter[] = [];
  private myEventsUuid: string | undefined;
  private readonly parser = new CommandParser();
  private readonly inbox: ClientMessage[] = [];
  private busy = false;
  private held: Buffer[] = [];
  private closed = false;
  private droppedWarned = false;

  constructor(
    private readonly server: EslServer,
    readonly socket: net.Socket,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      server.forget(this);
    });
    this.write(authRequest());
  }

  private write(buf: Buffer): void {
    if (this.closed || this.socket.destroyed) return;
    this.socket.write(buf);
  }

  private onData(chunk: Buffer): void {
    let msgs: ClientMessage[];
    try {
      msgs = this.parser.push(chunk);
    } catch (err) {
      this.server.deps.core.log.warn({ err }, 'ESL client sent malformed input; dropping connection');
      this.socket.destroy();
      return;
    }
    this.inbox.push(...msgs);
    if (!this.busy) void this.drain();
  }

  private async drain(): Promise<void> {
    this.busy = true;
    try {
      while (this.inbox.length > 0 && !this.closed) {
        const msg = this.inbox.shift()!;
        try {
          await this.handle(msg);
        } catch (err) {
          this.server.deps.core.log.error({ err, command: msg.command }, 'ESL command failed');
          this.write(commandReply('-ERR command failed'));
        }
        this.flushHeld();
      }
    } finally {
      this.busy = false;
      this.flushHeld();
    }
  }

  private flushHeld(): void {
    const held = this.held;
    this.held = [];
    for (const b of held) this.write(b);
  }

  /** Delivers an event if this connection's subscription and filters want it. */
  deliver(ev: FsEvent): void {
    if (!this.authed || !this.sub || this.closed) return;
    const s = this.sub;
    const send =
      s.all || (s.events.has(ev.name) && (ev.name !== 'CUSTOM' || !ev.subclass || s.subclasses.has(ev.subclass)));
    if (!send) return;
    if (this.myEventsUuid !== undefined && ev.get('Unique-ID') !== this.myEventsUuid) return;
    if (this.filters.length > 0 && !passesFilters(ev, this.filters)) return;
    const buf = ev.wire(this.format);
    if (this.socket.writableLength > MAX_PENDING_BYTES) {
      if (!this.droppedWarned) this.server.deps.core.log.warn({}, 'ESL client not reading; dropping events');
      this.droppedWarned = true;
      return;
    }
    this.droppedWarned = false;
    if (this.busy) this.held.push(buf);
    else this.write(buf);
  }

  private reply(text: string, extra: ReadonlyArray<readonly [string, string]> = []): void {
    this.write(commandReply(text, extra));
  }

  private goodbye(text: string): void {
    this.reply(text);
    this.write(disconnectNotice());
    this.closed = true;
    this.socket.end();
  }

  private async handle(msg: ClientMessage): Promise<void> {
    const cmd = msg.command;
    this.server.deps.core.log.debug({ command: cmd.startsWith('auth ') ? 'auth ***' : cmd }, 'esl command');
    const word = (/^\S*/.exec(cmd)?.[0] ?? '').toLowerCase();
    if (!this.authed) {
      if (word === 'auth' && cmd.length > 5) {
        if (cmd.slice(5).trim() === this.server.deps.password) {
          this.authed = true;
          this.reply('+OK accepted');
        } else this.goodbye('-ERR invalid');
      } else this.reply('-ERR command not found');
      return;
    }
    switch (word) {
      case 'exit':
        this.goodbye('+OK bye');
        return;
      case 'event':
        this.eventCommand(cmd.slice(5));
        return;
      case 'nixevent':
        this.nixevent(cmd.slice(8));
        return;
      case 'noevents':
        this.sub = undefined;
        this.reply('+OK no longer listening for events');
        return;
      case 'filter':
        this.filterCommand(cmd.slice(6).trim());
        return;
      case 'myevents': {
        const parts = cmd.slice(8).trim().split(/\s+/).filter(Boolean);
        const fmt = parts.find((p) => p === 'json' || p === 'plain' || p === 'xml') as EventFormat | undefined;
        this.myEventsUuid = parts.find((p) => p !== fmt) ?? '';
        this.format = fmt ?? 'plain';
        this.sub = { all: true, events: new Set(), subclasses: new Set() };
        this.reply('+OK Events Enabled');
        return;
      }
      case 'divert_events':
        this.reply('-ERR not controlling a session.');
        return;
      case 'linger':
      case 'nolinger':
        this.reply('-ERR not controlling a session');
        return;
      case 'log': {
        const level = cmd.slice(3).trim().toLowerCase() || 'debug';
        this.reply(`+OK log level ${level} [${LOG_LEVELS[level] ?? 7}]`);
        return;
      }
      case 'nolog':
        this.reply('+OK no longer logging');
        return;
      case 'api':
        if (!cmd.startsWith('api ') && !/^api /i.test(cmd)) break;
        await this.api(cmd.slice(4));
        return;
      case 'bgapi':
        if (!/^bgapi /i.test(cmd)) break;
        this.bgapi(cmd.slice(6), headerOf(msg, 'Job-UUID'));
        return;
      case 'sendmsg':
        this.sendmsg(cmd.slice(7).trim(), msg);
        return;
      default:
        break;
    }
    this.reply('-ERR command not found');
  }

  private eventCommand(rest: string): void {
    const words = rest.trim().split(/\s+/).filter(Boolean);
    let format: EventFormat = 'plain';
    if (words[0] && ['plain', 'json', 'xml'].includes(words[0].toLowerCase())) {
      format = words.shift()!.toLowerCase() as EventFormat;
    }
    this.format = format;
    this.sub ??= { all: false, events: new Set(), subclasses: new Set() };
    let custom = false;
    for (const w of words) {
      if (custom) this.sub.subclasses.add(w);
      else if (w.toUpperCase() === 'ALL') this.sub.all = true;
      else if (w.toUpperCase() === 'CUSTOM') {
        custom = true;
        this.sub.events.add('CUSTOM');
      } else this.sub.events.add(w.toUpperCase());
    }
    this.reply(`+OK event listener enabled ${format}`);
  }

  private nixevent(rest: string): void {
    const words = rest.trim().split(/\s+/).filter(Boolean);
    if (this.sub) {
      let custom = false;
      for (const w of words) {
        if (custom) this.sub.subclasses.delete(w);
        else if (w.toUpperCase() === 'ALL') {
          this.sub.all = false;
          this.sub.events.clear();
          this.sub.subclasses.clear();
        } else if (w.toUpperCase() === 'CUSTOM') custom = true;
        else this.sub.events.delete(w.toUpperCase());
      }
    }
    this.reply('+OK events nixed');
  }

  private filterCommand(rest: string): void {
    const m = /^delete\s*(.*)$/i.exec(rest);
    if (m) {
      const [name, ...vals] = m[1]!.trim().split(/\s+/).filter(Boolean);
      const value = vals.join(' ');
      if (!name || name.toLowerCase() === 'all') this.filters = [];
      else this.filters = this.filters.filter(([h, v]) => !(h.toLowerCase() === name.toLowerCase() && (!value || v === value)));
      this.reply(`+OK filter deleted. [${name ?? ''}][${value}]`);
      return;
    }
    const sp = rest.indexOf(' ');
    if (sp <= 0) {
      this.reply('-ERR invalid syntax');
      return;
    }
    const name = rest.slice(0, sp);
    const value = rest.slice(sp + 1).trim();
    this.filters.push([name, value]);
    this.reply(`+OK filter added. [${name}]=[${value}]`);
  }

  private async api(line: string): Promise<void> {
    const sp = line.indexOf(' ');
    const command = sp < 0 ? line : line.slice(0, sp);
    const arg = sp < 0 ? undefined : line.slice(sp + 1);
    const out = await this.server.runApi(command, arg);
    this.write(apiResponse(out));
  }

  private bgapi(line: string, clientJobUuid: string | undefined): void {
    const jobUuid = clientJobUuid?.trim() || this.server.deps.core.uuid();
    this.reply(`+OK Job-UUID: ${jobUuid}`, [['Job-UUID', jobUuid]]);
    const sp = line.indexOf(' ');
    const command = sp < 0 ? line : line.slice(0, sp);
    const arg = sp < 0 ? undefined : line.slice(sp + 1);
    void this.server.runApi(command, arg).then((out) => {
      const core = this.server.deps.core;
      const ev = core.event('BACKGROUND_JOB').add('Job-UUID', jobUuid).add('Job-Command', command);
      if (arg !== undefined) ev.add('Job-Command-Arg', arg);
      ev.body = out;
      core.fire(ev);
    });
  }

  private sendmsg(uuid: string, msg: ClientMessage): void {
    const { core, apps, calls } = this.server.deps;
    const ch = uuid ? core.channels.get(uuid) : undefined;
    if (!ch || !ch.alive) {
      this.reply(`-ERR invalid session id [${uuid}]`);
      return;
    }
    const callCommand = (headerOf(msg, 'call-command') ?? '').toLowerCase();
    this.reply('+OK');
    if (callCommand === 'execute') {
      const name = headerOf(msg, 'execute-app-name');
      if (!name) return;
      const arg = headerOf(msg, 'execute-app-arg') ?? (msg.body !== undefined && msg.body !== '' ? msg.body : undefined);
      const appUuid = headerOf(msg, 'Event-UUID') ?? core.uuid();
      const loops = Math.max(1, Number(headerOf(msg, 'loops') ?? 1) || 1);
      for (let i = 0; i < loops; i++) apps.enqueue(ch, { name, arg, appUuid, loops: true });
    } else if (callCommand === 'hangup') {
      const cause = (headerOf(msg, 'hangup-cause') ?? 'NORMAL_CLEARING').trim().toUpperCase();
      core.clock.after(0, () => calls.hangup(ch, /^[A-Z_]+$/.test(cause) ? cause : 'NORMAL_CLEARING'));
    }
  }
}

function passesFilters(ev: FsEvent, filters: readonly Filter[]): boolean {
  let send = false;
  for (const [name, raw] of filters) {
    const hval = ev.getCaseInsensitive(name);
    if (hval === undefined) continue;
    let pos = true;
    let v = raw;
    while (v.length && (v[0] === '+' || v[0] === '-' || v[0] === ' ')) {
      if (v[0] === '-') pos = false;
      if (v[0] === '+') pos = true;
      v = v.slice(1);
    }
    if (send && pos) continue;
    let cmp: boolean;
    if (raw.startsWith('/')) {
      try {
        cmp = new RegExp(v.replace(/^\/|\/$/g, '')).test(hval);
      } catch {
        cmp = false;
      }
    } else cmp = hval.toLowerCase() === v.toLowerCase();
    if (cmp) {
      if (pos) send = true;
      else return false;
    }
  }
  return send;
}

/** What the ESL server needs. */
export interface EslServerDeps extends ApiDeps {
  readonly password: string;
}

export class EslServer {
  private readonly server: net.Server;
  private readonly conns = new Set<EslConnection>();
  private readonly unsubscribe: () => void;

  constructor(readonly deps: EslServerDeps) {
    this.server = net.createServer((socket) => {
      this.conns.add(new EslConnection(this, socket));
    });
    this.server.on('error', (err) => deps.core.log.error({ err }, 'ESL server error'));
    this.unsubscribe = deps.core.onEvent((ev) => {
      for (const c of this.conns) c.deliver(ev);
    });
  }

  /** Starts listening; resolves with the bound port. */
  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as net.AddressInfo).port);
      });
    });
  }

  /** Number of open ESL connections. */
  get connectionCount(): number {
    return this.conns.size;
  }

  forget(c: EslConnection): void {
    this.conns.delete(c);
  }

  /** Runs an API command and formats "command not found" like mod_event_socket. */
  async runApi(command: string, arg: string | undefined): Promise<string> {
    const out = await executeApi(this.deps, command, arg);
    return out ?? `-ERR ${command} Command not found!\n`;
  }

  /** Destroys every ESL socket without a goodbye (network failure); calls continue. */
  dropConnections(): void {
    for (const c of this.conns) c.socket.destroy();
    this.conns.clear();
  }

  async close(): Promise<void> {
    this.unsubscribe();
    this.dropConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
