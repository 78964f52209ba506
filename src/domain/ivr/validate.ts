/**
 * Flow validation before publish. Every problem comes back as a `FlowIssue` naming the node and
 * the reason; nothing is thrown for bad input. Checks, in order:
 *   1. document shape (JSON schema) — `schema`
 *   2. duplicate node ids — `duplicate-id`; start node exists — `missing-start`
 *   3. per node: known type — `unknown-type`; props valid for the type — `invalid-props`
 *   4. exits: every required exit connected — `missing-exit`; no exits the type lacks —
 *      `unknown-exit`; targets exist — `missing-target`
 *   5. nodes unreachable from start — `unreachable`
 *   6. loops through no node that waits for the caller — `input-free-loop`
 *   7. prompt files that are not uploaded — `missing-audio`
 *   8. times and calendars: unknown calendar, impossible dates, a day both holiday and workday,
 *      announcement end not after start, empty time ranges — `bad-calendar` / `bad-time`
 *   9. rules of the domain: emergency transfers only to 110/119/120/122, invalid regexes,
 *      min > max digits, duplicate speech-menu digits — `bad-value`
 */
import { Value } from '@sinclair/typebox/value';
import { FlowDocumentSchema, NODE_PROPS, type FlowDocument, type FlowNode, type NodeType } from './flow-schema.js';
import { AWAITS_CALLER_INPUT, OPTIONAL_EXITS, exitsOf } from './exits.js';
import { isValidDate, parseTimeOfDay } from './calendar.js';
import type { NodeRegistry } from './node.js';

/** One validation problem. `path` is a JSON pointer into the document. */
export interface FlowIssue {
  readonly nodeId?: string;
  readonly path: string;
  readonly code: string;
  readonly message: string;
}

/** What validation needs from outside. */
export interface ValidationEnv {
  readonly registry: NodeRegistry;
  /** Is an uploaded prompt with this file name present? */
  readonly audioExists: (file: string) => boolean;
}

/** China's emergency numbers: 110 police, 119 fire, 120 ambulance, 122 traffic accidents. */
export const EMERGENCY_NUMBERS: ReadonlySet<string> = new Set(['110', '119', '120', '122']);

/** Apply the props defaults of a node type to a copy of `props` (unknown types: a copy). */
export function withDefaults(type: string, props: unknown): Record<string, unknown> {
  const schema = NODE_PROPS[type as NodeType];
  const copy = structuredClone(props ?? {}) as Record<string, unknown>;
  return schema ? (Value.Default(schema, copy) as Record<string, unknown>) : copy;
}

/** Validate an untrusted flow document; an empty list means publishable. */
export function validateFlow(input: unknown, env: ValidationEnv): FlowIssue[] {
  const issues: FlowIssue[] = [];
  if (!Value.Check(FlowDocumentSchema, input)) {
    for (const e of Value.Errors(FlowDocumentSchema, input)) {
      issues.push({ ...nodeAt(input, e.path), path: e.path || '/', code: 'schema', message: e.message });
      if (issues.length >= 50) break;
    }
    return issues;
  }
  const doc = input as FlowDocument;
  const byId = new Map<string, FlowNode>();
  doc.nodes.forEach((node, i) => {
    if (byId.has(node.id)) issues.push({ nodeId: node.id, path: `/nodes/${i}/id`, code: 'duplicate-id', message: `node id ${node.id} is used twice` });
    else byId.set(node.id, node);
  });
  if (!byId.has(doc.start)) issues.push({ path: '/start', code: 'missing-start', message: `start node ${doc.start} does not exist` });

  doc.nodes.forEach((node, i) => checkNode(doc, node, i, byId, env, issues));
  checkReachable(doc, byId, issues);
  checkInputFreeLoops(doc, byId, env, issues);
  checkCalendars(doc, issues);
  return issues;
}

