/**
 * Public API of the speech adapters (ASR and TTS). The composition root imports from here;
 * everything else in this folder is internal. See README.md.
 */
export type { RecognitionResult, Speaker, SpeechRecognizer, SpeechStream, SpeechStreamOptions, SpeechSynthesizer, TtsVoice } from './ports.js';
export {
  SpeechConfigError,
  SpeechEngineUnavailableError,
  SpeechStreamError,
  TtsError,
  UnsupportedLanguageError,
  WavFormatError,
  type TtsErrorCode,
} from './errors.js';
export { createSpeechRecognizers, SpeechRecognizerRouter, type SpeechConfig, type SpeechEngineConfig } from './registry.js';
export { createPocketsphinxRecognizer, DEBIAN_EN_US_MODEL_DIR, PocketsphinxRecognizer, type PocketsphinxOptions } from './pocketsphinx.js';
export { createVoskRecognizer, inspectVoskModel, VoskRecognizer, type VoskOptions } from './vosk.js';
export {
  decodePassthroughMarkers,
  embedPassthroughMarker,
  encodePassthroughMarker,
  formatPassthroughText,
  parsePassthroughText,
  PassthroughMarkerScanner,
  passthroughMarkerLength,
  PassthroughRecognizer,
  type LocatedMarker,
  type PassthroughMarker,
  type PassthroughOptions,
} from './passthrough.js';
export { EspeakSynthesizer, type EspeakOptions, type TtsStats } from './tts.js';
export {
  createWavHeader,
  decodeWav,
  deinterleave,
  encodeWav,
  int16ToLEBytes,
  interleave,
  pcmDurationMs,
  readInt16LE,
  readWavFile,
  writeWavFile,
  WAV_HEADER_BYTES,
  type PcmAudio,
} from './wav.js';
export { createResampler, resample, type Resampler } from './resample.js';
export { errorRate, normalizeWords, sumWordErrors, wordErrorRate, wordErrors, type WordErrorCounts } from './wer.js';
