import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Modal } from './Modal.js';

const FLOW_ID = /^[a-z0-9][a-z0-9-]{1,63}$/;

/** Asks for the new flow's id, name and (optional) number. */
export function NewFlowDialog({ error, busy, onCreate, onClose }: { error: string | null; busy: boolean; onCreate: (id: string, name: string, number: string) => void; onClose: () => void }) {
  const { t } = useTranslation();
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [number, setNumber] = useState('');
  const ok = FLOW_ID.test(id) && name.trim().length > 0 && (number === '' || /^[0-9+*#]{2,20}$/.test(number));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (ok) onCreate(id, name.trim(), number);
  };
  return (
    <Modal title={t('newFlow.title')} onClose={onClose} testId="new-flow-dialog">
      <form onSubmit={submit}>
        <label className="field">
          <span>{t('newFlow.id')}</span>
          <input data-testid="new-id" value={id} autoFocus onChange={(e) => setId(e.target.value.trim())} placeholder="my-flow" />
        </label>
        <label className="field">
          <span>{t('newFlow.name')}</span>
          <input data-testid="new-name" value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label className="field">
          <span>{t('newFlow.number')}</span>
          <input data-testid="new-number" value={number} onChange={(e) => setNumber(e.target.value.trim())} placeholder="12345" />
        </label>
        {error && <p className="error-text">{error}</p>}
        <div className="row">
          <button type="submit" className="primary" data-testid="new-create" disabled={!ok || busy}>
            {t('newFlow.create')}
          </button>
          <button type="button" onClick={onClose}>
            {t('newFlow.cancel')}
          </button>
        </div>
      </form>
    </Modal>
  );
}
