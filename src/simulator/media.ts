/**
 * The media plane: one shared tick (see clock.ts) advances every channel by one packetisation
 * period. Per channel and tick there is a *read* frame (what the remote party says: the caller's
 * scripted `say`, the agent's audio file, else silence) and a *write* frame (what the switch sends
 * to the remote party: the prompt being played, else the bridged partner's read frame, else nothing).
 * Media bugs (audio fork/stream, recording) receive both references and render them at their own
 * rate, so no audio is resampled per frame: every signal is a slice of a cached clip or silence.
 */
import { AudioClip, copyFrame, mixInto } from './audio.js';
import type { Channel } from './channel.js';
import { TICK_MS } from './clock.js';
import type { SwitchCore } from './core.js';
import { nextMarkerChunk } from './markers.js';

/** One frame of audio: the part of a clip starting `offsetMs` into it, or `null` for silence. */
export type FrameRef = { readonly clip: AudioClip; readonly offsetMs: number } | null;

/** Samples per frame at `rate` for a ptime in ms. */
export function samplesPerFrame(rate: number, ptimeMs: number): number {
  return Math.round((rate * ptimeMs) / 1000);
}

/**
 * Renders a frame reference at `rate` into `out` (at `offset`, every `stride` samples).
 * Clips are band-limited through the channel rate first, like audio that crossed an 8 kHz codec.
 */
export function renderFrame(ref: FrameRef, rate: number, channelRate: number, spf: number, out: Int16Array, offset = 0, stride = 1): void {
  if (!ref) {
    for (let i = 0; i < spf; i++) out[offset + i * stride] = 0;
    return;
  }
  copyFrame(ref.clip.samplesAt(rate, channelRate), Math.round((ref.offsetMs * rate) / 1000), spf, out, offset, stride);
}

/** Renders read + write mixed (mod_audio_fork `mixed`, mono recordings). */
export function renderMixed(read: FrameRef, write: FrameRef, rate: number, channelRate: number, spf: number, out: Int16Array, scratch: Int16Array): void {
  renderFrame(read, rate, channelRate, spf, out);
  if (write) {
    renderFrame(write, rate, channelRate, spf, scratch);
    mixInto(out.subarray(0, spf), scratch.subarray(0, spf));
  }
}

/** Number of frames a clip lasts on a channel. */
export function clipFrames(clip: AudioClip, ch: Channel): number {
  const spf = samplesPerFrame(ch.rate, ch.ptimeMs);
  return Math.max(1, Math.ceil(clip.samplesAt(ch.rate).length / spf));
}

export class MediaEngine {
  private unsubscribe: (() => void) | undefined;
  private readonly reads = new Map<Channel, FrameRef[]>();
  /** Frames processed (diagnostics). */
  framesProcessed = 0;

  constructor(private readonly core: SwitchCore) {}

  /** Starts ticking (called when the first channel appears). */
  start(): void {
    this.unsubscribe ??= this.core.clock.onTick(() => this.tick());
  }

  /** Stops ticking (called when the last channel is gone). */
  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  /** Makes the channel's remote party say `clip` from the next tick on (replacing what it was saying). */
  say(ch: Channel, clip: AudioClip): void {
    ch.say = { clip, frame: 0, frames: clipFrames(clip, ch) };
  }

  /** Silences the remote party. */
  stopSaying(ch: Channel): void {
    ch.say = undefined;
  }

  private tick(): void {
    const channels = [...this.core.channels.values()];
    const reads = this.reads;
    reads.clear();
    // Pass 1: how many frames each channel is due this tick (ptime 20 → 1 per tick; 30 → 2 every 3
    // ticks) and what its remote party said in them.
    for (const ch of channels) {
      if (!ch.alive) continue;
      ch.mediaAccMs += TICK_MS;
      const refs: FrameRef[] = [];
      while (ch.mediaAccMs >= ch.ptimeMs) {
        ch.mediaAccMs -= ch.ptimeMs;
        let r: FrameRef = null;
        const s = ch.say;
        if (s) {
          r = { clip: s.clip, offsetMs: s.frame * ch.ptimeMs };
          s.frame++;
          if (s.frame >= s.frames) ch.say = undefined;
        }
        refs.push(r);
      }
      reads.set(ch, refs);
    }
    // Pass 2: what the switch writes to each channel, and the media bugs.
    for (const ch of channels) {
      const refs = reads.get(ch);
      if (!refs || !ch.alive) continue;
      for (let i = 0; i < refs.length; i++) {
        const read = refs[i] ?? null;
        let write: FrameRef | undefined;
        const pb = ch.playback;
        if (pb) {
          write = { clip: pb.clip, offsetMs: pb.frame * ch.ptimeMs };
          pb.frame++;
        } else if (ch.partner) {
          const other = reads.get(ch.partner);
          write = other ? (other[Math.min(i, other.length - 1)] ?? null) : null;
        }
        const marker =
          ch.markers.length && ch.bugs.some((b) => b.wantsMarker?.(write))
            ? nextMarkerChunk(ch.markers, samplesPerFrame(ch.rate, ch.ptimeMs))
            : undefined;
        for (const bug of ch.bugs) {
          try {
            bug.onFrame(read, write, marker);
          } catch (err) {
            this.core.log.error({ err, uuid: ch.uuid }, 'media bug failed');
          }
        }
        this.framesProcessed++;
        if (pb && pb.frame >= pb.frames && ch.playback === pb) {
          ch.playback = undefined;
          pb.done(false);
        }
      }
    }
  }
}
