import { memo, useEffect } from 'react';
import { Handle, Position, useUpdateNodeInternals, type Node, type NodeProps } from '@xyflow/react';
import { useTranslation } from 'react-i18next';
import type { Issue } from '../api.js';
import type { FlowNode } from '../shared.js';
import { handlesOf, promptSummary } from '../model.js';

/** What a canvas node carries: the flow node itself plus editor state. */
export interface FlowNodeData extends Record<string, unknown> {
  node: FlowNode;
  issues: Issue[];
  isStart: boolean;
  onPath: boolean;
}

export type FlowRfNode = Node<FlowNodeData, 'ivr'>;

/** Short text shown under the title: the prompt, the queue, the destination… */
function summaryOf(node: FlowNode): string | null {
  const p = node.props as Record<string, unknown>;
  switch (node.type) {
    case 'queue':
      return `queue: ${String(p['queue'] ?? '')}`;
    case 'transfer':
      return `→ ${String(p['destination'] ?? '')}`;
    case 'setVariable':
      return `${String(p['name'] ?? '')} = ${String(p['value'] ?? '')}`;
    case 'condition': {
      const tod = p['timeOfDay'] as { from?: string; to?: string } | undefined;
      return tod ? `${tod.from ?? ''}–${tod.to ?? ''}` : null;
    }
    default:
      return promptSummary(p['prompt']);
  }
}

/**
 * A flow node on the canvas: type, id, label and a summary; one target handle on the left and
 * one labelled source handle per exit on the right; validation issues listed in red.
 */
export const FlowNodeView = memo(function FlowNodeView({ id, data, selected }: NodeProps<FlowRfNode>) {
  const { t } = useTranslation();
  const { node, issues, isStart, onPath } = data;
  const handles = handlesOf(node);
  const handleKey = handles.map((h) => h.name).join('|');
  const updateInternals = useUpdateNodeInternals();
  useEffect(() => updateInternals(id), [handleKey, id, updateInternals]);
  const summary = summaryOf(node);
  const classes = ['ivr-node', `ivr-node--${node.type}`];
  if (issues.length) classes.push('has-errors');
  if (selected) classes.push('is-selected');
  if (onPath) classes.push('on-path');
  return (
    <div className={classes.join(' ')} data-testid={`node-${id}`} data-type={node.type}>
      <Handle type="target" position={Position.Left} id="in" className="ivr-handle-in" />
      <div className="ivr-node__head">
        <span className="ivr-node__type">{t(`nodeTypes.${node.type}`, { defaultValue: node.type })}</span>
        {isStart && <span className="ivr-node__start">{t('node.start')}</span>}
      </div>
      <div className="ivr-node__id">{id}</div>
      {node.label && <div className="ivr-node__label">{node.label}</div>}
      {summary && <div className="ivr-node__summary" title={summary}>{summary}</div>}
      <div className="ivr-node__exits">
        {handles.length === 0 && <div className="ivr-node__noexit">{t('node.noExits')}</div>}
        {handles.map((h) => (
          <div key={h.name} className={`ivr-exit${h.stale ? ' is-stale' : ''}${node.exits[h.name] ? ' is-wired' : ''}`} data-testid={`exit-${id}-${h.name}`}>
            <span className="ivr-exit__name">{h.name}</span>
            <Handle type="source" position={Position.Right} id={h.name} className="ivr-handle-out" />
          </div>
        ))}
      </div>
      {issues.length > 0 && (
        <ul className="ivr-node__errors" data-testid={`node-error-${id}`}>
          {issues.map((i, n) => (
            <li key={n}>
              <strong>{t(`issueCodes.${i.code}`, { defaultValue: i.code })}</strong>: {i.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
});
