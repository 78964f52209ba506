import { describe, expect, it } from 'vitest';
import { NaiveBayesModel, softmax } from '../../src/domain/tickets/intelligence/naive-bayes.js';

const docs = [
  { features: ['噪音', '施工', '晚上'], label: 'noise' },
  { features: ['噪音', '跳舞', '音响'], label: 'noise' },
  { features: ['工资', '拖欠', '老板'], label: 'wage' },
  { features: ['工资', '没发', '工地'], label: 'wage' },
];

describe('NaiveBayesModel', () => {
  it('classifies by feature evidence', () => {
    const model = NaiveBayesModel.fit(docs);
    expect(model.predict(['拖欠', '工资'])[0]!.label).toBe('wage');
    expect(model.predict(['音响', '晚上'])[0]!.label).toBe('noise');
  });

  it('scores incrementally the same as in one batch, counting each feature once', () => {
    const model = NaiveBayesModel.fit(docs);
    const a = model.scorer();
    a.add(['工资']);
    a.add(['拖欠', '工资', '未知词']);
    const b = model.scorer();
    b.add(['工资', '拖欠']);
    expect([...a.scores]).toEqual([...b.scores]);
    expect(a.knownFeatures).toBe(2);
  });

  it('ignores unknown features and gives the prior when nothing is known', () => {
    const model = NaiveBayesModel.fit(docs);
    const p = model.predict(['完全没见过']);
    expect(p[0]!.probability).toBeCloseTo(0.5);
  });

  it('needs two labels', () => {
    expect(() => NaiveBayesModel.fit([{ features: ['a'], label: 'x' }])).toThrow(RangeError);
  });

  it('softmax is normalised and stable', () => {
    const p = softmax([1000, 1000, 999]);
    expect(p.reduce((x, y) => x + y, 0)).toBeCloseTo(1);
    expect(p[0]).toBeCloseTo(p[1]!);
  });
});
