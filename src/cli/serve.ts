import { loadConfig } from '../config/config.js';
import { startServer } from '../app.js';
import { createEngines } from '../engines.js';
import { createLogger } from './logger.js';

/** `hotline serve`: run the server against the configured FreeSWITCH until SIGINT/SIGTERM. */
export async function runServe(_argv: string[]): Promise<number> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  if (config.esl.password === 'ClueCon') log.warn('HOTLINE_ESL_PASSWORD is FreeSWITCH\'s default: change it on both sides');
  const server = await startServer(config, await createEngines(config, log), log);
  log.info({ url: server.url }, 'hotline server listening');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runServe(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (error: unknown) => {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exitCode = 1;
  });
}
