/**
 * Admin API for IVR flows (schema-first, admin bearer token): CRUD, validate, publish, rollback,
 * versions, simulate, node types and the flow JSON Schema. Errors are 4xx JSON
 * `{ error, message, issues? }`: 400 not a flow / bad input, 401 no admin, 404 unknown flow or
 * version, 409 id exists, 422 flow invalid (publish/simulate) with every issue.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { FlowExistsError, FlowNotFoundError } from '../storage/flow-repository.js';
import { FlowShapeError, type FlowService } from '../domain/ivr/flow-service.js';
import { FlowValidationError } from '../domain/ivr/compile.js';
import { NODE_PROPS, NODE_TYPES, flowJsonSchema, relaxDefaults } from '../domain/ivr/flow-schema.js';
import { AWAITS_CALLER_INPUT, STATIC_EXITS } from '../domain/ivr/exits.js';
import { withDefaults } from '../domain/ivr/validate.js';
import { adminOf } from './admin-auth.js';

const IdParams = Type.Object({ id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,63}$' }) });
const VersionParams = Type.Object({ id: IdParams.properties.id, version: Type.Integer({ minimum: 1 }) });
const Issue = Type.Object({ nodeId: Type.Optional(Type.String()), path: Type.String(), code: Type.String(), message: Type.String() });
const Issues = Type.Array(Issue);
const DocBody = Type.Object({ doc: Type.Unknown() }, { additionalProperties: false });
const SimulationInput = Type.Object({
  keys: Type.Optional(Type.Array(Type.String({ maxLength: 32 }), { maxItems: 100 })),
  utterances: Type.Optional(Type.Array(Type.String({ maxLength: 500 }), { maxItems: 50 })),
  at: Type.Optional(Type.String()),
  callerNumber: Type.Optional(Type.String({ pattern: '^[0-9+*#]{1,32}$' })),
  destination: Type.Optional(Type.String({ pattern: '^[0-9+*#]{1,32}$' })),
  variables: Type.Optional(Type.Record(Type.String(), Type.String())),
  queueOutcome: Type.Optional(Type.Union([Type.Literal('completed'), Type.Literal('timeout'), Type.Literal('noAgents')])),
  tickets: Type.Optional(Type.Record(Type.String(), Type.String())),
  district: Type.Optional(Type.String()),
}, { additionalProperties: false });

const ErrorBody = Type.Object({ error: Type.String(), message: Type.String(), issues: Type.Optional(Issues) });
const ValidateBody = Type.Object({ doc: Type.Optional(Type.Unknown()) }, { additionalProperties: false });
const PublishBody = Type.Object({ comment: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false });

/** An optional JSON body checked against `schema`: `{}` when absent, an Error naming the problem when invalid. */
function optionalBody<S extends TSchema>(body: unknown, schema: S): Static<S> | Error {
  if (body === undefined || body === null) return {} as Static<S>;
  if (Value.Check(schema, body)) return body;
  const first = [...Value.Errors(schema, body)][0];
  return new Error(`body${first?.path ?? ''}: ${first?.message ?? 'invalid'}`);
}

/** Map domain errors to HTTP answers; rethrow anything else (500). */
export function sendFlowError(reply: FastifyReply, error: unknown): FastifyReply {
  if (error instanceof FlowShapeError) return reply.code(400).send({ error: 'not-a-flow', message: error.message, issues: error.issues });
  if (error instanceof FlowNotFoundError) return reply.code(404).send({ error: 'not-found', message: error.message });
  if (error instanceof FlowExistsError) return reply.code(409).send({ error: 'exists', message: error.message });
  if (error instanceof FlowValidationError) return reply.code(422).send({ error: 'flow-invalid', message: error.message, issues: error.issues });
  if (error instanceof RangeError) return reply.code(400).send({ error: 'bad-input', message: error.message });
  throw error;
}

