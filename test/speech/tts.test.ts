/** Real espeak-ng + sox rendering into a temporary cache directory. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EspeakSynthesizer } from '../../src/speech/tts.js';
import { TtsError } from '../../src/speech/errors.js';
import { readWavFile } from '../../src/speech/wav.js';

function has(binary: string): boolean {
  try {
    execFileSync(binary, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const cacheDir = mkdtempSync(join(tmpdir(), 'tts-test-'));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

describe.skipIf(!has('espeak-ng') || !has('sox'))('espeak-ng synthesizer', () => {
  const tts = new EspeakSynthesizer({ cacheDir });
  const prompt = '您好，这里是12345政务服务便民热线。';

  it('renders Mandarin to a mono 16-bit WAV at 8000 Hz by default', async () => {
    const path = await tts.synthesize(prompt, 'cmn');
    expect(path.startsWith(cacheDir)).toBe(true);
    const wav = await readWavFile(path);
    expect(wav.sampleRateHz).toBe(8000);
    expect(wav.channels).toBe(1);
    const seconds = wav.samples.length / 8000;
    expect(seconds).toBeGreaterThan(1);
    expect(seconds).toBeLessThan(20);
    expect(wav.samples.some((s) => Math.abs(s) > 1000)).toBe(true); // not silence
  });

  it('serves the second request from the cache without rendering', async () => {
    const path1 = await tts.synthesize(prompt, 'cmn');
    const before = { ...tts.stats };
    const mtime = statSync(path1).mtimeMs;
    const path2 = await tts.synthesize(prompt, 'cmn');
    expect(path2).toBe(path1);
    expect(tts.stats.renders).toBe(before.renders);
    expect(tts.stats.cacheHits).toBe(before.cacheHits + 1);
    expect(statSync(path2).mtimeMs).toBe(mtime);
  });

  it('renders concurrent requests for the same prompt once', async () => {
    const renders = tts.stats.renders;
    const paths = await Promise.all([1, 2, 3].map(() => tts.synthesize('请稍候，正在为您转接。', 'cmn', 16000)));
    expect(new Set(paths).size).toBe(1);
    expect(tts.stats.renders).toBe(renders + 1);
    const wav = await readWavFile(paths[0]!);
    expect(wav.sampleRateHz).toBe(16000);
  });

  it('keys the cache by voice and rate', async () => {
    const yue = await tts.synthesize(prompt, 'yue');
    const cmn16 = await tts.synthesize(prompt, 'cmn', 16000);
    const cmn8 = await tts.synthesize(prompt, 'cmn');
    expect(new Set([yue, cmn16, cmn8]).size).toBe(3);
  });

  it('reads text from stdin, so a prompt starting with "-" is spoken, not parsed', async () => {
    const wav = await readWavFile(await tts.synthesize('-v yue --help', 'en'));
    expect(wav.samples.length).toBeGreaterThan(4000);
  });

  it('rejects invalid input with TtsError', async () => {
    await expect(tts.synthesize('   ', 'cmn')).rejects.toBeInstanceOf(TtsError);
    await expect(tts.synthesize('hi', 'fr' as never)).rejects.toMatchObject({ code: 'invalid-input' });
    await expect(tts.synthesize('hi', 'en', 44100 as never)).rejects.toMatchObject({ code: 'invalid-input' });
  });
});

describe('synthesizer errors', () => {
  it('a missing engine is TtsError engine-missing', async () => {
    const tts = new EspeakSynthesizer({ cacheDir, espeakPath: '/nonexistent/espeak-ng' });
    const error = await tts.synthesize('你好', 'cmn').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TtsError);
    expect((error as TtsError).code).toBe('engine-missing');
  });
});
