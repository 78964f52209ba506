/**
 * Admin API for IVR audio prompts: upload a WAV (`PUT /admin/api/prompts/:name`, body
 * `audio/wav`, at most 20 MiB), converted to 8 kHz mono 16-bit for FreeSWITCH; list; delete.
 * Errors: 400 bad name / empty, 413 too large / too long, 415 not a WAV or unsupported encoding.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { PromptError, type PromptStore } from '../media/prompt-store.js';

const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;
const STATUS: Record<PromptError['code'], number> = {
  'invalid-name': 400, empty: 400, 'not-wav': 415, 'unsupported-format': 415, 'too-large': 413, 'too-long': 413, 'convert-failed': 500,
};

function sendPromptError(reply: FastifyReply, error: unknown): FastifyReply {
  if (error instanceof PromptError) return reply.code(STATUS[error.code]).send({ error: error.code, message: error.message });
  throw error;
}

/** Register the prompt routes under the (guarded) scope `app`, prefix `/admin/api`. */
export function registerPromptRoutes(scope: FastifyInstance, prompts: PromptStore): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  app.addContentTypeParser(['audio/wav', 'audio/x-wav', 'audio/wave', 'application/octet-stream'], { parseAs: 'buffer', bodyLimit: MAX_UPLOAD_BYTES }, (_req, body, done) => done(null, body));
  const Name = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) });

  app.get('/prompts', async () => prompts.list());

  app.put('/prompts/:name', { schema: { params: Name }, bodyLimit: MAX_UPLOAD_BYTES }, async (request, reply) => {
    if (!Buffer.isBuffer(request.body)) return reply.code(415).send({ error: 'not-wav', message: 'send the WAV as the request body with Content-Type audio/wav' });
    try {
      return reply.code(201).send(await prompts.save(request.params.name, request.body));
    } catch (error) {
      return sendPromptError(reply, error);
    }
  });

  app.delete('/prompts/:name', { schema: { params: Name } }, async (request, reply) => {
    try {
      return (await prompts.remove(request.params.name)) ? reply.code(204).send() : reply.code(404).send({ error: 'not-found', message: `no prompt ${request.params.name}` });
    } catch (error) {
      return sendPromptError(reply, error);
    }
  });
}
