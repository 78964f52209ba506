import { EslProtocolError } from './errors.js';

/** One ESL message: envelope headers (in wire order) and the optional `Content-Length` body (UTF-8). */
export interface EslMessage {
  readonly headers: ReadonlyMap<string, string>;
  readonly body: string | undefined;
}

/** Largest header block we accept (FreeSWITCH's are < 1 KiB); larger means garbage on the wire. */
const MAX_HEADER_BYTES = 64 * 1024;
/** Largest body we accept; `show channels` with thousands of calls stays well under this. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

/**
 * Incremental ESL framing parser: a header block of `Name: value` lines ended by an empty line
 * (LF only), then exactly `Content-Length` bytes of body when that header is present.
 * Source: FreeSWITCH mod_event_socket; byte-exact captures in shared/fixtures/freeswitch.
 * `push` throws `EslProtocolError` on framing that cannot be recovered (the caller drops the connection).
 */
export class EslFrameParser {
  #buffer: Buffer = Buffer.alloc(0);
  #pendingHeaders: Map<string, string> | undefined;
  #pendingBodyLength = 0;

  /** Feed bytes; returns every complete message they finish, in order. */
  push(chunk: Buffer): EslMessage[] {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const out: EslMessage[] = [];
    for (;;) {
      if (this.#pendingHeaders) {
        if (this.#buffer.length < this.#pendingBodyLength) break;
        const body = this.#buffer.subarray(0, this.#pendingBodyLength).toString('utf8');
        this.#buffer = this.#buffer.subarray(this.#pendingBodyLength);
        out.push({ headers: this.#pendingHeaders, body });
        this.#pendingHeaders = undefined;
        continue;
      }
      // Skip stray blank lines between messages.
      let start = 0;
      while (start < this.#buffer.length && this.#buffer[start] === 0x0a) start++;
      if (start > 0) this.#buffer = this.#buffer.subarray(start);
      const end = this.#buffer.indexOf('\n\n');
      if (end === -1) {
        if (this.#buffer.length > MAX_HEADER_BYTES) {
          this.#buffer = Buffer.alloc(0);
          throw new EslProtocolError(`ESL header block exceeds ${MAX_HEADER_BYTES} bytes`);
        }
        break;
      }
      const headers = parseHeaderLines(this.#buffer.subarray(0, end).toString('utf8'), false);
      this.#buffer = this.#buffer.subarray(end + 2);
      const lengthText = headers.get('Content-Length');
      if (lengthText === undefined) {
        out.push({ headers, body: undefined });
        continue;
      }
      const length = Number(lengthText);
      if (!Number.isInteger(length) || length < 0 || length > MAX_BODY_BYTES) {
        throw new EslProtocolError(`bad Content-Length: ${lengthText}`);
      }
      this.#pendingHeaders = headers;
      this.#pendingBodyLength = length;
    }
    return out;
  }
}

/**
 * Parse `Name: value` lines. With `urlDecoded`, values are percent-decoded the way FreeSWITCH
 * encodes plain events; a malformed escape is kept as-is rather than throwing.
 * Later duplicates of a name are ignored (CHANNEL_HANGUP_COMPLETE repeats `Hangup-Cause`).
 */
export function parseHeaderLines(text: string, urlDecoded: boolean): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    let value = line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (urlDecoded) value = safeDecode(value);
    if (!headers.has(name)) headers.set(name, value);
  }
  return headers;
}

function safeDecode(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
