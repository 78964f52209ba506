import { describe, expect, it } from 'vitest';
import { arabiseBuildingNumbers, parseChineseNumber } from '../../src/domain/tickets/intelligence/numerals.js';
import { extractContactPhone, findPhoneInDigits, isLandline, isMobile } from '../../src/domain/tickets/intelligence/phone.js';
import { turns } from './helpers.js';

const opts = { areaCode: '0371' };

describe('numerals', () => {
  it('reads positional and digit-by-digit numerals', () => {
    expect(parseChineseNumber('十一')).toBe(11);
    expect(parseChineseNumber('三十二')).toBe(32);
    expect(parseChineseNumber('二百零五')).toBe(205);
    expect(parseChineseNumber('三零二')).toBe(302);
    expect(parseChineseNumber('幺零')).toBe(10);
    expect(parseChineseNumber('楼')).toBeUndefined();
  });
  it('arabises building numbers', () => {
    expect(arabiseBuildingNumbers('十二号楼')).toBe('12号楼');
    expect(arabiseBuildingNumbers('六号楼一单元')).toBe('6号楼1单元');
  });
});

describe('phone number formats', () => {
  it('validates mobiles and landlines with area code', () => {
    expect(isMobile('13812345678')).toBe(true);
    expect(isMobile('12812345678')).toBe(false);
    expect(isLandline('037162873510')).toBe(true);
    expect(isLandline('01062873510')).toBe(true);
    expect(isLandline('00873651')).toBe(false);
  });
  it('finds the final reading in a repeated or restarted digit string', () => {
    expect(findPhoneInDigits('1893954702618939547026')?.number).toBe('18939547026');
    expect(findPhoneInDigits('13013017663802')?.number).toBe('13017663802');
    expect(findPhoneInDigits('8613812345678')?.number).toBe('13812345678');
    expect(findPhoneInDigits('65328871', '0371', true)?.number).toBe('037165328871');
    expect(findPhoneInDigits('65328871', '0371', false)).toBeUndefined();
  });
});

