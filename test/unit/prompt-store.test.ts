/**
 * PromptStore with real sox and real files: inputs are synthesised by sox in several encodings,
 * the stored file is decoded back with `decodeWav` and checked for format, duration, pitch and level.
 * Requires `sox` on PATH (apt-get install sox).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { PromptError, PromptStore, type PromptErrorCode } from '../../src/media/prompt-store.js';
import { createWavHeader, decodeWav, encodeWav } from '../../src/speech/wav.js';

let work = '';
let dir = '';
const inputs: Record<string, Buffer> = {};

/** Synthesise `seconds` of a half-scale 440 Hz sine with sox; `format` are sox output options. */
function synth(file: string, format: string[], seconds = 1.5, signal: string[] = ['sine', '440'], level: string[] = ['vol', '0.5']): Buffer {
  const path = join(work, file);
  execFileSync('sox', ['-D', '-n', ...format, path, 'synth', String(seconds), ...signal, ...level]);
  return readFileSync(path);
}

function stored(name: string) {
  return decodeWav(readFileSync(join(dir, name)));
}

/** Upward zero crossings per second ≈ frequency of a pure tone. */
function upwardCrossings(samples: Int16Array): number {
  let n = 0;
  for (let i = 1; i < samples.length; i++) if (samples[i - 1]! < 0 && samples[i]! >= 0) n++;
  return n;
}

/** Everything in the store directory (temporary files included); [] if it was never created. */
function leftovers(): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function rms(samples: Int16Array): number {
  let sum = 0;
  for (const s of samples) sum += s * s;
  return Math.sqrt(sum / samples.length);
}

