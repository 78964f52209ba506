/**
 * Fixed prompts of the voicebot (Mandarin, rendered by TTS). The IVR's own prompts live in the
 * flow documents (`src/domain/ivr/flows/`), editable by admins.
 */
export const PROMPTS = {
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
