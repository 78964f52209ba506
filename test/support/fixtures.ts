import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

/** Directory of real FreeSWITCH captures (shared with the project; may be absent). */
export const FIXTURES_DIR = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..', '..', 'shared', 'fixtures', 'freeswitch');

export const fixturesPresent = existsSync(FIXTURES_DIR);

/** One record of a `*.txt` capture: direction and exact bytes. */
export interface CaptureRecord {
  dir: 'sent' | 'received' | 'close';
  bytes: Buffer;
}

/** Parse a capture file: marker line, exactly n bytes, one `\n` separator (see fixtures README). */
export function readCapture(name: string): CaptureRecord[] {
  const data = readFileSync(join(FIXTURES_DIR, name));
  const out: CaptureRecord[] = [];
  let pos = 0;
  while (pos < data.length) {
    const eol = data.indexOf(0x0a, pos);
    const marker = data.subarray(pos, eol).toString('utf8');
    pos = eol + 1;
    if (marker.startsWith('===')) {
      out.push({ dir: 'close', bytes: Buffer.alloc(0) });
      continue;
    }
    const m = /^(>>> SENT|<<< RECEIVED) t=\+\S+ bytes=(\d+)$/.exec(marker);
    if (!m) throw new Error(`bad marker: ${marker}`);
    const n = Number(m[2]);
    out.push({ dir: m[1] === '>>> SENT' ? 'sent' : 'received', bytes: data.subarray(pos, pos + n) });
    pos += n + 1;
  }
  return out;
}
