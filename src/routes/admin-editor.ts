/**
 * The visual flow editor (`src/web/admin`, built by `npm run build:web` into `dist/admin`) served
 * at `/admin/flows/`. The page itself is public; every API call it makes needs the admin token.
 */
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `vite build` writes the editor. */
export const EDITOR_DIST_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'admin');

export async function registerEditorRoutes(app: FastifyInstance, distDir = EDITOR_DIST_DIR): Promise<void> {
  app.get('/admin/flows', async (request, reply) => {
    const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
    return reply.redirect(`/admin/flows/${query}`);
  });
  if (!existsSync(join(distDir, 'index.html'))) {
    app.get('/admin/flows/*', async (_request, reply) =>
      reply.code(503).type('text/plain; charset=utf-8').send('The flow editor is not built: run `npm run build:web`.'));
    return;
  }
  await app.register(fastifyStatic, { root: distDir, prefix: '/admin/flows/', index: 'index.html', decorateReply: false });
}
