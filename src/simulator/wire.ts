/**
 * ESL wire encoding, byte-exact to FreeSWITCH 1.10/1.11 (see shared/fixtures/freeswitch/README.md).
 *
 * - Envelopes: `auth/request`, `command/reply`, `api/response`, `text/event-*`, `text/disconnect-notice`.
 * - Event bodies in the three formats (`json`, `plain`, `xml`) from one ordered header list.
 * - FreeSWITCH's URL encoder (`switch_url_encode`) used by plain and xml.
 * - An incremental parser for what clients send (command line, header lines, optional body).
 */

/** A header value: a string, or a FreeSWITCH array variable (JSON array / `ARRAY::a|:b` in plain). */
export type HeaderValue = string | readonly string[];

/** The serialisable content of an event: headers in wire order (duplicates allowed) and an optional body. */
export interface EventContent {
  readonly headers: ReadonlyArray<readonly [string, HeaderValue]>;
  readonly body?: string | undefined;
}

export type EventFormat = 'plain' | 'json' | 'xml';

/** Text of the disconnect notice FreeSWITCH sends after `exit` or a failed `auth` (67 bytes). */
export const DISCONNECT_NOTICE_BODY = 'Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n';

const HEX = '0123456789ABCDEF';
/** Characters FreeSWITCH always encodes (SWITCH_URL_UNSAFE), besides controls and bytes > '~'. */
const URL_UNSAFE = new Set(Array.from('\r\n #%&+:;<=>?@[\\]^`{|}"').map((c) => c.charCodeAt(0)));
const HEX_UPPER = new Set(Array.from(HEX).map((c) => c.charCodeAt(0)));

/**
 * FreeSWITCH's `switch_url_encode` (no double encoding): every byte of the UTF-8 form that is a
 * control character, above `~`, or in SWITCH_URL_UNSAFE becomes `%XX`, except that a `%` followed
 * by two *upper-case* hex digits is copied unchanged (`%41` stays `%41`, `%zz` becomes `%25zz`).
 */
export function fsUrlEncode(value: string): string {
  const bytes = Buffer.from(value, 'utf8');
  let out = '';
  let plainStart = -1;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    let ok = false;
    if (b === 0x25 && i + 2 < bytes.length) {
      ok = HEX_UPPER.has(bytes[i + 1]!) && HEX_UPPER.has(bytes[i + 2]!);
    }
    if (!ok && (b < 0x20 || b > 0x7e || URL_UNSAFE.has(b))) {
      if (plainStart >= 0) {
        out += bytes.toString('latin1', plainStart, i);
        plainStart = -1;
      }
      out += '%' + HEX[b >> 4] + HEX[b & 15];
    } else if (plainStart < 0) {
      plainStart = i;
    }
  }
  if (plainStart >= 0) out += bytes.toString('latin1', plainStart);
  return out;
}

