import type { FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Type } from '@sinclair/typebox';

const WEB_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'web');

/** Health and the agent page. Schema-first. (Call and ticket APIs come with role-based auth.) */
export function registerHttpRoutes(app: FastifyInstance, deps: { health: () => { switchConnected: boolean; liveCalls: number } }): void {
  const agentPage = readFileSync(join(WEB_DIR, 'agent.html'), 'utf8');
  app.get('/agent', async (_request, reply) => reply.type('text/html; charset=utf-8').send(agentPage));

  app.get('/health', {
    schema: { response: { 200: Type.Object({ status: Type.String(), switchConnected: Type.Boolean(), liveCalls: Type.Integer() }) } },
  }, async () => ({ status: 'ok', ...deps.health() }));
}
