/**
 * Which named exits a node has, and which node types wait for the caller. Pure: shared by the
 * validator, the runtime and the browser editor.
 */
import type { FlowNode, NodeType } from './flow-schema.js';

/** Exits every node of a type has, whatever its props. */
export const STATIC_EXITS: Readonly<Record<NodeType, readonly string[]>> = {
  play: ['next'],
  menu: ['failed'],
  collectDigits: ['next', 'failed'],
  speechMenu: ['failed'],
  condition: ['true', 'false'],
  setVariable: ['next'],
  announcement: ['next'],
  queue: ['completed', 'timeout', 'noAgents'],
  voicebot: ['next'],
  transfer: ['failed'],
  ticketStatus: ['next', 'notFound', 'failed'],
  survey: ['next'],
  hangup: [],
};

/**
 * Node types whose `exec` waits for the caller (keys, speech, an agent): a loop through one of
 * them is a retry loop the caller can leave; a loop through none of them spins forever.
 */
export const AWAITS_CALLER_INPUT: ReadonlySet<string> = new Set(['menu', 'collectDigits', 'speechMenu', 'queue', 'voicebot', 'ticketStatus', 'survey']);

/** Exits that may be left unconnected: following them ends the call (hang up). */
export const OPTIONAL_EXITS: Readonly<Partial<Record<NodeType, readonly string[]>>> = {
  transfer: ['failed'],
  survey: ['next'],
  voicebot: ['next'],
  queue: ['completed'],
};

/**
 * All exits of a node: the static ones plus those its props define (menu keys, speech-menu
 * choice names). Unknown types or malformed props give the static exits only (or none).
 */
export function exitsOf(node: Pick<FlowNode, 'type' | 'props'>): string[] {
  const fixed = STATIC_EXITS[node.type as NodeType];
  if (!fixed) return [];
  const props = (node.props ?? {}) as Record<string, unknown>;
  const extra: string[] = [];
  if (node.type === 'menu' && Array.isArray(props['choices'])) {
    for (const c of props['choices']) if (typeof c === 'string') extra.push(c);
  }
  if (node.type === 'speechMenu' && Array.isArray(props['choices'])) {
    for (const c of props['choices']) {
      const exit = (c as { exit?: unknown } | null)?.exit;
      if (typeof exit === 'string') extra.push(exit);
    }
  }
  return [...new Set([...extra, ...fixed])];
}
