/**
 * The simulator's event object: an ordered header list (duplicates allowed, like FreeSWITCH's
 * `switch_event_t`), an optional body, and per-format serialisation caches so that one event sent to
 * many ESL connections is encoded once per format.
 */
import { eventEnvelope, serializeEvent, type EventFormat, type HeaderValue } from './wire.js';

export class FsEvent {
  /** Headers in wire order. Mutate only before the event is fired. */
  readonly headers: Array<[string, HeaderValue]> = [];
  /** Event body (BACKGROUND_JOB output, CUSTOM payloads). */
  body: string | undefined;
  private readonly cache = new Map<EventFormat, Buffer>();

  constructor(
    /** `Event-Name`, e.g. `CHANNEL_ANSWER` or `CUSTOM`. */
    readonly name: string,
    /** `Event-Subclass` for CUSTOM events, e.g. `mod_audio_fork::connect`. */
    readonly subclass?: string,
  ) {}

  /** Appends a header (like SWITCH_STACK_BOTTOM). Returns `this` for chaining. */
  add(name: string, value: HeaderValue): this {
    this.headers.push([name, value]);
    return this;
  }

  /** First value of a header (case-sensitive, as the simulator writes canonical names). Arrays give their first item. */
  get(name: string): string | undefined {
    for (const [k, v] of this.headers) if (k === name) return typeof v === 'string' ? v : v[0];
    return undefined;
  }

  /** Case-insensitive lookup, as FreeSWITCH filters compare header names. */
  getCaseInsensitive(name: string): string | undefined {
    const lower = name.toLowerCase();
    for (const [k, v] of this.headers) if (k.toLowerCase() === lower) return typeof v === 'string' ? v : v[0];
    return undefined;
  }

  /** The full ESL message (envelope + body) in a format, cached. */
  wire(format: EventFormat): Buffer {
    let buf = this.cache.get(format);
    if (!buf) {
      buf = eventEnvelope(serializeEvent(this, format), format);
      this.cache.set(format, buf);
    }
    return buf;
  }

  /** Header map for tests and taps (first value wins; arrays joined by `|`). */
  toRecord(): Record<string, string> {
    const r: Record<string, string> = {};
    for (const [k, v] of this.headers) if (!(k in r)) r[k] = typeof v === 'string' ? v : v.join('|');
    if (this.body !== undefined) r['_body'] = this.body;
    return r;
  }
}
