/**
 * Pure edits of a flow document, as the canvas makes them. Every function returns a new document
 * (the input is never mutated), so React state updates stay simple.
 */
import { FLOW_SCHEMA_VERSION, exitsOf, type FlowDocument, type FlowNode } from './shared.js';

/** A canvas position in px. */
export interface XY {
  x: number;
  y: number;
}

/** Handles shown on a node: its exits by the schema, plus stale ones still wired in `exits`. */
export function handlesOf(node: FlowNode): { name: string; stale: boolean }[] {
  const live = exitsOf(node);
  const stale = Object.keys(node.exits).filter((e) => !live.includes(e));
  return [...live.map((name) => ({ name, stale: false })), ...stale.map((name) => ({ name, stale: true }))];
}

/** An unused node id for a node of `type`: `menu_1`, `menu_2`, … */
export function freshNodeId(doc: FlowDocument, type: string): string {
  const taken = new Set(doc.nodes.map((n) => n.id));
  for (let i = 1; ; i++) {
    const id = `${type}_${i}`;
    if (!taken.has(id)) return id;
  }
}

/** Adds a node of `type` with `props` at `position`; it becomes the start node if it is the first. */
export function addNode(doc: FlowDocument, type: string, props: Record<string, unknown>, position: XY): { doc: FlowDocument; id: string } {
  const id = freshNodeId(doc, type);
  const node: FlowNode = { id, type, props: structuredClone(props), exits: {}, position: { x: Math.round(position.x), y: Math.round(position.y) } };
  const nodes = [...doc.nodes, node];
  return { doc: { ...doc, nodes, start: doc.nodes.length === 0 ? id : doc.start }, id };
}

/** Removes nodes and every exit that pointed at them. */
export function removeNodes(doc: FlowDocument, ids: readonly string[]): FlowDocument {
  const gone = new Set(ids);
  if (!doc.nodes.some((n) => gone.has(n.id))) return doc;
  const nodes = doc.nodes
    .filter((n) => !gone.has(n.id))
    .map((n) => {
      const exits = Object.fromEntries(Object.entries(n.exits).filter(([, target]) => !gone.has(target)));
      return Object.keys(exits).length === Object.keys(n.exits).length ? n : { ...n, exits };
    });
  return { ...doc, nodes };
}

/** Points `source`'s exit `exit` at `target` (an exit has one target: an older edge is replaced). */
export function connect(doc: FlowDocument, source: string, exit: string, target: string): FlowDocument {
  return updateNode(doc, source, (n) => (n.exits[exit] === target ? n : { ...n, exits: { ...n.exits, [exit]: target } }));
}

/** Unwires `source`'s exit `exit`. */
export function disconnect(doc: FlowDocument, source: string, exit: string): FlowDocument {
  return updateNode(doc, source, (n) => {
    if (!(exit in n.exits)) return n;
    const exits = { ...n.exits };
    delete exits[exit];
    return { ...n, exits };
  });
}

/** Replaces node `id` by `fn(node)`. */
export function updateNode(doc: FlowDocument, id: string, fn: (node: FlowNode) => FlowNode): FlowDocument {
  let changed = false;
  const nodes = doc.nodes.map((n) => {
    if (n.id !== id) return n;
    const next = fn(n);
    if (next !== n) changed = true;
    return next;
  });
  return changed ? { ...doc, nodes } : doc;
}

/** Renames a node, rewriting exits that point at it and the start node. No-op if `to` is taken. */
export function renameNode(doc: FlowDocument, from: string, to: string): FlowDocument {
  if (from === to || doc.nodes.some((n) => n.id === to)) return doc;
  const nodes = doc.nodes.map((n) => {
    const exits = Object.fromEntries(Object.entries(n.exits).map(([e, t]) => [e, t === from ? to : t]));
    return { ...n, id: n.id === from ? to : n.id, exits };
  });
  return { ...doc, nodes, start: doc.start === from ? to : doc.start };
}

/** Stores canvas positions (rounded to whole px). Returns `doc` itself if nothing moved. */
export function moveNodes(doc: FlowDocument, positions: ReadonlyMap<string, XY>): FlowDocument {
  let changed = false;
  const nodes = doc.nodes.map((n) => {
    const p = positions.get(n.id);
    if (!p) return n;
    const x = Math.round(p.x);
    const y = Math.round(p.y);
    if (n.position && n.position.x === x && n.position.y === y) return n;
    changed = true;
    return { ...n, position: { x, y } };
  });
  return changed ? { ...doc, nodes } : doc;
}

