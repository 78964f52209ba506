import { NODE_PROPS, type NodeProps } from '../flow-schema.js';
import { callLanguage, resolvePrompt, type IvrContext, type TicketStatusInfo } from '../context.js';
import type { Language } from '../flow-schema.js';
import { IvrNode } from '../node.js';

/** Spoken names of ticket statuses. */
const STATUS_SPEECH: Record<Language, Record<string, string>> = {
  cmn: { draft: '已受理，正在登记', registered: '已受理', dispatched: '已派发至承办单位', handling: '正在办理', replied: '已办结，待回访', closed: '已办结', returned: '已退回，正在重新派发' },
  yue: { draft: '已受理，正在登记', registered: '已受理', dispatched: '已派发至承办单位', handling: '正在办理', replied: '已办结，待回访', closed: '已办结', returned: '已退回，正在重新派发' },
  en: { draft: 'received and being registered', registered: 'registered', dispatched: 'sent to the handling unit', handling: 'being handled', replied: 'handled, awaiting your return visit', closed: 'closed', returned: 'returned and being re-dispatched' },
};

/** The sentence read back for a found ticket, digits spelt one by one. */
export function ticketStatusSpeech(info: TicketStatusInfo, language: Language): string {
  const status = STATUS_SPEECH[language][info.status] ?? info.status;
  if (language === 'en') return `Ticket ${[...info.ticketNumber].join(' ')} is ${status}.`;
  const digits = '零一二三四五六七八九';
  const spoken = [...info.ticketNumber].map((c) => (/[0-9]/.test(c) ? digits[Number(c)] : c)).join('');
  return `工单${spoken}，当前状态：${status}。`;
}

/**
 * `ticketStatus`: 工单查询. The caller keys a ticket number (14 digits: yyyymmdd + 6, ended by #),
 * and hears its status by TTS. Exits `next` (found and read), `notFound`, `failed` (no input).
 */
export class TicketStatusNode extends IvrNode<NodeProps<'ticketStatus'>> {
  static readonly propsSchema = NODE_PROPS.ticketStatus;

  async exec(ctx: IvrContext): Promise<string> {
    const p = this.props;
    const digits = await ctx.collectDigits(this.id, {
      prompt: resolvePrompt(p.prompt, ctx), minDigits: 6, maxDigits: 20, tries: p.retries, timeoutMs: p.timeoutMs,
      interDigitTimeoutMs: 5000, terminators: '#', validDigits: '^[0-9]{6,20}$',
    }, this.signal);
    if (digits === null) return 'failed';
    ctx.variables.set('ticketNumber', digits);
    const info = await ctx.lookupTicket(digits);
    const language = callLanguage(ctx);
    if (!info) {
      const text = language === 'en' ? 'Sorry, no ticket was found with that number.' : '抱歉，未查询到该工单。';
      await ctx.play(this.id, { kind: 'tts', text, language }, this.signal);
      return 'notFound';
    }
    await ctx.play(this.id, { kind: 'tts', text: ticketStatusSpeech(info, language), language }, this.signal);
    return 'next';
  }
}