/** Register the flow routes under the (guarded) scope `app`, prefix `/admin/api`. */
export function registerFlowRoutes(scope: FastifyInstance, flows: FlowService): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  app.get('/node-types', async () =>
    NODE_TYPES.map((type) => ({ type, exits: STATIC_EXITS[type], awaitsInput: AWAITS_CALLER_INPUT.has(type), propsSchema: relaxDefaults(NODE_PROPS[type]), defaults: withDefaults(type, {}) })));

  app.get('/flow-schema', async () => flowJsonSchema());

  app.get('/flows', async () => flows.list());

  app.post('/flows', { schema: { body: DocBody } }, async (request, reply) => {
    try {
      const issues = flows.create(request.body.doc, adminOf(request));
      return reply.code(201).send({ id: (request.body.doc as { id: string }).id, issues });
    } catch (error) {
      return sendFlowError(reply, error);
    }
  });

  app.get('/flows/:id', { schema: { params: IdParams } }, async (request, reply) => {
    try {
      return flows.get(request.params.id);
    } catch (error) {
      return sendFlowError(reply, error);
    }
  });

  app.put('/flows/:id', { schema: { params: IdParams, body: DocBody, response: { 200: Type.Object({ issues: Issues }) } } }, async (request, reply) => {
    try {
      return { issues: flows.saveDraft(request.params.id, request.body.doc, adminOf(request)) };
    } catch (error) {
      return sendFlowError(reply, error);
    }
  });

  app.delete('/flows/:id', { schema: { params: IdParams } }, async (request, reply) => {
    try {
      flows.delete(request.params.id, adminOf(request));
      return reply.code(204).send();
    } catch (error) {
      return sendFlowError(reply, error);
    }
  });

  // Body optional (Fastify's body schema would demand one): checked by hand against the same TypeBox schema.
  app.post('/flows/:id/validate', {
    schema: { params: IdParams, response: { 200: Type.Object({ valid: Type.Boolean(), issues: Issues }), '4xx': ErrorBody } },
  }, async (request, reply) => {
    const body = optionalBody(request.body, ValidateBody);
    if (body instanceof Error) return reply.code(400).send({ error: 'bad-input', message: body.message });
    try {
      const doc = body.doc ?? flows.get(request.params.id).draft;
      const issues = flows.validate(doc);
      return { valid: issues.length === 0, issues };
    } catch (error) {
      return sendFlowError(reply, error);
    }
  });

  app.post('/flows/:id/publish', { schema: { params: IdParams } }, async (request, reply) => {
    const body = optionalBody(request.body, PublishBody);
    if (body instanceof Error) return reply.code(400).send({ error: 'bad-input', message: body.message });
    try {
      const flow = flows.publish(request.params.id, adminOf(request), body.comment ?? null);
      return { version: flow.version };
    } catch (error) {
      return sendFlowError(reply, error);
    }
  });

  app.post('/flows/:id/rollback', {
    schema: { params: IdParams, body: Type.Object({ version: Type.Integer({ minimum: 1 }), comment: Type.Optional(Type.String({ maxLength: 500 })) }) },
  }, async (request, reply) => {
    try {
      const flow = flows.rollback(request.params.id, request.body.version, adminOf(request), request.body.comment ?? null);
      return { publishedVersion: flow.version };
    } catch (error) {
      return sendFlowError(reply, error);
    }
  });

  app.get('/flows/:id/versions', { schema: { params: IdParams } }, async (request, reply) => {
    try {
      return flows.versions(request.params.id);
    } catch (error) {
      return sendFlowError(reply, error);
    }
  });

  app.get('/flows/:id/history', { schema: { params: IdParams } }, async (request) => flows.history(request.params.id));

  app.get('/flows/:id/versions/:version', { schema: { params: VersionParams } }, async (request, reply) => {
    try {
      return { version: request.params.version, doc: flows.version(request.params.id, request.params.version) };
    } catch (error) {
      return sendFlowError(reply, error);
    }
  });

  app.post('/flows/:id/simulate', {
    schema: { params: IdParams, body: Type.Object({ doc: Type.Optional(Type.Unknown()), input: SimulationInput }, { additionalProperties: false }) },
  }, async (request, reply) => {
    try {
      return await flows.simulate(request.params.id, request.body.doc, request.body.input);
    } catch (error) {
      return sendFlowError(reply, error);
    }
  });
}
