import { NODE_PROPS, type NodeProps } from '../flow-schema.js';
import { resolvePrompt, type IvrContext } from '../context.js';
import { IvrNode } from '../node.js';

/** `play`: play a file or TTS text to the end. Exit `next`. */
export class PlayNode extends IvrNode<NodeProps<'play'>> {
  static readonly propsSchema = NODE_PROPS.play;

  async exec(ctx: IvrContext): Promise<string> {
    await ctx.play(this.id, resolvePrompt(this.props.prompt, ctx), this.signal);
    return 'next';
  }
}