function checkNode(doc: FlowDocument, node: FlowNode, i: number, byId: Map<string, FlowNode>, env: ValidationEnv, issues: FlowIssue[]): void {
  const at = `/nodes/${i}`;
  const add = (path: string, code: string, message: string): void => {
    issues.push({ nodeId: node.id, path: `${at}${path}`, code, message });
  };
  if (!env.registry.has(node.type)) return add('/type', 'unknown-type', `unknown node type "${node.type}"`);
  const schema = NODE_PROPS[node.type as NodeType];
  const props = withDefaults(node.type, node.props);
  if (!Value.Check(schema, props)) {
    for (const e of Value.Errors(schema, props)) add(`/props${e.path}`, 'invalid-props', `${e.path || 'props'}: ${e.message}`);
    return;
  }
  const exits = exitsOf(node);
  const optional = OPTIONAL_EXITS[node.type as NodeType] ?? [];
  for (const exit of exits) {
    if (!(exit in node.exits) && !optional.includes(exit)) add(`/exits/${exit}`, 'missing-exit', `exit "${exit}" is not connected`);
  }
  for (const [exit, target] of Object.entries(node.exits)) {
    if (!exits.includes(exit)) add(`/exits/${exit}`, 'unknown-exit', `a ${node.type} node has no exit "${exit}"`);
    else if (!byId.has(target)) add(`/exits/${exit}`, 'missing-target', `exit "${exit}" goes to missing node "${target}"`);
  }
  for (const { path, file } of promptFiles(props, '/props')) {
    if (!env.audioExists(file)) add(path, 'missing-audio', `audio file ${file} has not been uploaded`);
  }
  checkProps(doc, node.type as NodeType, props, add);
}

function checkProps(doc: FlowDocument, type: NodeType, props: Record<string, any>, add: (path: string, code: string, message: string) => void): void {
  if (type === 'transfer' && props['kind'] === 'emergency' && !EMERGENCY_NUMBERS.has(props['destination'])) {
    add('/props/destination', 'bad-value', `emergency transfers go to 110, 119, 120 or 122, not ${props['destination']}`);
  }
  if (type === 'collectDigits' && props['minDigits'] > props['maxDigits']) add('/props/minDigits', 'bad-value', 'minDigits is larger than maxDigits');
  if (type === 'speechMenu') {
    const digits = (props['choices'] as { digit?: string }[]).map((c) => c.digit).filter((d) => d !== undefined);
    if (new Set(digits).size !== digits.length) add('/props/choices', 'bad-value', 'two speech-menu choices share a fallback key');
    const exits = (props['choices'] as { exit: string }[]).map((c) => c.exit);
    if (new Set(exits).size !== exits.length) add('/props/choices', 'bad-value', 'two speech-menu choices share an exit name');
  }
  if (type === 'condition') {
    const range = props['timeOfDay'] as { from: string; to: string } | undefined;
    if (range && parseTimeOfDay(range.from) === parseTimeOfDay(range.to)) add('/props/timeOfDay', 'bad-time', `time range ${range.from}–${range.to} is empty`);
    const cal = props['calendar'] as { name: string } | undefined;
    if (cal && !doc.calendars?.[cal.name]) add('/props/calendar/name', 'bad-calendar', `calendar "${cal.name}" is not defined in the flow`);
    const matches = (props['variable'] as { matches?: string } | undefined)?.matches;
    if (matches !== undefined) {
      try {
        new RegExp(matches);
      } catch (error) {
        add('/props/variable/matches', 'bad-value', `invalid regular expression: ${(error as Error).message}`);
      }
    }
  }
  if (type === 'announcement') {
    (props['notices'] as { id: string; start: string; end: string }[]).forEach((n, j) => {
      const start = parseIsoTime(n.start);
      const end = parseIsoTime(n.end);
      if (start === null) add(`/props/notices/${j}/start`, 'bad-time', `notice ${n.id}: start "${n.start}" is not an ISO 8601 date-time with offset`);
      if (end === null) add(`/props/notices/${j}/end`, 'bad-time', `notice ${n.id}: end "${n.end}" is not an ISO 8601 date-time with offset`);
      if (start !== null && end !== null && end <= start) add(`/props/notices/${j}/end`, 'bad-time', `notice ${n.id}: end is not after start`);
    });
  }
}

