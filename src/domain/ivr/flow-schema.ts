/**
 * The IVR flow document: a versioned JSON graph of typed nodes with named exits.
 *
 * Shape (schemaVersion 1):
 * ```json
 * { "schemaVersion": 1, "id": "default-12345", "name": "12345 默认流程", "numbers": ["12345"],
 *   "language": "cmn", "start": "greeting",
 *   "calendars": { "cn-2026": { "holidays": ["2026-10-01"], "workdays": ["2026-10-11"] } },
 *   "nodes": [ { "id": "greeting", "type": "play", "props": { "prompt": { "text": "您好…" } },
 *                "exits": { "next": "menu" }, "position": { "x": 0, "y": 0 } } ] }
 * ```
 * Each node type's `props` schema is in `NODE_PROPS`; which exits it has is `exitsOf` (exits.ts).
 * This module is pure (TypeBox only) so the browser editor imports it too; the published JSON
 * Schema is `flowJsonSchema()` (also served at `GET /admin/api/flow-schema` and written to
 * `schemas/flow.schema.json`).
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';

/** TTS languages: Mandarin (普通话), Cantonese (粤语), English. */
export const LANGUAGES = ['cmn', 'yue', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
/** A language choice with no default (a prompt without one follows the call's language). */
const LanguageSchema = Type.Union(LANGUAGES.map((l) => Type.Literal(l)), { title: '语言 language' });

/** Node ids and exit names: letters, digits, `_`, `-`, `*`, `#` (DTMF keys are exit names of menus). */
export const NODE_ID_PATTERN = '^[A-Za-z0-9_-]{1,64}$';
export const EXIT_PATTERN = '^[A-Za-z0-9_*#-]{1,64}$';
const NodeId = Type.String({ pattern: NODE_ID_PATTERN, title: '节点 node id' });
const ExitName = Type.String({ pattern: EXIT_PATTERN });

/** Text in one language, or per language (the call's `language` variable picks one). */
const LocalisedText = Type.Union([
  Type.String({ minLength: 1, maxLength: 2000, title: '文本 text' }),
  Type.Object(
    {
      cmn: Type.Optional(Type.String({ minLength: 1, maxLength: 2000, title: '普通话' })),
      yue: Type.Optional(Type.String({ minLength: 1, maxLength: 2000, title: '粤语' })),
      en: Type.Optional(Type.String({ minLength: 1, maxLength: 2000, title: 'English' })),
    },
    { additionalProperties: false, minProperties: 1, title: '多语言文本 per-language text' },
  ),
]);
export type LocalisedText = Static<typeof LocalisedText>;

/**
 * A prompt: an uploaded audio file (name under the prompts directory, see `PUT /admin/api/prompts/:name`),
 * or TTS text. `language` pins the TTS language; otherwise the call's `language` variable, then the flow's.
 */
export const PromptSchema = Type.Union(
  [
    Type.Object({ file: Type.String({ pattern: '^[A-Za-z0-9_.-]{1,128}\\.wav$', title: '录音文件 audio file' }) }, { additionalProperties: false, title: '录音 audio file' }),
    Type.Object({ text: LocalisedText, language: Type.Optional(LanguageSchema) }, { additionalProperties: false, title: 'TTS 合成 text-to-speech' }),
  ],
  { title: '提示音 prompt' },
);
export type Prompt = Static<typeof PromptSchema>;

/** `HH:MM`, 00:00–24:00. */
export const TIME_OF_DAY_PATTERN = '^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$';
/** `YYYY-MM-DD`. */
export const DATE_PATTERN = '^[0-9]{4}-[0-9]{2}-[0-9]{2}$';
const TimeOfDay = Type.String({ pattern: TIME_OF_DAY_PATTERN });
const Digits = Type.String({ pattern: '^[0-9*#]$' });
const Ms = (title: string, def: number, min = 0, max = 600_000) => Type.Integer({ minimum: min, maximum: max, default: def, title });

/** Node properties by type. Durations in ms. */
export const NODE_PROPS = {
  /** Play a prompt. Exit: `next`. */
  play: Type.Object({ prompt: PromptSchema }, { additionalProperties: false }),

  /** DTMF menu. Exits: one per key in `choices`, and `failed` after `retries` bad/no inputs. */
  menu: Type.Object(
    {
      prompt: PromptSchema,
      choices: Type.Array(Digits, { minItems: 1, maxItems: 12, uniqueItems: true, title: '按键 keys' }),
      timeoutMs: Ms('等待按键 timeout (ms)', 5000, 1000, 60_000),
      retries: Type.Integer({ minimum: 1, maximum: 9, default: 3, title: '尝试次数 tries' }),
      invalidPrompt: Type.Optional(PromptSchema),
      noInputPrompt: Type.Optional(PromptSchema),
    },
    { additionalProperties: false },
  ),

  /** Collect digits into a variable. Exits: `next`, `failed`. */
  collectDigits: Type.Object(
    {
      prompt: PromptSchema,
      variable: Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]{0,63}$', title: '变量 variable' }),
      minDigits: Type.Integer({ minimum: 1, maximum: 32, default: 1 }),
      maxDigits: Type.Integer({ minimum: 1, maximum: 32, default: 11 }),
      terminator: Type.Optional(Type.String({ pattern: '^[*#]$', default: '#' })),
      timeoutMs: Ms('等待按键 timeout (ms)', 5000, 1000, 60_000),
      interDigitTimeoutMs: Ms('按键间隔 inter-digit timeout (ms)', 3000, 500, 30_000),
      retries: Type.Integer({ minimum: 1, maximum: 9, default: 3 }),
      invalidPrompt: Type.Optional(PromptSchema),
    },
    { additionalProperties: false },
  ),

  /** 智能语音导航: recognise a short utterance, match keywords to exits; DTMF fallback. Exits: each choice's `exit`, `failed`. */
  speechMenu: Type.Object(
    {
      prompt: PromptSchema,
      choices: Type.Array(
        Type.Object(
          {
            exit: ExitName,
            keywords: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, title: '关键词 keywords' }),
            digit: Type.Optional(Digits),
          },
          { additionalProperties: false },
        ),
        { minItems: 1, maxItems: 12 },
      ),
      maxListenMs: Ms('最长收听 max listen (ms)', 8000, 1000, 60_000),
      retries: Type.Integer({ minimum: 1, maximum: 5, default: 2, title: '语音尝试次数 speech tries' }),
      retryPrompt: Type.Optional(PromptSchema),
      fallbackPrompt: Type.Optional(PromptSchema),
      language: Type.Optional(LanguageSchema),
    },
    { additionalProperties: false },
  ),

  /** All given tests must hold (AND). Exits: `true`, `false`. Times in the centre's time zone. */
  condition: Type.Object(
    {
      timeOfDay: Type.Optional(Type.Object({ from: TimeOfDay, to: TimeOfDay }, { additionalProperties: false, title: '时段 time of day' })),
      weekdays: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), { minItems: 1, uniqueItems: true, title: '星期 weekdays (1=Mon)' })),
      calendar: Type.Optional(
        Type.Object(
          { name: Type.String({ minLength: 1 }), is: Type.Union([Type.Literal('holiday'), Type.Literal('workday')]) },
          { additionalProperties: false, title: '节假日 calendar' },
        ),
      ),
      callerPrefix: Type.Optional(Type.Array(Type.String({ pattern: '^[0-9+]{1,16}$' }), { minItems: 1, title: '主叫前缀 caller prefix' })),
      variable: Type.Optional(
        Type.Object(
          {
            name: Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]{0,63}$' }),
            equals: Type.Optional(Type.String()),
            matches: Type.Optional(Type.String({ maxLength: 256 })),
          },
          { additionalProperties: false, title: '变量 variable' },
        ),
      ),
    },
    { additionalProperties: false },
  ),

  /** Set a call variable; `${name}` in `value` is replaced by another variable. Exit: `next`. */
  setVariable: Type.Object(
    { name: Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]{0,63}$' }), value: Type.String({ maxLength: 1024 }) },
    { additionalProperties: false },
  ),

  /** 公告: notices active now (and for the caller's district, when set) are played. Exit: `next`. */
  announcement: Type.Object(
    {
      notices: Type.Array(
        Type.Object(
          {
            id: Type.String({ pattern: NODE_ID_PATTERN }),
            prompt: PromptSchema,
            /** ISO 8601 with offset, e.g. `2026-11-21T08:00:00+08:00`; checked by validation (`bad-time`). */
            start: Type.String({ minLength: 1, maxLength: 40, title: '开始 start (ISO 8601, e.g. 2026-11-21T08:00:00+08:00)' }),
            end: Type.String({ minLength: 1, maxLength: 40, title: '结束 end (ISO 8601)' }),
            districts: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { title: '区域 districts' })),
          },
          { additionalProperties: false },
        ),
        { maxItems: 20 },
      ),
    },
    { additionalProperties: false },
  ),

  /** Queue for an agent (ACD). Exits: `completed` (agent left, caller still on), `timeout`, `noAgents`. */
  queue: Type.Object(
    {
      queue: Type.String({ pattern: '^[a-z0-9_-]{1,32}$', default: 'general', title: '队列 queue' }),
      priority: Type.Integer({ minimum: 0, maximum: 9, default: 0, title: '优先级 priority' }),
      skills: Type.Array(Type.String({ minLength: 1, maxLength: 32 }), { default: [], title: '技能 skills' }),
      maxWaitMs: Type.Optional(Ms('最长等待 max wait (ms)', 30_000, 0, 3_600_000)),
      prompt: Type.Optional(PromptSchema),
    },
    { additionalProperties: false },
  ),

  /** Voicebot takes the appeal and registers a ticket. Exit: `next`. */
  voicebot: Type.Object({ maxListenMs: Type.Optional(Ms('最长收听 max listen (ms)', 60_000, 5000, 600_000)) }, { additionalProperties: false }),

  /** Transfer out (110/119/120, 12333, any number); the call leaves the hotline. Exit: `failed`. */
  transfer: Type.Object(
    {
      destination: Type.String({ pattern: '^[0-9+*#]{2,20}$', title: '号码 number' }),
      kind: Type.Union([Type.Literal('emergency'), Type.Literal('specialist'), Type.Literal('external')], { default: 'external' }),
      prompt: Type.Optional(PromptSchema),
    },
    { additionalProperties: false },
  ),

  /** 工单查询: caller keys a ticket number, status read back by TTS. Exits: `next`, `notFound`, `failed`. */
  ticketStatus: Type.Object(
    {
      prompt: PromptSchema,
      timeoutMs: Ms('等待按键 timeout (ms)', 8000, 1000, 60_000),
      retries: Type.Integer({ minimum: 1, maximum: 5, default: 2 }),
    },
    { additionalProperties: false },
  ),

  /** 满意度: 1 满意, 2 基本满意, 3 不满意, stored against the call. Exit: `next`. */
  survey: Type.Object(
    {
      prompt: PromptSchema,
      timeoutMs: Ms('等待按键 timeout (ms)', 5000, 1000, 60_000),
      retries: Type.Integer({ minimum: 1, maximum: 5, default: 2 }),
      thanksPrompt: Type.Optional(PromptSchema),
    },
    { additionalProperties: false },
  ),

  /** Hang up (optionally after a prompt). No exits. */
  hangup: Type.Object({ prompt: Type.Optional(PromptSchema), cause: Type.Optional(Type.String({ pattern: '^[A-Z_]{3,40}$' })) }, { additionalProperties: false }),
} as const satisfies Record<string, TSchema>;

