import { NODE_PROPS, type NodeProps } from '../flow-schema.js';
import type { IvrContext } from '../context.js';
import { IvrNode } from '../node.js';
import { inTimeRange, isHoliday, localTime } from '../calendar.js';

/**
 * `condition`: every test given must hold — time of day, weekday (1 = Monday), holiday calendar,
 * caller number prefix, variable equals / matches. Times in the centre's time zone. Exits `true`, `false`.
 */
export class ConditionNode extends IvrNode<NodeProps<'condition'>> {
  static readonly propsSchema = NODE_PROPS.condition;

  async exec(ctx: IvrContext): Promise<string> {
    return this.holds(ctx) ? 'true' : 'false';
  }

  holds(ctx: IvrContext): boolean {
    const p = this.props;
    const local = localTime(ctx.now(), ctx.timeZone);
    if (p.timeOfDay && !inTimeRange(local.minuteOfDay, p.timeOfDay.from, p.timeOfDay.to)) return false;
    if (p.weekdays && !p.weekdays.includes(local.weekday)) return false;
    if (p.calendar) {
      const calendar = ctx.calendars[p.calendar.name];
      if (!calendar) return false; // validation rejects unknown calendars
      if (isHoliday(local, calendar) !== (p.calendar.is === 'holiday')) return false;
    }
    if (p.callerPrefix && !p.callerPrefix.some((prefix) => ctx.callerNumber.startsWith(prefix))) return false;
    if (p.variable) {
      const value = ctx.variables.get(p.variable.name);
      if (p.variable.equals !== undefined && value !== p.variable.equals) return false;
      if (p.variable.matches !== undefined && (value === undefined || !new RegExp(p.variable.matches).test(value))) return false;
      if (p.variable.equals === undefined && p.variable.matches === undefined && value === undefined) return false;
    }
    return true;
  }
}
