/**
 * JSON schemas for the side-panel forms (react-jsonschema-form), derived from the shared TypeBox
 * schemas, and the props a node gets when dropped on the canvas.
 */
import type { Experimental_DefaultFormStateBehavior, RJSFSchema } from '@rjsf/utils';
import { getDefaultFormState } from '@rjsf/utils';
import validator from '@rjsf/validator-ajv8';
import { FlowDocumentSchema, LANGUAGES, NODE_PROPS, type FlowDocument, type NodeType } from './shared.js';

/** Plain JSON copy of a TypeBox schema (drops TypeBox's symbol keys). */
function plain<T>(schema: unknown): T {
  return JSON.parse(JSON.stringify(schema)) as T;
}

/**
 * How the forms fill defaults: only for required fields, so optional props the server defaults
 * itself (a prompt's pinned `language`, a collector's `terminator`…) stay absent unless set.
 */
export const DEFAULTS_BEHAVIOR: Experimental_DefaultFormStateBehavior = { emptyObjectFields: 'populateRequiredDefaults' };

/** Bilingual labels of enumerated values (TypeBox literal unions), like the schema's own titles. */
const CONST_TITLES: Record<string, string> = {
  cmn: '普通话 cmn',
  yue: '粤语 yue',
  en: 'English en',
  emergency: '紧急 emergency',
  specialist: '专线 specialist',
  external: '外部号码 external',
  holiday: '节假日 holiday',
  workday: '工作日 workday',
};

/**
 * TypeBox writes a union of literals as `anyOf: [{ const }, …]` without a `type`, which the form
 * library cannot render: turn it into a typed `oneOf` of titled constants (a select box).
 */
function literalUnionsToSelects(schema: unknown): void {
  if (!schema || typeof schema !== 'object') return;
  if (Array.isArray(schema)) {
    for (const s of schema) literalUnionsToSelects(s);
    return;
  }
  const s = schema as Record<string, unknown>;
  const anyOf = s['anyOf'];
  if (Array.isArray(anyOf) && anyOf.length > 0 && anyOf.every((o) => o && typeof o === 'object' && 'const' in o)) {
    const options = anyOf as { const: unknown; type?: string; title?: string }[];
    delete s['anyOf'];
    s['type'] = options[0]!.type ?? typeof options[0]!.const;
    s['oneOf'] = options.map((o) => ({ const: o.const, title: o.title ?? CONST_TITLES[String(o.const)] ?? String(o.const) }));
    return;
  }
  for (const v of Object.values(s)) literalUnionsToSelects(v);
}

/**
 * An optional field's `default` is what the server assumes when it is absent; the form would show
 * it as if it were set (a select box has no empty choice then). Move it into the description.
 */
function optionalDefaultsToHints(schema: unknown): void {
  if (!schema || typeof schema !== 'object') return;
  if (Array.isArray(schema)) {
    for (const s of schema) optionalDefaultsToHints(s);
    return;
  }
  const s = schema as Record<string, unknown>;
  const props = s['properties'] as Record<string, Record<string, unknown>> | undefined;
  if (props && typeof props === 'object') {
    const required = new Set((s['required'] as string[] | undefined) ?? []);
    for (const [name, p] of Object.entries(props)) {
      if (required.has(name) || !p || !('default' in p)) continue;
      p['description'] = `默认 default: ${JSON.stringify(p['default'])}`;
      delete p['default'];
    }
  }
  for (const v of Object.values(s)) optionalDefaultsToHints(v);
}

/** Adds `examples` (uploaded prompt names, shown as suggestions) to every audio-file field. */
function withPromptSuggestions(schema: unknown, names: readonly string[]): void {
  if (!schema || typeof schema !== 'object') return;
  if (Array.isArray(schema)) {
    for (const s of schema) withPromptSuggestions(s, names);
    return;
  }
  const s = schema as Record<string, unknown>;
  const file = (s['properties'] as Record<string, Record<string, unknown>> | undefined)?.['file'];
  if (file && typeof file['pattern'] === 'string' && file['pattern'].includes('wav') && names.length) file['examples'] = [...names];
  for (const v of Object.values(s)) withPromptSuggestions(v, names);
}

