/** Helpers for the speech tests: the pocketsphinx-testdata corpus and streaming transcription. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RecognitionResult, SpeechRecognizer } from '../../src/speech/ports.js';
import { readWavFile } from '../../src/speech/wav.js';

/** pocketsphinx-testdata (Debian package) location. */
export const PS_TESTDATA = '/usr/share/pocketsphinx/test/data';
export const LIBRIVOX_DIR = join(PS_TESTDATA, 'librivox');
export const testdataPresent = existsSync(join(LIBRIVOX_DIR, 'transcription'));

export interface CorpusItem {
  readonly id: string;
  readonly reference: string;
  readonly samples: Int16Array;
  readonly sampleRateHz: number;
}

/** The five librivox utterances with their reference transcriptions (16 kHz mono). */
export async function loadLibrivox(): Promise<CorpusItem[]> {
  const lines = readFileSync(join(LIBRIVOX_DIR, 'transcription'), 'utf8').split('\n').filter((l) => l.trim());
  const items: CorpusItem[] = [];
  for (const line of lines) {
    const m = /^<s>\s*(.*?)\s*<\/s>\s*\((\S+)\)\s*$/.exec(line);
    if (!m) throw new Error(`bad transcription line: ${line}`);
    const wav = await readWavFile(join(LIBRIVOX_DIR, `${m[2]!}.wav`));
    items.push({ id: m[2]!, reference: m[1]!, samples: wav.samples, sampleRateHz: wav.sampleRateHz });
  }
  return items;
}

/** Raw 16 kHz mono little-endian file (e.g. goforward.raw). */
export function readRaw16k(name: string): Int16Array {
  const b = readFileSync(join(PS_TESTDATA, name));
  const out = new Int16Array(b.byteLength >> 1);
  new Uint8Array(out.buffer).set(b.subarray(0, out.byteLength));
  return out;
}

export interface Transcription {
  readonly results: RecognitionResult[];
  readonly finals: RecognitionResult[];
  /** Final texts joined by spaces. */
  readonly text: string;
}

/**
 * Stream `samples` through a new stream in `chunkMs` chunks (as FreeSWITCH would send them),
 * yielding to the event loop every `yieldEvery` chunks, then `end()`.
 */
export async function transcribe(
  recognizer: SpeechRecognizer,
  samples: Int16Array,
  sampleRateHz: 8000 | 16000,
  options: { language?: string; chunkMs?: number; yieldEvery?: number } = {},
): Promise<Transcription> {
  const results: RecognitionResult[] = [];
  let error: Error | undefined;
  const stream = recognizer.createStream({
    sampleRateHz,
    speaker: 'caller',
    language: options.language ?? 'en-US',
    onResult: (r) => results.push(r),
    onError: (e) => (error = e),
  });
  const chunk = (sampleRateHz * (options.chunkMs ?? 20)) / 1000;
  const yieldEvery = options.yieldEvery ?? 50;
  for (let off = 0, n = 0; off < samples.length; off += chunk, n++) {
    stream.pushAudio(samples.subarray(off, off + chunk));
    if (n % yieldEvery === yieldEvery - 1) await new Promise((r) => setImmediate(r));
  }
  await stream.end();
  if (error) throw error;
  const finals = results.filter((r) => r.kind === 'final');
  return { results, finals, text: finals.map((r) => r.text).join(' ') };
}

/** Silence of `ms` milliseconds. */
export function silence(ms: number, sampleRateHz: number): Int16Array {
  return new Int16Array((sampleRateHz * ms) / 1000);
}

/** Concatenate sample arrays. */
export function concat(...parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