/** ISO 8601 date-time with a zone (`Z` or `+08:00`) → ms; null if not. */
export function parseIsoTime(text: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) return null;
  if (!isValidDate(text.slice(0, 10))) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}

function checkCalendars(doc: FlowDocument, issues: FlowIssue[]): void {
  for (const [name, cal] of Object.entries(doc.calendars ?? {})) {
    const check = (list: readonly string[], key: string) =>
      list.forEach((d, j) => {
        if (!isValidDate(d)) issues.push({ path: `/calendars/${name}/${key}/${j}`, code: 'bad-calendar', message: `calendar ${name}: ${d} is not a date` });
      });
    check(cal.holidays, 'holidays');
    check(cal.workdays ?? [], 'workdays');
    for (const d of cal.workdays ?? []) {
      if (cal.holidays.includes(d)) issues.push({ path: `/calendars/${name}`, code: 'bad-calendar', message: `calendar ${name}: ${d} is both a holiday and a workday` });
    }
  }
}

function checkReachable(doc: FlowDocument, byId: Map<string, FlowNode>, issues: FlowIssue[]): void {
  if (!byId.has(doc.start)) return;
  const seen = new Set<string>([doc.start]);
  const stack = [doc.start];
  while (stack.length) {
    const node = byId.get(stack.pop()!);
    for (const target of Object.values(node?.exits ?? {})) {
      if (byId.has(target) && !seen.has(target)) {
        seen.add(target);
        stack.push(target);
      }
    }
  }
  doc.nodes.forEach((node, i) => {
    if (!seen.has(node.id)) issues.push({ nodeId: node.id, path: `/nodes/${i}`, code: 'unreachable', message: `node ${node.id} cannot be reached from ${doc.start}` });
  });
}

/**
 * A cycle made only of nodes that never wait for the caller (play, condition, setVariable, …)
 * would spin forever. Tarjan's strongly connected components over those nodes.
 */
function checkInputFreeLoops(doc: FlowDocument, byId: Map<string, FlowNode>, env: ValidationEnv, issues: FlowIssue[]): void {
  const passive = (id: string) => {
    const n = byId.get(id);
    return n !== undefined && env.registry.has(n.type) && !AWAITS_CALLER_INPUT.has(n.type);
  };
  const next = (id: string) => Object.values(byId.get(id)?.exits ?? {}).filter(passive);
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const strong = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next(v)) {
      if (!index.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    const selfLoop = component.length === 1 && next(v).includes(v);
    if (component.length > 1 || selfLoop) {
      const ids = component.reverse();
      for (const id of ids) {
        issues.push({
          nodeId: id, path: `/nodes/${doc.nodes.findIndex((n) => n.id === id)}/exits`, code: 'input-free-loop',
          message: `loop ${ids.join(' → ')} never waits for the caller`,
        });
      }
    }
  };
  for (const node of doc.nodes) if (passive(node.id) && !index.has(node.id)) strong(node.id);
}

/** Every `{ file }` prompt in a props object, with its JSON pointer. */
export function promptFiles(value: unknown, path: string): { path: string; file: string }[] {
  if (!value || typeof value !== 'object') return [];
  if (Array.isArray(value)) return value.flatMap((v, i) => promptFiles(v, `${path}/${i}`));
  const obj = value as Record<string, unknown>;
  if (typeof obj['file'] === 'string' && Object.keys(obj).length === 1) return [{ path: `${path}/file`, file: obj['file'] }];
  return Object.entries(obj).flatMap(([k, v]) => promptFiles(v, `${path}/${k}`));
}

function nodeAt(input: unknown, path: string): { nodeId?: string } {
  const m = /^\/nodes\/(\d+)/.exec(path);
  const nodes = (input as { nodes?: unknown })?.nodes;
  if (!m || !Array.isArray(nodes)) return {};
  const id = (nodes[Number(m[1])] as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' ? { nodeId: id } : {};
}
