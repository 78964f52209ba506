import { NODE_PROPS, type NodeProps } from '../flow-schema.js';
import { resolvePrompt, type IvrContext } from '../context.js';
import { IvrNode } from '../node.js';

/**
 * `queue`: wait for an agent with the required skills (ACD), at `priority` (higher first), and
 * talk. Exits: `completed` (agent left, caller still on — e.g. to a survey), `timeout` (waited
 * `maxWaitMs`), `noAgents` (nobody logged in for the queue).
 */
export class QueueNode extends IvrNode<NodeProps<'queue'>> {
  static readonly propsSchema = NODE_PROPS.queue;

  async exec(ctx: IvrContext): Promise<string> {
    const p = this.props;
    return ctx.queue(this.id, {
      queue: p.queue, priority: p.priority, skills: p.skills,
      ...(p.maxWaitMs !== undefined ? { maxWaitMs: p.maxWaitMs } : {}),
      ...(p.prompt ? { prompt: resolvePrompt(p.prompt, ctx) } : {}),
    }, this.signal);
  }
}
