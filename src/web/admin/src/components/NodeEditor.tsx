import { useEffect, useMemo, useState } from 'react';
import Form from '@rjsf/core';
import validator from '@rjsf/validator-ajv8';
import type { UiSchema } from '@rjsf/utils';
import { useTranslation } from 'react-i18next';
import type { FlowDocument, FlowNode } from '../shared.js';
import { DEFAULTS_BEHAVIOR, propsSchema } from '../schemas.js';
import { rjsfTranslator } from '../i18n.js';

const NODE_ID = /^[A-Za-z0-9_-]{1,64}$/;
const uiSchema: UiSchema = { 'ui:submitButtonOptions': { norender: true } };

interface Props {
  doc: FlowDocument;
  node: FlowNode;
  promptNames: readonly string[];
  onRename: (from: string, to: string) => void;
  onUpdate: (fn: (node: FlowNode) => FlowNode) => void;
  onSetStart: (id: string) => void;
  onDelete: (id: string) => void;
}

/**
 * Side panel for one node: id (renaming rewires the exits pointing at it), label, start flag and
 * a react-jsonschema-form for its props, driven by the node type's props schema.
 */
export function NodeEditor({ doc, node, promptNames, onRename, onUpdate, onSetStart, onDelete }: Props) {
  const { t, i18n } = useTranslation();
  const [idText, setIdText] = useState(node.id);
  useEffect(() => setIdText(node.id), [node.id]);
  const idOk = idText === node.id || (NODE_ID.test(idText) && !doc.nodes.some((n) => n.id === idText));
  const schema = useMemo(() => propsSchema(node.type, promptNames), [node.type, promptNames]);

  const commitId = () => {
    if (idText !== node.id && idOk) onRename(node.id, idText);
  };

  return (
    <section className="panel-section" data-testid="node-editor">
      <h2>
        {t('panel.node')} · {t(`nodeTypes.${node.type}`, { defaultValue: node.type })} <code>{node.type}</code>
      </h2>
      <label className="field">
        <span>{t('panel.nodeId')}</span>
        <input
          data-testid="node-id-input"
          value={idText}
          className={idOk ? '' : 'invalid'}
          onChange={(e) => setIdText(e.target.value)}
          onBlur={commitId}
          onKeyDown={(e) => e.key === 'Enter' && commitId()}
        />
        {!idOk && <small className="error-text">{t('panel.idTaken')}</small>}
      </label>
      <label className="field">
        <span>{t('panel.label')}</span>
        <input
          data-testid="node-label-input"
          value={node.label ?? ''}
          maxLength={128}
          onChange={(e) => {
            const label = e.target.value;
            onUpdate(({ label: _old, ...rest }) => (label ? { ...rest, label } : rest));
          }}
        />
      </label>
      <div className="row">
        {doc.start === node.id ? (
          <span className="start-flag">★ {t('panel.isStart')}</span>
        ) : (
          <button type="button" data-testid="btn-set-start" onClick={() => onSetStart(node.id)}>
            {t('panel.setStart')}
          </button>
        )}
        <button type="button" className="danger" data-testid="btn-delete-node" onClick={() => onDelete(node.id)}>
          {t('panel.deleteNode')}
        </button>
      </div>
      <h3>{t('panel.props')}</h3>
      {schema ? (
        <div className="rjsf-wrap" data-testid="props-form">
          <Form
            key={`${node.id}:${node.type}:${i18n.language}`}
            schema={schema}
            uiSchema={uiSchema}
            formData={node.props}
            validator={validator}
            liveValidate="onChange"
            showErrorList={false}
            noHtml5Validate
            experimental_defaultFormStateBehavior={DEFAULTS_BEHAVIOR}
            translateString={rjsfTranslator}
            idPrefix={`props-${node.id}`}
            onChange={(e) => {
              const props = (e.formData ?? {}) as Record<string, unknown>;
              onUpdate((n) => (JSON.stringify(n.props) === JSON.stringify(props) ? n : { ...n, props }));
            }}
          />
        </div>
      ) : (
        <pre>{JSON.stringify(node.props, null, 2)}</pre>
      )}
    </section>
  );
}
