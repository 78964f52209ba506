/**
 * koffi bindings for the Debian pocketsphinx 0.8+5prealpha C API (libpocketsphinx.so.3,
 * libsphinxbase.so.3) and a `PsDecoder` wrapper. Signatures were checked against the installed
 * library (e.g. `ps_seg_iter(ps)` takes one argument in this version, `ps_get_hyp(ps, &score)` two).
 *
 * Configuration goes through `cmd_ln_parse_r(NULL, ps_args(), argc, argv, strict)` — the
 * non-variadic twin of `cmd_ln_init` — so no variadic FFI call is needed.
 *
 * Used only inside speech worker threads (the calls block), except `probePocketsphinxLibrary`
 * which only loads the library to check it exists.
 */
import koffi from 'koffi';
import { SpeechEngineUnavailableError } from './errors.js';

/** Debian package that ships the libraries. */
export const POCKETSPHINX_LIBRARY_PACKAGE = 'libpocketsphinx3 (apt-get install pocketsphinx)';

type Ptr = object; // koffi external pointer

/** The subset of the C API we call, typed. */
export interface PocketsphinxApi {
  ps_args(): Ptr;
  cmd_ln_parse_r(inout: null, defn: Ptr, argc: number, argv: string[], strict: number): Ptr | null;
  cmd_ln_free_r(config: Ptr): number;
  ps_init(config: Ptr): Ptr | null;
  ps_free(ps: Ptr): number;
  ps_start_stream(ps: Ptr): number;
  ps_start_utt(ps: Ptr): number;
  ps_end_utt(ps: Ptr): number;
  ps_process_raw(ps: Ptr, data: Int16Array, nSamples: number, noSearch: number, fullUtt: number): number;
  ps_get_in_speech(ps: Ptr): number;
  ps_get_hyp(ps: Ptr, outScore: number[]): string | null;
  ps_get_prob(ps: Ptr): number;
  ps_get_logmath(ps: Ptr): Ptr;
  ps_get_feat(ps: Ptr): Ptr | null;
  ps_seg_iter(ps: Ptr): Ptr | null;
  ps_seg_next(seg: Ptr): Ptr | null;
  ps_seg_word(seg: Ptr): string;
  ps_seg_frames(seg: Ptr, sf: number[], ef: number[]): void;
  ps_seg_prob(seg: Ptr, ascr: number[], lscr: number[], lback: number[]): number;
  logmath_exp(logmath: Ptr, logbP: number): number;
  cmn_live_get(cmn: Ptr, vec: Float32Array): void;
  cmn_live_set(cmn: Ptr, vec: Float32Array): void;
}

const PS_SIGNATURES: Record<string, string> = {
  ps_args: 'void *ps_args()',
  ps_init: 'void *ps_init(void *config)',
  ps_free: 'int ps_free(void *ps)',
  ps_start_stream: 'int ps_start_stream(void *ps)',
  ps_start_utt: 'int ps_start_utt(void *ps)',
  ps_end_utt: 'int ps_end_utt(void *ps)',
  ps_process_raw: 'int ps_process_raw(void *ps, const int16_t *data, size_t n_samples, int no_search, int full_utt)',
  ps_get_in_speech: 'uint8_t ps_get_in_speech(void *ps)',
  ps_get_hyp: 'const char *ps_get_hyp(void *ps, _Out_ int32_t *out_best_score)',
  ps_get_prob: 'int32_t ps_get_prob(void *ps)',
  ps_get_logmath: 'void *ps_get_logmath(void *ps)',
  ps_get_feat: 'void *ps_get_feat(void *ps)',
  ps_seg_iter: 'void *ps_seg_iter(void *ps)',
  ps_seg_next: 'void *ps_seg_next(void *seg)',
  ps_seg_word: 'const char *ps_seg_word(void *seg)',
  ps_seg_frames: 'void ps_seg_frames(void *seg, _Out_ int *out_sf, _Out_ int *out_ef)',
  ps_seg_prob: 'int32_t ps_seg_prob(void *seg, _Out_ int32_t *out_ascr, _Out_ int32_t *out_lscr, _Out_ int32_t *out_lback)',
};
const SB_SIGNATURES: Record<string, string> = {
  cmd_ln_parse_r: 'void *cmd_ln_parse_r(void *inout_cmdln, void *defn, int32_t argc, const char **argv, int32_t strict)',
  cmd_ln_free_r: 'int cmd_ln_free_r(void *cmdln)',
  logmath_exp: 'double logmath_exp(void *lmath, int logb_p)',
  cmn_live_get: 'void cmn_live_get(void *cmn, _Out_ float *vec)',
  cmn_live_set: 'void cmn_live_set(void *cmn, const float *vec)',
};

