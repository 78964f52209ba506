import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { SimulationInput, SimulationResult } from '../api.js';

/** Splits "1, 2，0571#" into key entries (commas, full-width commas or spaces separate them). */
export function parseKeys(text: string): string[] {
  return text.split(/[,，\s]+/).filter(Boolean);
}

/** `name=value` lines → variables. */
export function parseVariables(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return out;
}

function localIso(): string {
  const d = new Date();
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const pad = (n: number) => String(Math.floor(Math.abs(n))).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:00${sign}${pad(off / 60)}:${pad(off % 60)}`;
}

interface Props {
  busy: boolean;
  result: SimulationResult | null;
  onRun: (input: SimulationInput) => void;
  onClose: () => void;
}

/** Simulate a call through the editor's current flow: caller input in, path and prompts out. */
export function SimulatePanel({ busy, result, onRun, onClose }: Props) {
  const { t } = useTranslation();
  const [keys, setKeys] = useState('');
  const [utterances, setUtterances] = useState('');
  const [at, setAt] = useState(localIso);
  const [caller, setCaller] = useState('13800138000');
  const [queueOutcome, setQueueOutcome] = useState<'' | 'completed' | 'timeout' | 'noAgents'>('');
  const [variables, setVariables] = useState('');
  const [district, setDistrict] = useState('');

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const input: SimulationInput = { keys: parseKeys(keys), utterances: utterances.split('\n').map((s) => s.trim()).filter(Boolean) };
    if (at.trim()) input.at = at.trim();
    if (caller.trim()) input.callerNumber = caller.trim();
    if (queueOutcome) input.queueOutcome = queueOutcome;
    if (district.trim()) input.district = district.trim();
    const vars = parseVariables(variables);
    if (Object.keys(vars).length) input.variables = vars;
    onRun(input);
  };

  return (
    <section className="panel-section simulate" data-testid="simulate-panel">
      <header className="panel-head">
        <h2>{t('simulate.title')}</h2>
        <button type="button" className="close" data-testid="simulate-close" onClick={onClose}>
          ×
        </button>
      </header>
      <form onSubmit={submit}>
        <label className="field">
          <span>{t('simulate.keys')}</span>
          <input data-testid="sim-keys" value={keys} onChange={(e) => setKeys(e.target.value)} placeholder="1,2" />
        </label>
        <label className="field">
          <span>{t('simulate.utterances')}</span>
          <textarea data-testid="sim-utterances" rows={3} value={utterances} onChange={(e) => setUtterances(e.target.value)} />
        </label>
        <label className="field">
          <span>{t('simulate.at')}</span>
          <input data-testid="sim-at" value={at} onChange={(e) => setAt(e.target.value)} />
        </label>
        <label className="field">
          <span>{t('simulate.caller')}</span>
          <input data-testid="sim-caller" value={caller} onChange={(e) => setCaller(e.target.value)} />
        </label>
        <label className="field">
          <span>{t('simulate.queueOutcome')}</span>
          <select data-testid="sim-queue" value={queueOutcome} onChange={(e) => setQueueOutcome(e.target.value as typeof queueOutcome)}>
            <option value="">—</option>
            <option value="completed">completed</option>
            <option value="timeout">timeout</option>
            <option value="noAgents">noAgents</option>
          </select>
        </label>
        <label className="field">
          <span>{t('simulate.district')}</span>
          <input data-testid="sim-district" value={district} onChange={(e) => setDistrict(e.target.value)} placeholder="金水区" />
        </label>
        <label className="field">
          <span>{t('simulate.variables')}</span>
          <textarea data-testid="sim-variables" rows={2} value={variables} onChange={(e) => setVariables(e.target.value)} placeholder="district=金水区" />
        </label>
        <button type="submit" className="primary" data-testid="sim-run" disabled={busy}>
          {t('simulate.run')}
        </button>
      </form>
      {result && (
        <div className="sim-result" data-testid="sim-result">
          <p>
            {t('simulate.outcome')}: <strong data-testid="sim-outcome">{result.outcome}</strong>
          </p>
          <h3>{t('simulate.path')}</h3>
          <ol data-testid="sim-path">
            {result.path.map((s, n) => (
              <li key={n} data-node-id={s.nodeId}>
                <code>{s.nodeId}</code> <span className="muted">{t(`nodeTypes.${s.type}`, { defaultValue: s.type })}</span>
                {s.exit !== null && <span className="exit"> → {s.exit}</span>}
              </li>
            ))}
          </ol>
          <h3>{t('simulate.prompts')}</h3>
          <ol data-testid="sim-prompts">
            {result.prompts.map((p, n) => (
              <li key={n}>
                <code>{p.nodeId}</code> {p.text ?? (p.file ? `♪ ${p.file}` : '')} {p.language && <span className="muted">[{p.language}]</span>}
              </li>
            ))}
          </ol>
          {Object.keys(result.variables).length > 0 && (
            <>
              <h3>{t('simulate.resultVars')}</h3>
              <dl className="vars">
                {Object.entries(result.variables).map(([k, v]) => (
                  <div key={k}>
                    <dt>{k}</dt>
                    <dd>{v}</dd>
                  </div>
                ))}
              </dl>
            </>
          )}
        </div>
      )}
    </section>
  );
}
