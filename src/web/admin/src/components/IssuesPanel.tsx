import { useTranslation } from 'react-i18next';
import type { Issue } from '../api.js';

/** The validation issues of the last save / validate / publish; clicking one selects its node. */
export function IssuesPanel({ issues, onPick }: { issues: Issue[]; onPick: (nodeId: string) => void }) {
  const { t } = useTranslation();
  return (
    <section className="issues" data-testid="issues-panel">
      <h2>
        {t('issues.title')} {issues.length > 0 && <span className="count">{issues.length}</span>}
      </h2>
      {issues.length === 0 ? (
        <p className="muted">{t('issues.none')}</p>
      ) : (
        <ul>
          {issues.map((i, n) => (
            <li key={n} data-testid="issue-item" data-node-id={i.nodeId ?? ''} className={i.nodeId ? 'clickable' : ''} onClick={() => i.nodeId && onPick(i.nodeId)}>
              <span className="issue-where">{i.nodeId ?? t('issues.flow')}</span>
              <span className="issue-msg">
                <strong>{t(`issueCodes.${i.code}`, { defaultValue: i.code })}</strong> {i.message}
              </span>
              <span className="issue-code">
                {i.code}
                {i.path ? ` · ${i.path}` : ''}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