async function expectPromptError(promise: Promise<unknown>, code: PromptErrorCode): Promise<PromptError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected PromptError(${code})`).toBeInstanceOf(PromptError);
  expect((error as PromptError).code, (error as PromptError).message).toBe(code);
  return error as PromptError;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'prompt-store-'));
  inputs.s16stereo44k = synth('s16.wav', ['-r', '44100', '-c', '2', '-b', '16']);
  inputs.u8mono22k = synth('u8.wav', ['-r', '22050', '-c', '1', '-b', '8']);
  inputs.s24stereo48k = synth('s24.wav', ['-r', '48000', '-c', '2', '-b', '24']); // sox writes WAVE_FORMAT_EXTENSIBLE
  inputs.s32mono16k = synth('s32.wav', ['-r', '16000', '-c', '1', '-b', '32', '-e', 'signed-integer']);
  inputs.f32mono44k = synth('f32.wav', ['-r', '44100', '-c', '1', '-b', '32', '-e', 'floating-point']);
  inputs.f64stereo32k = synth('f64.wav', ['-r', '32000', '-c', '2', '-b', '64', '-e', 'floating-point']);
  inputs.mulaw8k = synth('mu.wav', ['-r', '8000', '-c', '1', '-e', 'u-law']);
  inputs.alaw8k = synth('al.wav', ['-r', '8000', '-c', '1', '-e', 'a-law']);
  inputs.adpcm = synth('adpcm.wav', ['-r', '8000', '-c', '1', '-e', 'ms-adpcm']);
  inputs.square = synth('square.wav', ['-r', '44100', '-c', '1', '-b', '16'], 1, ['square', '440'], ['gain', '-n', '0']); // peaks at 0 dBFS
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

beforeEach(() => {
  dir = join(work, `store-${Math.random().toString(36).slice(2)}`);
});

describe('PromptStore.save — conversion', () => {
  it('converts 44.1 kHz stereo 16-bit to mono 8 kHz 16-bit, keeping duration, pitch and level', async () => {
    const store = new PromptStore({ dir });
    const info = await store.save('water-outage.wav', inputs.s16stereo44k!);
    expect(info).toMatchObject({
      name: 'water-outage.wav',
      sampleRateHz: 8000,
      channels: 1,
      originalFormat: { sampleRateHz: 44100, channels: 2, bitsPerSample: 16, formatTag: 1, encoding: 'pcm' },
    });
    const audio = stored('water-outage.wav');
    expect(audio.sampleRateHz).toBe(8000);
    expect(audio.channels).toBe(1);
    const ms = (audio.samples.length / 8000) * 1000;
    expect(Math.abs(ms - 1500)).toBeLessThanOrEqual(20);
    expect(Math.abs(info.durationMs - 1500)).toBeLessThanOrEqual(20);
    expect(info.bytes).toBe(statSync(join(dir, 'water-outage.wav')).size);
    expect(Math.abs(upwardCrossings(audio.samples) - 440 * 1.5)).toBeLessThanOrEqual(3);
    // Half-scale sine: RMS = 0.5 / √2 of full scale — not normalised, not attenuated.
    expect(rms(audio.samples) / (0.5 * 32768 / Math.SQRT2)).toBeCloseTo(1, 1);
    expect(readdirSync(dir)).toEqual(['water-outage.wav']);
  });

  it.each([
    ['u8mono22k', { sampleRateHz: 22050, channels: 1, bitsPerSample: 8, formatTag: 1, encoding: 'pcm' }],
    ['s24stereo48k', { sampleRateHz: 48000, channels: 2, bitsPerSample: 24, formatTag: 1, encoding: 'pcm' }],
    ['s32mono16k', { sampleRateHz: 16000, channels: 1, bitsPerSample: 32, formatTag: 1, encoding: 'pcm' }],
    ['f32mono44k', { sampleRateHz: 44100, channels: 1, bitsPerSample: 32, formatTag: 3, encoding: 'float' }],
    ['f64stereo32k', { sampleRateHz: 32000, channels: 2, bitsPerSample: 64, formatTag: 3, encoding: 'float' }],
    ['mulaw8k', { sampleRateHz: 8000, channels: 1, bitsPerSample: 8, formatTag: 7, encoding: 'mulaw' }],
    ['alaw8k', { sampleRateHz: 8000, channels: 1, bitsPerSample: 8, formatTag: 6, encoding: 'alaw' }],
  ] as const)('converts %s', async (key, originalFormat) => {
    const store = new PromptStore({ dir });
    const info = await store.save(`${key}.wav`, inputs[key]!);
    expect(info.originalFormat).toEqual(originalFormat);
    const audio = stored(`${key}.wav`);
    expect([audio.sampleRateHz, audio.channels]).toEqual([8000, 1]);
    expect(Math.abs((audio.samples.length / 8000) * 1000 - 1500)).toBeLessThanOrEqual(20);
    expect(Math.abs(upwardCrossings(audio.samples) - 660)).toBeLessThanOrEqual(3);
    expect(rms(audio.samples) / (0.5 * 32768 / Math.SQRT2)).toBeCloseTo(1, 1);
  });

  it('stores 8 kHz mono 16-bit input sample-for-sample (no gain, no dither)', async () => {
    const samples = new Int16Array(4000).map((_, i) => Math.round(9000 * Math.sin((2 * Math.PI * 300 * i) / 8000)) + (i % 7) - 3);
    const store = new PromptStore({ dir });
    const info = await store.save('exact.wav', encodeWav({ sampleRateHz: 8000, channels: 1, samples }));
    expect(info.durationMs).toBe(500);
    expect(Array.from(stored('exact.wav').samples)).toEqual(Array.from(samples));
  });

  it('attenuates only as much as needed when resampling a full-scale square wave would clip', async () => {
    const store = new PromptStore({ dir });
    await store.save('square.wav', inputs.square!);
    const audio = stored('square.wav');
    const atRail = audio.samples.filter((s) => s >= 32767 || s <= -32768).length;
    // Plain `sox … rate -h 8000` clips thousands of samples here; guarded conversion touches the rail rarely.
    expect(atRail).toBeLessThan(200);
    // Band-limited to 4 kHz the square keeps ≈97 % of its RMS (≈0.96 FS); the guard costs ≈1.4 dB, not a normalisation.
    expect(rms(audio.samples) / 32768).toBeGreaterThan(0.75);
    expect(rms(audio.samples) / 32768).toBeLessThan(0.95);
  });

  it('accepts a streaming header whose data size was never patched (0xFFFFFFFF)', async () => {
    const samples = new Int16Array(8000).map((_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 16000)));
    const wav = encodeWav({ sampleRateHz: 16000, channels: 1, samples });
    wav.writeUInt32LE(0xffffffff, 4);
    wav.writeUInt32LE(0xffffffff, 40);
    const info = await new PromptStore({ dir }).save('stream.wav', wav);
    expect(Math.abs(info.durationMs - 500)).toBeLessThanOrEqual(20);
    expect(Math.abs(upwardCrossings(stored('stream.wav').samples) - 220)).toBeLessThanOrEqual(2);
  });

  it('replaces an existing prompt atomically, and keeps it when a replacement is rejected', async () => {
    const store = new PromptStore({ dir });
    await store.save('notice.wav', inputs.s16stereo44k!);
    const first = readFileSync(join(dir, 'notice.wav'));
    await expectPromptError(store.save('notice.wav', Buffer.from('not audio at all')), 'not-wav');
    expect(readFileSync(join(dir, 'notice.wav')).equals(first)).toBe(true);
    const info = await store.save('notice.wav', encodeWav({ sampleRateHz: 8000, channels: 1, samples: new Int16Array(800) }));
    expect(info.durationMs).toBe(100);
    expect(stored('notice.wav').samples.length).toBe(800);
    expect(readdirSync(dir)).toEqual(['notice.wav']);
  });
});

describe('PromptStore.save — rejections leave nothing behind', () => {
  const cases: Array<[string, () => Uint8Array, PromptErrorCode, RegExp?]> = [
    ['MP3 (ID3 header)', () => Buffer.concat([Buffer.from('ID3\x04\x00\x00\x00\x00\x00\x21', 'latin1'), Buffer.alloc(200, 0xff)]), 'not-wav', /MP3/],
    ['plain text', () => Buffer.from('Dear citizens, the water supply will be interrupted.\n'), 'not-wav'],
    ['zero bytes', () => new Uint8Array(0), 'empty'],
    ['RIFF cut inside the header', () => inputs.s16stereo44k!.subarray(0, 40), 'not-wav', /truncated/],
    ['RIFF cut in the middle of the data chunk', () => inputs.s16stereo44k!.subarray(0, 100_000), 'not-wav', /truncated/],
    ['RIFF without a data chunk', () => inputs.s16stereo44k!.subarray(0, 36), 'not-wav'],
    ['empty data chunk', () => createWavHeader({ sampleRateHz: 8000, channels: 1, dataBytes: 0 }), 'empty'],
    ['data chunk shorter than one frame', () => Buffer.concat([createWavHeader({ sampleRateHz: 8000, channels: 2, dataBytes: 2 }), Buffer.alloc(2)]), 'empty'],
    ['MS ADPCM', () => inputs.adpcm!, 'unsupported-format', /ADPCM/],
  ];

  it.each(cases)('%s', async (_label, make, code, message) => {
    const store = new PromptStore({ dir });
    const error = await expectPromptError(store.save('bad.wav', make()), code);
    if (message) expect(error.message).toMatch(message);
    expect(store.exists('bad.wav')).toBe(false);
    expect(leftovers()).toEqual([]);
  });

  it.each(['../x.wav', 'a b.wav', 'x.mp3', 'x.WAV', '.wav', '.hidden.wav', 'a..b.wav', 'sub/x.wav', '', `${'a'.repeat(129)}.wav`])(
    'rejects the name %j',
    async (name) => {
      const store = new PromptStore({ dir });
      await expectPromptError(store.save(name, inputs.s16stereo44k!), 'invalid-name');
      expect(() => store.path(name)).toThrow(PromptError);
      await expectPromptError(store.remove(name), 'invalid-name');
      expect(store.exists(name)).toBe(false);
      expect(() => readdirSync(dir)).toThrow(); // never even created
      expect(readdirSync(work).filter((f) => f.startsWith('x') || f.endsWith('.mp3'))).toEqual([]);
    },
  );

  it('rejects uploads over maxBytes', async () => {
    const store = new PromptStore({ dir, maxBytes: 100_000 });
    const error = await expectPromptError(store.save('big.wav', inputs.s16stereo44k!), 'too-large');
    expect(error.message).toContain('100000');
    expect(leftovers()).toEqual([]);
  });

  it('rejects prompts over maxDurationMs', async () => {
    mkdirSync(dir, { recursive: true });
    const store = new PromptStore({ dir, maxDurationMs: 1000 });
    await expectPromptError(store.save('long.wav', inputs.f32mono44k!), 'too-long');
    expect(readdirSync(dir)).toEqual([]);
    expect((await store.save('short.wav', encodeWav({ sampleRateHz: 8000, channels: 1, samples: new Int16Array(8000) }))).durationMs).toBe(1000);
  });

  it('reports a missing sox as convert-failed and removes its temporary files', async () => {
    const store = new PromptStore({ dir, soxPath: join(work, 'no-such-sox') });
    const error = await expectPromptError(store.save('x.wav', inputs.s16stereo44k!), 'convert-failed');
    expect(error.message).toMatch(/sox not found/);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('PromptStore — list, exists, path, remove', () => {
  it('lists stored prompts by name with durations and sizes; skips other files', async () => {
    const store = new PromptStore({ dir });
    expect(await store.list()).toEqual([]); // directory does not exist yet
    await store.save('b-notice.wav', inputs.mulaw8k!);
    await store.save('a-welcome.wav', encodeWav({ sampleRateHz: 8000, channels: 1, samples: new Int16Array(2000) }));
    writeFileSync(join(dir, 'readme.txt'), 'not a prompt');
    writeFileSync(join(dir, 'broken.wav'), 'not a wav either');
    mkdirSync(join(dir, '.tmp-leftover'));
    const list = await store.list();
    expect(list.map((p) => p.name)).toEqual(['a-welcome.wav', 'b-notice.wav']);
    expect(list[0]).toEqual({ name: 'a-welcome.wav', durationMs: 250, bytes: statSync(join(dir, 'a-welcome.wav')).size });
    expect(Math.abs(list[1]!.durationMs - 1500)).toBeLessThanOrEqual(20);
  });

  it('exists / path / remove', async () => {
    const store = new PromptStore({ dir });
    expect(store.exists('welcome.wav')).toBe(false);
    const path = store.path('welcome.wav');
    expect(isAbsolute(path)).toBe(true);
    expect(path).toBe(join(dir, 'welcome.wav'));
    await store.save('welcome.wav', inputs.alaw8k!);
    expect(store.exists('welcome.wav')).toBe(true);
    expect(decodeWav(readFileSync(path)).sampleRateHz).toBe(8000);
    expect(await store.remove('welcome.wav')).toBe(true);
    expect(await store.remove('welcome.wav')).toBe(false);
    expect(store.exists('welcome.wav')).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('resolves a relative dir to an absolute path', () => {
    const store = new PromptStore({ dir: 'some/relative/prompts' });
    expect(isAbsolute(store.path('x.wav'))).toBe(true);
  });
});
