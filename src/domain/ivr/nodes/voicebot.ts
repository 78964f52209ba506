import { NODE_PROPS, type NodeProps } from '../flow-schema.js';
import type { IvrContext } from '../context.js';
import { IvrNode } from '../node.js';

/** `voicebot`: the voicebot takes the appeal and registers a ticket (智能语音留言). Exit `next`. */
export class VoicebotNode extends IvrNode<NodeProps<'voicebot'>> {
  static readonly propsSchema = NODE_PROPS.voicebot;

  async exec(ctx: IvrContext): Promise<string> {
    await ctx.voicebot(this.id, this.props.maxListenMs !== undefined ? { maxListenMs: this.props.maxListenMs } : {}, this.signal);
    return 'next';
  }
}
