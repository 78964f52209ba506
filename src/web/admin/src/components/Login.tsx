import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';

/** The admin-token box shown until a token is known. */
export function Login({ error, onLogin }: { error: string | null; onLogin: (token: string) => void }) {
  const { t } = useTranslation();
  const [token, setToken] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (token.trim()) onLogin(token.trim());
  };
  return (
    <div className="login-wrap">
      <form className="login" onSubmit={submit} data-testid="login">
        <h1>{t('app.title')}</h1>
        <h2>{t('login.title')}</h2>
        <label className="field">
          <span>{t('login.token')}</span>
          <input data-testid="login-token" type="password" autoFocus value={token} onChange={(e) => setToken(e.target.value)} />
        </label>
        {error && <p className="error-text" data-testid="login-error">{error}</p>}
        <button type="submit" className="primary" data-testid="login-submit" disabled={!token.trim()}>
          {t('login.submit')}
        </button>
        <p className="muted">{t('login.hint')}</p>
      </form>
    </div>
  );
}