/** Columns by distance (in exits) from the start node, in discovery order; unreachable nodes last. */
function columns(doc: FlowDocument): FlowNode[][] {
  const byId = new Map(doc.nodes.map((n) => [n.id, n]));
  const depth = new Map<string, number>();
  const order: string[] = [];
  const queue: string[] = [];
  if (byId.has(doc.start)) {
    depth.set(doc.start, 0);
    queue.push(doc.start);
  }
  while (queue.length) {
    const id = queue.shift()!;
    order.push(id);
    for (const target of Object.values(byId.get(id)?.exits ?? {})) {
      if (byId.has(target) && !depth.has(target)) {
        depth.set(target, depth.get(id)! + 1);
        queue.push(target);
      }
    }
  }
  const cols: FlowNode[][] = [];
  for (const id of order) (cols[depth.get(id)!] ??= []).push(byId.get(id)!);
  const rest = doc.nodes.filter((n) => !depth.has(n.id));
  if (rest.length) cols.push(rest);
  return cols;
}

/** Rough rendered height of a node card (px), for stacking cards without overlap. */
function cardHeight(node: FlowNode): number {
  return 70 + (node.label ? 16 : 0) + 30 + Math.max(1, handlesOf(node).length) * 17;
}

const COLUMN_GAP = 300;
const ROW_GAP = 40;

/**
 * Lays the graph out left to right: one column per distance from the start node. With
 * `onlyMissing`, nodes that already have a position keep it (used when loading a document).
 */
export function autoLayout(doc: FlowDocument, onlyMissing = false): FlowDocument {
  if (onlyMissing && doc.nodes.every((n) => n.position)) return doc;
  const placed = new Map<string, XY>();
  columns(doc).forEach((col, c) => {
    let y = 0;
    for (const n of col) {
      placed.set(n.id, { x: c * COLUMN_GAP, y });
      y += cardHeight(n) + ROW_GAP;
    }
  });
  return { ...doc, nodes: doc.nodes.map((n) => (onlyMissing && n.position ? n : { ...n, position: placed.get(n.id) ?? { x: 0, y: 0 } })) };
}

/** Gives every node without a position one (see `autoLayout`). */
export function layoutMissing(doc: FlowDocument): FlowDocument {
  return autoLayout(doc, true);
}

/** `p`, or the first spot below it that no node card (≈ 240×150 px) covers. */
export function freeSpot(doc: FlowDocument, p: XY): XY {
  const taken = (q: XY) => doc.nodes.some((n) => n.position && Math.abs(n.position.x - q.x) < 240 && Math.abs(n.position.y - q.y) < 150);
  let q = { ...p };
  for (let i = 0; i < 50 && taken(q); i++) q = { x: q.x, y: q.y + 160 };
  return q;
}

/** A minimal valid-shaped flow: a greeting that hangs up. */
export function newFlowDocument(id: string, name: string, number?: string): FlowDocument {
  return {
    schemaVersion: FLOW_SCHEMA_VERSION,
    id,
    name,
    numbers: number ? [number] : [],
    language: 'cmn',
    start: 'greeting',
    nodes: [
      { id: 'greeting', type: 'play', props: { prompt: { text: '您好，这里是12345政务服务便民热线。' } }, exits: { next: 'bye' }, position: { x: 0, y: 0 } },
      { id: 'bye', type: 'hangup', props: { prompt: { text: '感谢您的来电，再见。' } }, exits: {}, position: { x: 320, y: 0 } },
    ],
  };
}

/** A short one-line description of a prompt, for node cards. */
export function promptSummary(prompt: unknown): string | null {
  if (!prompt || typeof prompt !== 'object') return null;
  const p = prompt as { file?: unknown; text?: unknown };
  if (typeof p.file === 'string') return `♪ ${p.file}`;
  if (typeof p.text === 'string') return p.text;
  if (p.text && typeof p.text === 'object') {
    const first = Object.values(p.text as Record<string, unknown>).find((v) => typeof v === 'string');
    return typeof first === 'string' ? first : null;
  }
  return null;
}