function loadLibrary(path: string): koffi.IKoffiLib {
  try {
    return koffi.load(path);
  } catch (cause) {
    throw new SpeechEngineUnavailableError('pocketsphinx', path, `install ${POCKETSPHINX_LIBRARY_PACKAGE}`, { cause });
  }
}

/** Check that both shared libraries can be loaded. @throws SpeechEngineUnavailableError */
export function probePocketsphinxLibrary(libraryPath: string, sphinxbaseLibraryPath: string): void {
  loadLibrary(sphinxbaseLibraryPath);
  loadLibrary(libraryPath);
}

/** Load the libraries and declare the functions. @throws SpeechEngineUnavailableError */
export function loadPocketsphinxApi(libraryPath: string, sphinxbaseLibraryPath: string): PocketsphinxApi {
  const sb = loadLibrary(sphinxbaseLibraryPath);
  const ps = loadLibrary(libraryPath);
  const api: Record<string, unknown> = {};
  for (const [lib, table, path] of [
    [ps, PS_SIGNATURES, libraryPath],
    [sb, SB_SIGNATURES, sphinxbaseLibraryPath],
  ] as const) {
    for (const [name, signature] of Object.entries(table)) {
      try {
        api[name] = lib.func(signature);
      } catch (cause) {
        throw new SpeechEngineUnavailableError('pocketsphinx', path, `symbol ${name} missing: install ${POCKETSPHINX_LIBRARY_PACKAGE} 0.8+5prealpha`, { cause });
      }
    }
  }
  return api as unknown as PocketsphinxApi;
}

/** Model files and decoder arguments. */
export interface PsDecoderConfig {
  readonly hmmPath: string;
  readonly lmPath: string;
  readonly dictPath: string;
  readonly extraArgs: readonly string[];
  /** pocketsphinx log file (`-logfn`); empty = pocketsphinx's default, stderr. */
  readonly logFile: string;
}

/** A word of a hypothesis with its frame span (10 ms frames from the stream start) and posterior. */
export interface PsWord {
  readonly word: string;
  readonly startFrame: number;
  readonly endFrame: number;
  /** Word posterior probability in [0, 1] (from the lattice, after `ps_end_utt`). */
  readonly posterior: number;
}

/**
 * One pocketsphinx decoder (`ps_decoder_t`) at 16 kHz. Not thread-safe: used by one worker.
 * Reusable across streams: `startStream()` resets the frame counter, the VAD and the cepstral
 * mean (CMN) so a reused decoder behaves like a fresh one.
 */
export class PsDecoder {
  private freed = false;
  private readonly logmath: Ptr;
  /** `cmn_t*` of the feature module and its initial mean (for resetting), if found safely. */
  private readonly cmn: { readonly ptr: Ptr; readonly initial: Float32Array } | undefined;

  private constructor(
    private readonly api: PocketsphinxApi,
    readonly ps: Ptr,
  ) {
    this.logmath = api.ps_get_logmath(ps);
    this.cmn = findCmn(api, ps);
  }

  /** Whether reuse restores the initial CMN (else the engine frees decoders instead of pooling them). */
  get resettable(): boolean {
    return this.cmn !== undefined;
  }

  /**
   * Create a decoder (loads acoustic model, language model and dictionary: ~0.3 s, ~90 MB).
   * @throws SpeechEngineUnavailableError if the arguments are rejected or a model fails to load.
   */
  static create(api: PocketsphinxApi, config: PsDecoderConfig): PsDecoder {
    const log = config.logFile ? ['-logfn', config.logFile] : [];
    const argv = ['-hmm', config.hmmPath, '-lm', config.lmPath, '-dict', config.dictPath, ...log, ...config.extraArgs];
    const cmdln = api.cmd_ln_parse_r(null, api.ps_args(), argv.length, argv, 1);
    if (!cmdln) {
      throw new SpeechEngineUnavailableError('pocketsphinx', config.hmmPath, `decoder arguments rejected: ${config.extraArgs.join(' ') || '(none)'}`);
    }
    const ps = api.ps_init(cmdln);
    api.cmd_ln_free_r(cmdln); // ps_init retained it
    if (!ps) {
      throw new SpeechEngineUnavailableError(
        'pocketsphinx',
        `${config.hmmPath}, ${config.lmPath}, ${config.dictPath}`,
        'the model failed to load; reinstall pocketsphinx-en-us or fix the paths (set logFile to see the pocketsphinx log)',
      );
    }
    return new PsDecoder(api, ps);
  }

