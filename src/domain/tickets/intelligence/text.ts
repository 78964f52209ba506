/**
 * Text normalisation shared by every extractor.
 *
 * Transcripts come in two forms: clean (punctuated Chinese, Arabic digits) and ASR-style (words
 * separated by spaces, no punctuation, numbers as spoken numerals). Extractors work on a
 * normalised string in which the ASR word spaces are removed (so "金水 区" and "金水区" look the
 * same) and full-width ASCII is folded to half-width. The normalisation is character-for-character
 * except for removed spaces, and keeps an offset map so every match can be reported as evidence
 * in the original text.
 */
import type { FieldEvidence, TranscriptTurn } from './types.js';

/** A turn prepared for extraction. */
export interface PreparedTurn {
  /** 0-based position in the call. */
  readonly index: number;
  readonly speaker: TranscriptTurn['speaker'];
  /** The text as received. */
  readonly original: string;
  /** Normalised text (see module doc). */
  readonly text: string;
  /** `map[i]` is the offset in `original` of `text[i]`; `map[text.length] === original.length`. */
  readonly map: readonly number[];
  /** True when the original looks ASR-style (no CJK punctuation, spaces between words). */
  readonly asrStyle: boolean;
}

const ASCII_ALNUM = /[0-9A-Za-z]/;
const CJK_PUNCT = /[，。？！、；：“”‘’（）…]/;

/** Fold one full-width ASCII character (！..～, U+FF01–FF5E) and the ideographic space to half-width. */
function foldWidth(ch: string): string {
  const code = ch.charCodeAt(0);
  if (code >= 0xff01 && code <= 0xff5e && !CJK_PUNCT.test(ch)) return String.fromCharCode(code - 0xfee0);
  if (code === 0x3000) return ' ';
  return ch;
}

/**
 * Normalise one turn: drop whitespace (kept as one space only between two ASCII letters/digits),
 * fold full-width ASCII. Never throws; empty text gives an empty normalised text.
 */
export function prepareTurn(turn: TranscriptTurn, index: number): PreparedTurn {
  const original = turn.text ?? '';
  let text = '';
  const map: number[] = [];
  for (let i = 0; i < original.length; i++) {
    const ch = foldWidth(original[i]!);
    if (/\s/.test(ch)) {
      const prev = text[text.length - 1];
      let j = i + 1;
      while (j < original.length && /\s/.test(original[j]!)) j++;
      const next = original[j];
      if (prev && next && ASCII_ALNUM.test(prev) && ASCII_ALNUM.test(foldWidth(next))) {
        text += ' ';
        map.push(i);
      }
      i = j - 1;
      continue;
    }
    text += ch;
    map.push(i);
  }
  map.push(original.length);
  const asrStyle = !CJK_PUNCT.test(original) && / /.test(original.trim());
  return { index, speaker: turn.speaker, original, text, map, asrStyle };
}

/** Evidence for the half-open span [start, end) of a prepared turn's normalised text. */
export function evidenceOf(turn: PreparedTurn, start: number, end: number): FieldEvidence {
  const s = turn.map[Math.max(0, Math.min(start, turn.text.length))] ?? 0;
  const endIndex = Math.max(start, Math.min(end, turn.text.length));
  // End at the character after the last covered one (skip trailing removed spaces).
  const e = endIndex > start ? (turn.map[endIndex - 1] ?? s) + 1 : s;
  return { turnIndex: turn.index, start: s, end: e, text: turn.original.slice(s, e) };
}

/** Characters that end a clause in clean text. ASR text has none; callers must not rely on them. */
export const CLAUSE_BREAK = /[，。？！；、,.?!;…~\n]/;

/** Does the text end a question or confirmation request (对吗/是吗/对吧…)? */
export function isConfirmationRequest(text: string): boolean {
  return /(对吗|对吧|是吗|是吧|对不对|是不是|没错吧|我说得对吗)[？?。]?$/.test(text.trim()) || /对吗|对吧|是吗/.test(text);
}

/** Does a caller reply open with an agreement (对/是/嗯/没错…)? */
export function isAgreement(text: string): boolean {
  return /^(对|是的|是啊|是|嗯|没错|对的|对对|好的|行)/.test(text) && !/^(对不起|是不是)/.test(text) && !/不对|不是/.test(text.slice(0, 4));
}

/** Does a reply open with a denial/correction (不对/不是/错了…)? */
export function isDenial(text: string): boolean {
  return /^(不对|不是|错了|说错了|不不|没有|不)/.test(text);
}

/** Count of Han characters. */
export function hanLength(text: string): number {
  let n = 0;
  for (const ch of text) if (/\p{Script=Han}/u.test(ch)) n++;
  return n;
}
