/**
 * A small RFC 6455 WebSocket client on raw TCP/TLS, written so that the simulator's audio streams
 * look like FreeSWITCH's on the wire:
 *
 * - `libwebsockets` header style (mod_audio_fork): the exact request of the captures — `Pragma`,
 *   `Cache-Control`, `Host` **without port**, `Origin`, `Upgrade`, `Connection`, key, protocol,
 *   version, then an optional lowercase `authorization` header last. A 101 without the subprotocol
 *   is accepted (as libwebsockets does).
 * - `ixwebsocket` header style (mod_audio_stream): `Host: host:port`, no subprotocol, a User-Agent.
 * - Every frame is masked and FIN; payloads ≥ 126 bytes use the 16-bit length form.
 * - Server close frames are echoed with the same code and reason.
 *
 * Events: `open`, `text` (string), `binary` (Buffer), `close` ({@link WsCloseInfo}),
 * `failed` ({@link WsFailure}, connection or handshake failure before `open`).
 */
import { EventEmitter } from 'node:events';
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export interface WsCloseInfo {
  /** Close code from the close frame, 1006 when the TCP connection dropped without one. */
  readonly code: number;
  readonly reason: string;
  /** True when the server initiated the close (close frame or TCP drop). */
  readonly byServer: boolean;
}

export interface WsFailure {
  /** `connect` = TCP/TLS connection failed; `handshake` = HTTP response was not a valid 101. */
  readonly kind: 'connect' | 'handshake';
  /** HTTP status of a failed handshake (0 when none). */
  readonly httpStatus: number;
  /** HTTP status line, e.g. `HTTP/1.1 403 Forbidden` (empty when none). */
  readonly statusLine: string;
  readonly message: string;
}

export interface WsClientOptions {
  /** `ws://` or `wss://` URL; the query string is kept on the GET line. */
  readonly url: string;
  readonly headerStyle: 'libwebsockets' | 'ixwebsocket';
  /** Offered subprotocols (`Sec-WebSocket-Protocol`). */
  readonly protocols?: readonly string[];
  /** Value of a lowercase `authorization` header appended last (libwebsockets style). */
  readonly authorization?: string;
  /** Extra headers (ixwebsocket style). */
  readonly extraHeaders?: Readonly<Record<string, string>>;
  /** Give up connecting after this many real ms (default 5000). */
  readonly connectTimeoutMs?: number;
}

type State = 'connecting' | 'open' | 'closing' | 'closed';

