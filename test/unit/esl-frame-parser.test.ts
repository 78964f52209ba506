import { describe, expect, it } from 'vitest';
import { EslFrameParser } from '../../src/telephony/esl/frame-parser.js';
import { decodeEvent } from '../../src/telephony/esl/event.js';
import { EslProtocolError } from '../../src/telephony/esl/errors.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES_DIR, fixturesPresent, readCapture } from '../support/fixtures.js';

function splitRandomly(buffer: Buffer, seed: number): Buffer[] {
  const chunks: Buffer[] = [];
  let pos = 0;
  let x = seed;
  while (pos < buffer.length) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const size = 1 + (x % 700);
    chunks.push(buffer.subarray(pos, pos + size));
    pos += size;
  }
  return chunks;
}

describe.skipIf(!fixturesPresent)('ESL framing against real FreeSWITCH captures', () => {
  for (const name of ['inbound-call-park-ivr.json-events.txt', 'inbound-call-park-ivr.plain-events.txt', 'errors.main.txt']) {
    it(`parses every message of ${name} whatever the TCP chunking`, () => {
      const received = readCapture(name).filter((r) => r.dir === 'received');
      const stream = Buffer.concat(received.map((r) => r.bytes));
      const parser = new EslFrameParser();
      const messages = splitRandomly(stream, name.length).flatMap((chunk) => parser.push(chunk));
      expect(messages).toHaveLength(received.length);
      for (const message of messages) {
        const type = message.headers.get('Content-Type');
        if (type === 'text/event-json' || type === 'text/event-plain') {
          const event = decodeEvent(message);
          expect(event.name).toMatch(/^[A-Z_]+$/);
        }
      }
    });
  }

  it('decodes the same CHANNEL_HANGUP_COMPLETE identically from json and plain streams', () => {
    const events = (file: string) => {
      const parser = new EslFrameParser();
      return readCapture(file).filter((r) => r.dir === 'received').flatMap((r) => parser.push(r.bytes))
        .filter((m) => m.headers.get('Content-Type')?.startsWith('text/event-')).map(decodeEvent);
    };
    const json = events('inbound-call-park-ivr.json-events.txt').find((e) => e.name === 'CHANNEL_HANGUP_COMPLETE');
    const plain = events('inbound-call-park-ivr.plain-events.txt').find((e) => e.name === 'CHANNEL_HANGUP_COMPLETE');
    expect(json).toBeDefined();
    expect(plain?.uniqueId).toBe(json?.uniqueId);
    expect(plain?.headers['Hangup-Cause']).toBe('NORMAL_CLEARING');
    expect(json?.headers['Hangup-Cause']).toBe('NORMAL_CLEARING');
    expect(plain?.headers['Caller-Caller-ID-Number']).toBe(json?.headers['Caller-Caller-ID-Number']);
    expect(plain?.headers['Event-Date-Local']).toBe(json?.headers['Event-Date-Local']);
  });

  it('reads the encoding probe exactly from json; plain is lossy for "%41" (why the adapter subscribes json)', () => {
    const decode = (file: string) => {
      const raw = readCaptureRaw(file);
      const [message] = new EslFrameParser().push(raw);
      return decodeEvent(message!);
    };
    const plain = decode('encoding-probe.CHANNEL_EXECUTE_COMPLETE.plain.txt');
    const json = decode('encoding-probe.CHANNEL_EXECUTE_COMPLETE.json.txt');
    const exact = json.headers['Application-Data']!;
    expect(exact).toContain('probe=中文 %41 %zz & ?');
    expect(exact).toContain('tab:\there');
    // FreeSWITCH does not re-encode "%41" in plain events, so decoding yields "A".
    expect(plain.headers['Application-Data']).toBe(exact.replace('%41', 'A'));
  });
});

function readCaptureRaw(file: string): Buffer {
  return readFileSync(join(FIXTURES_DIR, file));
}

describe('malformed ESL input', () => {
  it('keeps a malformed percent escape instead of throwing', () => {
    const body = 'Event-Name: CUSTOM\nUnique-ID: abc\nVariable: 100%zz%E4%B8\n\n';
    const wire = `Content-Length: ${Buffer.byteLength(body)}\nContent-Type: text/event-plain\n\n${body}`;
    const [message] = new EslFrameParser().push(Buffer.from(wire));
    const event = decodeEvent(message!);
    expect(event.headers['Variable']).toBe('100%zz%E4%B8');
  });

  it('reports a broken JSON event as EslProtocolError and keeps framing the next message', () => {
    const parser = new EslFrameParser();
    const bad = '{"Event-Name": "CHANNEL_PARK",';
    const good = '{"Event-Name":"DTMF","Unique-ID":"u1","DTMF-Digit":"5"}';
    const wire = `Content-Length: ${bad.length}\nContent-Type: text/event-json\n\n${bad}`
      + `Content-Length: ${good.length}\nContent-Type: text/event-json\n\n${good}`;
    const messages = parser.push(Buffer.from(wire));
    expect(messages).toHaveLength(2);
    expect(() => decodeEvent(messages[0]!)).toThrow(EslProtocolError);
    expect(decodeEvent(messages[1]!).headers['DTMF-Digit']).toBe('5');
  });

  it('rejects an impossible Content-Length', () => {
    expect(() => new EslFrameParser().push(Buffer.from('Content-Length: -5\nContent-Type: api/response\n\n'))).toThrow(EslProtocolError);
  });

  it('counts body length in bytes, not characters', () => {
    const body = '中文+OK';
    const wire = Buffer.from(`Content-Type: api/response\nContent-Length: ${Buffer.byteLength(body)}\n\n${body}Content-Type: auth/request\n\n`);
    const messages = new EslFrameParser().push(wire);
    expect(messages.map((m) => m.body)).toEqual([body, undefined]);
  });
});
