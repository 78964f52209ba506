import { NODE_PROPS, type NodeProps } from '../flow-schema.js';
import { resolvePrompt, type IvrContext } from '../context.js';
import { IvrNode } from '../node.js';

/**
 * `announcement`: 公告 slot. Plays every notice active now (`start ≤ now < end`) whose districts
 * include the caller's district — or that targets no district. A notice for some districts is
 * skipped when the caller's district is unknown. Exit `next`.
 */
export class AnnouncementNode extends IvrNode<NodeProps<'announcement'>> {
  static readonly propsSchema = NODE_PROPS.announcement;

  async exec(ctx: IvrContext): Promise<string> {
    const now = ctx.now().getTime();
    const active = this.props.notices.filter((n) => Date.parse(n.start) <= now && now < Date.parse(n.end));
    if (active.length === 0) return 'next';
    const targeted = active.some((n) => n.districts && n.districts.length > 0);
    const district = targeted ? await ctx.callerDistrict() : null;
    for (const notice of active) {
      if (notice.districts && notice.districts.length > 0 && (district === null || !notice.districts.includes(district))) continue;
      await ctx.play(this.id, resolvePrompt(notice.prompt, ctx), this.signal);
    }
    return 'next';
  }
}
