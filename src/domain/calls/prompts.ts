/** Prompt texts of the default (hard-wired) 12345 flow, rendered by TTS. Mandarin. */
export const PROMPTS = {
  greeting: '您好，欢迎致电12345政务服务便民热线。',
  menu: '咨询请按1，投诉举报请按2，求助请按3，人工服务请按0。',
  invalid: '输入有误，请重新选择。',
  transferring: '正在为您转接话务员，请稍候。',
  voicebotIntro: '当前话务员繁忙。请在提示音后说出您要反映的问题和联系电话，说完请稍候。',
  voicebotNoSpeech: '抱歉，没有听清您的问题，请稍后再拨。',
  goodbye: '感谢您的来电，再见。',
} as const;

export type PromptName = keyof typeof PROMPTS;

/** Read a ticket number digit by digit (Chinese), e.g. `2026` → `二零二六`. */
export function ticketNumberSpeech(ticketNumber: string): string {
  const digits = '零一二三四五六七八九';
  const spoken = [...ticketNumber].map((c) => (/[0-9]/.test(c) ? digits[Number(c)] : c)).join(' ');
  return `已为您登记工单，工单号 ${spoken}。我们会尽快转交相关部门办理。`;
}

/** DTMF menu choices → queue (skill). Choice 0 (人工服务) goes to the general queue. */
export const MENU_QUEUES: Record<string, { queue: string; appeal: string }> = {
  '1': { queue: 'general', appeal: 'consult' },
  '2': { queue: 'general', appeal: 'complaint' },
  '3': { queue: 'general', appeal: 'help' },
  '0': { queue: 'general', appeal: 'agent' },
};
