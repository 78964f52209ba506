import { describe, expect, it } from 'vitest';
import { errorRate, normalizeWords, sumWordErrors, wordErrorRate, wordErrors } from '../../src/speech/wer.js';

describe('word error rate', () => {
  it('counts substitutions, deletions and insertions of the best alignment', () => {
    expect(wordErrors(['a', 'b', 'c', 'd'], ['a', 'x', 'c', 'd', 'e'])).toEqual({ substitutions: 1, deletions: 0, insertions: 1, referenceWords: 4 });
    expect(wordErrors(['a', 'b', 'c'], ['a', 'c'])).toEqual({ substitutions: 0, deletions: 1, insertions: 0, referenceWords: 3 });
    const c = wordErrors('the cat sat on the mat'.split(' '), 'the cat sit on mat today'.split(' '));
    expect(c.substitutions + c.deletions + c.insertions).toBe(3); // several alignments cost 3
    expect(errorRate(c)).toBeCloseTo(0.5, 10);
  });

  it('normalises case, fillers, alternate pronunciations and punctuation', () => {
    expect(normalizeWords('<s> Go FORWARD(2) <sil> ten [NOISE] meters. </s>')).toEqual(['go', 'forward', 'ten', 'meters']);
    expect(wordErrorRate('go forward ten meters', 'GO forward, ten meters!')).toBe(0);
  });

  it('handles empty inputs and sums corpus counts', () => {
    expect(wordErrorRate('', '')).toBe(0);
    expect(wordErrorRate('a b', '')).toBe(1);
    expect(wordErrorRate('', 'a b')).toBe(2);
    const total = sumWordErrors([wordErrors(['a'], ['b']), wordErrors(['c', 'd', 'e'], ['c', 'd', 'e'])]);
    expect(errorRate(total)).toBeCloseTo(0.25, 10);
  });

  it('keeps CJK words', () => {
    expect(wordErrorRate('路灯 坏了', '路灯 好了')).toBe(0.5);
  });
});
