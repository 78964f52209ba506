import { useTranslation } from 'react-i18next';
import type { VersionInfo } from '../api.js';
import { Modal } from './Modal.js';

/** Formats an epoch-ms or ISO time for display in the browser's locale. */
export function formatTime(at: number | string, lang: string): string {
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? String(at) : d.toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB');
}

interface Props {
  versions: VersionInfo[] | null;
  busy: boolean;
  onRollback: (version: number) => void;
  onLoad: (version: number) => void;
  onClose: () => void;
}

/** Published versions (who, when, comment) with a Rollback button each. */
export function VersionsDialog({ versions, busy, onRollback, onLoad, onClose }: Props) {
  const { t, i18n } = useTranslation();
  return (
    <Modal title={t('versions.title')} onClose={onClose} testId="versions-dialog">
      {versions === null ? (
        <p>{t('status.loading')}</p>
      ) : versions.length === 0 ? (
        <p className="muted">{t('versions.empty')}</p>
      ) : (
        <table className="versions">
          <thead>
            <tr>
              <th>{t('versions.version')}</th>
              <th>{t('versions.publishedAt')}</th>
              <th>{t('versions.publishedBy')}</th>
              <th>{t('versions.comment')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {[...versions]
              .sort((a, b) => b.version - a.version)
              .map((v) => (
                <tr key={v.version} data-testid={`version-${v.version}`} className={v.current ? 'current' : ''}>
                  <td>
                    v{v.version} {v.current && <span className="tag">{t('versions.current')}</span>}
                  </td>
                  <td>{formatTime(v.publishedAt, i18n.language)}</td>
                  <td>{v.publishedBy}</td>
                  <td>{v.comment ?? ''}</td>
                  <td className="actions">
                    <button type="button" data-testid={`btn-load-version-${v.version}`} disabled={busy} onClick={() => onLoad(v.version)}>
                      {t('versions.load')}
                    </button>
                    <button type="button" data-testid={`btn-rollback-${v.version}`} disabled={busy || v.current} onClick={() => onRollback(v.version)}>
                      {t('versions.rollback')}
                    </button>
                  </td>
                </tr>
              ))}
          </tbody>
        </table>
      )}
    </Modal>
  );
}
