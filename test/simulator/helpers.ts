/**
 * Test helpers: a raw ESL client (no library, so the bytes are what the simulator sent), fixture
 * readers, tone WAV synthesis and a tiny WebSocket server that records what a fork sends.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { encodeWav } from '../../src/simulator/index.js';

import { FIXTURES_DIR } from '../support/fixtures.js';

export const FIXTURES = FIXTURES_DIR;

/** One message received from the server, envelope headers in order. */
export interface EslMessage {
  readonly raw: Buffer;
  readonly headers: Array<[string, string]>;
  readonly body: string | undefined;
  header(name: string): string | undefined;
  /** Parsed JSON body for `text/event-json`. */
  json(): Record<string, unknown>;
}

function message(raw: Buffer, headers: Array<[string, string]>, body: string | undefined): EslMessage {
  return {
    raw,
    headers,
    body,
    header: (n) => headers.find(([k]) => k.toLowerCase() === n.toLowerCase())?.[1],
    json: () => JSON.parse(body ?? '{}') as Record<string, unknown>,
  };
}

/** A raw ESL client that splits the stream into messages and lets tests await them. */
export class EslClient {
  readonly socket: net.Socket;
  private buf = Buffer.alloc(0);
  readonly messages: EslMessage[] = [];
  private waiters: Array<{ pred: (m: EslMessage) => boolean; resolve: (m: EslMessage) => void; from: number }> = [];
  private cursor = 0;
  closed: Promise<void>;

  private constructor(port: number) {
    this.socket = net.connect({ host: '127.0.0.1', port });
    this.socket.on('data', (c: Buffer) => this.onData(c));
    this.closed = new Promise((r) => this.socket.once('close', () => r()));
    this.socket.on('error', () => undefined);
  }

  /** Connects and waits for `auth/request`. */
  static async connect(port: number): Promise<EslClient> {
    const c = new EslClient(port);
    await c.next((m) => m.header('Content-Type') === 'auth/request');
    return c;
  }

  /** Connects, authenticates and optionally subscribes (`event json …`). */
  static async ready(port: number, events?: string, password = 'ClueCon'): Promise<EslClient> {
    const c = await EslClient.connect(port);
    const r = await c.command(`auth ${password}`);
    if (r.header('Reply-Text') !== '+OK accepted') throw new Error('auth failed');
    if (events) await c.command(`event ${events}`);
    return c;
  }

  private onData(chunk: Buffer): void {
    this.buf = Buffer.concat([this.buf, chunk]);
    for (;;) {
      const end = this.buf.indexOf('\n\n');
      if (end < 0) return;
      const head = this.buf.toString('utf8', 0, end);
      const headers = head.split('\n').map((l) => {
        const i = l.indexOf(': ');
        return [l.slice(0, i), l.slice(i + 2)] as [string, string];
      });
      const cl = headers.find(([k]) => k === 'Content-Length');
      const len = cl ? Number(cl[1]) : 0;
      if (this.buf.length < end + 2 + len) return;
      const raw = this.buf.subarray(0, end + 2 + len);
      const body = cl ? this.buf.toString('utf8', end + 2, end + 2 + len) : undefined;
      this.buf = this.buf.subarray(end + 2 + len);
      const m = message(Buffer.from(raw), headers, body);
      this.messages.push(m);
      const idx = this.messages.length - 1;
      for (const w of [...this.waiters]) {
        if (idx >= w.from && w.pred(m)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(m);
        }
      }
    }
  }

