import type { Logger } from 'pino';
import type {
  AudioStreamOptions, Channel, ChannelEvent, CollectDigitsOptions, HangupCause,
} from '../domain/telephony-port.js';
import type { EslClient } from './esl/client.js';
import { EslDisconnectedError } from './esl/errors.js';
import { SwitchConnectionLostError } from '../domain/telephony-port.js';

/** Upper bound for one application run (a long prompt); protects against a lost EXECUTE_COMPLETE. */
const APP_TIMEOUT_MS = 10 * 60_000;
/** Media bug name for our audio fork, so start/stop address our bug and no other. */
const FORK_BUG = 'hotline_fork';
/** Channel variable that receives collected digits. */
const DIGITS_VAR = 'hotline_digits';

/** Which FreeSWITCH module streams audio (both MIT, same wire shape on the WebSocket). */
export type AudioStreamModule = 'mod_audio_fork' | 'mod_audio_stream';

/** A FreeSWITCH channel driven over ESL. Created by `FreeSwitchTelephony`. */
export class FsChannel implements Channel {
  #ended = false;
  readonly #listeners = new Set<(event: ChannelEvent) => void>();

  constructor(
    readonly uuid: string,
    readonly callerNumber: string,
    readonly destination: string,
    private readonly esl: EslClient,
    private readonly audioModule: AudioStreamModule,
    private readonly log: Logger,
  ) {}

  /** Run an ESL operation, translating a lost connection into the domain's error. */
  async #call<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (error instanceof EslDisconnectedError) throw new SwitchConnectionLostError(error.message);
      throw error;
    }
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Called by the adapter with mapped events for this uuid. */
  deliver(event: ChannelEvent): void {
    if (event.type === 'hangup') {
      if (this.#ended) return;
      this.#ended = true;
    }
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.log.error({ err: error, event: event.type }, 'channel listener threw');
      }
    }
  }

  onEvent(listener: (event: ChannelEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async answer(): Promise<void> {
    await this.#call(() => this.esl.execute(this.uuid, 'answer', undefined, APP_TIMEOUT_MS));
  }

  async play(file: string): Promise<void> {
    await this.#call(() => this.esl.execute(this.uuid, 'playback', file, APP_TIMEOUT_MS));
  }

  async stopPlayback(): Promise<void> {
    await this.#call(() => this.esl.api(`uuid_break ${this.uuid} all`));
  }

  async playAndCollectDigits(o: CollectDigitsOptions): Promise<string | null> {
    // play_and_get_digits <min> <max> <tries> <timeout> <terminators> <file> <invalid_file> <var> <regex> [<digit_timeout>]
    const arg = [
      o.minDigits, o.maxDigits, o.tries, o.timeoutMs, o.terminators ?? '#', o.promptFile,
      o.invalidFile ?? 'silence_stream://250', DIGITS_VAR, o.validDigits, o.interDigitTimeoutMs ?? 3000,
    ].join(' ');
    const done = await this.#call(() => this.esl.execute(this.uuid, 'play_and_get_digits', arg, APP_TIMEOUT_MS));
    const digits = done.headers[`variable_${DIGITS_VAR}`];
    return digits && done.headers['variable_read_result'] !== 'failure' ? digits : null;
  }

  async setVariable(name: string, value: string): Promise<void> {
    await this.#call(() => this.esl.api(`uuid_setvar ${this.uuid} ${name} ${value}`));
  }

  async bridge(otherUuid: string): Promise<void> {
    await this.#call(() => this.esl.api(`uuid_bridge ${this.uuid} ${otherUuid}`));
  }

  async startAudioStream(o: AudioStreamOptions): Promise<void> {
    // Compact JSON (FreeSWITCH splits API arguments on spaces); mix and rate tell the ingest how to split frames.
    const metadata = JSON.stringify({ ...o.metadata, mix: o.mix, rate: String(o.sampleRateHz) });
    if (/\s/.test(metadata)) throw new Error('audio stream metadata must not contain white space');
    const rate = o.sampleRateHz === 16000 ? '16k' : '8k';
    if (this.audioModule === 'mod_audio_fork') {
      await this.#call(() => this.esl.api(`uuid_audio_fork ${this.uuid} start ${o.url} ${o.mix} ${rate} ${FORK_BUG} ${metadata}`));
    } else {
      await this.#call(() => this.esl.api(`uuid_audio_stream ${this.uuid} start ${o.url} ${o.mix} ${rate} ${metadata}`));
    }
  }

  async stopAudioStream(): Promise<void> {
    if (this.audioModule === 'mod_audio_fork') await this.#call(() => this.esl.api(`uuid_audio_fork ${this.uuid} stop ${FORK_BUG}`));
    else await this.#call(() => this.esl.api(`uuid_audio_stream ${this.uuid} stop`));
  }

  async startRecording(path: string): Promise<void> {
    await this.setVariable('RECORD_STEREO', 'true');
    await this.#call(() => this.esl.api(`uuid_record ${this.uuid} start ${path}`));
  }

  async stopRecording(path: string): Promise<void> {
    await this.#call(() => this.esl.api(`uuid_record ${this.uuid} stop ${path}`));
  }

  async hangup(cause: HangupCause = 'NORMAL_CLEARING'): Promise<void> {
    if (this.#ended) return;
    await this.#call(() => this.esl.api(`uuid_kill ${this.uuid} ${cause}`));
  }
}
