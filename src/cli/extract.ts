/**
 * `hotline extract FILE [--form transcript|asr] [--threshold N]`
 *
 * Reads a corpus file (JSON Lines: one call per line with `id` and the turns under the chosen
 * key — `transcript` (default) or `asr`; `gold` is ignored) and prints one ticket draft per line
 * as JSON: `{"id": …, "callerName": …, "contactPhone": …, …, "confidence": {…}, "evidence": {…}}`
 * (see `FlatTicketDraft`). FILE `-` reads standard input.
 *
 * Exit codes: 0 all lines extracted; 1 some lines were malformed (reported on stderr, the
 * others are still printed); 2 usage error or unreadable file.
 * Runnable directly: `tsx src/cli/extract.ts FILE --form asr`.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { createTicketExtractor, toFlatDraft } from '../domain/tickets/intelligence/extractor.js';
import { CorpusFormatError, isTurnArray, parseCorpusLine } from '../domain/tickets/intelligence/evaluation.js';

/** Where the command writes (injectable for tests). */
export interface ExtractIo {
  readonly stdout: { write(chunk: string): unknown };
  readonly stderr: { write(chunk: string): unknown };
  /** Reads standard input for FILE `-`. */
  readonly readStdin?: () => string;
}

const USAGE = 'usage: hotline extract FILE [--form transcript|asr] [--threshold 0..1]\n';

/** Run `hotline extract` with the arguments after the subcommand; resolves to the exit code. */
export async function runExtract(argv: string[], io: ExtractIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  let file: string | undefined;
  let form: 'transcript' | 'asr' = 'transcript';
  let threshold: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--form' || arg.startsWith('--form=')) {
      const value = arg.includes('=') ? arg.slice(7) : argv[++i];
      if (value !== 'transcript' && value !== 'asr') {
        io.stderr.write(`--form must be transcript or asr\n${USAGE}`);
        return 2;
      }
      form = value;
    } else if (arg === '--threshold' || arg.startsWith('--threshold=')) {
      threshold = Number(arg.includes('=') ? arg.slice(12) : argv[++i]);
      if (!(threshold >= 0 && threshold <= 1)) {
        io.stderr.write(`--threshold must be a number in [0, 1]\n${USAGE}`);
        return 2;
      }
    } else if (arg === '-h' || arg === '--help') {
      io.stdout.write(USAGE);
      return 0;
    } else if (arg.startsWith('--')) {
      io.stderr.write(`unknown option ${arg}\n${USAGE}`);
      return 2;
    } else if (file === undefined) {
      file = arg;
    } else {
      io.stderr.write(`unexpected argument ${arg}\n${USAGE}`);
      return 2;
    }
  }
  if (file === undefined) {
    io.stderr.write(USAGE);
    return 2;
  }
  let content: string;
  try {
    content = file === '-' ? (io.readStdin ?? (() => readFileSync(0, 'utf8')))() : readFileSync(file, 'utf8');
  } catch (error) {
    io.stderr.write(`cannot read ${file}: ${(error as Error).message}\n`);
    return 2;
  }
  let failures = 0;
  const lines = content.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.trim()) continue;
    try {
      const record = parseCorpusLine(line, i + 1);
      const turns = record[form] ?? record.turns;
      if (!isTurnArray(turns)) throw new CorpusFormatError(i + 1, `"${form}" must be an array of {speaker: "agent"|"caller", text}`);
      const extractor = createTicketExtractor(threshold === undefined ? {} : { autoDispatchThreshold: threshold });
      for (const turn of turns) extractor.addTurn(turn);
      io.stdout.write(JSON.stringify({ id: record.id, ...toFlatDraft(extractor.draft) }) + '\n');
    } catch (error) {
      if (!(error instanceof CorpusFormatError)) throw error;
      failures++;
      io.stderr.write(`${file}: ${error.message}\n`);
    }
  }
  return failures ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runExtract(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 2;
  });
}
