/**
 * Child-process script: create one pocketsphinx decoder and exit. Run by `probePocketsphinxModel`
 * (pocketsphinx.ts) before any decoder is created in-process, because pocketsphinx calls `exit()`
 * on some model errors (e.g. a damaged acoustic model), which would kill the whole server.
 *
 * argv[2]: JSON `PsDecoderConfig` plus `libraryPath`, `sphinxbaseLibraryPath`.
 * Exit 0: the decoder loaded. Exit 3: a typed error, as JSON on stdout. Other codes: pocketsphinx
 * aborted; its log (stderr) says why.
 */
import { SpeechEngineUnavailableError } from './errors.js';
import { loadPocketsphinxApi, PsDecoder, type PsDecoderConfig } from './pocketsphinx-ffi.js';

const config = JSON.parse(process.argv[2] ?? '{}') as PsDecoderConfig & { libraryPath: string; sphinxbaseLibraryPath: string };
try {
  const api = loadPocketsphinxApi(config.libraryPath, config.sphinxbaseLibraryPath);
  PsDecoder.create(api, { ...config, logFile: '' }).free(); // log to stderr, read by the parent
  process.exit(0);
} catch (error) {
  if (error instanceof SpeechEngineUnavailableError) {
    process.stdout.write(JSON.stringify({ path: error.path, remedy: error.remedy }));
    process.exit(3);
  }
  throw error;
}