  /** Resolves with the first message (at or after the cursor) matching `pred`; advances the cursor. */
  next(pred: (m: EslMessage) => boolean = () => true, timeoutMs = 10000): Promise<EslMessage> {
    for (let i = this.cursor; i < this.messages.length; i++) {
      if (pred(this.messages[i]!)) {
        this.cursor = i + 1;
        return Promise.resolve(this.messages[i]!);
      }
    }
    const from = this.messages.length;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timeout waiting for ESL message')), timeoutMs);
      this.waiters.push({
        pred,
        from,
        resolve: (m) => {
          clearTimeout(timer);
          this.cursor = this.messages.indexOf(m) + 1;
          resolve(m);
        },
      });
    });
  }

  /** Waits for an event (json) whose headers satisfy `pred` — searches from the start of the stream. */
  event(pred: (e: Record<string, unknown>) => boolean, timeoutMs = 10000): Promise<Record<string, unknown>> {
    const isEv = (m: EslMessage) => m.header('Content-Type') === 'text/event-json' && pred(m.json());
    const found = this.messages.find(isEv);
    if (found) return Promise.resolve(found.json());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timeout waiting for event')), timeoutMs);
      this.waiters.push({
        pred: isEv,
        from: this.messages.length,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m.json());
        },
      });
    });
  }

  /** All json events so far. */
  events(): Array<Record<string, unknown>> {
    return this.messages.filter((m) => m.header('Content-Type') === 'text/event-json').map((m) => m.json());
  }

  send(text: string): void {
    this.socket.write(text);
  }

  /** Sends a command (adds the blank line) and resolves with its reply (command/reply or api/response). */
  command(line: string, extraHeaders = ''): Promise<EslMessage> {
    const p = this.next((m) => ['command/reply', 'api/response'].includes(m.header('Content-Type') ?? ''));
    this.send(`${line}\n${extraHeaders}\n`);
    return p;
  }

  /** `api <cmd>` and returns the body. */
  async api(cmd: string): Promise<string> {
    return (await this.command(`api ${cmd}`)).body ?? '';
  }

  /** `sendmsg <uuid>` execute with an Event-UUID; returns the reply text. */
  async execute(uuid: string, app: string, arg: string | undefined, eventUuid: string): Promise<string> {
    const h = `call-command: execute\nexecute-app-name: ${app}\n${arg !== undefined ? `execute-app-arg: ${arg}\n` : ''}Event-UUID: ${eventUuid}\n`;
    return (await this.command(`sendmsg ${uuid}`, h)).header('Reply-Text') ?? '';
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Parses a fixture `*.txt` stream into records. */
export function readFixtureStream(name: string): Array<{ dir: 'sent' | 'received' | 'close'; bytes: Buffer }> {
  const data = readFileSync(join(FIXTURES, name));
  const out: Array<{ dir: 'sent' | 'received' | 'close'; bytes: Buffer }> = [];
  let off = 0;
  while (off < data.length) {
    const nl = data.indexOf(0x0a, off);
    const line = data.toString('utf8', off, nl);
    off = nl + 1;
    if (line.startsWith('===')) {
      out.push({ dir: 'close', bytes: Buffer.alloc(0) });
      continue;
    }
    const m = /^(>>> SENT|<<< RECEIVED) .* bytes=(\d+)$/.exec(line);
    if (!m) continue;
    const n = Number(m[2]);
    out.push({ dir: m[1] === '>>> SENT' ? 'sent' : 'received', bytes: data.subarray(off, off + n) });
    off += n + 1;
  }
  return out;
}

/** Header names in order of a JSON event body (duplicates kept). */
export function jsonKeys(body: string): string[] {
  const keys: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)":(?:"(?:[^"\\]|\\.)*"|\[[^\]]*\])/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(body))) keys.push(JSON.parse(`"${m[1]}"`) as string);
  return keys;
}

/** Ordered [name, value] pairs of a JSON event body (duplicates kept, arrays as arrays). */
export function jsonPairs(body: string): Array<[string, string | string[]]> {
  const pairs: Array<[string, string | string[]]> = [];
  const re = /"((?:[^"\\]|\\.)*)":("(?:[^"\\]|\\.)*"|\[[^\]]*\])/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(body))) pairs.push([JSON.parse(`"${m[1]}"`) as string, JSON.parse(m[2]!) as string | string[]]);
  return pairs;
}

/** A temp directory for this test file. */
export function tempDir(prefix = 'fssim-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes a sine-tone WAV (16-bit mono) and returns its path. */
export function toneWav(dir: string, name: string, freqHz: number, ms: number, rate: number, amplitude = 8000): string {
  const n = Math.round((rate * ms) / 1000);
  const s = new Int16Array(n);
  for (let i = 0; i < n; i++) s[i] = Math.round(amplitude * Math.sin((2 * Math.PI * freqHz * i) / rate));
  const path = join(dir, name);
  writeFileSync(path, encodeWav(s, rate));
  return path;
}

/** Dominant frequency estimate by zero crossings (Hz). */
export function zeroCrossingHz(samples: Int16Array | number[], rate: number): number {
  let crossings = 0;
  for (let i = 1; i < samples.length; i++) if ((samples[i - 1]! < 0) !== (samples[i]! < 0)) crossings++;
  return (crossings / 2) * (rate / samples.length);
}

export function rms(samples: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i]! * samples[i]!;
  return Math.sqrt(sum / Math.max(1, samples.length));
}

/** A recording WebSocket server (accepts any subprotocol). */
export interface MediaServer {
  readonly port: number;
  readonly connections: Array<{
    ws: WebSocket;
    url: string;
    headers: Record<string, string | string[] | undefined>;
    texts: string[];
    binaries: Buffer[];
    closed: Promise<{ code: number; reason: string }>;
  }>;
  nextConnection(): Promise<MediaServer['connections'][number]>;
  close(): Promise<void>;
}

export async function startMediaServer(): Promise<MediaServer> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false, handleProtocols: (p) => [...p][0] ?? false });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const connections: MediaServer['connections'] = [];
  const waiters: Array<(c: MediaServer['connections'][number]) => void> = [];
  wss.on('connection', (ws, req) => {
    let onClose!: (v: { code: number; reason: string }) => void;
    const conn = {
      ws,
      url: req.url ?? '',
      headers: req.headers,
      texts: [] as string[],
      binaries: [] as Buffer[],
      closed: new Promise<{ code: number; reason: string }>((r) => (onClose = r)),
    };
    ws.on('message', (data, isBinary) => {
      if (isBinary) conn.binaries.push(Buffer.from(data as Buffer));
      else conn.texts.push(data.toString());
    });
    ws.on('close', (code, reason) => onClose({ code, reason: reason.toString() }));
    connections.push(conn);
    const w = waiters.shift();
    if (w) w(conn);
  });
  let taken = 0;
  return {
    port: (wss.address() as net.AddressInfo).port,
    connections,
    nextConnection() {
      const existing = connections[taken];
      if (existing) {
        taken++;
        return Promise.resolve(existing);
      }
      return new Promise((r) =>
        waiters.push((c) => {
          taken++;
          r(c);
        }),
      );
    },
    close: () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => r());
      }),
  };
}
