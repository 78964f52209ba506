import { NODE_PROPS, type NodeProps } from '../flow-schema.js';
import { resolvePrompt, type IvrContext, type SurveyScore } from '../context.js';
import { IvrNode } from '../node.js';

/**
 * `survey`: post-call satisfaction (满意度), keys 1 满意 / 2 基本满意 / 3 不满意, stored against
 * the call (null when the caller gave none). Exit `next`.
 */
export class SurveyNode extends IvrNode<NodeProps<'survey'>> {
  static readonly propsSchema = NODE_PROPS.survey;

  async exec(ctx: IvrContext): Promise<string> {
    const p = this.props;
    const digit = await ctx.collectDigits(this.id, {
      prompt: resolvePrompt(p.prompt, ctx), minDigits: 1, maxDigits: 1, tries: p.retries, timeoutMs: p.timeoutMs, validDigits: '^[1-3]$',
    }, this.signal);
    const score = digit === null ? null : (Number(digit) as SurveyScore);
    await ctx.saveSurvey(this.id, score);
    if (score !== null) ctx.variables.set('satisfaction', String(score));
    if (score !== null && p.thanksPrompt) await ctx.play(this.id, resolvePrompt(p.thanksPrompt, ctx), this.signal);
    return 'next';
  }
}
