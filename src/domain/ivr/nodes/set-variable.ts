import { NODE_PROPS, type NodeProps } from '../flow-schema.js';
import type { IvrContext } from '../context.js';
import { IvrNode } from '../node.js';

/** `setVariable`: set `name` to `value`, with `${other}` replaced by other variables ('' if unset). Exit `next`. */
export class SetVariableNode extends IvrNode<NodeProps<'setVariable'>> {
  static readonly propsSchema = NODE_PROPS.setVariable;

  async exec(ctx: IvrContext): Promise<string> {
    const value = this.props.value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => ctx.variables.get(name) ?? '');
    ctx.variables.set(this.props.name, value);
    return 'next';
  }
}
