import { useMemo } from 'react';
import Form from '@rjsf/core';
import validator from '@rjsf/validator-ajv8';
import type { UiSchema } from '@rjsf/utils';
import { useTranslation } from 'react-i18next';
import type { FlowDocument } from '../shared.js';
import { DEFAULTS_BEHAVIOR, flowSettingsSchema, settingsOf, type FlowSettings } from '../schemas.js';
import { rjsfTranslator } from '../i18n.js';

const uiSchema: UiSchema = {
  'ui:submitButtonOptions': { norender: true },
  'ui:order': ['name', 'numbers', 'language', 'start', 'description', 'calendars'],
  description: { 'ui:widget': 'textarea', 'ui:options': { rows: 2 } },
};

/** Flow-level settings (name, numbers, language, start node, calendars) as a react-jsonschema-form. */
export function FlowSettingsForm({ doc, onChange }: { doc: FlowDocument; onChange: (settings: FlowSettings) => void }) {
  const { t, i18n } = useTranslation();
  const ids = doc.nodes.map((n) => n.id);
  const idKey = ids.join('|');
  // eslint-disable-next-line react-hooks/exhaustive-deps -- rebuilt when the node ids or language change
  const schema = useMemo(() => flowSettingsSchema(ids, t), [idKey, t, i18n.language]);
  const formData = settingsOf(doc);
  return (
    <section className="panel-section" data-testid="flow-settings">
      <h2>
        {t('panel.flow')} <code>{doc.id}</code>
      </h2>
      <div className="rjsf-wrap">
        <Form
          key={`${doc.id}:${i18n.language}`}
          schema={schema}
          uiSchema={uiSchema}
          formData={formData}
          validator={validator}
          liveValidate="onChange"
          showErrorList={false}
          noHtml5Validate
          experimental_defaultFormStateBehavior={DEFAULTS_BEHAVIOR}
          translateString={rjsfTranslator}
          idPrefix="flow"
          onChange={(e) => {
            const s = e.formData as FlowSettings;
            if (JSON.stringify(s) !== JSON.stringify(formData)) onChange(s);
          }}
        />
      </div>
    </section>
  );
}
