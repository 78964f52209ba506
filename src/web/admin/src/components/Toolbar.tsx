import { useTranslation } from 'react-i18next';
import type { FlowSummary } from '../api.js';
import { setUiLanguage } from '../i18n.js';

/** A status-line message: an i18n key with its parameters, so it follows the language switch. */
export interface Status {
  key: string;
  params?: Record<string, string | number>;
  tone: 'info' | 'ok' | 'error';
}

interface Props {
  flows: FlowSummary[];
  flowId: string | null;
  busy: boolean;
  dirty: boolean;
  status: Status | null;
  publishedVersion: number | null;
  comment: string;
  onComment: (c: string) => void;
  onSelectFlow: (id: string) => void;
  onNew: () => void;
  onSave: () => void;
  onValidate: () => void;
  onPublish: () => void;
  onVersions: () => void;
  onSimulate: () => void;
  onLogout: () => void;
}

/** Flow selector and the flow actions, the status line and the language switch. */
export function Toolbar(p: Props) {
  const { t, i18n } = useTranslation();
  const noFlow = !p.flowId;
  return (
    <header className="toolbar">
      <div className="brand">
        {t('app.title')}
      </div>
      <label className="flow-select">
        <span>{t('toolbar.flow')}</span>
        <select data-testid="flow-select" value={p.flowId ?? ''} onChange={(e) => p.onSelectFlow(e.target.value)} disabled={p.busy}>
          {p.flows.length === 0 && <option value="">{t('toolbar.noFlow')}</option>}
          {p.flows.map((f) => (
            <option key={f.id} value={f.id}>
              {f.name} ({f.id}){f.publishedVersion !== null ? ` · v${f.publishedVersion}` : ''}
            </option>
          ))}
        </select>
      </label>
      <button type="button" data-testid="btn-new" onClick={p.onNew} disabled={p.busy}>
        {t('toolbar.new')}
      </button>
      <span className="sep" />
      <button type="button" data-testid="btn-save" onClick={p.onSave} disabled={p.busy || noFlow} className={p.dirty ? 'primary' : ''}>
        {t('toolbar.save')}
      </button>
      <button type="button" data-testid="btn-validate" onClick={p.onValidate} disabled={p.busy || noFlow}>
        {t('toolbar.validate')}
      </button>
      <input
        className="comment"
        data-testid="publish-comment"
        placeholder={t('toolbar.publishComment')}
        value={p.comment}
        onChange={(e) => p.onComment(e.target.value)}
        disabled={noFlow}
      />
      <button type="button" data-testid="btn-publish" onClick={p.onPublish} disabled={p.busy || noFlow}>
        {t('toolbar.publish')}
      </button>
      <button type="button" data-testid="btn-versions" onClick={p.onVersions} disabled={p.busy || noFlow}>
        {t('toolbar.versions')}
      </button>
      <button type="button" data-testid="btn-simulate" onClick={p.onSimulate} disabled={p.busy || noFlow}>
        {t('toolbar.simulate')}
      </button>
      <div className="status-area">
        {p.publishedVersion !== null ? (
          <span className="badge ok" data-testid="published-badge">{t('status.live', { version: p.publishedVersion })}</span>
        ) : (
          p.flowId && <span className="badge" data-testid="published-badge">{t('status.unpublished')}</span>
        )}
        {p.dirty && <span className="dirty" data-testid="dirty">{t('status.dirty')}</span>}
        <span className={`status ${p.status?.tone ?? 'info'}`} data-testid="status" role="status" title={p.status ? t(p.status.key, p.status.params) : ''}>
          {p.status ? t(p.status.key, p.status.params) : ''}
        </span>
      </div>
      <button type="button" data-testid="btn-lang" onClick={() => setUiLanguage(i18n.language === 'zh' ? 'en' : 'zh')}>
        {t('toolbar.lang')}
      </button>
      <button type="button" className="link" data-testid="btn-logout" onClick={p.onLogout}>
        {t('toolbar.logout')}
      </button>
    </header>
  );
}
