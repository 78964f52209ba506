/**
 * koffi bindings for libvosk (the shared library shipped inside the `vosk` npm package; its own
 * ffi-napi JavaScript binding is not used). C API: vosk_api.h of vosk-api 0.3.x.
 *
 * The model (`VoskModel*`) is loaded once, on the main thread with a koffi async call (it takes
 * seconds and must not block the event loop), and shared by address with the worker threads,
 * which create their recognisers on it — libvosk documents models as shareable across threads.
 * Recognisers (`VoskRecognizer*`) live and die inside one worker.
 */
import koffi from 'koffi';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { SpeechEngineUnavailableError } from './errors.js';

type Ptr = object;

/** How to install the library when it is missing. */
export const VOSK_LIBRARY_REMEDY = 'install the `vosk` npm package (npm install vosk@0.3.39); only its lib/<platform>/libvosk shared library is used';

/**
 * Path of libvosk inside the installed `vosk` npm package for this platform.
 * @throws SpeechEngineUnavailableError if the package is not installed or the platform has no library.
 */
export function resolveVoskLibraryPath(): string {
  let pkgDir: string;
  try {
    pkgDir = dirname(createRequire(import.meta.url).resolve('vosk/package.json'));
  } catch (cause) {
    throw new SpeechEngineUnavailableError('vosk', 'node_modules/vosk', VOSK_LIBRARY_REMEDY, { cause });
  }
  const byPlatform: Record<string, string> = {
    'linux-x64': 'lib/linux-x86_64/libvosk.so',
    'darwin-x64': 'lib/osx-universal/libvosk.dylib',
    'darwin-arm64': 'lib/osx-universal/libvosk.dylib',
    'win32-x64': 'lib/win-x86_64/libvosk.dll',
  };
  const rel = byPlatform[`${process.platform}-${process.arch}`];
  if (!rel) {
    throw new SpeechEngineUnavailableError('vosk', pkgDir, `the vosk npm package has no library for ${process.platform}-${process.arch}`);
  }
  return join(pkgDir, rel);
}

/** Model-level functions (main thread). */
export interface VoskModelApi {
  vosk_set_log_level(level: number): void;
  vosk_model_new: ((path: string) => Ptr | null) & { async(path: string, cb: (err: unknown, model: Ptr | null) => void): void };
  vosk_model_free(model: Ptr): void;
}

/** Recogniser-level functions (worker threads). The model is passed by address. */
export interface VoskRecognizerApi {
  vosk_set_log_level(level: number): void;
  vosk_recognizer_new(modelAddress: bigint, sampleRateHz: number): Ptr | null;
  vosk_recognizer_set_words(rec: Ptr, words: number): void;
  vosk_recognizer_set_partial_words(rec: Ptr, words: number): void;
  vosk_recognizer_accept_waveform_s(rec: Ptr, data: Int16Array, length: number): number;
  vosk_recognizer_result(rec: Ptr): string;
  vosk_recognizer_partial_result(rec: Ptr): string;
  vosk_recognizer_final_result(rec: Ptr): string;
  vosk_recognizer_reset(rec: Ptr): void;
  vosk_recognizer_free(rec: Ptr): void;
}

function load(path: string): koffi.IKoffiLib {
  try {
    return koffi.load(path);
  } catch (cause) {
    throw new SpeechEngineUnavailableError('vosk', path, VOSK_LIBRARY_REMEDY, { cause });
  }
}

/** Load libvosk and declare the model functions. @throws SpeechEngineUnavailableError */
export function loadVoskModelApi(libraryPath: string): VoskModelApi {
  const lib = load(libraryPath);
  return {
    vosk_set_log_level: lib.func('void vosk_set_log_level(int log_level)'),
    vosk_model_new: lib.func('void *vosk_model_new(const char *model_path)') as VoskModelApi['vosk_model_new'],
    vosk_model_free: lib.func('void vosk_model_free(void *model)'),
  };
}

/** Load libvosk and declare the recogniser functions. @throws SpeechEngineUnavailableError */
export function loadVoskRecognizerApi(libraryPath: string): VoskRecognizerApi {
  const lib = load(libraryPath);
  return {
    vosk_set_log_level: lib.func('void vosk_set_log_level(int log_level)'),
    // `uintptr_t` instead of `VoskModel *`: the pointer was created on another thread and
    // reaches this one as an integer address.
    vosk_recognizer_new: lib.func('void *vosk_recognizer_new(uintptr_t model, float sample_rate)'),
    vosk_recognizer_set_words: lib.func('void vosk_recognizer_set_words(void *recognizer, int words)'),
    vosk_recognizer_set_partial_words: lib.func('void vosk_recognizer_set_partial_words(void *recognizer, int partial_words)'),
    vosk_recognizer_accept_waveform_s: lib.func('int vosk_recognizer_accept_waveform_s(void *recognizer, const int16_t *data, int length)'),
    vosk_recognizer_result: lib.func('const char *vosk_recognizer_result(void *recognizer)'),
    vosk_recognizer_partial_result: lib.func('const char *vosk_recognizer_partial_result(void *recognizer)'),
    vosk_recognizer_final_result: lib.func('const char *vosk_recognizer_final_result(void *recognizer)'),
    vosk_recognizer_reset: lib.func('void vosk_recognizer_reset(void *recognizer)'),
    vosk_recognizer_free: lib.func('void vosk_recognizer_free(void *recognizer)'),
  };
}

/** Integer address of a native pointer, for passing it to worker threads. */
export function pointerAddress(ptr: Ptr): bigint {
  return koffi.address(ptr);
}
