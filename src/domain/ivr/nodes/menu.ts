import { NODE_PROPS, type NodeProps } from '../flow-schema.js';
import { resolvePrompt, type IvrContext } from '../context.js';
import { IvrNode } from '../node.js';

/** Escape DTMF keys for a regular-expression character class. */
export function keyClass(keys: readonly string[]): string {
  return `^[${keys.map((k) => (k === '*' || k === '#' ? `\\${k}` : k)).join('')}]$`;
}

/**
 * `menu`: DTMF menu (按键菜单). Plays the prompt, waits `timeoutMs` for one key; a key outside
 * `choices` or no key plays the invalid / no-input prompt and retries, up to `retries` tries.
 * Exits: the key pressed, or `failed`. The key is also stored in the variable `<nodeId>`.
 */
export class MenuNode extends IvrNode<NodeProps<'menu'>> {
  static readonly propsSchema = NODE_PROPS.menu;

  async exec(ctx: IvrContext): Promise<string> {
    const p = this.props;
    const invalid = p.invalidPrompt ?? p.noInputPrompt;
    const digits = await ctx.collectDigits(this.id, {
      prompt: resolvePrompt(p.prompt, ctx),
      ...(invalid ? { invalidPrompt: resolvePrompt(invalid, ctx) } : {}),
      minDigits: 1, maxDigits: 1, tries: p.retries, timeoutMs: p.timeoutMs, validDigits: keyClass(p.choices),
    }, this.signal);
    if (digits === null || !p.choices.includes(digits)) return 'failed';
    ctx.variables.set(this.id, digits);
    return digits;
  }
}
