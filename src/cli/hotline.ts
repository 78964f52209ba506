/** The `hotline` command-line dispatcher. Returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return (await import('./serve.js')).runServe(rest);
    case 'demo':
      return (await import('./demo.js')).runDemo(rest);
    case 'extract':
      return (await import('./extract.js')).runExtract(rest);
    default:
      process.stderr.write('usage: hotline serve | demo [--once] | extract FILE [--form transcript|asr]\n');
      return command ? 2 : 0;
  }
}