/** Escapes XML text content like `switch_xml_ampencode` for element text (`&`, `<`, `>`, CR). */
export function xmlEscapeText(text: string): string {
  return text.replace(/[&<>\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#xD;'));
}

/** JSON event body: compact, all values strings (arrays stay arrays), body as `Content-Length` + `_body`. */
export function serializeJson(ev: EventContent): string {
  const parts: string[] = [];
  for (const [name, value] of ev.headers) {
    const v = typeof value === 'string' ? JSON.stringify(value) : '[' + value.map((x) => JSON.stringify(x)).join(',') + ']';
    parts.push(JSON.stringify(name) + ':' + v);
  }
  if (ev.body !== undefined) {
    parts.push('"Content-Length":' + JSON.stringify(String(Buffer.byteLength(ev.body, 'utf8'))));
    parts.push('"_body":' + JSON.stringify(ev.body));
  }
  return '{' + parts.join(',') + '}';
}

/** Plain event body: `Name: urlencoded\n` lines, then `\n`, or `Content-Length: n\n\n<body>`. */
export function serializePlain(ev: EventContent): string {
  let out = '';
  for (const [name, value] of ev.headers) {
    const v = typeof value === 'string' ? value : 'ARRAY::' + value.join('|:');
    out += name + ': ' + fsUrlEncode(v) + '\n';
  }
  if (ev.body !== undefined) {
    out += 'Content-Length: ' + Buffer.byteLength(ev.body, 'utf8') + '\n\n' + ev.body;
  } else {
    out += '\n';
  }
  return out;
}

/** XML event body; values URL-encoded as in plain, arrays as repeated elements. */
export function serializeXml(ev: EventContent): string {
  let out = '<event>\n  <headers>\n';
  for (const [name, value] of ev.headers) {
    const values = typeof value === 'string' ? [value] : value;
    for (const v of values) out += '    <' + name + '>' + fsUrlEncode(v) + '</' + name + '>\n';
  }
  out += '  </headers>\n';
  if (ev.body !== undefined) {
    out += '  <Content-Length>' + Buffer.byteLength(ev.body, 'utf8') + '</Content-Length>\n';
    out += '  <body>' + xmlEscapeText(ev.body) + '</body>\n';
  }
  out += '</event>\n';
  return out;
}

/** Serialises an event body in the given format. */
export function serializeEvent(ev: EventContent, format: EventFormat): string {
  return format === 'json' ? serializeJson(ev) : format === 'xml' ? serializeXml(ev) : serializePlain(ev);
}

/** Full ESL message for an event: `Content-Length` first, then `Content-Type`, then the body. */
export function eventEnvelope(body: string, format: EventFormat): Buffer {
  const payload = Buffer.from(body, 'utf8');
  const head = `Content-Length: ${payload.length}\nContent-Type: text/event-${format}\n\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), payload]);
}

/** `Content-Type: auth/request\n\n`, sent on connect. */
export function authRequest(): Buffer {
  return Buffer.from('Content-Type: auth/request\n\n', 'latin1');
}

/** `command/reply` with a Reply-Text and optional extra headers (e.g. `Job-UUID` for bgapi). */
export function commandReply(replyText: string, extra: ReadonlyArray<readonly [string, string]> = []): Buffer {
  let s = 'Content-Type: command/reply\nReply-Text: ' + replyText + '\n';
  for (const [k, v] of extra) s += k + ': ' + v + '\n';
  return Buffer.from(s + '\n', 'utf8');
}

/** `api/response` with the body length in bytes. */
export function apiResponse(body: string): Buffer {
  const payload = Buffer.from(body, 'utf8');
  return Buffer.concat([Buffer.from(`Content-Type: api/response\nContent-Length: ${payload.length}\n\n`, 'latin1'), payload]);
}

/** The disconnect notice sent before FreeSWITCH closes the socket. */
export function disconnectNotice(): Buffer {
  return Buffer.from(
    `Content-Type: text/disconnect-notice\nContent-Length: ${Buffer.byteLength(DISCONNECT_NOTICE_BODY)}\n\n${DISCONNECT_NOTICE_BODY}`,
    'latin1',
  );
}

/** One message received from an ESL client. */
export interface ClientMessage {
  /** The first line, e.g. `sendmsg <uuid>` or `api status` (CR stripped, not trimmed otherwise). */
  readonly command: string;
  /** Header lines after the first, in order; names as sent. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** Body, when a `Content-Length` header was present. */
  readonly body?: string;
}

/** Case-insensitive header lookup (FreeSWITCH event headers are case-insensitive). */
export function headerOf(msg: ClientMessage, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of msg.headers) if (k.toLowerCase() === lower) return v;
  return undefined;
}

/** Raised by {@link CommandParser} when a client exceeds the size limits; the caller should drop the socket. */
export class EslProtocolError extends Error {
  override readonly name = 'EslProtocolError' as const;
}

/**
 * Incremental parser for client → server ESL messages. Feed raw socket chunks; get whole messages.
 * A message is a block of lines ended by an empty line; `Content-Length` adds a byte body.
 * Limits (bytes): `maxHeaderBytes` for the line block, `maxBodyBytes` for a body; exceeding either throws
 * {@link EslProtocolError}.
 */
export class CommandParser {
  private buf: Buffer = Buffer.alloc(0);
  private pending: { command: string; headers: Array<[string, string]>; length: number } | undefined;

  constructor(
    private readonly maxHeaderBytes = 64 * 1024,
    private readonly maxBodyBytes = 1024 * 1024,
  ) {}

  /** Appends bytes and returns every complete message now available, in order. */
  push(chunk: Buffer): ClientMessage[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: ClientMessage[] = [];
    for (;;) {
      if (this.pending) {
        if (this.buf.length < this.pending.length) break;
        const body = this.buf.toString('utf8', 0, this.pending.length);
        this.buf = this.buf.subarray(this.pending.length);
        out.push({ command: this.pending.command, headers: this.pending.headers, body });
        this.pending = undefined;
        continue;
      }
      // Skip leading blank lines (clients sometimes send extra newlines).
      let start = 0;
      while (start < this.buf.length && (this.buf[start] === 0x0a || this.buf[start] === 0x0d)) start++;
      if (start > 0) this.buf = this.buf.subarray(start);
      if (this.buf.length === 0) break;
      const found = findBlankLine(this.buf);
      if (!found) {
        if (this.buf.length > this.maxHeaderBytes) throw new EslProtocolError('header block too large');
        break;
      }
      if (found.index > this.maxHeaderBytes) throw new EslProtocolError('header block too large');
      const block = this.buf.toString('utf8', 0, found.index);
      this.buf = this.buf.subarray(found.index + found.sepLen);
      const lines = block.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
      const command = lines[0] ?? '';
      const headers: Array<[string, string]> = [];
      for (const line of lines.slice(1)) {
        const idx = line.indexOf(':');
        if (idx <= 0) continue;
        headers.push([line.slice(0, idx).trim(), line.slice(idx + 1).replace(/^ /, '')]);
      }
      const cl = headers.find(([k]) => k.toLowerCase() === 'content-length');
      const length = cl ? Number.parseInt(cl[1], 10) : 0;
      if (cl && Number.isFinite(length) && length > 0) {
        if (length > this.maxBodyBytes) throw new EslProtocolError('body too large');
        this.pending = { command, headers, length };
        continue;
      }
      out.push({ command, headers });
    }
    return out;
  }
}

/** Finds the end of a line block: `\n\n`, `\n\r\n` (CRLF clients) — index of the first LF and separator length. */
function findBlankLine(buf: Buffer): { index: number; sepLen: number } | undefined {
  let i = buf.indexOf(0x0a);
  while (i >= 0 && i + 1 < buf.length) {
    if (buf[i + 1] === 0x0a) return { index: i, sepLen: 2 };
    if (buf[i + 1] === 0x0d && i + 2 < buf.length && buf[i + 2] === 0x0a) return { index: i, sepLen: 3 };
    i = buf.indexOf(0x0a, i + 1);
  }
  return undefined;
}
