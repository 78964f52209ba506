import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import {
  Background,
  Controls,
  MarkerType,
  MiniMap,
  Panel,
  ReactFlow,
  applyNodeChanges,
  useNodesInitialized,
  useReactFlow,
  type Connection,
  type Edge,
  type EdgeChange,
  type NodeChange,
  type OnSelectionChangeParams,
} from '@xyflow/react';
import { useTranslation } from 'react-i18next';
import type { Issue } from '../api.js';
import type { FlowDocument } from '../shared.js';
import { autoLayout, connect, disconnect, moveNodes, removeNodes, type XY } from '../model.js';
import { FlowNodeView, type FlowRfNode } from './FlowNodeView.js';

/** MIME type of a palette item dragged onto the canvas (payload: the node type). */
export const DND_TYPE = 'application/x-ivr-node-type';

const nodeTypes = { ivr: FlowNodeView };

/** What is selected on the canvas. */
export interface CanvasSelection {
  nodeIds: string[];
  edge: { source: string; exit: string; target: string } | null;
}

interface Props {
  doc: FlowDocument;
  issues: Issue[];
  /** Node ids of the last simulation's path (highlighted). */
  pathNodeIds: ReadonlySet<string>;
  /** Select (and centre on) this node when `focus.seq` changes. */
  focus: { id: string; seq: number } | null;
  /** Bumped when a different flow is loaded: fits the view. */
  loadSeq: number;
  onChange: (update: (doc: FlowDocument) => FlowDocument) => void;
  onSelectionChange: (sel: CanvasSelection) => void;
  onDropType: (type: string, position: XY) => void;
}

const edgeId = (source: string, exit: string) => `${source}→${exit}`;

/**
 * The React Flow canvas. The flow document is the truth; canvas nodes keep React Flow's own
 * state (measured size, selection, drag position) and are re-synced whenever the document changes.
 * Positions go back into the document when a drag ends.
 */
