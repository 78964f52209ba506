import { NODE_PROPS, type NodeProps } from '../flow-schema.js';
import { resolvePrompt, type IvrContext } from '../context.js';
import { IvrNode } from '../node.js';

/**
 * `transfer`: send the call out — emergency lines (110 police, 119 fire, 120 ambulance, 122
 * traffic), specialist lines (e.g. 12333 social security) or any number. The call leaves the
 * hotline (null exit); `failed` if the switch refused.
 */
export class TransferNode extends IvrNode<NodeProps<'transfer'>> {
  static readonly propsSchema = NODE_PROPS.transfer;

  async exec(ctx: IvrContext): Promise<string | null> {
    const p = this.props;
    if (p.prompt) await ctx.play(this.id, resolvePrompt(p.prompt, ctx), this.signal);
    const ok = await ctx.transfer(this.id, { destination: p.destination, kind: p.kind }, this.signal);
    return ok ? null : 'failed';
  }
}