/** The props form schema of a node type, or null for a type the editor does not know. */
export function propsSchema(type: string, promptNames: readonly string[] = []): RJSFSchema | null {
  const source = (NODE_PROPS as Record<string, unknown>)[type];
  if (!source) return null;
  const schema = plain<RJSFSchema>(source);
  literalUnionsToSelects(schema);
  optionalDefaultsToHints(schema);
  withPromptSuggestions(schema, promptNames);
  return schema;
}

/** Friendly starting props, so a dropped node plays something sensible until edited. */
const SEED_PROPS: Partial<Record<NodeType, Record<string, unknown>>> = {
  play: { prompt: { text: '您好，欢迎致电12345政务服务便民热线。' } },
  menu: { prompt: { text: '业务咨询请按1，投诉举报请按2。' }, choices: ['1', '2'] },
  collectDigits: { prompt: { text: '请输入号码，以井号键结束。' }, variable: 'digits' },
  speechMenu: { prompt: { text: '请简要说出您要办理的业务。' }, choices: [{ exit: 'consult', keywords: ['咨询'], digit: '1' }] },
  condition: { timeOfDay: { from: '08:00', to: '18:00' } },
  setVariable: { name: 'var1', value: '' },
  announcement: { notices: [] },
  transfer: { destination: '12333', kind: 'specialist' },
  ticketStatus: { prompt: { text: '请输入工单编号，以井号键结束。' } },
  survey: { prompt: { text: '满意请按1，基本满意请按2，不满意请按3。' } },
};

/**
 * Props for a new node of `type`: schema defaults, then the server's defaults (`GET /node-types`,
 * when it answered), then the seed props above for what is still missing.
 */
export function initialProps(type: string, serverDefaults?: Record<string, unknown>): Record<string, unknown> {
  const schema = propsSchema(type);
  const computed = schema ? (getDefaultFormState(validator, schema, {}, undefined, false, DEFAULTS_BEHAVIOR) as Record<string, unknown>) : {};
  const seed = SEED_PROPS[type as NodeType] ?? {};
  const merged: Record<string, unknown> = { ...computed, ...seed, ...(serverDefaults ?? {}) };
  for (const [k, v] of Object.entries(seed)) if (merged[k] === undefined || isEmptyObject(merged[k])) merged[k] = v;
  for (const [k, v] of Object.entries(merged)) if (v === undefined || isEmptyObject(v)) delete merged[k];
  return structuredClone(merged);
}

function isEmptyObject(v: unknown): boolean {
  return !!v && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((x) => x === undefined);
}

/** The flow-level settings the side panel edits (everything but the nodes). */
export type FlowSettings = Pick<FlowDocument, 'name' | 'description' | 'numbers' | 'language' | 'start' | 'calendars'>;

/** Form schema of the flow settings; `start` is a choice among the current node ids. */
export function flowSettingsSchema(nodeIds: readonly string[], t: (key: string) => string): RJSFSchema {
  const p = plain<{ properties: Record<string, Record<string, unknown>> }>(FlowDocumentSchema).properties;
  const calendarsSchema = p['calendars'] ?? {};
  const calendar = Object.values((calendarsSchema['patternProperties'] as Record<string, unknown>) ?? {})[0] ?? { type: 'object' };
  return {
    type: 'object',
    required: ['name', 'numbers', 'language', 'start'],
    properties: {
      name: { ...p['name'], title: t('flowFields.name') },
      description: { ...p['description'], title: t('flowFields.description') },
      numbers: { ...p['numbers'], title: t('flowFields.numbers') },
      language: { type: 'string', title: t('flowFields.language'), oneOf: LANGUAGES.map((l) => ({ const: l, title: t(`languages.${l}`) })) },
      start: nodeIds.length
        ? { type: 'string', title: t('flowFields.start'), enum: [...nodeIds] }
        : { type: 'string', title: t('flowFields.start') },
      calendars: { type: 'object', title: t('flowFields.calendars'), additionalProperties: calendar as RJSFSchema },
    },
  } as RJSFSchema;
}

/** The settings part of a document. */
export function settingsOf(doc: FlowDocument): FlowSettings {
  const { name, description, numbers, language, start, calendars } = doc;
  return { name, description, numbers, language, start, calendars };
}
