import { NODE_PROPS, type NodeProps } from '../flow-schema.js';
import { resolvePrompt, type IvrContext } from '../context.js';
import { IvrNode } from '../node.js';

/** `hangup`: optional goodbye prompt, then hang up with `cause` (default NORMAL_CLEARING). No exits. */
export class HangupNode extends IvrNode<NodeProps<'hangup'>> {
  static readonly propsSchema = NODE_PROPS.hangup;

  async exec(ctx: IvrContext): Promise<null> {
    if (this.props.prompt) await ctx.play(this.id, resolvePrompt(this.props.prompt, ctx), this.signal);
    await ctx.hangup(this.id, this.props.cause);
    return null;
  }
}
