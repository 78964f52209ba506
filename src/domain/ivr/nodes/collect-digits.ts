import { NODE_PROPS, type NodeProps } from '../flow-schema.js';
import { resolvePrompt, type IvrContext } from '../context.js';
import { IvrNode } from '../node.js';

/** `collectDigits`: 收号 — collect `minDigits`–`maxDigits` keys into `variable`. Exits `next`, `failed`. */
export class CollectDigitsNode extends IvrNode<NodeProps<'collectDigits'>> {
  static readonly propsSchema = NODE_PROPS.collectDigits;

  async exec(ctx: IvrContext): Promise<string> {
    const p = this.props;
    const digits = await ctx.collectDigits(this.id, {
      prompt: resolvePrompt(p.prompt, ctx),
      ...(p.invalidPrompt ? { invalidPrompt: resolvePrompt(p.invalidPrompt, ctx) } : {}),
      minDigits: p.minDigits, maxDigits: p.maxDigits, tries: p.retries, timeoutMs: p.timeoutMs,
      interDigitTimeoutMs: p.interDigitTimeoutMs, terminators: p.terminator ?? '#',
      validDigits: `^[0-9*#]{${p.minDigits},${p.maxDigits}}$`,
    }, this.signal);
    if (digits === null) return 'failed';
    ctx.variables.set(p.variable, digits);
    return 'next';
  }
}
