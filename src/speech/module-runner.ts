/**
 * Start a module of this folder in a worker thread or a child process, whether the server runs
 * from TypeScript sources (tsx, vitest: module URLs end in `.ts`) or from compiled JavaScript.
 *
 * Plain Node cannot load our `.ts` files (Node 20 has no type stripping, and later versions do not
 * rewrite the `.js` import specifiers NodeNext requires), so from sources:
 * - a worker starts with a tiny CommonJS bootstrap that imports the entry through tsx's
 *   `tsImport` (ESM API; its CommonJS twin cannot register hooks inside a worker);
 * - a child process gets `--import <tsx loader>`.
 * tsx is a runtime dependency of the project (`npm start` uses it), so it is always installed.
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);

/** True when `url` is a TypeScript source that needs tsx to run. */
export function isTypeScriptSource(url: URL): boolean {
  return url.pathname.endsWith('.ts') || url.pathname.endsWith('.mts');
}

/**
 * URL of a tsx entry (`tsx` = the loader for `--import`, `tsx/esm/api` = the ESM API).
 * Uses `import.meta.resolve` (Node ≥ 20.6), else the file inside the package directory.
 */
function resolveTsx(specifier: 'tsx' | 'tsx/esm/api'): string {
  try {
    return import.meta.resolve(specifier);
  } catch {
    const dir = dirname(require.resolve('tsx/package.json'));
    return pathToFileURL(join(dir, specifier === 'tsx' ? 'dist/loader.mjs' : 'dist/esm/api/index.mjs')).href;
  }
}

const TS_WORKER_BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
import(workerData.__tsxApiUrl).then((api) => api.tsImport(workerData.__entryUrl, workerData.__entryUrl));
`;

/**
 * Start `entry` in a worker thread with `workerData` (structured-cloned). From `.ts` sources the
 * data gains two private keys (`__tsxApiUrl`, `__entryUrl`) used by the bootstrap.
 */
export function spawnModuleWorker(entry: URL, workerData: Record<string, unknown>): Worker {
  if (!isTypeScriptSource(entry)) return new Worker(entry, { workerData });
  return new Worker(TS_WORKER_BOOTSTRAP, {
    eval: true,
    workerData: { ...workerData, __tsxApiUrl: resolveTsx('tsx/esm/api'), __entryUrl: entry.href },
  });
}

/** Arguments for `process.execPath` that run the module at `entry` as a script. */
export function nodeArgsForModule(entry: URL): string[] {
  const path = entry.protocol === 'file:' ? decodeURIComponent(entry.pathname) : entry.href;
  return isTypeScriptSource(entry) ? ['--import', resolveTsx('tsx'), path] : [path];
}

/**
 * URL of a sibling module of `base` by name without extension, with the extension `base` has
 * (`.ts` from sources, `.js` when compiled).
 */
export function siblingModule(base: string, name: string): URL {
  const ext = base.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${name}${ext}`, base);
}