  /**
   * Prepare for a new stream: frame counter 0, fresh VAD, cepstral mean set to `cmnInit` (13
   * values) or to the model's `-cmninit`; starts an utterance.
   */
  startStream(cmnInit?: Float32Array): void {
    if (this.cmn) this.api.cmn_live_set(this.cmn.ptr, cmnInit && cmnInit.length === this.cmn.initial.length ? cmnInit : this.cmn.initial);
    check(this.api.ps_start_stream(this.ps), 'ps_start_stream');
    this.startUtterance();
  }

  startUtterance(): void {
    check(this.api.ps_start_utt(this.ps), 'ps_start_utt');
  }

  endUtterance(): void {
    check(this.api.ps_end_utt(this.ps), 'ps_end_utt');
  }

  /** Decode 16 kHz samples; returns the VAD state after them (`ps_get_in_speech`). */
  process(samples: Int16Array): boolean {
    if (samples.length > 0) check(this.api.ps_process_raw(this.ps, samples, samples.length, 0, 0), 'ps_process_raw');
    return this.api.ps_get_in_speech(this.ps) !== 0;
  }

  /** Current best hypothesis text (partial during an utterance, final after `endUtterance`). */
  hypothesis(): string {
    return this.api.ps_get_hyp(this.ps, [0]) ?? '';
  }

  /**
   * Posterior of the whole best path after `endUtterance` (`exp(ps_get_prob)`), in [0, 1].
   * Also makes the lattice posteriors available to `words()`.
   */
  pathPosterior(): number {
    return clamp01(this.api.logmath_exp(this.logmath, this.api.ps_get_prob(this.ps)));
  }

  /** Word segmentation of the current hypothesis, fillers (`<s>`, `<sil>`, `[NOISE]`) excluded. */
  words(): PsWord[] {
    const out: PsWord[] = [];
    for (let seg = this.api.ps_seg_iter(this.ps); seg; seg = this.api.ps_seg_next(seg)) {
      const raw = this.api.ps_seg_word(seg);
      if (raw.startsWith('<') || raw.startsWith('[') || raw.startsWith('+')) continue;
      const sf = [0];
      const ef = [0];
      this.api.ps_seg_frames(seg, sf, ef);
      const logPosterior = this.api.ps_seg_prob(seg, [0], [0], [0]);
      out.push({
        word: raw.replace(/\(\d+\)$/, ''),
        startFrame: sf[0]!,
        endFrame: ef[0]!,
        posterior: clamp01(this.api.logmath_exp(this.logmath, logPosterior)),
      });
    }
    return out;
  }

  /** Free the native decoder. Idempotent. */
  free(): void {
    if (this.freed) return;
    this.freed = true;
    this.api.ps_free(this.ps);
  }
}

function check(rc: number, what: string): void {
  if (rc < 0) throw new Error(`${what} failed (${rc})`);
}

function clamp01(v: number): number {
  return Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0;
}

/**
 * Locate the live-CMN state (`feat_t.cmn_struct`) of a fresh decoder. pocketsphinx 5prealpha has
 * no public reset for it, so we read `feat_t` with its sphinxbase 5prealpha x86-64 layout and
 * check invariants first (cepsize 13, window 1–10, CMN type 0–2, finite initial mean); if anything
 * looks off we return undefined and decoders are not reused.
 */
function findCmn(api: PocketsphinxApi, ps: Ptr): { ptr: Ptr; initial: Float32Array } | undefined {
  if (process.arch !== 'x64' && process.arch !== 'arm64') return undefined;
  try {
    const feat = api.ps_get_feat(ps);
    if (!feat) return undefined;
    const cepsize = koffi.decode(feat, 16, 'int32_t') as number; // feat_t.cepsize
    const windowSize = koffi.decode(feat, 32, 'int32_t') as number; // feat_t.window_size
    const cmnType = koffi.decode(feat, 68, 'int32_t') as number; // feat_t.cmn
    if (cepsize !== 13 || windowSize < 1 || windowSize > 10 || cmnType < 0 || cmnType > 2) return undefined;
    const ptr = koffi.decode(feat, 88, 'void *') as Ptr | null; // feat_t.cmn_struct
    if (!ptr) return undefined;
    const initial = new Float32Array(cepsize);
    api.cmn_live_get(ptr, initial);
    if (!initial.every(Number.isFinite) || initial.every((v) => v === 0)) return undefined;
    return { ptr, initial };
  } catch {
    return undefined;
  }
}
