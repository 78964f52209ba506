import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTicketExtractor } from '../../src/domain/tickets/intelligence/extractor.js';
import { createOpenAiCompatibleLlm, LlmRequestError, LlmResponseError } from '../../src/domain/tickets/intelligence/llm.js';
import { rawTurns } from './helpers.js';

/** A tiny stand-in for an OpenAI-compatible server: POST /v1/chat/completions. */
interface Recorded { path: string; headers: IncomingMessage['headers']; body: Record<string, unknown> }
let server: Server;
let baseUrl: string;
const requests: Recorded[] = [];
let reply: (body: Record<string, unknown>, res: ServerResponse) => void = () => undefined;

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      const body = JSON.parse(raw || '{}') as Record<string, unknown>;
      requests.push({ path: req.url ?? '', headers: req.headers, body });
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        res.writeHead(404).end();
        return;
      }
      reply(body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function completion(content: string) {
  return (_body: Record<string, unknown>, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
      id: 'chatcmpl-1', object: 'chat.completion', model: 'qwen2.5-7b-instruct',
      choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
    }));
  };
}

describe('OpenAI-compatible adapter', () => {
  it('posts model, messages, temperature and JSON mode, with the bearer key', async () => {
    reply = completion('{"ok":true}');
    const llm = createOpenAiCompatibleLlm({ baseUrl, model: 'qwen2.5-7b-instruct', apiKey: 'sk-test' });
    const content = await llm.complete([{ role: 'user', content: '你好' }], { json: true });
    expect(content).toBe('{"ok":true}');
    const last = requests[requests.length - 1]!;
    expect(last.path).toBe('/v1/chat/completions');
    expect(last.headers.authorization).toBe('Bearer sk-test');
    expect(last.body).toMatchObject({ model: 'qwen2.5-7b-instruct', temperature: 0, response_format: { type: 'json_object' }, stream: false });
    expect(last.body.messages).toEqual([{ role: 'user', content: '你好' }]);
  });

  it('turns HTTP errors into LlmRequestError with the status', async () => {
    reply = (_b, res) => res.writeHead(503).end('model loading');
    const llm = createOpenAiCompatibleLlm({ baseUrl, model: 'm' });
    const error = await llm.complete([{ role: 'user', content: 'x' }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LlmRequestError);
    expect((error as LlmRequestError).status).toBe(503);
  });

  it('times out', async () => {
    reply = (_b, res) => setTimeout(() => completion('late')(_b, res), 500);
    const llm = createOpenAiCompatibleLlm({ baseUrl, model: 'm', timeoutMs: 50 });
    await expect(llm.complete([{ role: 'user', content: 'x' }])).rejects.toBeInstanceOf(LlmRequestError);
  });

  it('rejects a body without choices as LlmResponseError', async () => {
    reply = (_b, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"error":"nope"}');
    const llm = createOpenAiCompatibleLlm({ baseUrl, model: 'm' });
    await expect(llm.complete([{ role: 'user', content: 'x' }])).rejects.toBeInstanceOf(LlmResponseError);
  });
});

describe('extractor.refine with an LLM', () => {
  const script = rawTurns(
    'A:您好，12345政务服务便民热线，请问有什么可以帮您？',
    'C:你好，我们小区门口那个早餐店天天把蒸笼摆到人行道上，路都走不了。',
    'A:请问在什么位置？',
    'C:二七区，大学路上，靠近郑大一附院那边。',
  );

  it('uses the LLM summary and fills empty fields, validated against the city pack', async () => {
    reply = completion('```json\n' + JSON.stringify({
      summary: '来电人反映二七区大学路一早餐店占用人行道经营，要求处理。',
      callerName: null, contactPhone: '12345', appealType: '投诉', category: '城乡建设', subcategory: '占道经营',
      handlingUnits: ['城市管理局', '不存在的局', '区政府'], district: '二七区', incidentAddress: '二七区大学路',
    }) + '\n```');
    const llm = createOpenAiCompatibleLlm({ baseUrl, model: 'deepseek-chat' });
    const extractor = createTicketExtractor({ llm });
    for (const t of script) extractor.addTurn(t);
    const offline = extractor.draft;
    const update = await extractor.refine();
    expect(update.draft.summary.value).toBe('来电人反映二七区大学路一早餐店占用人行道经营，要求处理。');
    expect(update.changedFields).toContain('summary');
    expect(update.draft.contactPhone.value).toBeNull(); // "12345" is not a valid phone: dropped
    expect(update.draft.handlingUnits.value.map((u) => u.unit)).not.toContain('不存在的局');
    expect(update.draft.urgency).toEqual(offline.urgency); // safety fields stay offline
    const prompt = requests[requests.length - 1]!.body.messages as { role: string; content: string }[];
    expect(prompt[0]!.content).toContain('郑州高新技术产业开发区');
    expect(prompt[1]!.content).toContain('[3] 来电人: 二七区，大学路上');
  });

  it('rejects a non-JSON answer with LlmResponseError and keeps the offline draft', async () => {
    reply = completion('抱歉，我无法处理。');
    const extractor = createTicketExtractor({ llm: createOpenAiCompatibleLlm({ baseUrl, model: 'm' }) });
    for (const t of script) extractor.addTurn(t);
    const before = extractor.draft;
    await expect(extractor.refine()).rejects.toBeInstanceOf(LlmResponseError);
    expect(extractor.draft).toBe(before);
  });

  it('resolves to the offline draft when no LLM is configured', async () => {
    const extractor = createTicketExtractor();
    for (const t of script) extractor.addTurn(t);
    const update = await extractor.refine();
    expect(update.draft).toBe(extractor.draft);
    expect(update.changedFields).toEqual([]);
  });
});
