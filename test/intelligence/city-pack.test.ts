import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CityPackError, defaultCityPack, loadCityPack, validateCityPack } from '../../src/domain/tickets/intelligence/city-pack.js';
import { createTicketExtractor } from '../../src/domain/tickets/intelligence/extractor.js';

describe('city pack', () => {
  it('loads the default 郑州 pack with all districts and zones', () => {
    const pack = defaultCityPack();
    expect(pack.city).toBe('郑州市');
    expect(pack.districts.map((d) => d.name)).toEqual([
      '中原区', '二七区', '管城回族区', '金水区', '上街区', '惠济区', '郑东新区', '郑州经济技术开发区', '郑州高新技术产业开发区',
      '郑州航空港经济综合实验区', '巩义市', '荥阳市', '新密市', '新郑市', '登封市', '中牟县',
    ]);
    expect(pack.units).toHaveLength(17);
    expect(pack.categories.map((c) => c.name)).toEqual([
      '城乡建设', '环境保护', '交通运输', '劳动和社会保障', '教育文体', '卫生健康', '市场监管', '公共安全', '水电气暖', '民政社区', '商贸旅游', '其他',
    ]);
  });

  it('reports every problem with its JSON path', () => {
    const bad = {
      id: 'x', city: '某市', areaCode: '371', districts: [{ name: 'A区' }, { name: 'A区' }],
      units: [{ name: '区政府', aliases: [] }], fallbackUnit: '不存在局',
      categories: [{ name: '其他', subcategories: [{ name: '杂项', units: ['警察局'] }] }],
      alertSubcategories: { fire: '火灾' },
    };
    try {
      validateCityPack(bad, 'bad.json');
      expect.fail('should throw');
    } catch (error) {
      expect(error).toBeInstanceOf(CityPackError);
      const problems = (error as CityPackError).problems.join('\n');
      expect(problems).toContain('$.areaCode');
      expect(problems).toContain('duplicate names A区');
      expect(problems).toContain('$.fallbackUnit: unknown unit "不存在局"');
      expect(problems).toContain('$.categories[0].subcategories[0].units[0]: unknown unit "警察局"');
      expect(problems).toContain('$.alertSubcategories.fire: unknown subcategory "火灾"');
    }
  });

  it('fails clearly on unreadable or non-JSON files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pack-'));
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{ not json');
    expect(() => loadCityPack(path)).toThrow(CityPackError);
    expect(() => loadCityPack(join(dir, 'missing.json'))).toThrow(/cannot read file/);
  });

  it('drives extraction: another city pack changes districts and units', () => {
    const base = defaultCityPack();
    const other = validateCityPack({
      ...base, id: 'kaifeng', city: '开封市', areaCode: '0371',
      districts: [{ name: '鼓楼区', aliases: ['鼓楼区'] }, { name: '龙亭区', aliases: ['龙亭区'] }],
    });
    const extractor = createTicketExtractor({ cityPack: other });
    const update = extractor.addTurn({ speaker: 'caller', text: '我是龙亭区的，楼下烧烤摊油烟太大了。' });
    expect(update.draft.district.value).toBe('龙亭区');
  });

  it('rejects an invalid auto-dispatch threshold', () => {
    expect(() => createTicketExtractor({ autoDispatchThreshold: 1.5 })).toThrow(RangeError);
  });
});