describe('extractContactPhone', () => {
  it('reads 幺 as 1', () => {
    const t = turns('A:请问您的联系电话？', 'C:我姓王，电话幺三八幺二三四五六七八。');
    expect(extractContactPhone(t, opts).value).toBe('13812345678');
  });

  it('joins grouped readings with pauses (一五五，三八零九，七七二六)', () => {
    expect(extractContactPhone(turns('A:联系电话是？', 'C:一五五，三八零九，七七二六。'), opts).value).toBe('15538097726');
  });

  it('handles ASR form with spaces and fillers', () => {
    const t = turns('A:请 留 个 联系电话', 'C:电话 一 三 六 九 三 七 幺 嗯 二 零 八 四');
    expect(extractContactPhone(t, opts).value).toBe('13693712084');
  });

  it('reads a landline with area code 0371', () => {
    const spoken = turns('A:您的联系电话是多少？', 'C:俺家座机是零三七一，六二八七，三五幺零。');
    expect(extractContactPhone(spoken, opts).value).toBe('037162873510');
    const written = turns('A:联系电话？', 'C:电话是0371-62873510。');
    expect(extractContactPhone(written, opts).value).toBe('037162873510');
  });

  it('prefixes the city area code to a bare local number said as a phone', () => {
    const t = turns('A:请问您的联系电话？', 'C:电话是家里座机，六五三二，八八七一。');
    expect(extractContactPhone(t, opts).value).toBe('037165328871');
  });

  it('takes the restart when the caller starts over in the next utterance', () => {
    const t = turns('A:请问您的姓名和联系电话？', 'C:我叫胡小燕。电话是一三零……', 'A:嗯，您说。', 'C:一三零幺七，六六三八，零二。');
    expect(extractContactPhone(t, opts).value).toBe('13017663802');
  });

  it('joins a number split over two utterances', () => {
    const t = turns('A:联系电话多少？', 'C:一五六三八', 'A:嗯。', 'C:三八六零幺四。');
    expect(extractContactPhone(t, opts).value).toBe('15638386014');
  });

  it('applies a correction of the last digits (最后四位是…)', () => {
    const t = turns('A:联系电话？', 'C:一三九，三七一八，八五六二……不对不对，最后四位是八五二六。');
    expect(extractContactPhone(t, opts).value).toBe('13937188526');
  });

  it('keeps the corrected number after 不对，是…', () => {
    const t = turns('A:您的电话？', 'C:一八九一二三四五六七八，不对，是一八九一二三四五六七九。');
    expect(extractContactPhone(t, opts).value).toBe('18912345679');
  });

  it('uses the agent read-back when the caller reading was not recognisable and the caller agrees', () => {
    const t = turns('A:联系电话？', 'C:电话是幺三八幺二三四五六七。', 'A:13812345678，对吗？', 'C:对。');
    const phone = extractContactPhone(t, opts);
    expect(phone.value).toBe('13812345678');
    expect(phone.evidence[0]?.turnIndex).toBe(2);
  });

  it('raises confidence when the agent read-back matches, with evidence spans in both turns', () => {
    const t = turns('A:联系电话？', 'C:一八八，三七一三，零二五九。', 'A:18837130259，对吗？');
    const phone = extractContactPhone(t, opts);
    expect(phone.value).toBe('18837130259');
    expect(phone.confidence).toBeGreaterThan(0.9);
    expect(phone.evidence.map((e) => e.turnIndex)).toEqual([1, 2]);
    expect(phone.evidence[0]?.text).toBe('一八八，三七一三，零二五九');
  });

  it('ignores user numbers, the hotline number and house numbers', () => {
    const t = turns(
      'A:您好，12345热线，请问有什么可以帮您？',
      'C:我家住6号楼1单元302，燃气表坏了。',
      'A:您的燃气用户号是多少？',
      'C:用户号是〇〇八七三六五一。',
    );
    expect(extractContactPhone(t, opts).value).toBeNull();
  });

  it('uses the caller ID only when the caller says to use the calling number', () => {
    const t = turns('A:请问您贵姓，联系电话？', 'C:姓范。电话就用我打进来的这个就行。');
    expect(extractContactPhone(t, opts).value).toBeNull();
    const withId = extractContactPhone(t, { ...opts, callerNumber: '+86 138 1234 5678' });
    expect(withId.value).toBe('13812345678');
    expect(withId.confidence).toBe(0.6);
    const noCue = turns('A:请问您贵姓？', 'C:姓范。');
    expect(extractContactPhone(noCue, { ...opts, callerNumber: '13812345678' }).value).toBeNull();
  });
});

describe('evidence spans', () => {
  it('point into the original ASR text, spaces included', () => {
    const t = turns('A:联系 电话', 'C:电话 是 一 五 五 三 八 零 九 七 七 二 六 好 的');
    const phone = extractContactPhone(t, opts);
    expect(phone.value).toBe('15538097726');
    const ev = phone.evidence[0]!;
    expect(ev.turnIndex).toBe(1);
    expect(t[1]!.original.slice(ev.start, ev.end)).toBe('一 五 五 三 八 零 九 七 七 二 六');
    expect(ev.text).toBe('一 五 五 三 八 零 九 七 七 二 六');
  });
});

describe('whose number', () => {
  it('ignores a third party number and keeps the caller’s own', () => {
    const t = turns('C:物业电话是一三八零零一二三四五六，打了没人接。', 'A:请问您的联系电话？', 'C:我的是一五九三七一二八八零四。');
    expect(extractContactPhone(t, opts).value).toBe('15937128804');
    expect(extractContactPhone(turns('C:老板的手机号是一三八零零一二三四五六，一直关机。'), opts).value).toBeNull();
  });

  it('prefers the read-back when the caller reading held extra digits', () => {
    const t = turns('A:联系电话？', 'C:一 八 八 三 七 一 三 零 二 五 九 九', 'A:幺 八 八 三 七 幺 三 零 二 五 九 好 的');
    expect(extractContactPhone(t, opts).value).toBe('18837130259');
  });
});
