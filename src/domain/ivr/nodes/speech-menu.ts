import { NODE_PROPS, type NodeProps } from '../flow-schema.js';
import { callLanguage, resolvePrompt, type IvrContext } from '../context.js';
import { IvrNode } from '../node.js';
import { keyClass } from './menu.js';

/** Lower-case, drop spaces and punctuation (ASCII and CJK), so `停 水。` matches `停水`. */
export function normaliseUtterance(text: string): string {
  return text.toLowerCase().replace(/[\s\p{P}\p{S}]+/gu, '');
}

/**
 * The choice whose keyword occurs in the utterance; the longest matching keyword wins (so
 * `不停水` beats `水`), ties go to the earlier choice. Undefined if none matches.
 */
export function matchKeywords<C extends { keywords: readonly string[] }>(utterance: string, choices: readonly C[]): C | undefined {
  const said = normaliseUtterance(utterance);
  let best: { choice: C; length: number } | undefined;
  for (const choice of choices) {
    for (const keyword of choice.keywords) {
      const k = normaliseUtterance(keyword);
      if (k && said.includes(k) && (!best || k.length > best.length)) best = { choice, length: k.length };
    }
  }
  return best?.choice;
}

/**
 * `speechMenu`: 智能语音导航. Ask, recognise one short utterance, map keywords to exits; after
 * `retries` failed attempts fall back to DTMF (each choice's `digit`), if any choice has one.
 * Exits: the matched choice's `exit`, or `failed`. The utterance is stored in variable `<nodeId>`.
 */
export class SpeechMenuNode extends IvrNode<NodeProps<'speechMenu'>> {
  static readonly propsSchema = NODE_PROPS.speechMenu;

  async exec(ctx: IvrContext): Promise<string> {
    const p = this.props;
    const language = p.language ?? callLanguage(ctx);
    for (let attempt = 0; attempt < p.retries; attempt++) {
      const prompt = attempt > 0 && p.retryPrompt ? p.retryPrompt : p.prompt;
      const said = await ctx.listen(this.id, resolvePrompt(prompt, ctx), { maxListenMs: p.maxListenMs, language }, this.signal);
      if (said === null) continue;
      ctx.variables.set(this.id, said);
      const choice = matchKeywords(said, p.choices);
      if (choice) return choice.exit;
    }
    const keyed = p.choices.filter((c) => c.digit !== undefined);
    if (keyed.length === 0 || !p.fallbackPrompt) return 'failed';
    const digit = await ctx.collectDigits(this.id, {
      prompt: resolvePrompt(p.fallbackPrompt, ctx), minDigits: 1, maxDigits: 1, tries: 2, timeoutMs: 5000,
      validDigits: keyClass(keyed.map((c) => c.digit!)),
    }, this.signal);
    return keyed.find((c) => c.digit === digit)?.exit ?? 'failed';
  }
}