export class RawWsClient extends EventEmitter {
  private socket: net.Socket | undefined;
  private state: State = 'connecting';
  private rx: Buffer = Buffer.alloc(0);
  private handshakeDone = false;
  private fragments: Buffer[] = [];
  private fragmentOpcode = 0;
  private sentClose = false;
  private closeInfo: WsCloseInfo | undefined;
  private key = randomBytes(16).toString('base64');
  private closeTimer: NodeJS.Timeout | undefined;
  private connectTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: WsClientOptions) {
    super();
  }

  /** Bytes queued in the socket and not yet sent (for back-pressure). */
  get bufferedAmount(): number {
    return this.socket?.writableLength ?? 0;
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  /** Resolves on the socket's next `drain` (or at once if nothing is queued or the socket is gone). */
  drained(): Promise<void> {
    const s = this.socket;
    if (!s || s.destroyed || s.writableLength === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        s.off('drain', done);
        s.off('close', done);
        resolve();
      };
      s.once('drain', done);
      s.once('close', done);
    });
  }

  /** Starts connecting. Emits `open` or `failed`. */
  connect(): void {
    let u: URL;
    try {
      u = new URL(this.opts.url);
    } catch {
      queueMicrotask(() => this.fail('connect', 0, '', `invalid url ${this.opts.url}`));
      return;
    }
    const secure = u.protocol === 'wss:' || u.protocol === 'https:';
    if (!secure && u.protocol !== 'ws:' && u.protocol !== 'http:') {
      queueMicrotask(() => this.fail('connect', 0, '', `unsupported scheme ${u.protocol}`));
      return;
    }
    const host = u.hostname.replace(/^\[|\]$/g, '');
    const port = u.port ? Number(u.port) : secure ? 443 : 80;
    const onConnect = () => {
      clearTimeout(this.connectTimer);
      this.socket?.write(this.requestBytes(u, host, port));
    };
    const sock = secure
      ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, rejectUnauthorized: false }, onConnect)
      : net.connect({ host, port }, onConnect);
    sock.setNoDelay(true);
    this.socket = sock;
    this.connectTimer = setTimeout(() => {
      this.fail('connect', 0, '', 'connect timeout');
      sock.destroy();
    }, this.opts.connectTimeoutMs ?? 5000);
    this.connectTimer.unref();
    sock.on('data', (chunk: Buffer) => this.onData(chunk));
    sock.on('error', (err) => {
      if (!this.handshakeDone) this.fail('connect', 0, '', err.message);
    });
    sock.on('close', () => this.onSocketClose());
  }

  private requestBytes(u: URL, host: string, port: number): string {
    const path = (u.pathname || '/') + u.search;
    const lines = [`GET ${path} HTTP/1.1`];
    if (this.opts.headerStyle === 'libwebsockets') {
      lines.push('Pragma: no-cache', 'Cache-Control: no-cache', `Host: ${host}`, `Origin: http://${host}`);
      lines.push('Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Key: ${this.key}`);
      if (this.opts.protocols?.length) lines.push(`Sec-WebSocket-Protocol: ${this.opts.protocols.join(', ')}`);
      lines.push('Sec-WebSocket-Version: 13');
      if (this.opts.authorization) lines.push(`authorization: ${this.opts.authorization}`);
    } else {
      lines.push(`Host: ${host}:${port}`, 'Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Version: 13');
      lines.push(`Sec-WebSocket-Key: ${this.key}`);
      if (this.opts.protocols?.length) lines.push(`Sec-WebSocket-Protocol: ${this.opts.protocols.join(', ')}`);
      for (const [k, v] of Object.entries(this.opts.extraHeaders ?? {})) lines.push(`${k}: ${v}`);
      lines.push('User-Agent: ixwebsocket/11.4.5 linux nossl-zlib');
    }
    return lines.join('\r\n') + '\r\n\r\n';
  }

  private fail(kind: WsFailure['kind'], httpStatus: number, statusLine: string, message: string): void {
    if (this.state === 'closed') return;
    clearTimeout(this.connectTimer);
    this.state = 'closed';
    this.socket?.destroy();
    this.emit('failed', { kind, httpStatus, statusLine, message } satisfies WsFailure);
  }

  private onData(chunk: Buffer): void {
    this.rx = this.rx.length ? Buffer.concat([this.rx, chunk]) : chunk;
    if (!this.handshakeDone) {
      const end = this.rx.indexOf('\r\n\r\n');
      if (end < 0) {
        if (this.rx.length > 16384) this.fail('handshake', 0, '', 'response headers too large');
        return;
      }
      const head = this.rx.toString('latin1', 0, end);
      this.rx = this.rx.subarray(end + 4);
      const lines = head.split('\r\n');
      const statusLine = lines[0] ?? '';
      const status = Number(/^HTTP\/\d\.\d (\d{3})/.exec(statusLine)?.[1] ?? 0);
      const headers = new Map<string, string>();
      for (const l of lines.slice(1)) {
        const i = l.indexOf(':');
        if (i > 0) headers.set(l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim());
      }
      const accept = createHash('sha1').update(this.key + WS_GUID).digest('base64');
      if (status !== 101 || headers.get('sec-websocket-accept') !== accept) {
        this.fail('handshake', status, statusLine, `upgrade failed: ${statusLine}`);
        return;
      }
      this.handshakeDone = true;
      this.state = 'open';
      this.emit('open');
    }
    this.parseFrames();
  }

  private parseFrames(): void {
    for (;;) {
      const b = this.rx;
      if (b.length < 2) return;
      const fin = (b[0]! & 0x80) !== 0;
      const opcode = b[0]! & 0x0f;
      const masked = (b[1]! & 0x80) !== 0;
      let len = b[1]! & 0x7f;
      let off = 2;
      if (len === 126) {
        if (b.length < 4) return;
        len = b.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (b.length < 10) return;
        len = Number(b.readBigUInt64BE(2));
        off = 10;
      }
      if (len > 64 * 1024 * 1024) {
        this.socket?.destroy();
        return;
      }
      const maskOff = off;
      if (masked) off += 4;
      if (b.length < off + len) return;
      let payload = b.subarray(off, off + len);
      if (masked) {
        payload = Buffer.from(payload);
        for (let i = 0; i < payload.length; i++) payload[i]! ^= b[maskOff + (i & 3)]!;
      }
      this.rx = b.subarray(off + len);
      this.onFrame(fin, opcode, payload);
      if (this.state === 'closed') return;
    }
  }

  private onFrame(fin: boolean, opcode: number, payload: Buffer): void {
    if (opcode === 0x8) {
      const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      const reason = payload.length > 2 ? payload.toString('utf8', 2) : '';
      if (!this.sentClose) {
        // Echo the server's close frame with the same code and reason (libwebsockets behaviour).
        this.writeFrame(0x8, payload.length >= 2 ? Buffer.from(payload) : Buffer.alloc(0));
        this.sentClose = true;
        this.closeInfo = { code, reason, byServer: true };
      } else {
        this.closeInfo ??= { code, reason, byServer: false };
      }
      this.state = 'closing';
      this.socket?.end();
      return;
    }
    if (opcode === 0x9) {
      this.writeFrame(0xa, Buffer.from(payload));
      return;
    }
    if (opcode === 0xa) return;
    if (opcode === 0x1 || opcode === 0x2) {
      if (fin) this.deliver(opcode, payload);
      else {
        this.fragmentOpcode = opcode;
        this.fragments = [Buffer.from(payload)];
      }
      return;
    }
    if (opcode === 0x0 && this.fragments.length > 0) {
      this.fragments.push(Buffer.from(payload));
      if (fin) {
        const whole = Buffer.concat(this.fragments);
        this.fragments = [];
        this.deliver(this.fragmentOpcode, whole);
      }
    }
  }

  private deliver(opcode: number, payload: Buffer): void {
    if (opcode === 0x1) this.emit('text', payload.toString('utf8'));
    else this.emit('binary', payload);
  }

  private onSocketClose(): void {
    clearTimeout(this.closeTimer);
    clearTimeout(this.connectTimer);
    if (!this.handshakeDone) {
      if (this.state !== 'closed') this.fail('connect', 0, '', 'connection closed before upgrade');
      return;
    }
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.emit('close', this.closeInfo ?? ({ code: 1006, reason: '', byServer: !this.sentClose } satisfies WsCloseInfo));
  }

  /** Sends a text frame. Returns false when not open. */
  sendText(text: string): boolean {
    if (this.state !== 'open') return false;
    this.writeFrame(0x1, Buffer.from(text, 'utf8'));
    return true;
  }

  /** Sends a binary frame (copied and masked). Returns false when not open. */
  sendBinary(data: Uint8Array): boolean {
    if (this.state !== 'open') return false;
    this.writeFrame(0x2, data);
    return true;
  }

  /** Starts the closing handshake (close frame with `code`, empty reason by default). */
  close(code = 1000, reason = ''): void {
    if (this.state === 'connecting') {
      this.state = 'closed';
      clearTimeout(this.connectTimer);
      this.socket?.destroy();
      return;
    }
    if (this.state !== 'open') return;
    const r = Buffer.from(reason, 'utf8');
    const p = Buffer.alloc(2 + r.length);
    p.writeUInt16BE(code, 0);
    r.copy(p, 2);
    this.writeFrame(0x8, p);
    this.sentClose = true;
    this.closeInfo = { code, reason, byServer: false };
    this.state = 'closing';
    this.closeTimer = setTimeout(() => this.socket?.destroy(), 1000);
    this.closeTimer.unref();
  }

  /** Drops the TCP connection without a close frame. */
  destroy(): void {
    this.socket?.destroy();
  }

  private writeFrame(opcode: number, payload: Uint8Array): void {
    const s = this.socket;
    if (!s || s.destroyed) return;
    const len = payload.length;
    const headLen = len < 126 ? 2 : len < 65536 ? 4 : 10;
    const frame = Buffer.allocUnsafe(headLen + 4 + len);
    frame[0] = 0x80 | opcode;
    if (len < 126) frame[1] = 0x80 | len;
    else if (len < 65536) {
      frame[1] = 0x80 | 126;
      frame.writeUInt16BE(len, 2);
    } else {
      frame[1] = 0x80 | 127;
      frame.writeBigUInt64BE(BigInt(len), 2);
    }
    const key = (Math.random() * 0x100000000) >>> 0;
    const m0 = key & 0xff;
    const m1 = (key >>> 8) & 0xff;
    const m2 = (key >>> 16) & 0xff;
    const m3 = key >>> 24;
    frame[headLen] = m0;
    frame[headLen + 1] = m1;
    frame[headLen + 2] = m2;
    frame[headLen + 3] = m3;
    const base = headLen + 4;
    maskInto(frame, base, payload, m0 | (m1 << 8) | (m2 << 16) | (m3 << 24));
    s.write(frame);
  }
}

/**
 * XORs `payload` with the 4-byte mask (little-endian packed in `mask32`) into `frame` at `base`.
 * Uses 32-bit words when both buffers are 4-byte aligned (audio frames are), bytes otherwise.
 */
function maskInto(frame: Buffer, base: number, payload: Uint8Array, mask32: number): void {
  const len = payload.length;
  let i = 0;
  if ((frame.byteOffset + base) % 4 === 0 && payload.byteOffset % 4 === 0) {
    const words = len >>> 2;
    const dst = new Uint32Array(frame.buffer, frame.byteOffset + base, words);
    const src = new Uint32Array(payload.buffer, payload.byteOffset, words);
    for (let w = 0; w < words; w++) dst[w] = src[w]! ^ mask32;
    i = words << 2;
  }
  for (; i < len; i++) frame[base + i] = payload[i]! ^ ((mask32 >>> ((i & 3) * 8)) & 0xff);
}