export type NodeType = keyof typeof NODE_PROPS;
export const NODE_TYPES = Object.keys(NODE_PROPS) as NodeType[];
export type NodeProps<T extends NodeType> = Static<(typeof NODE_PROPS)[T]>;

/** A node as stored: `type` is checked against the registry, `props` against `NODE_PROPS[type]`. */
export const FlowNodeSchema = Type.Object(
  {
    id: NodeId,
    type: Type.String({ minLength: 1, maxLength: 64 }),
    label: Type.Optional(Type.String({ maxLength: 128 })),
    props: Type.Record(Type.String(), Type.Unknown()),
    /** exit name → target node id. */
    exits: Type.Record(Type.String({ pattern: EXIT_PATTERN }), Type.String()),
    /** Editor canvas position (px). */
    position: Type.Optional(Type.Object({ x: Type.Number(), y: Type.Number() })),
  },
  { additionalProperties: false },
);
export type FlowNode = Static<typeof FlowNodeSchema>;

/** Holiday calendar: 法定节假日 dates and 调休 make-up working days (`YYYY-MM-DD`). */
export const CalendarSchema = Type.Object(
  { holidays: Type.Array(Type.String({ pattern: DATE_PATTERN })), workdays: Type.Optional(Type.Array(Type.String({ pattern: DATE_PATTERN }))) },
  { additionalProperties: false },
);
export type Calendar = Static<typeof CalendarSchema>;

