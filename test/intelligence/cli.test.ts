import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runExtract } from '../../src/cli/extract.js';

function capture() {
  let out = '';
  let err = '';
  return {
    io: { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } },
    get out() { return out; },
    get err() { return err; },
  };
}

const call = {
  id: 'x1',
  transcript: [
    { speaker: 'agent', text: '您好，12345热线，请问有什么可以帮您？' },
    { speaker: 'caller', text: '我要投诉，金水区文化路上的工地天天夜里施工，吵得睡不着。' },
    { speaker: 'agent', text: '请问您贵姓，联系电话？' },
    { speaker: 'caller', text: '我姓李，电话一三八，三七一二，四五六七。' },
  ],
  asr: [
    { speaker: 'agent', text: '您好 幺 二 三 四 五 热线 请问 有 什么 可以 帮 您' },
    { speaker: 'caller', text: '我 要 投诉 金水区 文化 路上 的 工地 天天 夜里 施工 吵 得 睡不着' },
    { speaker: 'agent', text: '请问 您 贵姓 联系电话' },
    { speaker: 'caller', text: '我 姓 李 电话 一 三 八 三 七 一 二 四 五 六 七' },
  ],
  gold: { ignored: true },
};

function corpusFile(lines: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'extract-'));
  const path = join(dir, 'calls.jsonl');
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

describe('hotline extract', () => {
  it.each(['transcript', 'asr'])('prints one JSON draft per line with the same id (--form %s)', async (form) => {
    const path = corpusFile([JSON.stringify(call), JSON.stringify({ ...call, id: 'x2' })]);
    const c = capture();
    const code = await runExtract([path, '--form', form], c.io);
    expect(code).toBe(0);
    const lines = c.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.id)).toEqual(['x1', 'x2']);
    const d = lines[0]!;
    expect(d).toMatchObject({
      contactPhone: '13837124567', appealType: '投诉', category: '环境保护', district: '金水区', urgency: 'normal',
      emergencyService: null, sensitive: false, confidential: false,
    });
    expect(d.callerName).toMatch(/^李/);
    expect(Array.isArray(d.handlingUnits)).toBe(true);
    expect(typeof d.department).toBe('string');
    expect((d.confidence as Record<string, number>).contactPhone).toBeGreaterThan(0.5);
    expect((d.evidence as Record<string, { turnIndex: number }[]>).contactPhone![0]!.turnIndex).toBe(3);
    expect(typeof d.summary === 'string' && d.summary.length <= 60).toBe(true);
  });

  it('defaults to the transcript form and reports malformed lines with exit code 1', async () => {
    const path = corpusFile([JSON.stringify(call), '{oops', JSON.stringify({ id: 'y', transcript: 'nope' })]);
    const c = capture();
    expect(await runExtract([path], c.io)).toBe(1);
    expect(c.out.trim().split('\n')).toHaveLength(1);
    expect(c.err).toContain('line 2');
    expect(c.err).toContain('line 3');
  });

  it('rejects bad usage with exit code 2', async () => {
    const c = capture();
    expect(await runExtract([], c.io)).toBe(2);
    expect(await runExtract(['x.jsonl', '--form', 'mp3'], c.io)).toBe(2);
    expect(await runExtract(['/nonexistent/file.jsonl'], c.io)).toBe(2);
    expect(c.err).toContain('usage');
  });
});
