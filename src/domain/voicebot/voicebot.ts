import type { Channel } from '../telephony-port.js';
import type { LiveTranscript } from '../calls/live-transcript.js';
import type { PromptName } from '../calls/prompts.js';

/** Inputs of one voicebot conversation. Durations in ms. */
export interface VoicebotRun {
  readonly channel: Channel;
  readonly transcript: LiveTranscript;
  /** Path of a rendered fixed prompt. */
  readonly prompt: (name: PromptName) => Promise<string>;
  /** Render free text (e.g. the ticket number read-back) to a playable file. */
  readonly say: (text: string) => Promise<string>;
  readonly ticketSpeech: (ticketNumber: string) => string;
  readonly media: { url: string; sampleRateHz: 8000 | 16000; metadata: Record<string, string> };
  readonly maxListenMs: number;
  readonly endSilenceMs: number;
  /** Aborts when the caller hangs up. */
  readonly signal: AbortSignal;
  readonly progress: (step: string, detail?: string) => void;
}

/**
 * Voicebot overflow (智能语音留言): ask the caller to describe the problem, recognise it from a mono
 * (caller-only) audio stream — mono, because a stereo fork of a parked call sends no frames while
 * nothing is played — create the ticket draft, read the ticket number back, hang up.
 * Listening ends `endSilenceMs` after the last final result, or after `maxListenMs`.
 */
export async function runVoicebot(run: VoicebotRun): Promise<void> {
  const { channel, transcript, progress } = run;
  progress('prompt');
  await channel.play(await run.prompt('voicebotIntro'));
  if (channel.ended) return;
  progress('listening');
  await channel.startAudioStream({ url: run.media.url, mix: 'mono', sampleRateHz: run.media.sampleRateHz, metadata: run.media.metadata });
  await listen(run);
  if (channel.ended) return;
  await channel.stopAudioStream().catch(() => undefined);
  await transcript.finish();
  if (transcript.finalCount === 0) {
    progress('noSpeech');
    await channel.play(await run.prompt('voicebotNoSpeech'));
    await channel.hangup();
    return;
  }
  const ticketNumber = transcript.saveDraft();
  progress('ticketCreated', ticketNumber);
  await channel.play(await run.say(run.ticketSpeech(ticketNumber)));
  if (channel.ended) return;
  await channel.play(await run.prompt('goodbye'));
  progress('hangup');
  await channel.hangup();
}

function listen(run: VoicebotRun): Promise<void> {
  return new Promise<void>((resolve) => {
    let silenceTimer: NodeJS.Timeout | undefined;
    const done = () => {
      clearTimeout(maxTimer);
      clearTimeout(silenceTimer);
      off();
      run.signal.removeEventListener('abort', done);
      resolve();
    };
    const maxTimer = setTimeout(done, run.maxListenMs);
    const off = run.transcript.onFinal((result) => {
      run.progress('heard', result.text);
      clearTimeout(silenceTimer);
      silenceTimer = setTimeout(done, run.endSilenceMs);
    });
    run.signal.addEventListener('abort', done, { once: true });
  });
}
