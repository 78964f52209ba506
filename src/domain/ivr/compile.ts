/**
 * A validated, frozen flow version ready to run. Calls hold on to the `CompiledFlow` they started
 * with, so publishing a new version never changes a call in progress.
 */
import type { Calendar, FlowDocument, FlowNode, Language } from './flow-schema.js';
import { validateFlow, withDefaults, type FlowIssue, type ValidationEnv } from './validate.js';

/** The flow failed validation; `issues` says where and why. */
export class FlowValidationError extends Error {
  override name = 'FlowValidationError' as const;
  constructor(readonly issues: readonly FlowIssue[]) {
    super(`flow is invalid: ${issues.slice(0, 5).map((i) => `${i.nodeId ?? i.path}: ${i.message}`).join('; ')}${issues.length > 5 ? ` (+${issues.length - 5} more)` : ''}`);
  }
}

/** A runnable flow version. Immutable. */
export interface CompiledFlow {
  readonly flowId: string;
  /** Published version number (0 for an unpublished draft under simulation). */
  readonly version: number;
  readonly start: string;
  readonly language: Language;
  readonly calendars: Readonly<Record<string, Calendar>>;
  /** Nodes by id, props with defaults applied. */
  readonly nodes: ReadonlyMap<string, FlowNode>;
  readonly doc: FlowDocument;
}

/** Validate and freeze. @throws FlowValidationError listing every issue. */
export function compileFlow(input: unknown, version: number, env: ValidationEnv): CompiledFlow {
  const issues = validateFlow(input, env);
  if (issues.length > 0) throw new FlowValidationError(issues);
  const doc = deepFreeze(structuredClone(input) as FlowDocument);
  const nodes = new Map<string, FlowNode>();
  for (const node of doc.nodes) nodes.set(node.id, deepFreeze({ ...node, props: withDefaults(node.type, node.props) }));
  return Object.freeze({ flowId: doc.id, version, start: doc.start, language: doc.language, calendars: doc.calendars ?? {}, nodes, doc });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
