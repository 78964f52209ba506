/**
 * The admin API over real HTTP: `startLab` runs the real server (SQLite in a temp dir, PromptStore
 * with sox, the default flow seeded) against the FreeSWITCH simulator; requests go through `fetch`.
 * The pass-through recogniser keeps start-up fast (no speech model is loaded).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { startLab, type Lab } from '../../src/cli/lab.js';
import { defaultFlow } from '../../src/domain/ivr/default-flow.js';
import { flowJsonSchema, NODE_TYPES, type FlowDocument } from '../../src/domain/ivr/flow-schema.js';
import { withDefaults } from '../../src/domain/ivr/validate.js';
import { createTicketDrafterFactory } from '../../src/domain/tickets/intelligence/drafter-adapter.js';
import { PassthroughRecognizer } from '../../src/speech/passthrough.js';
import { EspeakSynthesizer } from '../../src/speech/tts.js';
import { decodeWav } from '../../src/speech/wav.js';
import { goodFixture, soxWav, tempDir } from './helpers.js';

const TOKEN = 'admin-demo';
let dir: string;
let lab: Lab;

beforeAll(async () => {
  dir = tempDir('api');
  lab = await startLab({
    engines: {
      recognizer: new PassthroughRecognizer({ languages: ['*'] }),
      tts: new EspeakSynthesizer({ cacheDir: join(dir, 'tts') }),
      drafterFactory: createTicketDrafterFactory(),
    },
    log: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    config: {
      storage: { dbPath: join(dir, 'hotline.sqlite'), recordingsDir: join(dir, 'recordings'), promptsDir: join(dir, 'tts'), audioDir: join(dir, 'audio') },
    },
  });
});
afterAll(async () => {
  await lab?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Reply {
  status: number;
  body: any;
}

/** A request to `/admin/api<path>`; JSON body unless `raw` is given. */
async function api(method: string, path: string, options: { json?: unknown; raw?: Uint8Array | string; type?: string; token?: string | null } = {}): Promise<Reply> {
  const headers: Record<string, string> = {};
  const token = options.token === undefined ? TOKEN : options.token;
  if (token !== null) headers['authorization'] = `Bearer ${token}`;
  let body: BodyInit | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.raw !== undefined) {
    headers['content-type'] = options.type ?? 'application/octet-stream';
    body = options.raw as BodyInit;
  }
  const res = await fetch(`${lab.server.url}/admin/api${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsed };
}

const navDoc = (welcome?: string): FlowDocument => {
  const doc = { ...goodFixture('speech-navigation'), id: 'api-flow', numbers: ['96888'] };
  if (welcome !== undefined) (doc.nodes.find((n) => n.id === 'welcome')!.props as { prompt: { text: string } }).prompt.text = welcome;
  return doc;
};

describe('authentication', () => {
  it('401 without a token, with a wrong one, or a non-Bearer scheme; 200 with the demo admin token', async () => {
    for (const token of [null, 'admin-demo-wrong', 'x']) {
      const r = await api('GET', '/flows', { token });
      expect(r.status, String(token)).toBe(401);
      expect(r.body.error).toBe('unauthorized');
    }
    const basic = await fetch(`${lab.server.url}/admin/api/flows`, { headers: { authorization: `Basic ${Buffer.from('admin:admin-demo').toString('base64')}` } });
    expect(basic.status).toBe(401);
    expect((await api('PUT', '/prompts/x.wav', { raw: Buffer.from('RIFF'), type: 'audio/wav', token: null })).status).toBe(401);
    expect((await api('POST', '/flows/default-12345/publish', { token: null })).status).toBe(401);

    const ok = await api('GET', '/flows');
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual([expect.objectContaining({ id: 'default-12345', numbers: ['12345'], publishedVersion: 1, draftUpdatedBy: 'system' })]);
  });
});

describe('schema endpoints', () => {
  it('GET /node-types lists every node type with exits, props schema and defaults', async () => {
    const r = await api('GET', '/node-types');
    expect(r.status).toBe(200);
    expect(r.body.map((t: { type: string }) => t.type)).toEqual(NODE_TYPES);
    const byType = Object.fromEntries(r.body.map((t: { type: string }) => [t.type, t]));
    expect(byType.menu).toMatchObject({ exits: ['failed'], awaitsInput: true, defaults: { timeoutMs: 5000, retries: 3 } });
    expect(byType.play).toMatchObject({ exits: ['next'], awaitsInput: false });
    expect(byType.queue.exits).toEqual(['completed', 'timeout', 'noAgents']);
    expect(byType.hangup.exits).toEqual([]);
    expect(byType.transfer.propsSchema.required).toEqual(expect.arrayContaining(['destination']));
  });

  describe('GET /flow-schema with ajv', () => {
    let schema: Record<string, unknown>;
    let check: ReturnType<Ajv['compile']>;
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats.default(ajv);
    beforeAll(async () => {
      const r = await api('GET', '/flow-schema');
      expect(r.status).toBe(200);
      schema = r.body;
      check = ajv.compile(schema);
    });

    it('is the draft-07 document schema of flow-schema.ts', () => {
      expect(schema['$schema']).toBe('http://json-schema.org/draft-07/schema#');
      expect(schema).toEqual(flowJsonSchema());
    });

    /** KNOWN BUG: props with defaults stay `required` in the JSON Schema — see validate.test.ts. */
    it('validates the default flow as shipped', () => {
      expect(check(defaultFlow()), ajv.errorsText(check.errors)).toBe(true);
    });

    it('validates the default flow with its props defaults written out, and rejects broken documents', () => {
      const doc = defaultFlow();
      for (const node of doc.nodes) node.props = withDefaults(node.type, node.props);
      expect(check(doc), ajv.errorsText(check.errors)).toBe(true);
      const unknownType = structuredClone(doc);
      unknownType.nodes[0]!.type = 'sendFax';
      expect(check(unknownType)).toBe(false);
      const badProps = structuredClone(doc);
      (badProps.nodes.find((n) => n.id === 'mainMenu')!.props as { choices: string[] }).choices = ['10'];
      expect(check(badProps)).toBe(false);
      expect(check({ ...doc, language: 'fr' })).toBe(false);
    });
  });
});

describe('flow life cycle', () => {
  it('POST → PUT → validate → publish 422 → fix → publish → versions → rollback → simulate → DELETE', async () => {
    // A draft with problems is stored (201) and its issues returned.
    const broken = navDoc();
    broken.nodes.find((n) => n.id === 'nav')!.exits['status'] = 'statusTypo';
    const created = await api('POST', '/flows', { json: { doc: broken } });
    expect(created.status).toBe(201);
    expect(created.body.id).toBe('api-flow');
    expect(created.body.issues.map((i: { code: string; nodeId?: string }) => [i.code, i.nodeId])).toEqual(
      expect.arrayContaining([['missing-target', 'nav'], ['unreachable', 'status']]),
    );

    // PUT another broken draft: issues come back.
    const worse = navDoc();
    (worse.nodes.find((n) => n.id === 'queue')!.exits as Record<string, string>) = { completed: 'bye' };
    const put = await api('PUT', '/flows/api-flow', { json: { doc: worse } });
    expect(put.status).toBe(200);
    expect(put.body.issues.map((i: { code: string; nodeId?: string }) => [i.code, i.nodeId])).toEqual([['missing-exit', 'queue'], ['missing-exit', 'queue']]);
    expect((await api('GET', '/flows/api-flow')).body.draft).toEqual(worse);

    // validate: the saved draft, or a given document (not saved).
    const validated = await api('POST', '/flows/api-flow/validate', { json: {} });
    expect(validated.status).toBe(200);
    expect(validated.body.valid).toBe(false);
    expect(validated.body.issues).toEqual(put.body.issues);
    const validDoc = await api('POST', '/flows/api-flow/validate', { json: { doc: navDoc() } });
    expect(validDoc.body).toEqual({ valid: true, issues: [] });

    // publish refuses, naming the node.
    const refused = await api('POST', '/flows/api-flow/publish', { json: {} });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toBe('flow-invalid');
    expect(refused.body.issues.every((i: { nodeId?: string }) => i.nodeId === 'queue')).toBe(true);
    expect(refused.body.message).toContain('queue');
    expect((await api('GET', '/flows/api-flow/versions')).body).toEqual([]);
    expect(lab.server.flows.catalog.forNumber('96888')).toBeUndefined();

    // Fix and publish v1, then v2.
    expect((await api('PUT', '/flows/api-flow', { json: { doc: navDoc('第一版欢迎语') } })).body).toEqual({ issues: [] });
    const v1 = await api('POST', '/flows/api-flow/publish', { json: { comment: 'first' } });
    expect(v1).toEqual({ status: 200, body: { version: 1 } });
    expect((await api('PUT', '/flows/api-flow', { json: { doc: navDoc('第二版欢迎语') } })).body).toEqual({ issues: [] });
    expect((await api('POST', '/flows/api-flow/publish', { json: {} })).body).toEqual({ version: 2 });
    expect(lab.server.flows.catalog.forNumber('96888')!.version).toBe(2);

    const versions = await api('GET', '/flows/api-flow/versions');
    expect(versions.body.map((v: { version: number; publishedBy: string; comment: string | null; current: boolean }) => [v.version, v.publishedBy, v.comment, v.current]))
      .toEqual([[2, 'admin', null, true], [1, 'admin', 'first', false]]);
    const v1Doc = await api('GET', '/flows/api-flow/versions/1');
    expect(v1Doc.body).toEqual({ version: 1, doc: navDoc('第一版欢迎语') });
    expect((await api('GET', '/flows/api-flow/versions/9')).status).toBe(404);

    // Rollback to v1.
    const back = await api('POST', '/flows/api-flow/rollback', { json: { version: 1, comment: 'v2 wording' } });
    expect(back).toEqual({ status: 200, body: { publishedVersion: 1 } });
    expect(lab.server.flows.catalog.forNumber('96888')!.version).toBe(1);
    expect((await api('GET', '/flows/api-flow/versions')).body.map((v: { current: boolean }) => v.current)).toEqual([false, true]);
    const history = await api('GET', '/flows/api-flow/history');
    expect(history.body.at(-1)).toMatchObject({ action: 'rollback', version: 1, actor: 'admin', comment: 'v2 wording' });
    expect((await api('POST', '/flows/api-flow/rollback', { json: { version: 7 } })).status).toBe(404);

    // Simulate the saved draft (v2 wording) and an override document.
    const simDraft = await api('POST', '/flows/api-flow/simulate', { json: { input: { utterances: ['我要投诉'], queueOutcome: 'noAgents' } } });
    expect(simDraft.status).toBe(200);
    expect(simDraft.body.prompts[0]).toEqual({ nodeId: 'welcome', text: '第二版欢迎语', language: 'cmn' });
    expect(simDraft.body.path.map((s: { nodeId: string }) => s.nodeId)).toEqual(['welcome', 'nav', 'queue', 'voicebot']);
    expect(simDraft.body.outcome).toBe('hungUp');
    const simDoc = await api('POST', '/flows/api-flow/simulate', { json: { doc: navDoc('临时欢迎语'), input: { utterances: ['人工'] } } });
    expect(simDoc.body.prompts[0].text).toBe('临时欢迎语');
    expect(simDoc.body.survey).toBeUndefined();
    const simBad = await api('POST', '/flows/api-flow/simulate', { json: { doc: worse, input: {} } });
    expect(simBad.status).toBe(422);
    expect(simBad.body.issues.length).toBeGreaterThan(0);
    expect((await api('POST', '/flows/api-flow/simulate', { json: { input: { at: 'not a time' } } })).status).toBe(400);
    expect((await api('POST', '/flows/api-flow/simulate', { json: { input: { queueOutcome: 'explode' } } })).status).toBe(400);

    // Delete.
    expect((await api('DELETE', '/flows/api-flow')).status).toBe(204);
    expect((await api('GET', '/flows/api-flow')).status).toBe(404);
    expect((await api('DELETE', '/flows/api-flow')).status).toBe(404);
    expect(lab.server.flows.catalog.forNumber('96888')).toBeUndefined();
    expect((await api('GET', '/flows')).body.map((f: { id: string }) => f.id)).toEqual(['default-12345']);
  });

  /**
   * KNOWN BUG (src/routes/admin-flows.ts, `/flows/:id/validate` and `/flows/:id/publish`): the body
   * schema is `Type.Optional(Type.Object(...))`, but a top-level Optional is not optional to
   * Fastify's validator: a POST without a body answers 400 "body must be object" instead of
   * validating / publishing the saved draft.
   */
  it('validate and publish accept a POST without a body', async () => {
    const validated = await api('POST', '/flows/default-12345/validate');
    expect(validated).toEqual({ status: 200, body: { valid: true, issues: [] } });
    const published = await api('POST', '/flows/default-12345/publish');
    expect(published).toEqual({ status: 200, body: { version: 2 } });
  });

  it('400 for bodies that are not flows, 409 for an existing id, number-taken for the hotline number', async () => {
    const notAFlow = await api('POST', '/flows', { json: { doc: { hello: 'world' } } });
    expect(notAFlow.status).toBe(400);
    expect(notAFlow.body.error).toBe('not-a-flow');
    expect(notAFlow.body.issues.length).toBeGreaterThan(0);
    expect((await api('POST', '/flows', { json: { flow: navDoc() } })).status).toBe(400);
    expect((await api('POST', '/flows', { json: [1, 2] })).status).toBe(400);
    expect((await api('PUT', '/flows/default-12345', { json: { doc: 'a string' } })).status).toBe(400);
    const mismatch = await api('PUT', '/flows/default-12345', { json: { doc: navDoc() } });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.issues[0].code).toBe('id-mismatch');
    expect((await api('GET', '/flows/Not_An_Id')).status).toBe(400);

    expect((await api('POST', '/flows', { json: { doc: defaultFlow() } })).status).toBe(409);
    const taken = await api('POST', '/flows', { json: { doc: { ...navDoc(), id: 'second-12345', numbers: ['12345'] } } });
    expect(taken.status).toBe(201);
    expect(taken.body.issues).toEqual([expect.objectContaining({ code: 'number-taken', path: '/numbers/0' })]);
    expect((await api('POST', '/flows/second-12345/publish', { json: {} })).status).toBe(422);
    expect(lab.server.flows.catalog.forNumber('12345')!.flowId).toBe('default-12345');
    expect((await api('DELETE', '/flows/second-12345')).status).toBe(204);
  });
});

describe('prompt upload', () => {
  it('a 44.1 kHz stereo WAV is stored as 8 kHz mono and listed; a flow using it then validates', async () => {
    const flow = { ...navDoc(), id: 'audio-flow', numbers: ['96777'] };
    flow.nodes.find((n) => n.id === 'welcome')!.props = { prompt: { file: 'water-notice.wav' } };
    const before = await api('POST', '/flows/audio-flow/validate', { json: { doc: flow } });
    expect(before.body.issues.map((i: { code: string; nodeId: string }) => [i.code, i.nodeId])).toEqual([['missing-audio', 'welcome']]);

    const wav = soxWav(dir, 'upload.wav', 44100, 2, 0.5);
    expect(decodeWav(wav)).toMatchObject({ sampleRateHz: 44100, channels: 2 });
    const put = await api('PUT', '/prompts/water-notice.wav', { raw: wav, type: 'audio/wav' });
    expect(put.status).toBe(201);
    expect(put.body).toMatchObject({ name: 'water-notice.wav', sampleRateHz: 8000, channels: 1, originalFormat: { sampleRateHz: 44100, channels: 2, bitsPerSample: 16 } });
    expect(put.body.durationMs).toBeCloseTo(500, -1);

    const stored = readFileSync(join(dir, 'audio', 'water-notice.wav'));
    const decoded = decodeWav(stored);
    expect([decoded.sampleRateHz, decoded.channels]).toEqual([8000, 1]);
    const list = await api('GET', '/prompts');
    expect(list.status).toBe(200);
    expect(list.body).toEqual([{ name: 'water-notice.wav', durationMs: (decoded.samples.length / 8000) * 1000, bytes: statSync(join(dir, 'audio', 'water-notice.wav')).size }]);
    // 8 kHz mono 16-bit: 2 bytes per ms / 8 → 16 bytes per ms of audio (plus the header).
    expect(list.body[0].bytes - 16 * list.body[0].durationMs).toBeLessThan(100);

    const after = await api('POST', '/flows/audio-flow/validate', { json: { doc: flow } });
    expect(after.body).toEqual({ valid: true, issues: [] });

    expect((await api('DELETE', '/prompts/water-notice.wav')).status).toBe(204);
    expect((await api('DELETE', '/prompts/water-notice.wav')).status).toBe(404);
    expect((await api('GET', '/prompts')).body).toEqual([]);
  });

  it('415 for text, 400 for a bad name, nothing stored', async () => {
    const text = await api('PUT', '/prompts/notice.wav', { raw: 'this is not audio', type: 'text/plain' });
    expect(text.status).toBe(415);
    const textAsWav = await api('PUT', '/prompts/notice.wav', { raw: Buffer.from('this is not audio either'), type: 'audio/wav' });
    expect(textAsWav.status).toBe(415);
    expect(textAsWav.body.error).toBe('not-wav');
    const wav = soxWav(dir, 'small.wav');
    for (const name of ['notice.mp3', 'bad%20name.wav', '.hidden.wav', '..%2Fescape.wav']) {
      const r = await api('PUT', `/prompts/${name}`, { raw: wav, type: 'audio/wav' });
      expect(r.status, name).toBe(400);
    }
    expect((await api('GET', '/prompts')).body).toEqual([]);
  });
});
