/**
 * Spoken Chinese numerals.
 *
 * Two readings matter on a hotline:
 * - digit-by-digit readings of phone numbers, user numbers and room numbers: 幺三八… where
 *   幺 = 1 (said to avoid confusing 一 with 七), 两 = 2, 洞 = 0, 拐 = 7 and 勾 = 9 (radio
 *   alphabet readings), 〇/零 = 0, plus Arabic and full-width digits and the financial forms
 *   壹贰叁…;
 * - positional numbers for house numbers, floors and counts: 十一号楼, 三十二层, 二百零五室.
 */

/** Digit value of one character read digit-by-digit, or undefined when it is not a digit reading. */
export const DIGIT_READINGS: Readonly<Record<string, string>> = {
  '0': '0', '1': '1', '2': '2', '3': '3', '4': '4', '5': '5', '6': '6', '7': '7', '8': '8', '9': '9',
  '零': '0', '〇': '0', '洞': '0', '○': '0',
  '一': '1', '幺': '1', '壹': '1', '么': '1',
  '二': '2', '两': '2', '贰': '2',
  '三': '3', '叁': '3',
  '四': '4', '肆': '4',
  '五': '5', '伍': '5',
  '六': '6', '陆': '6',
  '七': '7', '柒': '7', '拐': '7',
  '八': '8', '捌': '8',
  '九': '9', '玖': '9', '勾': '9',
};

/** Digit of a character, or undefined. */
export function digitOf(ch: string): string | undefined {
  return DIGIT_READINGS[ch];
}

/** Characters that only occur in spoken digit strings (never as an ordinary word character). */
export const UNAMBIGUOUS_DIGITS = /[0-9零〇幺洞]/;

const SMALL: Readonly<Record<string, number>> = {
  '零': 0, '〇': 0, '一': 1, '幺': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9,
};
const UNITS: Readonly<Record<string, number>> = { '十': 10, '百': 100, '千': 1000 };

/**
 * Value of a positional numeral up to 9999 (十一 → 11, 三十二 → 32, 二百零五 → 205, 十 → 10),
 * or of a digit-by-digit reading without units (三零二 → 302). Arabic digits pass through.
 * Returns undefined for anything else.
 */
export function parseChineseNumber(text: string): number | undefined {
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text);
  if (!/^[零〇一幺二两三四五六七八九十百千]+$/.test(text)) return undefined;
  if (!/[十百千]/.test(text)) {
    let digits = '';
    for (const ch of text) digits += String(SMALL[ch]);
    return Number(digits);
  }
  let total = 0;
  let current = 0;
  for (const ch of text) {
    const unit = UNITS[ch];
    if (unit !== undefined) {
      total += (current === 0 ? 1 : current) * unit;
      current = 0;
    } else {
      current = SMALL[ch] ?? 0;
    }
  }
  return total + current;
}

/** Replace positional/digit numerals directly before 号楼/号院/栋/幢/单元/层/楼/室/号 with Arabic digits. */
export function arabiseBuildingNumbers(text: string): string {
  return text.replace(/([零〇一幺二两三四五六七八九十百]+)(?=号楼|号院|栋|幢|单元|层|楼|室|号)/g, (m) => {
    const value = parseChineseNumber(m);
    return value === undefined ? m : String(value);
  });
}
