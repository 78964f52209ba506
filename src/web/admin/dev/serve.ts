/**
 * Dev-only harness (never part of the bundle): the real admin flow routes on an in-memory
 * database, the built editor from dist/admin, and a stub prompt list.
 *   npm run build:web && npx tsx src/web/admin/dev/serve.ts   →  http://127.0.0.1:8099/admin/flows/?token=admin-demo
 */
import Fastify from 'fastify';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { openDatabase } from '../../../storage/database.js';
import { FlowRepository } from '../../../storage/flow-repository.js';
import { FlowService } from '../../../domain/ivr/flow-service.js';
import { defaultNodeRegistry } from '../../../domain/ivr/registry.js';
import { defaultFlow } from '../../../domain/ivr/default-flow.js';
import { requireAdmin } from '../../../routes/admin-auth.js';
import { registerFlowRoutes } from '../../../routes/admin-flows.js';

const DIST = new URL('../../../../dist/admin/', import.meta.url).pathname;
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };
const port = Number(process.env['PORT'] ?? 8099);

const db = openDatabase(':memory:');
const flows = new FlowService({ repo: new FlowRepository(db), registry: defaultNodeRegistry, audioExists: () => true, timeZone: 'Asia/Shanghai' });
flows.seed(defaultFlow());

const app = Fastify({ logger: false });
await app.register(async (scope) => {
  await requireAdmin(scope, [{ id: 'admin', name: 'Demo admin', token: 'admin-demo' }]);
  registerFlowRoutes(scope, flows);
  scope.get('/prompts', async () => [{ name: 'welcome.wav', durationMs: 3200 }, { name: 'hold-music.wav', durationMs: 60000 }]);
}, { prefix: '/admin/api' });

app.get('/admin/flows', async (_req, reply) => reply.redirect('/admin/flows/'));
app.get('/admin/flows/*', async (req, reply) => {
  const rest = (req.params as { '*': string })['*'] || 'index.html';
  const file = normalize(join(DIST, rest));
  if (!file.startsWith(DIST)) return reply.code(404).send();
  try {
    return reply.type(TYPES[extname(file)] ?? 'application/octet-stream').send(await readFile(file));
  } catch {
    return reply.type('text/html; charset=utf-8').send(await readFile(join(DIST, 'index.html')));
  }
});

await app.listen({ port, host: '127.0.0.1' });
console.log(`editor: http://127.0.0.1:${port}/admin/flows/?token=admin-demo`);
