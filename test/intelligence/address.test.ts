import { describe, expect, it } from 'vitest';
import { extractDistrict, extractIncidentAddress, findDistrictMentions } from '../../src/domain/tickets/intelligence/address.js';
import { defaultCityPack } from '../../src/domain/tickets/intelligence/city-pack.js';
import { turns } from './helpers.js';

const pack = defaultCityPack();
const district = (...lines: string[]) => extractDistrict(turns(...lines), pack).value;

describe('district', () => {
  it('maps aliases and zones to official names', () => {
    expect(district('C:我们是高新区的。')).toBe('郑州高新技术产业开发区');
    expect(district('C:经开区，第八大街那边。')).toBe('郑州经济技术开发区');
    expect(district('C:港区这边，新港大道上。')).toBe('郑州航空港经济综合实验区');
    expect(district('C:管城区东大街。')).toBe('管城回族区');
    expect(district('C:登封嘞，卢店镇。')).toBe('登封市');
  });

  it('follows a self-correction: "二七区的……哎不对，这边是中原区"', () => {
    expect(district('C:我是二七区的……哎不对，我老记混，这边是中原区，秦岭路。')).toBe('中原区');
    expect(district('C:不是金水区，是二七区，大学路上。')).toBe('二七区');
  });

  it('follows a correction in ASR form', () => {
    expect(district('C:金水区 哦 不对 是 郑东新区 如意 湖 那边')).toBe('郑东新区');
  });

  it('drops an agent restatement the caller denies', () => {
    expect(district('C:我在惠济区这边。', 'A:是金水区吗？', 'C:不是，惠济区。')).toBe('惠济区');
  });

  it('infers the district from a town or landmark', () => {
    expect(district('C:就是孝义街道这边，桐本路。')).toBe('巩义市');
    expect(district('C:卢店镇西沟村。')).toBe('登封市');
  });

  it('does not read districts inside road names, digit strings or the city name', () => {
    expect(findDistrictMentions(turns('C:金水路和二七路交叉口。')[0]!, pack)).toEqual([]);
    expect(district('C:电话 一 五 零 三 八 二 七 六 六 一 九')).toBeNull();
    expect(district('C:居民医保，在郑州交的。')).toBeNull();
    expect(district('C:上街区，中心路街道，登封路上的锦江花园。')).toBe('上街区');
  });
});

describe('incident address', () => {
  const address = (...lines: string[]) => {
    const t = turns(...lines);
    const d = extractDistrict(t, pack);
    return extractIncidentAddress(t, pack, d.value, d.mentions).value;
  };

  it('prefers the agent restatement and normalises junctions and building numbers', () => {
    expect(address('C:中原区秦岭路跟……跟建设路，西南角那个工地。', 'A:中原区秦岭路与建设路交叉口西南角的工地，对吗？', 'C:对。'))
      .toBe('中原区秦岭路与建设路交叉口西南角工地');
    expect(address('A:请问您的地址是？', 'C:惠济区，长兴路街道，英才街上的“青禾家园”，六号楼一单元三零二。'))
      .toBe('惠济区长兴路街道英才街青禾家园6号楼1单元302');
  });

  it('withdraws a piece the caller corrects', () => {
    expect(address('A:请问是哪个公园？', 'C:二七区，碧沙岗……哦不是，是人民公园，南门进来那个亭子边上。')).toBe('二七区人民公园南门');
  });

  it('gives null for a district alone', () => {
    expect(address('C:我们是高新区的，户口也在这边。')).toBeNull();
  });
});
