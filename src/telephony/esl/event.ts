import type { EslMessage } from './frame-parser.js';
import { parseHeaderLines } from './frame-parser.js';
import { EslProtocolError } from './errors.js';

/** A FreeSWITCH event as received on the event socket (json or plain), values decoded. */
export interface EslEvent {
  /** `Event-Name`, e.g. `CHANNEL_PARK`. */
  readonly name: string;
  /** `Event-Subclass` for CUSTOM events, e.g. `mod_audio_fork::connect`. */
  readonly subclass: string | undefined;
  /** `Unique-ID` of the channel the event is about, when it has one. */
  readonly uniqueId: string | undefined;
  /** All headers; for duplicated names (e.g. `Hangup-Cause`) the first value. */
  readonly headers: Readonly<Record<string, string>>;
  /** The event body (`_body` in JSON, the part after `Content-Length` in plain), if any. */
  readonly body: string | undefined;
}

/**
 * Decode an ESL message of content type `text/event-json` or `text/event-plain` into an event.
 * Throws `EslProtocolError` when the body is not valid for its type (the caller logs and survives).
 * `text/event-xml` is not subscribed by this adapter and is rejected the same way.
 */
export function decodeEvent(message: EslMessage): EslEvent {
  const type = message.headers.get('Content-Type');
  const body = message.body ?? '';
  let headers: Record<string, string>;
  let eventBody: string | undefined;
  if (type === 'text/event-json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (error) {
      throw new EslProtocolError(`invalid JSON event body: ${(error as Error).message}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new EslProtocolError('JSON event body is not an object');
    }
    headers = {};
    for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
      if (key === '_body') eventBody = String(value);
      else headers[key] = typeof value === 'string' ? value : String(value);
    }
  } else if (type === 'text/event-plain') {
    const end = body.indexOf('\n\n');
    const headerText = end === -1 ? body : body.slice(0, end);
    headers = Object.fromEntries(parseHeaderLines(headerText, true));
    if (headers['Content-Length'] !== undefined && end !== -1) {
      const bytes = Buffer.from(body.slice(end + 2), 'utf8');
      eventBody = bytes.subarray(0, Number(headers['Content-Length'])).toString('utf8');
    }
  } else {
    throw new EslProtocolError(`unsupported event content type: ${String(type)}`);
  }
  const name = headers['Event-Name'];
  if (!name) throw new EslProtocolError('event without Event-Name');
  return { name, subclass: headers['Event-Subclass'], uniqueId: headers['Unique-ID'], headers, body: eventBody };
}