export const FLOW_SCHEMA_VERSION = 1;

export const FlowDocumentSchema = Type.Object(
  {
    schemaVersion: Type.Literal(FLOW_SCHEMA_VERSION),
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,63}$' }),
    name: Type.String({ minLength: 1, maxLength: 128 }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    /** Dialled numbers this flow answers once published. */
    numbers: Type.Array(Type.String({ pattern: '^[0-9+*#]{2,20}$' }), { uniqueItems: true }),
    /** Default TTS language. */
    language: Type.Union(LANGUAGES.map((l) => Type.Literal(l)), { title: '默认语言 default language', default: 'cmn' }),
    start: NodeId,
    calendars: Type.Optional(Type.Record(Type.String({ pattern: NODE_ID_PATTERN }), CalendarSchema)),
    nodes: Type.Array(FlowNodeSchema, { minItems: 1, maxItems: 500 }),
  },
  { additionalProperties: false, $id: 'https://hotline12345.dev/schemas/flow.schema.json', title: 'IVR flow' },
);
export type FlowDocument = Static<typeof FlowDocumentSchema>;

/**
 * The published JSON Schema (draft-07 compatible) of a flow document, with each node type's
 * props schema under `definitions.<type>Props` and a `oneOf` tying `type` to its props.
 */
export function flowJsonSchema(): Record<string, unknown> {
  const base = JSON.parse(JSON.stringify(FlowDocumentSchema)) as Record<string, any>;
  const definitions: Record<string, unknown> = {};
  for (const t of NODE_TYPES) definitions[`${t}Props`] = JSON.parse(JSON.stringify(NODE_PROPS[t]));
  for (const t of NODE_TYPES) definitions[`${t}Props`] = relaxDefaults(definitions[`${t}Props`]);
  base['$schema'] = 'http://json-schema.org/draft-07/schema#';
  base['definitions'] = definitions;
  base['properties']['nodes']['items'] = {
    allOf: [
      base['properties']['nodes']['items'],
      { oneOf: NODE_TYPES.map((t) => ({ properties: { type: { const: t }, props: { $ref: `#/definitions/${t}Props` } } })) },
    ],
  };
  return base;
}

/**
 * A copy of a JSON schema in which properties that have a `default` are no longer `required`:
 * the server fills defaults in before checking (`withDefaults`), so documents may omit them.
 */
export function relaxDefaults<T>(schema: T): T {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out[k] = walk(v);
    const props = out['properties'] as Record<string, { default?: unknown }> | undefined;
    if (props && Array.isArray(out['required'])) {
      out['required'] = (out['required'] as string[]).filter((name) => props[name]?.default === undefined);
      if ((out['required'] as string[]).length === 0) delete out['required'];
    }
    return out;
  };
  return walk(JSON.parse(JSON.stringify(schema))) as T;
}
