import { describe, expect, it } from 'vitest';
import { extractCallerName } from '../../src/domain/tickets/intelligence/names.js';
import { turns } from './helpers.js';

const name = (...lines: string[]) => extractCallerName(turns(...lines)).value;

describe('caller name', () => {
  it('keeps a full name', () => {
    expect(name('C:我叫宁浩然，电话幺八幺三七零九六五四二。', 'A:好的宁先生。')).toBe('宁浩然');
    expect(name('C:我 叫 武 志 刚 电话 一 八 三')).toBe('武志刚');
    expect(name('C:俺姓贾，贾保国。电话是零三七一。')).toBe('贾保国');
  });

  it('combines a surname with the honorific the caller or agent uses', () => {
    expect(name('C:我姓谢，谢先生。')).toBe('谢先生');
    expect(name('C:姓范。', 'A:好的范女士，我们会转交处理。')).toBe('范女士');
    expect(name('C:我姓邵，谢谢你啊姑娘。', 'A:不客气邵先生。')).toBe('邵先生');
    expect(name('C:我姓欧阳，欧阳女士。')).toBe('欧阳女士');
    expect(name('C:我姓应，应该的应。', 'A:好的应女士。')).toBe('应女士');
  });

  it('honours a character clarification', () => {
    expect(name('C:姓肖，草字头那个萧，不是小月肖。', 'A:肖女士，联系电话是？')).toBe('萧女士');
  });

  it('is null when the caller declines', () => {
    const field = extractCallerName(turns('A:请问您怎么称呼？', 'C:不用记名字了吧，你就说是附近业主。'));
    expect(field.value).toBeNull();
    expect(field.confidence).toBeGreaterThan(0.5);
    expect(name('A:您怎么称呼？', 'C:名字电话都不留了。')).toBeNull();
  });
});

describe('caller name edge cases', () => {
  it('keeps given names with common characters and skips stutters', () => {
    expect(extractCallerName(turns('C:我叫王家伟，电话一三八。')).value).toBe('王家伟');
    expect(extractCallerName(turns('C:我叫王……王建国。')).value).toBe('王建国');
    expect(extractCallerName(turns('C:我姓李，木子李。', 'A:好的李先生。')).value).toBe('李先生');
  });
});

describe('informal names', () => {
  it('takes the surname from 叫我小王就行 and the honorific from the agent', () => {
    expect(extractCallerName(turns('C:叫我小王就行。', 'A:好的王先生。')).value).toBe('王先生');
  });
});