export function Canvas({ doc, issues, pathNodeIds, focus, loadSeq, onChange, onSelectionChange, onDropType }: Props) {
  const { t } = useTranslation();
  const [rfNodes, setRfNodes] = useState<FlowRfNode[]>([]);
  const [selectedEdges, setSelectedEdges] = useState<ReadonlySet<string>>(new Set());
  const { screenToFlowPosition, fitView, setCenter, getZoom } = useReactFlow();

  const issuesByNode = useMemo(() => {
    const m = new Map<string, Issue[]>();
    for (const i of issues) if (i.nodeId) m.set(i.nodeId, [...(m.get(i.nodeId) ?? []), i]);
    return m;
  }, [issues]);

  useEffect(() => {
    setRfNodes((prev) => {
      const prevById = new Map(prev.map((n) => [n.id, n]));
      return doc.nodes.map((node): FlowRfNode => {
        const p = prevById.get(node.id);
        return {
          ...p,
          id: node.id,
          type: 'ivr',
          position: node.position ?? p?.position ?? { x: 0, y: 0 },
          data: { node, issues: issuesByNode.get(node.id) ?? [], isStart: doc.start === node.id, onPath: pathNodeIds.has(node.id) },
        };
      });
    });
  }, [doc, issuesByNode, pathNodeIds]);

  useEffect(() => {
    if (!focus) return;
    setRfNodes((ns) => ns.map((n) => (n.selected === (n.id === focus.id) ? n : { ...n, selected: n.id === focus.id })));
    const node = doc.nodes.find((n) => n.id === focus.id);
    if (node?.position) void setCenter(node.position.x + 110, node.position.y + 60, { zoom: Math.max(getZoom(), 0.8), duration: 300 });
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only when a new focus is requested
  }, [focus?.seq]);

  useEffect(() => {
    if (pathNodeIds.size === 0) return;
    const timer = setTimeout(() => void fitView({ nodes: [...pathNodeIds].map((id) => ({ id })), padding: 0.2, maxZoom: 1, duration: 300 }), 50);
    return () => clearTimeout(timer);
  }, [pathNodeIds, fitView]);

  // Fit the view once per loaded document, when its nodes are on the canvas and measured.
  const fitted = useRef(-1);
  const measured = useNodesInitialized();
  useEffect(() => {
    if (fitted.current === loadSeq || !measured || rfNodes.length !== doc.nodes.length) return;
    if (!rfNodes.every((n, i) => n.data.node === doc.nodes[i])) return;
    fitted.current = loadSeq;
    void fitView({ padding: 0.15, maxZoom: 1.1 });
  }, [loadSeq, measured, rfNodes, doc, fitView]);

  const edges = useMemo<Edge[]>(() => {
    const ids = new Set(doc.nodes.map((n) => n.id));
    const out: Edge[] = [];
    for (const n of doc.nodes) {
      for (const [exit, target] of Object.entries(n.exits)) {
        if (!ids.has(target)) continue;
        const id = edgeId(n.id, exit);
        const onPath = pathNodeIds.has(n.id) && pathNodeIds.has(target);
        out.push({
          id,
          source: n.id,
          sourceHandle: exit,
          target,
          targetHandle: 'in',
          selected: selectedEdges.has(id),
          animated: onPath,
          className: onPath ? 'on-path' : undefined,
          markerEnd: { type: MarkerType.ArrowClosed, width: 18, height: 18 },
          data: { exit },
        });
      }
    }
    return out;
  }, [doc, selectedEdges, pathNodeIds]);

  const onNodesChange = useCallback(
    (changes: NodeChange<FlowRfNode>[]) => {
      setRfNodes((ns) => applyNodeChanges(changes, ns));
      const moved = new Map<string, XY>();
      const removed: string[] = [];
      for (const c of changes) {
        if (c.type === 'position' && c.position && !c.dragging) moved.set(c.id, c.position);
        if (c.type === 'remove') removed.push(c.id);
      }
      if (moved.size) onChange((d) => moveNodes(d, moved));
      if (removed.length) onChange((d) => removeNodes(d, removed));
    },
    [onChange],
  );

  const onNodeDragStop = useCallback(
    (_e: unknown, _node: FlowRfNode, nodes: FlowRfNode[]) => {
      onChange((d) => moveNodes(d, new Map(nodes.map((n) => [n.id, n.position]))));
    },
    [onChange],
  );

  const onEdgesChange = useCallback(
    (changes: EdgeChange[]) => {
      const byId = new Map(edges.map((e) => [e.id, e]));
      const removed: Edge[] = [];
      let selection: Set<string> | null = null;
      for (const c of changes) {
        if (c.type === 'select') {
          selection ??= new Set(selectedEdges);
          if (c.selected) selection.add(c.id);
          else selection.delete(c.id);
        }
        if (c.type === 'remove') {
          const e = byId.get(c.id);
          if (e) removed.push(e);
        }
      }
      if (selection) setSelectedEdges(selection);
      if (removed.length) onChange((d) => removed.reduce((acc, e) => disconnect(acc, e.source, String(e.sourceHandle)), d));
    },
    [edges, selectedEdges, onChange],
  );

  const onConnect = useCallback(
    (c: Connection) => {
      if (c.source && c.target && c.sourceHandle) onChange((d) => connect(d, c.source, c.sourceHandle!, c.target));
    },
    [onChange],
  );

  const handleSelection = useCallback(
    ({ nodes, edges: es }: OnSelectionChangeParams) => {
      const e = es[0];
      onSelectionChange({
        nodeIds: nodes.map((n) => n.id),
        edge: e && e.sourceHandle ? { source: e.source, exit: e.sourceHandle, target: e.target } : null,
      });
    },
    [onSelectionChange],
  );

  const onDragOver = useCallback((e: DragEvent) => {
    if (e.dataTransfer.types.includes(DND_TYPE)) {
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
    }
  }, []);

  const onDrop = useCallback(
    (e: DragEvent) => {
      const type = e.dataTransfer.getData(DND_TYPE);
      if (!type) return;
      e.preventDefault();
      const p = screenToFlowPosition({ x: e.clientX, y: e.clientY });
      onDropType(type, { x: p.x - 20, y: p.y - 20 });
    },
    [screenToFlowPosition, onDropType],
  );

  return (
    <div className="canvas" onDragOver={onDragOver} onDrop={onDrop} data-testid="canvas">
      <ReactFlow<FlowRfNode, Edge>
        nodes={rfNodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onNodeDragStop={onNodeDragStop}
        onSelectionChange={handleSelection}
        deleteKeyCode={['Backspace', 'Delete']}
        isValidConnection={(c) => c.source !== null && c.targetHandle === 'in'}
        minZoom={0.2}
        proOptions={{ hideAttribution: false }}
      >
        <Panel position="top-left">
          <button
            type="button"
            data-testid="btn-layout"
            onClick={() => {
              onChange((d) => autoLayout(d));
              setTimeout(() => void fitView({ padding: 0.15, maxZoom: 1.1, duration: 300 }), 50);
            }}
          >
            {t('toolbar.layout')}
          </button>
        </Panel>
        <Background gap={20} />
        <Controls showInteractive={false} />
        <MiniMap pannable zoomable nodeColor={(n) => ((n.data as { issues?: unknown[] }).issues?.length ? '#e5484d' : '#7c8db5')} />
      </ReactFlow>
    </div>
  );
}
